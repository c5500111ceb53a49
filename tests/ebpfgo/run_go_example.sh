#!/usr/bin/env bash
# The Go example app (go/examples/execmonitor, cilium/ebpf) end to end, as root: a pack made
# from the testdata kernels plus this host's own BTF filed under a made-up distro is embedded
# into the binary (go build -overlay puts it in place of the committed btfs.pack, the source
# tree is not touched), found through an os-release fixture:
#  1. kernel layer skipped: layer 3 (pack) answers with the made-up key; cilium/ebpf loads the
#     bpf2go object with KernelTypes from the pack; the exec events of the app's own children
#     carry their pid, the app's pid as ppid and comm "true"
#  2. -prefer-pack: the kernel has BTF (layer 2 present) but the pack's exact match wins
#     (and with another kernel's BTF under this host's name in the pack, they are wrong: exit 1)
#  3. plain: layer 2 (kernel) answers first; a kernel release the pack does not have: exit 1,
#     the message names the host and the nearest kernels; -no-pack (layer 3 off) with the
#     kernel's BTF skipped: exit 1 with the reader's diagnostic naming the host
#  4. the committed bpf2go objects relocate what the build tree's example_exec.o relocates,
#     and the app cross-compiles with CGO_ENABLED=0 for arm64 (bpfel object) and s390x (bpfeb)
# usage: run_go_example.sh GO BTFPACK GO_MODULE_DIR KERNELS_DIR BUILD_EXAMPLE_OBJ
# Last line: "N passed, M failed"; exit 0 only if M == 0. Exit 77 (skip) when not root or the
# running kernel has no /sys/kernel/btf/vmlinux (needed to make this host's pack entry).
set -u
GO=$1 BTFPACK=$2 MOD=$3 KERNELS=$4 BUILD_OBJ=$5
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
  echo "skip: needs root and /sys/kernel/btf/vmlinux"; exit 77
fi
EX=$MOD/examples/execmonitor
T=$(mktemp -d /var/tmp/btfpack-go-example-test.XXXXXX); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }
show() { sed 's/^/     | /' "$@"; }

case $(uname -m) in x86_64|amd64) ARCH=x86_64 ;; aarch64|arm64) ARCH=arm64 ;; *) ARCH=$(uname -m) ;; esac
KREL=$(uname -r)
HOST=btfpackgotest/1.0/$ARCH/$KREL
A=$T/archive
mkdir -p "$A/btfpackgotest/1.0/$ARCH"
(cd "$KERNELS" && find . -name '*.btf.tar.xz') | while read -r f; do
  mkdir -p "$A/$(dirname "$f")"; ln -s "$KERNELS/$f" "$A/$f"
done
cp /sys/kernel/btf/vmlinux "$A/$HOST.btf"
printf 'NAME="btfpack go test"\nID=btfpackgotest\nVERSION_ID="1.0"\n' > "$T/os-release"
"$BTFPACK" build "$A" x86_64="$EX/execmonitor_bpfel.o" arm64="$EX/execmonitor_bpfel.o" \
  s390x="$EX/execmonitor_bpfeb.o" -o "$T/host.pack" >"$T/build.out" 2>&1
check "pack built incl. this host as $HOST" "$BTFPACK ls $T/host.pack | grep -q '^$HOST\b'" || show "$T/build.out"

printf '{"Replace":{"%s":"%s"}}\n' "$EX/btfs.pack" "$T/host.pack" > "$T/overlay.json"
(cd "$MOD" && "$GO" build -overlay "$T/overlay.json" -o "$T/execmonitor" ./examples/execmonitor) >"$T/gobuild.out" 2>&1
check "go build with the host pack embedded" "[ -x $T/execmonitor ]" || show "$T/gobuild.out"

run() { # run NAME ARGS...: stdout -> $T/NAME.out, stderr -> $T/NAME.err, exit code -> $T/NAME.rc
  local n=$1; shift
  env BTFPACK_OS_RELEASE="$T/os-release" "$@" >"$T/$n.out" 2>"$T/$n.err"; echo $? >"$T/$n.rc"
}
# 1. pack layer, kernel's BTF hidden
run pack "$T/execmonitor" -no-kernel-btf -count 3 -timeout 10
check "pack: exit 0" "[ \$(cat $T/pack.rc) -eq 0 ]" || show "$T/pack.out" "$T/pack.err"
check "pack: reports the host $HOST" "grep -qx 'host: $HOST' $T/pack.out"
check "pack: layer 3 (pack) answered with the made-up key, from the embedded pack" \
  "grep -Eq '^btf: layer 3 \(pack\) $HOST, [0-9]+ bytes$' $T/pack.out"
check "pack: loaded and attached" "grep -qx 'attached: raw_tp/sched_process_exec' $T/pack.out"
check "pack: 3 events of its own children with pid, ppid = the app, comm true" \
  "[ \$(grep -Ec '^exec pid=[1-9][0-9]* ppid=[1-9][0-9]* comm=true filename=/bin/true \(ours\)$' $T/pack.out) -eq 3 ] && grep -q '^received the exec events of all 3 children' $T/pack.out"
# self: pid=S and child: pid=C lines name the pids every event of ours must carry
self_pid=$(sed -n 's/^self: pid=//p' "$T/pack.out")
check "pack: prints self: pid=N; each of the 3 child: pid=C lines has its event with ppid=N" \
  "[ -n '$self_pid' ] && [ \$(sed -n 's/^child: pid=//p' $T/pack.out | while read -r c; do grep -qx \"exec pid=\$c ppid=$self_pid comm=true filename=/bin/true (ours)\" $T/pack.out && echo \$c; done | wc -l) -eq 3 ]"
# 2. PreferPack: layer 2 is there, the pack wins
run prefer "$T/execmonitor" -prefer-pack -count 2 -timeout 10
check "prefer-pack: exit 0, layer 3 answered although the kernel has BTF" \
  "[ \$(cat $T/prefer.rc) -eq 0 ] && grep -Eq '^btf: layer 3 \(pack\) $HOST, ' $T/prefer.out && grep -q '^received the exec events of all 2 children' $T/prefer.out" \
  || show "$T/prefer.out" "$T/prefer.err"
# 3. kernel layer; a pack without this host
run kernel "$T/execmonitor" -count 1 -timeout 10
check "plain: layer 2 (kernel) answers first" \
  "[ \$(cat $T/kernel.rc) -eq 0 ] && grep -qx 'btf: layer 2 (kernel) /sys/kernel/btf/vmlinux' $T/kernel.out" || show "$T/kernel.out" "$T/kernel.err"
run nope env BTFPACK_KERNEL_RELEASE=9.9.9-nope "$T/execmonitor" -no-kernel-btf -timeout 2
check "a kernel the pack does not have: exit 1, nothing attached, names the host and the nearest kernels" \
  "[ \$(cat $T/nope.rc) -eq 1 ] && ! grep -q '^attached' $T/nope.out && grep -q 'no BTF for host btfpackgotest/1.0/$ARCH/9.9.9-nope' $T/nope.err && grep -q 'nearest kernels.*$KREL' $T/nope.err" \
  || show "$T/nope.out" "$T/nope.err"
run nopack "$T/execmonitor" -no-pack -no-kernel-btf -timeout 2
check "-no-pack: exit 1, nothing attached, the reader's diagnostic names the host and says no pack was given" \
  "[ \$(cat $T/nopack.rc) -eq 1 ] && ! grep -q '^attached' $T/nopack.out && grep -q 'no BTF for host $HOST: the kernel has none and no pack was given' $T/nopack.err" \
  || show "$T/nopack.out" "$T/nopack.err"
run both "$T/execmonitor" -no-pack -pack "$T/host.pack"
check "-no-pack with -pack: usage error, exit 2" "[ \$(cat $T/both.rc) -eq 2 ]"
# the values are relocated through the pack: this host's name on another kernel's BTF (x86_64
# hosts: Debian 12's 6.1 BTF) gives wrong offsets, so the app must not report its children
if [ "$ARCH" = x86_64 ]; then
  W=$T/wrong; mkdir -p "$W/btfpackgotest/1.0/$ARCH"
  tar -xJOf "$KERNELS/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz" > "$W/$HOST.btf"
  "$BTFPACK" build "$W" x86_64="$EX/execmonitor_bpfel.o" -o "$T/wrong.pack" >"$T/wrong-build.out" 2>&1
  run wrong "$T/execmonitor" -no-kernel-btf -pack "$T/wrong.pack" -count 2 -timeout 3
  check "another kernel's BTF under this host's name: exit 1, the children's events are not right" \
    "[ \$(cat $T/wrong.rc) -eq 1 ] && grep -Eq '^btf: layer 3 \(pack\) $HOST, ' $T/wrong.out && ! grep -q '^received' $T/wrong.out" \
    || show "$T/wrong-build.out" "$T/wrong.out" "$T/wrong.err"
fi

# 4. the committed bpf2go output matches bpf/example_exec.bpf.c as built here; cross builds
relocs() { "$BTFPACK" relocs "$1" | awk '{ $1 = ""; print }'; }  # without the file name
check "bpf2go's bpfel object has the relocations of the build tree's example_exec.o" \
  "[ \"\$(relocs $EX/execmonitor_bpfel.o)\" = \"\$(relocs $BUILD_OBJ)\" ] && [ -n \"\$(relocs $BUILD_OBJ)\" ]"
for arch in arm64 s390x; do
  (cd "$MOD" && CGO_ENABLED=0 GOOS=linux GOARCH=$arch "$GO" build -o "$T/execmonitor.$arch" ./examples/execmonitor) >"$T/cross.$arch" 2>&1
  obj=bpfel; [ $arch = s390x ] && obj=bpfeb
  check "CGO_ENABLED=0 GOARCH=$arch build, embeds the $obj object" \
    "[ -s $T/execmonitor.$arch ] && (cd $MOD && GOARCH=$arch $GO list -f '{{.EmbedFiles}}' ./examples/execmonitor) | grep -q execmonitor_$obj.o" \
    || show "$T/cross.$arch"
done
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
