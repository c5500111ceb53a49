#!/usr/bin/env bash
# scripts/docker-build-stage.sh (the Dockerfile's build stage) outside Docker, as root, on a small
# archive: a testdata kernel plus this host's own BTF under a made-up distro. OUT must hold the
# pack, the app and the object; the app must run from OUT (pack and object found next to it) on
# the pack layer; its shared libraries must all come from the packages the Dockerfile's runtime
# stage installs; bad archives fail cleanly.
# usage: run_stage_script.sh STAGE_SCRIPT BTFPACK EXEC_MONITOR OBJ KERNELS_DIR
# Last line: "N passed, M failed"; exit 0 only if M == 0; 77 (skip) when not root or no kernel BTF.
set -u
SCRIPT=$1 BTFPACK=$2 APP=$3 OBJ=$4 KERNELS=$5
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
  echo "skip: needs root and /sys/kernel/btf/vmlinux"; exit 77
fi
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }
show() { sed 's/^/     | /' "$@"; }
stage() { env BTFPACK="$BTFPACK" APP="$APP" OBJS="$OBJ" "$@"; }

source "$(dirname "${BASH_SOURCE[0]}")/host_archive.sh"
A=$T/archive
host_archive "$KERNELS" "$A"  # sets HOST, FIRST_KERNEL
k=$FIRST_KERNEL

OUT=$T/out
stage VERIFY_SAMPLE=all bash "$SCRIPT" "$A" "$OUT" >"$T/stage.out" 2>&1; rc=$?
check "stage script: exit 0" "[ $rc -eq 0 ]" || show "$T/stage.out"
check "OUT has btfs.pack, exec_monitor (executable) and example_exec.o" \
  "[ -s $OUT/btfs.pack ] && [ -x $OUT/exec_monitor ] && cmp -s $OUT/example_exec.o $OBJ"
check "the pack has the 2 kernels of the archive, and passes btfpack verify" \
  "[ \$($BTFPACK ls $OUT/btfs.pack | wc -l) -eq 2 ] && $BTFPACK ls $OUT/btfs.pack | grep -q '^$HOST\b' && $BTFPACK verify $OUT/btfs.pack >/dev/null"
check "the script verified the packed BTFs against the archive" "grep -q 'relocate identically' $T/stage.out"

# the app runs from OUT: no --pack, no --obj, from another directory
printf 'ID=btfpacktest\nVERSION_ID=1.0\n' > "$T/os-release"
mkdir -p "$T/elsewhere"
(cd "$T/elsewhere" && BTFPACK_OS_RELEASE=$T/os-release "$OUT/exec_monitor" --no-kernel-btf --count 2 --timeout 10 \
  >"$T/run.out" 2>"$T/run.err"); rc=$?
check "app from OUT: exit 0, pack and object found next to it" \
  "[ $rc -eq 0 ] && grep -q '^pack: $OUT/btfs.pack (2 kernels' $T/run.out && grep -qx 'object: $OUT/example_exec.o' $T/run.out" \
  || show "$T/run.out" "$T/run.err"
check "app from OUT: pack layer, events received" \
  "grep -q '^btf: layer 3 (pack) /proc/self/fd/' $T/run.out && grep -Eq '^exec pid=[0-9]+ ppid=[0-9]+ comm=true filename=/bin/true \(ours\)' $T/run.out"

# the runtime stage of the Dockerfile installs libbpf1 libzstd1 libelf1 zlib1g (libc6 is in the image)
if command -v dpkg >/dev/null; then
  libs=$(ldd "$OUT/exec_monitor" | awk '$3 ~ /^\// {print $3} $1 ~ /^\// {print $1}')
  pkgs=$(for l in $libs; do dpkg -S "$(readlink -f "$l")" 2>/dev/null || dpkg -S "$l" 2>/dev/null || echo "UNKNOWN: $l"; done \
         | sed 's/:.*//' | sort -u | tr '\n' ' ')
  extra=$(for p in $pkgs; do case $p in libbpf1|libzstd1|libelf1|zlib1g|libc6) ;; *) echo "$p" ;; esac; done)
  check "the app's shared libraries come only from libbpf1 libzstd1 libelf1 zlib1g libc6 (got: $pkgs)" "[ -z '$extra' ]"
fi

# failures
stage bash "$SCRIPT" "$T/nonexistent" "$T/out2" >"$T/bad.out" 2>&1; rc=$?
check "missing archive: exit 1 naming it" "[ $rc -eq 1 ] && grep -q '$T/nonexistent' $T/bad.out" || show "$T/bad.out"
mkdir -p "$A/fedora/34/x86_64"; head -c 5000 "$k" > "$A/fedora/34/x86_64/5.11.12-300.fc34.x86_64.btf.tar.xz"
stage VERIFY_SAMPLE=0 bash "$SCRIPT" "$A" "$T/out3" >"$T/skip.out" 2>&1; rc=$?
check "corrupt kernel file: skipped with a warning, pack still made" \
  "[ $rc -eq 0 ] && grep -q 'warning: btfpack skipped' $T/skip.out && [ \$($BTFPACK ls $T/out3/btfs.pack | wc -l) -eq 2 ]" || show "$T/skip.out"
stage STRICT=1 VERIFY_SAMPLE=0 bash "$SCRIPT" "$A" "$T/out4" >"$T/strict.out" 2>&1; rc=$?
check "corrupt kernel file with STRICT=1: exit 1, no pack" "[ $rc -eq 1 ] && [ ! -e $T/out4/btfs.pack ]" || show "$T/strict.out"
bash "$SCRIPT" >/dev/null 2>&1; rc=$?
check "no arguments: usage, exit 2" "[ $rc -eq 2 ]"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
