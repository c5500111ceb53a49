#!/usr/bin/env bash
# The Go reader's layer 4 end to end: btfpack.Lookup with btfpack.RemoteFetch (no pack, kernel
# BTF skipped) against a `btfpack serve` on loopback; libbpf then relocates the object against
# the BTF the Go side got exactly as against the kernel's full BTF (relo_oracle, line for line).
# usage: go_remote.sh BTFPACK GO GO_MODULE_DIR RELO_ORACLE KERNELS OBJ_DIR
set -u
BTFPACK=$1 GO=$2 MOD=$3 ORACLE=$4 KERNELS=$(cd "$5" && pwd) OBJS=$(cd "$6" && pwd)
T=$(mktemp -d)
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }
"$(dirname "$BTFPACK")/btfpack-serve" --archive "$KERNELS" --listen 127.0.0.1:0 -q > "$T/out" 2> "$T/log" &
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -rf "$T"' EXIT
for i in $(seq 100); do grep -q listening "$T/out" && break; sleep 0.05; done
URL=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' "$T/out")
check "server started ($URL)" "[ -n '$URL' ]"
for k in debian/12/x86_64/6.1.0-50-amd64 debian/13/s390x/6.12.107+deb13-s390x; do
  for o in task minimal; do
    obj=$OBJS/$o.o
    ( cd "$MOD" && GOFLAGS=-mod=readonly BTFPACK_TEST_SERVE_URL=$URL BTFPACK_TEST_SERVE_KERNEL=$k \
      BTFPACK_TEST_SERVE_OBJECT=$obj BTFPACK_TEST_SERVE_OUT=$T/got.btf \
      "$GO" test -count=1 -run '^TestRemoteFetchServer$' ./btfpack ) > "$T/go.out" 2>&1
    check "$k $o.o: Go Lookup answers from layer 4 (btfpack serve)" "grep -q '^ok' $T/go.out && [ -s $T/got.btf ]" \
      || sed 's/^/    /' "$T/go.out" | tail -5
    tar -xJOf "$KERNELS/$k.btf.tar.xz" > "$T/full.btf"
    "$ORACLE" "$obj" "$T/full.btf" > "$T/full.out" 2>/dev/null
    "$ORACLE" "$obj" "$T/got.btf" > "$T/got.out" 2>/dev/null
    check "$k $o.o: libbpf relocates it exactly as with the full BTF ($(wc -l < "$T/full.out") outcomes)" \
      "[ -s $T/full.out ] && cmp -s $T/full.out $T/got.out"
    rm -f "$T/got.btf"
  done
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
