#!/usr/bin/env bash
# `cmake --install` into a temporary prefix, then a user's app (tests/install/consumer/, copied
# out of the source tree) built against that install four ways: pkg-config with the shared and
# the static reader, find_package(btfpack) with btfpack::reader (shared) and
# BTFPACK_READER_STATIC=ON. Each build opens a pack made by the installed btfpack and looks up a
# kernel; its BTF must equal `btfpack get`'s. Also checks the installed layout, the SONAME, the
# exported symbols (exactly the API the headers declare), the linkage of each build (NEEDED) and
# the man page.
# usage: consumer.sh BUILD_DIR SOURCE_DIR KERNELS_DIR OBJ
# Last line: "N passed, M failed"; exit 0 only if M == 0.
set -u
BUILD=$1 SRC=$2 KERNELS=$3 OBJ=$4
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # check, show, finish

P=$T/prefix
cmake --install "$BUILD" --prefix "$P" >"$T/install.out" 2>&1; rc=$?
check "cmake --install --prefix: exit 0" "[ $rc -eq 0 ]" || show "$T/install.out"
# GNUInstallDirs: bin, include, share/man; the libraries in lib/<triplet> on Debian, else lib
L=lib
triplet=$(gcc -print-multiarch 2>/dev/null)
[ -f /etc/debian_version ] && [ -n "$triplet" ] && L=lib/$triplet
expect="bin/btfpack include/btfpack/host.h include/btfpack/lookup.h include/btfpack/reader.h
$L/cmake/btfpack/btfpackConfig.cmake $L/cmake/btfpack/btfpackConfigVersion.cmake
$L/cmake/btfpack/btfpackTargets.cmake $L/libbtfpack_reader.a $L/libbtfpack_reader.so
$L/libbtfpack_reader.so.0 $L/pkgconfig/btfpack-reader.pc share/man/man1/btfpack.1.gz"
missing=$(for f in $expect; do [ -e "$P/$f" ] || echo "$f"; done)
check "installed: $(echo $expect | wc -w) expected files (missing: ${missing:-none})" "[ -z '$missing' ]"
check "only the reader's headers installed (reader.h host.h lookup.h)" \
  "[ \"\$(ls $P/include/btfpack | tr '\n' ' ')\" = 'host.h lookup.h reader.h ' ]"
# every header the installed ones include is installed or a libc header
incs=$(cat "$P"/include/btfpack/*.h | sed -n 's/^#include [<"]\(.*\)[>"]/\1/p' | sort -u)
bad=$(for i in $incs; do case $i in btfpack/*) [ -e "$P/include/$i" ] || echo "$i" ;; std*.h) ;; *) echo "$i" ;; esac; done)
check "installed headers include only each other and libc (got: $(echo $incs))" "[ -z '$bad' ]"
so=$(readlink -f "$P/$L/libbtfpack_reader.so")
check "shared reader: SONAME libbtfpack_reader.so.0, file $(basename "$so")" \
  "readelf -d $so | grep -q 'SONAME.*\[libbtfpack_reader.so.0\]' && [ \$(basename $so) = libbtfpack_reader.so.0.1.0 ]"
api=$(grep -ohE '\bbtfpack_[a-z_]+\(' "$P"/include/btfpack/*.h | tr -d '(' | sort -u)
exported=$(nm -D --defined-only "$so" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u)
check "shared reader exports exactly the $(echo "$api" | wc -l) functions the headers declare" \
  "[ \"\$api\" = \"\$exported\" ]" || diff <(echo "$api") <(echo "$exported") | show
nverbs=$("$P/bin/btfpack" --help | awk '/^[A-Za-z ]+:$/ { v = ($0 == "Subcommands:"); next } v && /^  [a-z]/ { n++ } END { print n }')
check "the man page renders and lists every verb ($nverbs)" \
  "man -l $P/share/man/man1/btfpack.1.gz 2>/dev/null | grep -c '^   btfpack [a-z]' | grep -qx $nverbs"

# a pack of the testdata kernels, made by the installed CLI
BTFPACK=$P/bin/btfpack
"$BTFPACK" build "$KERNELS" "$OBJ" -o "$T/p.pack" >"$T/build.out" 2>&1
key=$("$BTFPACK" ls "$T/p.pack" | awk '{print $1}' | grep x86_64 | head -1)
check "installed btfpack made a pack; kernel to look up: $key" "[ -s $T/p.pack ] && [ -n '$key' ]" || show "$T/build.out"
IFS=/ read -r distro version arch kernel <<<"$key"
"$BTFPACK" get "$T/p.pack" "$key" -o "$T/want.btf"

# the app, outside the source tree
A=$T/app
cp -r "$SRC/tests/install/consumer" "$A"
export PKG_CONFIG_PATH=$P/$L/pkgconfig
cc=${CC:-cc}
run_app() { # run_app NAME: runs $A/NAME against the pack, checks its BTF
  local name=$1
  LD_LIBRARY_PATH=$P/$L "$A/$name" "$T/p.pack" "$distro" "$version" "$arch" "$kernel" "$T/$name.btf" >"$T/$name.out" 2>&1
  check "$name: looked up $key on the pack layer (layer 3), BTF identical to btfpack get's" \
    "grep -qx 'layer 3' $T/$name.out && grep -qx 'kernels $("$BTFPACK" ls "$T/p.pack" | wc -l)' $T/$name.out && cmp -s $T/$name.btf $T/want.btf" \
    || show "$T/$name.out"
}
linked_shared() { readelf -d "$1" | grep -q 'NEEDED.*\[libbtfpack_reader.so.0\]'; }
defines_api() { nm "$1" | grep -q ' T btfpack_lookup$'; }

# pkg-config, shared reader
flags=$(pkg-config --cflags --libs btfpack-reader)
check "pkg-config --cflags --libs btfpack-reader: $flags" "[ -n '$flags' ] && pkg-config --modversion btfpack-reader | grep -qx 0.1.0"
$cc -Wall -Werror "$A/find_btf.c" -o "$A/pc_shared" $flags >"$T/cc1.out" 2>&1
check "pkg-config shared build: links libbtfpack_reader.so.0" "linked_shared $A/pc_shared && ! defines_api $A/pc_shared" || show "$T/cc1.out"
run_app pc_shared
# pkg-config, static reader (and its libzstd, from Requires.private)
$cc -Wall -Werror "$A/find_btf.c" -o "$A/pc_static" $(pkg-config --cflags btfpack-reader) \
  -Wl,-Bstatic $(pkg-config --libs --static btfpack-reader | sed 's/-pthread//') -Wl,-Bdynamic -pthread >"$T/cc2.out" 2>&1
check "pkg-config static build: reader linked in, no libbtfpack_reader.so needed" \
  "[ -x $A/pc_static ] && ! linked_shared $A/pc_static && defines_api $A/pc_static" || show "$T/cc2.out"
run_app pc_static
# find_package(btfpack)
for mode in shared static; do
  opt=(); [ $mode = static ] && opt=(-DBTFPACK_READER_STATIC=ON)
  { cmake -S "$A" -B "$T/cm_$mode" -DCMAKE_PREFIX_PATH="$P" "${opt[@]}" && cmake --build "$T/cm_$mode"; } >"$T/cm_$mode.out" 2>&1
  cp "$T/cm_$mode/find_btf" "$A/cmake_$mode" 2>/dev/null
  if [ $mode = shared ]; then
    check "find_package(btfpack) + btfpack::reader: links libbtfpack_reader.so.0" \
      "[ -x $A/cmake_shared ] && linked_shared $A/cmake_shared && ! defines_api $A/cmake_shared" || show "$T/cm_$mode.out"
  else
    check "find_package(btfpack) + BTFPACK_READER_STATIC=ON: reader linked in" \
      "[ -x $A/cmake_static ] && ! linked_shared $A/cmake_static && defines_api $A/cmake_static" || show "$T/cm_$mode.out"
  fi
  run_app cmake_$mode
done
# the version file: 0.1 is accepted (above), 0.2 and 1.0 are not
mkdir -p "$T/ver"
printf 'cmake_minimum_required(VERSION 3.16)\nproject(v C)\nfind_package(btfpack ${V} REQUIRED)\n' >"$T/ver/CMakeLists.txt"
cmake -S "$T/ver" -B "$T/ver/b1" -DCMAKE_PREFIX_PATH="$P" -DV=0.2 >"$T/ver1.out" 2>&1; rc1=$?
cmake -S "$T/ver" -B "$T/ver/b2" -DCMAKE_PREFIX_PATH="$P" -DV=0.1.0 >"$T/ver2.out" 2>&1; rc2=$?
check "btfpackConfigVersion.cmake: find_package(btfpack 0.1.0) found, 0.2 refused" \
  "[ $rc2 -eq 0 ] && [ $rc1 -ne 0 ] && grep -q 'version: 0.1.0' $T/ver1.out" || show "$T/ver1.out" "$T/ver2.out"
# a kernel the pack lacks: exit 1 with the reader's message
LD_LIBRARY_PATH=$P/$L "$A/pc_shared" "$T/p.pack" "$distro" "$version" "$arch" "0.0.0-none" "$T/x.btf" >"$T/miss.out" 2>&1; rc=$?
check "unknown kernel: exit 1, message names it" "[ $rc -eq 1 ] && grep -q '0.0.0-none' $T/miss.out" || show "$T/miss.out"

finish
