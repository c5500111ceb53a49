#!/usr/bin/env bash
# btfpack build/ls/info/get/verify on a small real archive tree made from the testdata kernels
# (several distros/versions/arches, a duplicate layout, a raw .btf, a corrupt file), --update,
# and libbpf's verdict on a BTF taken out of the pack.
# usage: pack_build.sh BTFPACK RELO_ORACLE KERNELS_DIR OBJ_DIR
set -u
BTFPACK=$1 ORACLE=$2 KERNELS=$3 OBJS=$4
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }

A=$T/archive
. "$(dirname "$0")/test_archive_tree.sh"
make_test_archive $A "$KERNELS"
head -c 100000 "$k61" > $A/fedora/34/x86_64/5.11.12-300.fc34.x86_64.btf.tar.xz  # truncated xz
OBJ_ARGS=$(ls "$OBJS"/*.o | tr '\n' ' ')

"$BTFPACK" build $A $OBJ_ARGS -o $T/p.pack --json >$T/out.json 2>$T/err; rc=$?
check "build skips the corrupt kernel with exit 3" "[ $rc -eq 3 ]"
check "the skipped file is named" "grep -q 'fedora/34/x86_64/5.11.12-300.fc34.x86_64.btf.tar.xz' $T/err"
check "7 kernels packed, 4 distinct blobs (duplicates stored once)" \
  "python3 -c 'import json,sys; d=json.load(open(\"$T/out.json\")); sys.exit(0 if (d[\"kernels\"],d[\"blobs\"],d[\"skipped\"])==(7,4,1) else 1)'"
check "ls lists 7 kernels" "[ \$($BTFPACK ls $T/p.pack | wc -l) -eq 7 ]"
check "ls --json parses" "$BTFPACK ls --json $T/p.pack | python3 -c 'import json,sys; assert len(json.load(sys.stdin))==7'"
check "info names the objects" "$BTFPACK info $T/p.pack | grep -q 'object: \\* minimal.o'"

"$BTFPACK" build $A $OBJ_ARGS -o $T/strict.pack --strict >/dev/null 2>&1; rc=$?
check "--strict makes a bad kernel fatal, no pack written" "[ $rc -eq 1 ] && [ ! -e $T/strict.pack ] && ! ls $T/strict.pack.tmp.* >/dev/null 2>&1"
rm $A/fedora/34/x86_64/*.btf.tar.xz

# every packed BTF is what minimize gives for that kernel, byte for byte
allsame=1
while read -r key _; do
  f=$(ls $A/$key.btf.tar.xz $A/$key.btf "$A/$(dirname "$key")/vmlinux-$(basename "$key")" 2>/dev/null | head -1)
  "$BTFPACK" get $T/p.pack "$key" -o $T/got.btf && "$BTFPACK" minimize "$f" $OBJ_ARGS -o $T/want.btf && cmp -s $T/got.btf $T/want.btf || { allsame=0; echo "  differs: $key"; }
done < <("$BTFPACK" ls $T/p.pack)
check "get returns exactly the minimized BTF of each kernel" "[ $allsame -eq 1 ]"

# libbpf is the judge: a BTF out of the pack relocates like the full one
"$BTFPACK" get $T/p.pack debian/12/x86_64/$(basename "$k61" .btf.tar.xz) -o $T/got.btf
tar -xJOf "$k61" > $T/full.btf
libbpf_ok=1
for o in $OBJ_ARGS; do
  "$ORACLE" "$o" $T/full.btf 2>/dev/null | sed -E '/<target_type_id>/s/(imm|imm64) [0-9]+ -> [0-9]+/\1 X/' > $T/a
  "$ORACLE" "$o" $T/got.btf 2>/dev/null | sed -E '/<target_type_id>/s/(imm|imm64) [0-9]+ -> [0-9]+/\1 X/' > $T/b
  [ -s $T/a ] && cmp -s $T/a $T/b || { libbpf_ok=0; echo "  libbpf differs: $o"; }
done
check "libbpf relocates every object identically with the packed BTF" "[ $libbpf_ok -eq 1 ]"
check "get of an unknown kernel fails naming it" "! $BTFPACK get $T/p.pack debian/12/x86_64/nope -o $T/x.btf 2>&1 | grep -q nope; [ \${PIPESTATUS[0]} -ne 0 ] && [ ! -e $T/x.btf ]"
check "verify --against the archive" "$BTFPACK verify $T/p.pack --against $A --objs $OBJ_ARGS | tail -1 | grep -q '7/7 kernels'"

# reproducible builds: SOURCE_DATE_EPOCH is the recorded build time, so two builds (any -j) are
# byte-identical; a malformed value is an error before any work
SOURCE_DATE_EPOCH=1700000000 "$BTFPACK" build $A $OBJ_ARGS -o $T/r1.pack -j 1 >/dev/null 2>&1
sleep 1
SOURCE_DATE_EPOCH=1700000000 "$BTFPACK" build $A $OBJ_ARGS -o $T/r2.pack -j 2 >/dev/null 2>&1
check "same SOURCE_DATE_EPOCH: byte-identical packs" "[ -s $T/r1.pack ] && cmp $T/r1.pack $T/r2.pack"
check "info shows the SOURCE_DATE_EPOCH time (UTC)" "$BTFPACK info $T/r1.pack | grep -qx 'build_time: 2023-11-14T22:13:20Z'"
SOURCE_DATE_EPOCH=soon "$BTFPACK" build $A $OBJ_ARGS -o $T/r3.pack >/dev/null 2>$T/e; rc=$?
check "a malformed SOURCE_DATE_EPOCH is an error naming it, no pack" \
  "[ $rc -eq 1 ] && grep -q 'SOURCE_DATE_EPOCH=soon' $T/e && [ ! -e $T/r3.pack ]"

# --update: one new kernel costs one kernel's work
mkdir -p $A/ubuntu/20.04/arm64 && cp "$karm" $A/ubuntu/20.04/arm64/5.4.0-1045-aws.btf.tar.xz
"$BTFPACK" build $A $OBJ_ARGS -o $T/p2.pack --update $T/p.pack --json >$T/up.json 2>$T/uperr
check "--update recomputes only the new kernel" \
  "python3 -c 'import json,sys; d=json.load(open(\"$T/up.json\")); sys.exit(0 if (d[\"kernels\"],d[\"minimized\"],d[\"reused\"])==(8,1,7) else 1)'"
"$BTFPACK" build $A $OBJ_ARGS -o $T/p3.pack --json >$T/full.json 2>/dev/null
check "--update result equals a full rebuild (same kernels, same BTFs)" \
  "diff <($BTFPACK ls $T/p2.pack) <($BTFPACK ls $T/p3.pack) >/dev/null"
first_obj=$(ls "$OBJS"/*.o | head -1)
"$BTFPACK" build $A $first_obj -o $T/p4.pack --update $T/p.pack --json >$T/ch.json 2>$T/cherr
check "changed objects force a full rebuild" \
  "grep -q 'objects changed' $T/cherr && python3 -c 'import json,sys; d=json.load(open(\"$T/ch.json\")); sys.exit(0 if d[\"reused\"]==0 and d[\"minimized\"]==8 else 1)'"

# per-arch objects: ARCH=obj.o
"$BTFPACK" build $A x86_64=$first_obj -o $T/x86.pack --json >$T/x.json 2>$T/xerr
check "ARCH=obj packs only that arch's kernels and says which arches had no object" \
  "python3 -c 'import json,sys; d=json.load(open(\"$T/x.json\")); sys.exit(0 if d[\"kernels\"]==4 else 1)' && grep -q 'no object for arch arm64' $T/xerr"
check "filters before the objects, repeated: --arch arm64 --arch x86_64 --distro debian" \
  "$BTFPACK build $A --arch arm64 --arch x86_64 --distro debian $OBJ_ARGS -o $T/f2.pack >/dev/null 2>&1 && [ \$($BTFPACK ls $T/f2.pack | wc -l) -eq 3 ]"
check "filters: --distro debian --arch x86_64" \
  "$BTFPACK build $A $OBJ_ARGS --distro debian --arch x86_64 -o $T/f.pack >/dev/null 2>&1 && [ \$($BTFPACK ls $T/f.pack | wc -l) -eq 2 ]"

# corrupt packs: clear errors, no crash
cp $T/p.pack $T/bad.pack; printf 'XXXX' | dd of=$T/bad.pack bs=1 seek=200 conv=notrunc 2>/dev/null
$BTFPACK ls $T/bad.pack >/dev/null 2>$T/e; rc=$?
check "a corrupt pack is rejected with a checksum error" "[ $rc -eq 1 ] && grep -q 'checksum' $T/e"
head -c 300 $T/p.pack > $T/short.pack; $BTFPACK info $T/short.pack >/dev/null 2>$T/e; rc=$?
check "a truncated pack is rejected" "[ $rc -eq 1 ] && grep -qi 'truncated' $T/e"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
