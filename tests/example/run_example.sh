#!/usr/bin/env bash
# The example app (examples/exec_monitor) end to end, as root: a pack made from the testdata
# kernels plus this host's own BTF filed under a made-up distro, found through an os-release
# fixture with the kernel layer skipped; libbpf loads the object against the packed BTF (handed
# over as a memfd), and exec events arrive through the ring buffer.
#  1. pack layer: right host, layer 3, events of the app's own /bin/true children; also layer 2
#     (kernel) and layer 1 (--btf) on the same host
#  2. a host the pack does not have: exit 1, the message names the host and the nearest kernels
#  3. the memfd hand-off leaves no file behind (/tmp, TMPDIR and cwd stay empty; with strace: no
#     file created at all, and libbpf opened /proc/self/fd/N)
#  4. (with EXEC_MONITOR_EMBEDDED) the embedded pack answers the lookup; --no-pack ignores it
# usage: run_example.sh EXEC_MONITOR BTFPACK OBJ KERNELS_DIR [EXEC_MONITOR_EMBEDDED]
# Last line: "N passed, M failed"; exit 0 only if M == 0. Exit 77 (skip) when not root or the
# running kernel has no /sys/kernel/btf/vmlinux (needed to make this host's pack entry).
set -u
APP=$1 BTFPACK=$2 OBJ=$3 KERNELS=$4 EMBEDDED=${5:-}
if [ "$(id -u)" -ne 0 ] || [ ! -r /sys/kernel/btf/vmlinux ]; then
  echo "skip: needs root and /sys/kernel/btf/vmlinux"; exit 77
fi
# /var/tmp, not /tmp: case 3 hides /tmp behind an empty tmpfs
T=$(mktemp -d /var/tmp/btfpack-example-test.XXXXXX); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }
show() { sed 's/^/     | /' "$@"; }

# this host in BTFHub naming (as btfpack/host.h maps uname)
case $(uname -m) in x86_64|amd64) ARCH=x86_64 ;; aarch64|arm64) ARCH=arm64 ;; *) ARCH=$(uname -m) ;; esac
KREL=$(uname -r)
HOST=btfpacktest/1.0/$ARCH/$KREL

A=$T/archive
mkdir -p "$A/btfpacktest/1.0/$ARCH"
(cd "$KERNELS" && find . -name '*.btf.tar.xz' -o -name '*.btf') | while read -r f; do
  mkdir -p "$A/$(dirname "$f")"; cp "$KERNELS/$f" "$A/$f"
done
cp /sys/kernel/btf/vmlinux "$A/$HOST.btf"
printf 'NAME="btfpack test"\nID=btfpacktest\nVERSION_ID="1.0"\n' > "$T/os-release"
"$BTFPACK" build "$A" "$OBJ" -o "$T/p.pack" >"$T/build.out" 2>&1
check "pack built from $(find "$A" -name '*.btf*' | wc -l) kernels incl. this host as $HOST" \
  "[ -s $T/p.pack ] && $BTFPACK ls $T/p.pack | grep -q '^$HOST\b'" || show "$T/build.out"

# 1. pack layer
run() { # run NAME ARGS...: stdout -> $T/NAME.out, stderr -> $T/NAME.err, exit code -> $T/NAME.rc
  local n=$1; shift
  env BTFPACK_OS_RELEASE="$T/os-release" "$@" >"$T/$n.out" 2>"$T/$n.err"; echo $? >"$T/$n.rc"
}
run pack "$APP" --no-kernel-btf --pack "$T/p.pack" --count 3 --timeout 10
check "pack layer: exit 0" "[ \$(cat $T/pack.rc) -eq 0 ]" || { show "$T/pack.out" "$T/pack.err"; }
check "pack layer: reports the host $HOST" "grep -qx 'host: $HOST' $T/pack.out"
check "pack layer: layer 3 (pack) answered, via a memfd" \
  "grep -Eq '^btf: layer 3 \(pack\) /proc/self/fd/[0-9]+ -> /memfd:btfpack-btf \(deleted\) \(memfd\)' $T/pack.out"
check "pack layer: object loaded and attached" "grep -qx 'attached: raw_tp/sched_process_exec' $T/pack.out"
check "pack layer: exec events of its own /bin/true children (pid, ppid, comm, filename via CO-RE)" \
  "grep -Eq '^exec pid=[1-9][0-9]* ppid=[1-9][0-9]* comm=true filename=/bin/true \(ours\)$' $T/pack.out"
check "pack layer: summary counts the events" "grep -Eq '^received [1-9][0-9]* events \([1-9]' $T/pack.out"

# libbpf relocated against the packed BTF: the target type ids in its log are the packed BTF's
# (a few dozen types), and with strace: it opened the memfd by its /proc/self/fd path
run packv "$APP" --no-kernel-btf --pack "$T/p.pack" --count 1 --timeout 10 -v
"$BTFPACK" get "$T/p.pack" "$HOST" -o "$T/host.btf" >/dev/null 2>&1
if command -v bpftool >/dev/null; then
  want=$(bpftool btf dump file "$T/host.btf" 2>/dev/null | sed -nE "s/^\[([0-9]+)\] STRUCT 'task_struct'.*/\1/p")
  check "libbpf relocated against the packed BTF (task_struct is type [$want] there)" \
    "[ -n '$want' ] && grep -q 'found target candidate \[$want\] struct task_struct in \[vmlinux\]' $T/packv.err"
fi

run kernel "$APP" --pack "$T/p.pack" --count 1 --timeout 10
check "kernel layer answers first when the kernel has BTF (layer 2)" \
  "[ \$(cat $T/kernel.rc) -eq 0 ] && grep -qx 'btf: layer 2 (kernel) /sys/kernel/btf/vmlinux' $T/kernel.out"
run explicit "$APP" --btf "$T/host.btf" --pack "$T/p.pack" --count 1 --timeout 10
check "--btf answers first (layer 1) and the app runs on it" \
  "[ \$(cat $T/explicit.rc) -eq 0 ] && grep -qx 'btf: layer 1 (explicit) $T/host.btf' $T/explicit.out"

# 2. a host the pack does not have
run nope env BTFPACK_KERNEL_RELEASE=9.9.9-nope "$APP" --no-kernel-btf --pack "$T/p.pack" --timeout 2
check "unknown kernel: exit 1, nothing attached" \
  "[ \$(cat $T/nope.rc) -eq 1 ] && ! grep -q '^attached' $T/nope.out" || show "$T/nope.out" "$T/nope.err"
check "unknown kernel: the message names the host and the nearest kernels of btfpacktest/1.0/$ARCH" \
  "grep -q 'no BTF for host btfpacktest/1.0/$ARCH/9.9.9-nope' $T/nope.err && grep -q 'nearest kernels.*$KREL' $T/nope.err"
printf 'ID=nosuchos\nVERSION_ID=7\n' > "$T/os-release-other"
BTFPACK_OS_RELEASE=$T/os-release-other "$APP" --no-kernel-btf --pack "$T/p.pack" >"$T/other.out" 2>"$T/other.err"; rc=$?
check "unknown distro: exit 1 naming host nosuchos/7/$ARCH/$KREL" \
  "[ $rc -eq 1 ] && grep -q 'nosuchos/7/$ARCH/$KREL' $T/other.err" || show "$T/other.err"
"$APP" --no-kernel-btf --root "$T/empty-root" >"$T/noos.out" 2>"$T/noos.err"; rc=$?
check "no os-release under --root and no pack: exit 1 with a message" "[ $rc -eq 1 ] && [ -s $T/noos.err ]" \
  || show "$T/noos.err"

# 3. no temp file: the app runs in a private mount namespace on an empty tmpfs /tmp (this test's
#    files are in /var/tmp), with an empty cwd and TMPDIR; all three must still be empty after.
#    Without unshare(1): /tmp's listing before and after is compared instead (RUN_SERIAL in ctest).
#    The app and its object are copied to /var/tmp too, in case the build tree is under /tmp.
mkdir -p "$T/cwd" "$T/tmpdir" "$T/bin"
cp "$APP" "$T/bin/exec_monitor" && cp "$OBJ" "$T/bin/example_exec.o"
tracer=()
command -v strace >/dev/null && tracer=(strace -f -qq -o "$T/strace.log" \
  -e "trace=open,openat,openat2,creat,mkdir,mkdirat,rename,renameat,renameat2,link,linkat,symlink,symlinkat,mknod,mknodat,memfd_create")
cmd=(env TMPDIR="$T/tmpdir" BTFPACK_OS_RELEASE="$T/os-release" "${tracer[@]}" "$T/bin/exec_monitor" --no-kernel-btf --pack "$T/p.pack" --count 2 --timeout 10)
if unshare -m true 2>/dev/null; then
  # shellcheck disable=SC2016
  (cd "$T/cwd" && OUT=$T/memfd unshare -m bash -c 'mount --make-rprivate / && mount -t tmpfs btfpack-test /tmp || exit 99
      "$@" >"$OUT.out" 2>"$OUT.err"; rc=$?; find /tmp -mindepth 1 >"$OUT.tmp"; exit $rc' bash "${cmd[@]}"); rc=$?
  how="a private, empty /tmp"
else
  find /tmp -mindepth 1 -maxdepth 1 | sort >"$T/tmp.before"
  (cd "$T/cwd" && "${cmd[@]}" >"$T/memfd.out" 2>"$T/memfd.err"); rc=$?
  find /tmp -mindepth 1 -maxdepth 1 | sort | comm -13 "$T/tmp.before" - >"$T/memfd.tmp"
  how="/tmp (no unshare: before/after listing)"
fi
check "memfd run: exit 0 on the pack layer" "[ $rc -eq 0 ] && grep -q '^btf: layer 3 (pack) /proc/self/fd/' $T/memfd.out" \
  || show "$T/memfd.out" "$T/memfd.err"
check "memfd run: cwd and TMPDIR are still empty" "[ -z \"\$(find $T/cwd $T/tmpdir -mindepth 1)\" ]"
check "memfd run: $how has no new entry" "[ -f $T/memfd.tmp ] && [ ! -s $T/memfd.tmp ]" || show "$T/memfd.tmp"
if [ ${#tracer[@]} -gt 0 ]; then
  check "strace: one memfd_create, no file created, renamed or linked" \
    "grep -q 'memfd_create(\"btfpack-btf\"' $T/strace.log && ! grep -E 'O_CREAT|O_TMPFILE|mkdir|rename|link\(|linkat\(|mknod|creat\(' $T/strace.log | grep -q ."
  check "strace: libbpf opened the BTF by its /proc/self/fd path" \
    "grep -Eq 'open(at)?\(.*\"/proc/self/fd/[0-9]+\"' $T/strace.log"
fi

# 4. the embedded pack (built from the testdata kernels at build time)
if [ -n "$EMBEDDED" ]; then
  printf 'ID=debian\nVERSION_ID="12"\n' > "$T/os-release-debian12"
  k=$("$BTFPACK" ls "$T/p.pack" | awk '{print $1}' | sed -n 's|^debian/12/x86_64/||p' | head -1)
  BTFPACK_OS_RELEASE=$T/os-release-debian12 BTFPACK_ARCH=x86_64 BTFPACK_KERNEL_RELEASE=$k \
    "$EMBEDDED" --no-kernel-btf --lookup-only >"$T/emb.out" 2>"$T/emb.err"; rc=$?
  check "embedded pack answers debian/12/x86_64/$k (layer 3, memfd)" \
    "[ -n '$k' ] && [ $rc -eq 0 ] && grep -q '^pack: embedded' $T/emb.out && grep -q '^btf: layer 3 (pack) /proc/self/fd/' $T/emb.out" \
    || show "$T/emb.out" "$T/emb.err"
  BTFPACK_OS_RELEASE=$T/os-release-debian12 BTFPACK_ARCH=x86_64 BTFPACK_KERNEL_RELEASE=${k%-*}-nope \
    "$EMBEDDED" --no-kernel-btf --lookup-only >"$T/emb2.out" 2>"$T/emb2.err"; rc=$?
  check "embedded pack: unknown kernel exits 1 listing $k as nearest" \
    "[ $rc -eq 1 ] && grep -q 'nearest kernels.*$k' $T/emb2.err" || show "$T/emb2.err"
  BTFPACK_OS_RELEASE=$T/os-release-debian12 BTFPACK_ARCH=x86_64 BTFPACK_KERNEL_RELEASE=$k \
    "$EMBEDDED" --no-kernel-btf --no-pack --lookup-only >"$T/emb3.out" 2>"$T/emb3.err"; rc=$?
  check "--no-pack: the embedded pack is not used (exit 1, the reader says no pack was given)" \
    "[ $rc -eq 1 ] && grep -q '^pack: none' $T/emb3.out && grep -q 'no BTF for host debian/12/x86_64/$k: the kernel has none and no pack was given' $T/emb3.err" \
    || show "$T/emb3.out" "$T/emb3.err"
fi

echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
