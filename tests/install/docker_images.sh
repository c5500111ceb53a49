#!/usr/bin/env bash
# The Docker side, with a real engine this test starts and stops (tests/install/dockerd.sh):
#  1. base images made offline: the cached debootstrap minbase bookworm tarball
#     (scripts/debian-base-tarball.sh) imported as debian:12 and debian:12-slim
#  2. the repository's Dockerfile builds as it is (no `# syntax=` line: no frontend pulled) with
#     --build-context archive=DIR holding a testdata kernel and this host's BTF under a made-up
#     distro; its image, run --privileged with /sys/kernel/btf hidden (an empty tmpfs) and the
#     made-up os-release under /host, gets exec events on the pack layer
#  3. the FROM scratch tool image (docker/tool.Dockerfile, the static btfpack): one layer, one
#     file, runs alone
#  4. examples/app-with-tool-image.Dockerfile: a user's Dockerfile that takes btfpack with
#     COPY --from=<tool image> and packs at build time; its image gets events the same way and
#     holds no btfpack
# usage: docker_images.sh SOURCE_DIR BUILD_DIR KERNELS_DIR
# Last line: "N passed, M failed"; exit 0 only if M == 0. Exit 77 (skip) when not root, without
# /sys/kernel/btf/vmlinux, or without Docker 23+ (bash scripts/setup-packaging.sh installs 26).
set -u
SRC=$(cd "$1" && pwd) BUILD=$(cd "$2" && pwd) KERNELS=$3
skip() { echo "skip: $*"; exit 77; }
[ "$(id -u)" -eq 0 ] || skip "needs root (dockerd)"
[ -r /sys/kernel/btf/vmlinux ] || skip "no /sys/kernel/btf/vmlinux (this host's BTF goes into the pack)"
command -v dockerd >/dev/null && [ -x /usr/bin/docker ] || skip "no dockerd or /usr/bin/docker (bash scripts/setup-packaging.sh)"
engine=$(dockerd --version | sed -n 's/^Docker version \([0-9]*\)\..*/\1/p')
[ "${engine:-0}" -ge 23 ] || skip "dockerd $(dockerd --version): 23 or newer needed (BuildKit with named contexts)"
[ -x "$BUILD/tool-image/btfpack" ] || { echo "FAIL no static btfpack in $BUILD/tool-image (target btfpack_static)"; exit 1; }

# in a mount namespace of its own: the engine's data root is a tmpfs there (layers in memory:
# faster, and gone with the namespace even if this test is killed)
if [ -z "${BTFPACK_DOCKER_TEST_NS:-}" ]; then
  BTFPACK_DOCKER_TEST_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
T=$(mktemp -d /var/tmp/btfpack-docker-test.XXXXXX)
if [ -z "${BTFPACK_DOCKER_DATA_ROOT:-}" ]; then
  mkdir -p "$T/docker/data" && mount -t tmpfs -o size=8g,mode=0710 btfpack-docker "$T/docker/data"
fi
source "$SRC/tests/install/dockerd.sh"
cleanup() { dockerd_stop; umount -l "$T/docker/data" 2>/dev/null; rm -rf "$T"; }
trap cleanup EXIT
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # check, show, finish
t0=$(date +%s)
step() { echo "---- $(( $(date +%s) - t0 )) s: $*"; }

# the archive: one testdata kernel and this host's BTF as btfpacktest/1.0/<arch>/<uname -r>
source "$SRC/tests/example/host_archive.sh"
A=$T/archive
host_archive "$KERNELS" "$A"  # sets HOST
printf 'NAME="btfpack test"\nID=btfpacktest\nVERSION_ID="1.0"\n' >"$T/os-release"

step "base tarball"
tarball=$(bash "$SRC/scripts/debian-base-tarball.sh" 2>"$T/base.err") || { show "$T/base.err"; echo "FAIL no Debian 12 base"; exit 1; }
step "dockerd"
dockerd_start "$T/docker" || { echo "FAIL dockerd did not start"; exit 1; }
echo "     engine: $("$DOCKER" version -f '{{.Server.Version}}'), buildx $("$DOCKER" buildx version | awk '{print $2}')"
zstd -dc "$tarball" | "$DOCKER" import - debian:12 >"$T/import.out" 2>&1 && "$DOCKER" tag debian:12 debian:12-slim
check "debian:12 and debian:12-slim imported from $(basename "$tarball") (no registry)" \
  "\"\$DOCKER\" run --rm --network none debian:12-slim grep -qx 'VERSION_ID=\"12\"' /etc/os-release"

# run_app NAME IMAGE: the app with the host's kernel BTF hidden, the made-up distro's os-release;
# --pid host: the BPF program reports host pids, which the app compares with its own to find
# its children's events (right pids also show the packed BTF's offsets are right)
run_app() {
  "$DOCKER" run --rm --privileged --pid host --network none --mount type=tmpfs,destination=/sys/kernel/btf \
    -v "$T/os-release:/host/etc/os-release:ro" "$2" --root /host --count 3 --timeout 20 >"$T/$1.out" 2>&1
  local rc=$?
  check "$1: exit 0, no kernel BTF in the container, BTF from the pack layer for $HOST" \
    "[ $rc -eq 0 ] && grep -q '^btf: layer 3 (pack) /proc/self/fd/' $T/$1.out" || show "$T/$1.out"
  check "$1: exec events of its own /bin/true children arrived" \
    "[ \$(grep -Ec '^exec pid=[0-9]+ ppid=[0-9]+ comm=true filename=/bin/true \(ours\)' $T/$1.out) -ge 1 ]" || show "$T/$1.out"
}

# 2. the repository's Dockerfile, as it is
check "Dockerfile has no '# syntax=' line (BuildKit would pull a frontend image)" "! grep -q '^# *syntax=' $SRC/Dockerfile"
step "docker build Dockerfile"
s=$(date +%s)
"$DOCKER" build --progress plain --network host -t btfpack-test/exec-monitor --build-context archive="$A" -f "$SRC/Dockerfile" "$SRC" \
  >"$T/build1.out" 2>&1; rc=$?
check "docker build Dockerfile --build-context archive=DIR: exit 0 ($(( $(date +%s) - s )) s)" "[ $rc -eq 0 ]" || tail -n 30 "$T/build1.out" | show
# its slow steps, from BuildKit's plain log ("#N [stage i/n] RUN ..." ... "#N DONE 12.3s")
awk '/^#[0-9]+ \[/ && !($1 in name) { name[$1] = substr($0, length($1) + 2, 70) }
     /^#[0-9]+ DONE [0-9.]+s$/ { t = $3 + 0; if (t >= 5) printf "     %6.1f s  %s\n", t, name[$1] }' "$T/build1.out"
check "the build pulled nothing (only the imported debian images)" \
  "! grep -Eiq 'docker/dockerfile|pulling|resolve image config' $T/build1.out"
check "the build stage packed both kernels and verified them against the archive" \
  "grep -q 'relocate identically' $T/build1.out && grep -q '(2 kernels)' $T/build1.out" || grep docker-build-stage "$T/build1.out" | show
step "run the image"
run_app dockerfile_image btfpack-test/exec-monitor

# 3. the tool image: the static btfpack alone
step "tool image"
"$DOCKER" build --progress plain -t btfpack-test/btfpack -f "$SRC/docker/tool.Dockerfile" "$BUILD/tool-image" >"$T/build2.out" 2>&1; rc=$?
size=$("$DOCKER" image inspect -f '{{.Size}}' btfpack-test/btfpack 2>/dev/null)
layers=$("$DOCKER" image inspect -f '{{len .RootFS.Layers}}' btfpack-test/btfpack 2>/dev/null)
bin=$(stat -c %s "$BUILD/tool-image/btfpack")
check "tool image: FROM scratch, 1 layer, $size bytes for a $bin-byte static btfpack" \
  "[ $rc -eq 0 ] && [ '$layers' = 1 ] && [ \$(( ${size:-0} - bin )) -ge 0 ] && [ \$(( ${size:-0} - bin )) -lt 4096 ]" || show "$T/build2.out"
check "tool image runs alone: btfpack --version" \
  "\"\$DOCKER\" run --rm --network none btfpack-test/btfpack --version | grep -qx 'btfpack [0-9.]*'"

# 4. a user's Dockerfile: COPY --from the tool image, pack at build time
U=$T/app
mkdir -p "$U" && cp "$BUILD/examples/exec_monitor" "$U/" && cp "$BUILD/bpf/el/example_exec.o" "$U/"
step "docker build examples/app-with-tool-image.Dockerfile"
s=$(date +%s)
"$DOCKER" build --progress plain --network host -t btfpack-test/user-app --build-arg BTFPACK_IMAGE=btfpack-test/btfpack \
  --build-context app="$U" --build-context archive="$A" -f "$SRC/examples/app-with-tool-image.Dockerfile" "$SRC/examples" \
  >"$T/build3.out" 2>&1; rc=$?
check "docker build examples/app-with-tool-image.Dockerfile: exit 0 ($(( $(date +%s) - s )) s)" "[ $rc -eq 0 ]" || tail -n 30 "$T/build3.out" | show
cid=$("$DOCKER" create btfpack-test/user-app 2>/dev/null) && "$DOCKER" cp "$cid:/app/btfs.pack" "$T/user.pack" >/dev/null 2>&1
[ -n "$cid" ] && "$DOCKER" rm "$cid" >/dev/null
check "its pack stage copied btfpack from the tool image; the image's pack has the archive's 2 kernels" \
  "grep -q 'COPY --from=btfpack /btfpack /usr/local/bin/btfpack' $T/build3.out && [ \$($BUILD/tool-image/btfpack ls $T/user.pack | wc -l) -eq 2 ] && $BUILD/tool-image/btfpack ls $T/user.pack | grep -q '^$HOST\b'" \
  || tail -n 30 "$T/build3.out" | show
run_app user_image btfpack-test/user-app
check "user image: app, object and pack in /app; no btfpack in it" \
  "\"\$DOCKER\" run --rm --network none --entrypoint /bin/sh btfpack-test/user-app -c '[ -x /app/exec_monitor ] && [ -s /app/btfs.pack ] && [ -s /app/example_exec.o ] && ! command -v btfpack'"

step "stop dockerd"
pid=$DOCKERD_PID
dockerd_stop
check "dockerd (pid $pid) stopped" "! kill -0 $pid 2>/dev/null"
step "done"
finish
