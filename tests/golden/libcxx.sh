#!/usr/bin/env bash
# The golden bytes with a second compiler and C++ library: configures and builds only the
# btfpack CLI in its own tree with clang++ and libc++ (not libstdc++), then checks that its
# minimized BTFs match tests/golden/minimized.sha256 and that its pack of the testdata kernels
# is byte-identical to the normal build's (same SOURCE_DATE_EPOCH).
# usage: libcxx.sh SOURCE_DIR LIBCXX_BUILD_DIR CLANGXX CLANG GENERATOR BPF_DIR BTFPACK_NORMAL
set -u
SRC=$1 B=$2 CXX=$3 CC=$4 GEN=$5 BPF=$6 NORMAL=$7
KERNELS=$SRC/testdata/kernels GOLDEN=$SRC/tests/golden/minimized.sha256
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }

start=$(date +%s)
if ! cmake -S "$SRC" -B "$B" -G "$GEN" -DCMAKE_BUILD_TYPE=Release \
     -DCMAKE_CXX_COMPILER="$CXX" -DCMAKE_C_COMPILER="$CC" \
     -DCMAKE_CXX_FLAGS=-stdlib=libc++ -DCMAKE_EXE_LINKER_FLAGS=-stdlib=libc++ \
     -DBTFPACK_BPF_LARGE=OFF -DBTFPACK_TEST_HASH_COLLISIONS=OFF >$T/configure.log 2>&1; then
  cat $T/configure.log; echo "FAIL configure $B with $CXX -stdlib=libc++"; exit 1
fi
if ! cmake --build "$B" --target btfpack -j 2 >$T/build.log 2>&1; then
  tail -40 $T/build.log; echo "FAIL build btfpack with $CXX -stdlib=libc++ (libc++-dev, libc++abi-dev: scripts/setup.sh)"; exit 1
fi
echo "configure + build: $(( $(date +%s) - start )) s"
BIN=$B/tools/btfpack
check "built with $("$CXX" --version | head -1) against libc++ (not libstdc++)" \
  "ldd $BIN | grep -q 'libc++\\.so' && ! ldd $BIN | grep -q 'libstdc++'"
bash "$SRC/tests/golden/minimized.sh" "$BIN" "$BPF" "$KERNELS" --check "$GOLDEN"; rc=$?
check "libc++ build: minimized BTFs equal the golden hashes" "[ $rc -eq 0 ]"
SOURCE_DATE_EPOCH=1700000000 "$BIN" build "$KERNELS" "$BPF"/el/*.o -o $T/libcxx.pack -j 2 >/dev/null 2>&1
SOURCE_DATE_EPOCH=1700000000 "$NORMAL" build "$KERNELS" "$BPF"/el/*.o -o $T/normal.pack -j 2 >/dev/null 2>&1
check "libc++ build: pack of the testdata kernels byte-identical to the normal build's" \
  "[ -s $T/libcxx.pack ] && cmp $T/libcxx.pack $T/normal.pack"
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
