#!/usr/bin/env bash
# The build stage of the Dockerfile, usable outside Docker too: pack the BTFs of an archive tree
# for the example app's BPF object and put everything the app needs at run time into one directory.
#
# usage: scripts/docker-build-stage.sh ARCHIVE OUT
#   ARCHIVE  BTFHub-archive-style tree: <distro>/<version>/<arch>/<kernel>.btf[.tar.xz]
#   OUT      created if missing; receives
#              OUT/btfs.pack        the pack (btfpack build ARCHIVE OBJS, then btfpack verify)
#              OUT/exec_monitor     the app (finds btfs.pack and example_exec.o next to itself)
#              OUT/example_exec.o   its BPF object
# environment (all optional):
#   BUILD_DIR      build tree (default: <repo>/build); configured and built (targets btfpack,
#                  exec_monitor, bpf_objects) when one of the defaults below is missing
#   BTFPACK        btfpack CLI            (default: $BUILD_DIR/tools/btfpack)
#   APP            the app binary         (default: $BUILD_DIR/examples/exec_monitor)
#   OBJS           BPF objects to pack for, space-separated, obj.o or ARCH=obj.o
#                  (default: $BUILD_DIR/bpf/el/example_exec.o, bpf/eb/ on big-endian machines)
#   APP_OBJ        object copied next to the app (default: the first of OBJS)
#   STRICT=1       a kernel file btfpack cannot read is fatal (default: skipped with a warning)
#   VERIFY_SAMPLE  after the checksum check, check that N random kernels relocate the objects
#                  exactly like the archive's full BTF (default 10; 0 = skip; all = every kernel)
#   JOBS           parallel workers for btfpack build (default: all cores)
# exit: 0 ok, 1 failure (message on stderr), 2 usage.
set -euo pipefail

die() { echo "docker-build-stage: $*" >&2; exit 1; }
if [ $# -ne 2 ]; then
  sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//' >&2
  exit 2
fi
ARCHIVE=$1 OUT=$2
REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD_DIR=${BUILD_DIR:-$REPO/build}
BTFPACK=${BTFPACK:-$BUILD_DIR/tools/btfpack}
APP=${APP:-$BUILD_DIR/examples/exec_monitor}
endian=el
[ "$(printf '\001\000' | od -An -tu2 | tr -d ' ')" = 1 ] || endian=eb
OBJS=${OBJS:-$BUILD_DIR/bpf/$endian/example_exec.o}
VERIFY_SAMPLE=${VERIFY_SAMPLE:-10}

[ -d "$ARCHIVE" ] || die "$ARCHIVE: not a directory (expected <distro>/<version>/<arch>/<kernel>.btf[.tar.xz])"
nkernels=$(find "$ARCHIVE" -mindepth 4 -maxdepth 4 \( -name '*.btf' -o -name '*.btf.tar.xz' \) | wc -l)
[ "$nkernels" -gt 0 ] || die "$ARCHIVE: no <distro>/<version>/<arch>/<kernel>.btf[.tar.xz] file in it"

# build what is missing (only the targets this stage needs)
need_build=0
[ -x "$BTFPACK" ] || need_build=1
[ -x "$APP" ] || need_build=1
read -r -a obj_list <<<"$OBJS"
[ ${#obj_list[@]} -gt 0 ] || die "OBJS is empty"
for o in "${obj_list[@]}"; do [ -f "${o#*=}" ] || need_build=1; done
if [ $need_build -eq 1 ]; then
  echo "docker-build-stage: building btfpack, exec_monitor and the BPF objects in $BUILD_DIR"
  [ -f "$BUILD_DIR/CMakeCache.txt" ] || cmake -S "$REPO" -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=Release
  cmake --build "$BUILD_DIR" -j"$(nproc)" --target btfpack exec_monitor bpf_objects
fi
[ -x "$BTFPACK" ] || die "$BTFPACK: no btfpack binary"
[ -x "$APP" ] || die "$APP: no app binary"
for o in "${obj_list[@]}"; do [ -f "${o#*=}" ] || die "${o#*=}: no such BPF object"; done
APP_OBJ=${APP_OBJ:-${obj_list[0]#*=}}
[ -f "$APP_OBJ" ] || die "$APP_OBJ: no such BPF object"

mkdir -p "$OUT"
PACK=$OUT/btfs.pack
echo "docker-build-stage: packing $nkernels kernel files of $ARCHIVE for: ${obj_list[*]}"
jobs=()
[ -n "${JOBS:-}" ] && jobs=(-j "$JOBS")
strict=()
[ "${STRICT:-0}" = 1 ] && strict=(--strict)
rc=0
"$BTFPACK" build "$ARCHIVE" "${obj_list[@]}" -o "$PACK" "${jobs[@]}" "${strict[@]}" || rc=$?
case $rc in
  0) ;;
  3) echo "docker-build-stage: warning: btfpack skipped some kernel files (see above); STRICT=1 makes that fatal" >&2 ;;
  *) die "btfpack build failed (exit $rc)" ;;
esac
[ -s "$PACK" ] || die "$PACK: not written"

"$BTFPACK" verify "$PACK" || die "$PACK: verify failed"
if [ "$VERIFY_SAMPLE" != 0 ]; then
  sample=()
  [ "$VERIFY_SAMPLE" = all ] || sample=(--sample "$VERIFY_SAMPLE")
  "$BTFPACK" verify "$PACK" --against "$ARCHIVE" --objs "${obj_list[@]}" "${sample[@]}" \
    || die "$PACK: packed BTFs do not relocate the objects like the archive's"
fi

install -m 0755 "$APP" "$OUT/exec_monitor"
install -m 0644 "$APP_OBJ" "$OUT/example_exec.o"
echo "docker-build-stage: $OUT: $(du -h "$PACK" | cut -f1) pack ($("$BTFPACK" ls "$PACK" | wc -l) kernels), exec_monitor, example_exec.o"
