#!/usr/bin/env bash
# The Debian packages (cmake/Packaging.cmake), as a user gets them: cpack builds the three .debs;
# their control fields and contents are checked; lintian reports no error and only the warnings
# README explains; then on a fresh Debian 12 (a debootstrap minbase chroot,
# scripts/debian-base-tarball.sh, cached) `apt install ./*.deb` pulls their dependencies from
# the mirror, the installed btfpack packs the testdata kernels, and a user's app
# (tests/install/consumer/) built there against the installed -dev package with pkg-config and
# with find_package looks a kernel up in that pack.
# usage: debian_packages.sh BUILD_DIR SOURCE_DIR KERNELS_DIR OBJ
# Last line: "N passed, M failed"; exit 0 only if M == 0; 77 (skip) when not root or without
# dpkg-deb/lintian/debootstrap (scripts/setup-packaging.sh installs them).
set -u
BUILD=$1 SRC=$2 KERNELS=$3 OBJ=$4
for t in cpack dpkg-deb lintian debootstrap unshare; do
  command -v $t >/dev/null || { echo "skip: $t not installed (bash scripts/setup-packaging.sh)"; exit 77; }
done
[ "$(id -u)" -eq 0 ] || { echo "skip: needs root (chroot)"; exit 77; }
# in a mount namespace of its own: the work directory (debs and the chroot) is a tmpfs, the
# chroot's /proc is mounted once; both vanish with the namespace, even if the test is killed
if [ -z "${BTFPACK_DEB_TEST_NS:-}" ]; then
  BTFPACK_DEB_TEST_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
T=$(mktemp -d /var/tmp/btfpack-deb-test.XXXXXX)
trap 'umount -R "$T" 2>/dev/null; rm -rf "$T"' EXIT
mount -t tmpfs -o size=4g btfpack-deb-test "$T"
step() { echo "---- $(( $(date +%s) - t0 )) s: $*"; }; t0=$(date +%s)
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # check, show, finish
# lintian warnings README explains (section "Debian packages"); anything else fails the test
ALLOWED_WARNINGS="initial-upload-closes-no-bugs maintscript-calls-ldconfig"

ver=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")$/\1/p' "$BUILD/CPackConfig.cmake")
(cd "$BUILD" && cpack -G DEB -B "$T/deb") >"$T/cpack.out" 2>&1; rc=$?
D=$T/deb
cli=$D/btfpack_${ver}-1_amd64.deb lib=$D/libbtfpack-reader0_${ver}-1_amd64.deb dev=$D/libbtfpack-reader-dev_${ver}-1_amd64.deb
check "cpack: btfpack, libbtfpack-reader0, libbtfpack-reader-dev $ver-1" "[ $rc -eq 0 ] && [ -s $cli ] && [ -s $lib ] && [ -s $dev ]" \
  || show "$T/cpack.out"
field() { dpkg-deb -f "$1" "$2" 2>/dev/null; }
files() { dpkg-deb -c "$1" 2>/dev/null | awk '{print $6}' | grep -v '/$'; }
check "btfpack: Depends from dpkg-shlibdeps (libc6, libelf1, liblzma5, libzstd1, zlib1g): $(field "$cli" Depends)" \
  "field $cli Depends | grep -q 'libc6 (>= ' && for p in libelf1 liblzma5 libzstd1 zlib1g; do field $cli Depends | grep -q \"\$p\" || exit 1; done"
check "btfpack: /usr/bin/btfpack and its man page" \
  "files $cli | grep -qx './usr/bin/btfpack' && files $cli | grep -qx './usr/share/man/man1/btfpack.1.gz'"
check "libbtfpack-reader0: the SONAME file, shlibs, ldconfig trigger; Depends: $(field "$lib" Depends)" \
  "files $lib | grep -qx './usr/lib/x86_64-linux-gnu/libbtfpack_reader.so.0' && dpkg-deb --ctrl-tarfile $lib | tar -xO ./shlibs | grep -qx 'libbtfpack_reader 0 libbtfpack-reader0 (>= $ver)' && dpkg-deb --ctrl-tarfile $lib | tar -xO ./triggers | grep -qx 'activate-noawait ldconfig' && field $lib Depends | grep -q libzstd1"
check "libbtfpack-reader-dev: headers, .a, .so link, .pc, CMake package; Depends: $(field "$dev" Depends)" \
  "[ \$(files $dev | grep -cE 'include/btfpack/(reader|host|lookup).h|libbtfpack_reader.a|libbtfpack_reader.so\$|pkgconfig/btfpack-reader.pc|cmake/btfpack/btfpackConfig.cmake') -eq 7 ] && field $dev Depends | grep -q 'libbtfpack-reader0 (= $ver-1)'"

lintian --no-tag-display-limit "$cli" "$lib" "$dev" >"$T/lintian.out" 2>&1
errors=$(grep -c '^E:' "$T/lintian.out")
unexplained=$(grep '^W:' "$T/lintian.out" | awk '{print $3}' | sort -u | grep -vxF "$(tr ' ' '\n' <<<"$ALLOWED_WARNINGS")")
check "lintian: no error, warnings only those README explains ($(grep '^W:' "$T/lintian.out" | awk '{print $3}' | sort -u | tr '\n' ' '))" \
  "[ $errors -eq 0 ] && [ -z '$unexplained' ]" || show "$T/lintian.out"

# a fresh Debian 12
step "fresh Debian 12 chroot"
tarball=$(bash "$SRC/scripts/debian-base-tarball.sh" 2>"$T/base.err") || { show "$T/base.err"; echo "FAIL no Debian 12 base"; exit 1; }
R=$T/root
mkdir -p "$R" && zstd -dc "$tarball" | tar -C "$R" -x
mkdir -p "$R/debs" "$R/kernels" "$R/app" && cp "$cli" "$lib" "$dev" "$R/debs/" && cp -r "$KERNELS"/. "$R/kernels/" \
  && cp "$OBJ" "$R/obj.o" && cp -r "$SRC/tests/install/consumer/." "$R/app/" && cp /etc/resolv.conf "$R/etc/resolv.conf"
mount -t proc proc "$R/proc"
in_root() { # in_root SCRIPT: bash -ec SCRIPT in the chroot, with a clean environment
  chroot "$R" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin DEBIAN_FRONTEND=noninteractive bash -ec "$1"
}
check "fresh chroot is Debian 12 without btfpack" \
  "grep -q 'VERSION_ID=\"12\"' $R/etc/os-release && ! in_root 'command -v btfpack' >/dev/null"
step "apt install ./*.deb"
in_root 'apt-get update -qq && apt-get install -y -qq --no-install-recommends ./debs/btfpack_*.deb ./debs/libbtfpack-reader0_*.deb ./debs/libbtfpack-reader-dev_*.deb' \
  >"$T/apt.out" 2>&1; rc=$?
check "apt install ./btfpack*.deb ./libbtfpack-reader*.deb on a fresh Debian 12: exit 0" "[ $rc -eq 0 ]" || tail -n 20 "$T/apt.out" | show
check "installed: btfpack --version, man page, reader in ld.so's cache" \
  "in_root 'btfpack --version | grep -qx \"btfpack $ver\" && [ -s /usr/share/man/man1/btfpack.1.gz ] && ldconfig -p | grep -q libbtfpack_reader.so.0' >$T/inst.out 2>&1" \
  || show "$T/inst.out"
in_root 'btfpack build /kernels /obj.o -o /p.pack' >"$T/pack.out" 2>&1 && in_root 'btfpack ls /p.pack' >"$T/ls.out" 2>&1; rc=$?
key=$(awk '$1 ~ /\/x86_64\// {print $1}' "$T/ls.out" | head -1)
check "installed btfpack packs the testdata kernels ($(wc -l <"$T/ls.out") kernels)" "[ $rc -eq 0 ] && [ -n '$key' ]" || show "$T/pack.out" "$T/ls.out"
IFS=/ read -r distro version arch kernel <<<"$key"
# a user's app against the installed -dev package: the compiler and CMake from the mirror
step "apt install gcc pkg-config cmake"
in_root 'apt-get install -y -qq --no-install-recommends gcc libc6-dev pkg-config cmake make' >"$T/tools.out" 2>&1 || tail -n 20 "$T/tools.out" | show
step "the app"
in_root "cd /app && cc -Wall -Werror find_btf.c -o find_btf_pc \$(pkg-config --cflags --libs btfpack-reader) \
  && ./find_btf_pc /p.pack $distro $version $arch $kernel /pc.btf && btfpack get /p.pack $key -o /want.btf && cmp /pc.btf /want.btf \
  && readelf -d find_btf_pc | grep -q 'NEEDED.*libbtfpack_reader.so.0'" >"$T/pc.out" 2>&1; rc=$?
check "app built with pkg-config against the package: shared reader, looks up $key on the pack layer" \
  "[ $rc -eq 0 ] && grep -qx 'layer 3' $T/pc.out" || show "$T/pc.out"
in_root "cmake -S /app -B /app/b -DBTFPACK_READER_STATIC=ON >/dev/null && cmake --build /app/b >/dev/null \
  && /app/b/find_btf /p.pack $distro $version $arch $kernel /cm.btf && cmp /cm.btf /want.btf \
  && ! readelf -d /app/b/find_btf | grep -q libbtfpack_reader" >"$T/cm.out" 2>&1; rc=$?
check "app built with find_package(btfpack) against the package: static reader, same BTF" \
  "[ $rc -eq 0 ] && grep -qx 'layer 3' $T/cm.out" || show "$T/cm.out"
in_root 'apt-get remove -y -qq btfpack libbtfpack-reader-dev libbtfpack-reader0 && ! command -v btfpack && ! ldconfig -p | grep -q libbtfpack' \
  >"$T/rm.out" 2>&1; rc=$?
check "apt remove: gone, ld.so cache updated" "[ $rc -eq 0 ]" || show "$T/rm.out"

finish
