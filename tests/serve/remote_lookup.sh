#!/usr/bin/env bash
# Layer 4 end to end: an app's pack lacks the host's kernel; the C reader's layer-4 callback
# (libbtfpack_remote) gets the BTF from a `btfpack serve` on loopback, and libbpf relocates
# each object against it exactly as against the kernel's full BTF (relo_oracle, line for line).
# Also: a kernel the pack has is answered by layer 3 (no request), and an unknown kernel fails
# with the service's error. usage: remote_lookup.sh BTFPACK REMOTE_LOOKUP RELO_ORACLE KERNELS OBJ_DIR
set -u
BTFPACK=$1 LOOKUP=$2 ORACLE=$3 KERNELS=$(cd "$4" && pwd) OBJS=$(cd "$5" && pwd)
T=$(mktemp -d)
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }
SERVE=$(dirname "$BTFPACK")/btfpack-serve
"$SERVE" --archive "$KERNELS" --listen 127.0.0.1:0 -q > "$T/out" 2> "$T/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 100); do grep -q listening "$T/out" && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$T/out")
check "server started ($URL)" "[ -n '$URL' ]"
# the app's pack: built when only the arm64 kernel existed
mkdir -p "$T/old/debian/12/arm64"
ln -s "$KERNELS/debian/12/arm64/6.1.0-50-arm64.btf.tar.xz" "$T/old/debian/12/arm64/"
"$BTFPACK" build "$T/old" "$OBJS/minimal.o" -o "$T/app.pack" >/dev/null 2>&1
for k in debian/12/x86_64/6.1.0-50-amd64 debian/11/x86_64/5.10.0-32-amd64; do
  IFS=/ read -r d v a kr <<< "$k"
  tar -xJOf "$KERNELS/$k.btf.tar.xz" > "$T/full.btf"
  for o in minimal task enums bitfields net; do
    "$LOOKUP" "$URL" "$T/app.pack" "$OBJS/$o.o" "$d" "$v" "$a" "$kr" "$T/got.btf" > "$T/layer" 2> "$T/err"
    check "$k $o.o: the pack lacks the kernel, layer 4 answers" "grep -qx 'layer 4' $T/layer"
    "$ORACLE" "$OBJS/$o.o" "$T/full.btf" > "$T/full.out" 2>/dev/null
    "$ORACLE" "$OBJS/$o.o" "$T/got.btf" > "$T/got.out" 2>/dev/null
    check "$k $o.o: libbpf relocates it exactly as with the full BTF ($(wc -l < "$T/full.out") outcomes)" \
      "[ -s $T/full.out ] && cmp -s $T/full.out $T/got.out"
  done
done
"$LOOKUP" "$URL" "$T/app.pack" "$OBJS/minimal.o" debian 12 arm64 6.1.0-50-arm64 "$T/got.btf" > "$T/layer" 2> "$T/err"
check "a kernel the pack has: layer 3, no remote call" "grep -qx 'layer 3' $T/layer"
"$LOOKUP" "$URL" "$T/app.pack" "$OBJS/minimal.o" debian 12 x86_64 9.9.9-nosuch "$T/got.btf" > "$T/layer" 2> "$T/err"
check "a kernel nobody has: fails with the service's 404 message" \
  "grep -q 'HTTP 404' $T/err && grep -q 'no kernel debian/12/x86_64/9.9.9-nosuch in the archive' $T/err"
kill -0 $pid 2>/dev/null; check "server still up" "[ $? -eq 0 ]"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
