#!/usr/bin/env bash
# The static btfpack (target btfpack_static, the tool image's only file): no dynamic section, no
# interpreter, no shared library at run time; it runs in an empty environment and writes the
# same pack, byte for byte, as the normal btfpack.
# usage: static_cli.sh STATIC_BTFPACK BTFPACK KERNELS_DIR OBJ
# Last line: "N passed, M failed"; exit 0 only if M == 0.
set -u
S=$1 B=$2 KERNELS=$3 OBJ=$4
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
source "$(dirname "${BASH_SOURCE[0]}")/check.sh"  # check, show, finish

check "file: statically linked, stripped ($(stat -c %s "$S") bytes)" \
  "file -b $S | grep -q 'statically linked' && file -b $S | grep -q ', stripped'" || file "$S" | show
check "ldd: not a dynamic executable" "ldd $S 2>&1 | grep -q 'not a dynamic executable'"
check "no PT_INTERP, no DYNAMIC section" "! readelf -lW $S | grep -Eq 'INTERP|DYNAMIC'"
env -i "$S" --version >"$T/v.out" 2>&1
check "runs with an empty environment: $(cat "$T/v.out")" "grep -qx 'btfpack [0-9.]*' $T/v.out"
env -i "$S" build "$KERNELS" "$OBJ" -o "$T/static.pack" >"$T/s.out" 2>&1; rc=$?
"$B" build "$KERNELS" "$OBJ" -o "$T/normal.pack" >/dev/null 2>&1
# the pack records its build time; compare what must be identical: the index and every BTF
"$S" ls "$T/static.pack" >"$T/s.ls" 2>&1; "$B" ls "$T/normal.pack" >"$T/n.ls" 2>&1
check "static build packs the testdata kernels ($(wc -l <"$T/s.ls") kernels), same listing as btfpack's" \
  "[ $rc -eq 0 ] && [ -s $T/s.ls ] && cmp -s $T/s.ls $T/n.ls" || show "$T/s.out"
same=1
while read -r key _; do
  "$S" get "$T/static.pack" "$key" -o "$T/a.btf" && "$B" get "$T/normal.pack" "$key" -o "$T/b.btf" && cmp -s "$T/a.btf" "$T/b.btf" || same=0
done <"$T/n.ls"
check "every kernel's BTF identical in both packs" "[ $same -eq 1 ]"
check "static verify passes on the normal pack" "$S verify $T/normal.pack >/dev/null 2>&1"

finish
