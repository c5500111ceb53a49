#!/usr/bin/env bash
# btfpack build/ls/get/verify/--update on archive trees made of symbolic (and hard) links:
# file links into a cache outside the root, BTFHub-style links between neighbouring kernels,
# Ubuntu-style codename directory links, the same file under two arches, dangling links and
# link loops. A kernel is named by its link's path; one file is minimized once.
# usage: pack_links.sh BTFPACK KERNELS_DIR OBJ_DIR
set -u
BTFPACK=$1 KERNELS=$2 OBJS=$3
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }
# json FILE EXPR: EXPR (python, d = the parsed JSON) is true
json() { python3 -c "import json,sys; d=json.load(open('$1')); sys.exit(0 if ($2) else 1)"; }
run() { timeout 120 "$BTFPACK" "$@"; }  # a loop must never hang the build
keys() { "$BTFPACK" ls "$1" | cut -f1; }

k510=$(find "$KERNELS" -name '5.10*amd64.btf.tar.xz' | head -1)
k61=$(find "$KERNELS" -name '6.1*amd64.btf.tar.xz' | head -1)
karm=$(find "$KERNELS" -name '*arm64.btf.tar.xz' | head -1)
ks390=$(find "$KERNELS" -name '*s390x.btf.tar.xz' | head -1)
OBJ_ARGS=$(ls "$OBJS"/*.o | tr '\n' ' ')
obj1=$(ls "$OBJS"/*.o | head -1) obj2=$(ls "$OBJS"/*.o | tail -1)

# every kernel of PACK is byte for byte what minimize gives for FILE (get KEY == minimize FILE)
same_as() {  # PACK KEY FILE OBJS...
  local pack=$1 key=$2 file=$3; shift 3
  "$BTFPACK" get "$pack" "$key" -o $T/got.btf && "$BTFPACK" minimize "$file" "$@" -o $T/want.btf && cmp -s $T/got.btf $T/want.btf
}

# --- 1. only file links, into a cache outside the root (absolute, relative, link to a link)
C=$T/cache; mkdir -p $C
cp "$k510" $C/a1; cp "$k61" $C/b2; cp "$karm" $C/c3; cp "$ks390" $C/d4
L=$T/links
mkdir -p $L/debian/11/x86_64 $L/debian/12/x86_64 $L/debian/12/arm64 $L/debian/13/s390x
ln -s $C/a1 $L/debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz
ln -s ../../../../cache/b2 $L/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz
ln -s $C/c3 $L/debian/12/arm64/6.1.0-50-arm64.btf.tar.xz
ln -s $C/d4 $L/debian/13/s390x/6.12.107+deb13-s390x.btf.tar.xz
ln -s 6.1.0-50-amd64.btf.tar.xz $L/debian/12/x86_64/6.1.0-49-amd64.btf.tar.xz   # BTFHub dedup: a neighbour
run build $L $OBJ_ARGS -o $T/l.pack --json >$T/l.json 2>$T/l.err; rc=$?
check "a tree of only file links builds (exit 0)" "[ $rc -eq 0 ]"
check "5 kernels: 4 files minimized once each, the neighbour link linked" \
  "json $T/l.json 'd[\"kernels\"]==5 and d[\"minimized\"]==4 and d[\"linked\"]==1 and d[\"reused\"]==0 and d[\"skipped\"]==0 and d[\"skipped_paths\"]==[]'"
printf '%s\n' debian/11/x86_64/5.10.0-32-amd64 debian/12/arm64/6.1.0-50-arm64 debian/12/x86_64/6.1.0-49-amd64 \
  debian/12/x86_64/6.1.0-50-amd64 debian/13/s390x/6.12.107+deb13-s390x > $T/want.keys
check "ls lists the links' names, not the cache's" "diff <(keys $T/l.pack) $T/want.keys"
allsame=1
for kv in debian/11/x86_64/5.10.0-32-amd64:a1 debian/12/x86_64/6.1.0-50-amd64:b2 debian/12/x86_64/6.1.0-49-amd64:b2 \
          debian/12/arm64/6.1.0-50-arm64:c3 debian/13/s390x/6.12.107+deb13-s390x:d4; do
  same_as $T/l.pack ${kv%:*} $C/${kv#*:} $OBJ_ARGS || { allsame=0; echo "  differs: $kv"; }
done
check "get of each link name returns the minimized BTF of its target" "[ $allsame -eq 1 ]"
check "verify --against the link tree" "$BTFPACK verify $T/l.pack --against $L --objs $OBJ_ARGS | tail -1 | grep -q '5/5 kernels'"
run build $L $OBJ_ARGS -o $T/l.txt.pack >$T/l.txt 2>/dev/null
check "the summary line counts linked kernels" "grep -q '5 kernels (4 minimized, 0 reused, 1 linked)' $T/l.txt"

# --- 2. Ubuntu codename directory links to numbered releases, and a hard link
U=$T/ubuntu-tree
mkdir -p $U/ubuntu/22.04/x86_64 $U/ubuntu/22.04/arm64 $U/ubuntu/20.04/x86_64
cp "$k61" $U/ubuntu/22.04/x86_64/5.15.0-1-generic.btf.tar.xz
cp "$karm" $U/ubuntu/22.04/arm64/5.15.0-1-generic.btf.tar.xz
cp "$k510" $U/ubuntu/20.04/x86_64/5.4.0-1-generic.btf.tar.xz
ln $U/ubuntu/20.04/x86_64/5.4.0-1-generic.btf.tar.xz $U/ubuntu/20.04/x86_64/5.4.0-2-generic.btf.tar.xz
ln -s 22.04 $U/ubuntu/jammy
ln -s $U/ubuntu/20.04 $U/ubuntu/focal
run build $U $OBJ_ARGS -o $T/u.pack --json >$T/u.json 2>$T/u.err; rc=$?
check "codename dir links build (exit 0)" "[ $rc -eq 0 ]"
check "8 kernels under both names, 3 files minimized once, 5 linked, 3 blobs" \
  "json $T/u.json 'd[\"kernels\"]==8 and d[\"minimized\"]==3 and d[\"linked\"]==5 and d[\"blobs\"]==3 and d[\"skipped\"]==0'"
printf '%s\n' ubuntu/20.04/x86_64/5.4.0-1-generic ubuntu/20.04/x86_64/5.4.0-2-generic ubuntu/22.04/arm64/5.15.0-1-generic \
  ubuntu/22.04/x86_64/5.15.0-1-generic ubuntu/focal/x86_64/5.4.0-1-generic ubuntu/focal/x86_64/5.4.0-2-generic \
  ubuntu/jammy/arm64/5.15.0-1-generic ubuntu/jammy/x86_64/5.15.0-1-generic > $T/want.keys
check "ls lists every kernel under the numbered and the codename release" "diff <(keys $T/u.pack) $T/want.keys"
getsame=1
for pair in 22.04/x86_64/5.15.0-1-generic:jammy/x86_64/5.15.0-1-generic 22.04/arm64/5.15.0-1-generic:jammy/arm64/5.15.0-1-generic \
            20.04/x86_64/5.4.0-1-generic:focal/x86_64/5.4.0-2-generic; do
  "$BTFPACK" get $T/u.pack ubuntu/${pair%:*} -o $T/g1.btf && "$BTFPACK" get $T/u.pack ubuntu/${pair#*:} -o $T/g2.btf &&
    [ -s $T/g1.btf ] && cmp -s $T/g1.btf $T/g2.btf || { getsame=0; echo "  differs: $pair"; }
done
check "get gives identical bytes for a kernel and its linked names" "[ $getsame -eq 1 ]"
check "... and they are the minimized BTF of the real file" \
  "same_as $T/u.pack ubuntu/jammy/x86_64/5.15.0-1-generic $k61 $OBJ_ARGS"
check "linked names share the blob (ls)" \
  "[ \$($BTFPACK ls $T/u.pack | grep /x86_64/5.15.0-1-generic | cut -f2 | sort -u | wc -l) -eq 1 ]"
check "verify --against the codename tree" "$BTFPACK verify $T/u.pack --against $U --objs $OBJ_ARGS | tail -1 | grep -q '8/8 kernels'"

# --update: shared files are reused once, their other names linked
run build $U $OBJ_ARGS -o $T/u2.pack --update $T/u.pack --json >$T/u2.json 2>/dev/null
check "--update of an unchanged link tree minimizes nothing" \
  "json $T/u2.json 'd[\"kernels\"]==8 and d[\"minimized\"]==0 and d[\"reused\"]==3 and d[\"linked\"]==5'"
check "... and packs the same kernels and BTFs" "diff <($BTFPACK ls $T/u2.pack) <($BTFPACK ls $T/u.pack) >/dev/null"
# a new link whose name sorts before the old name of its file: still taken from the old pack
ln -s 5.15.0-1-generic.btf.tar.xz $U/ubuntu/22.04/x86_64/5.15.0-0-generic.btf.tar.xz
run build $U $OBJ_ARGS -o $T/u3.pack --update $T/u.pack --json >$T/u3.json 2>/dev/null
check "--update after adding a link to a packed file minimizes nothing (it shows under jammy too)" \
  "json $T/u3.json 'd[\"kernels\"]==10 and d[\"minimized\"]==0 and d[\"reused\"]==3 and d[\"linked\"]==7'"
check "... and the new names get the file's BTF" \
  "same_as $T/u3.pack ubuntu/jammy/x86_64/5.15.0-0-generic $k61 $OBJ_ARGS"

# --- 3. one file under two arches with different objects: minimized once per object set
X=$T/arch-tree; mkdir -p $X/debian/12/x86_64 $X/debian/12/arm64
ln -s $C/b2 $X/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz
ln -s $C/b2 $X/debian/12/arm64/6.1.0-50-amd64.btf.tar.xz
run build $X x86_64=$obj1 arm64=$obj2 -o $T/x.pack --json >$T/x.json 2>/dev/null
check "the same file with per-arch objects is minimized for each arch" \
  "json $T/x.json 'd[\"kernels\"]==2 and d[\"minimized\"]==2 and d[\"linked\"]==0' &&
   same_as $T/x.pack debian/12/x86_64/6.1.0-50-amd64 $C/b2 $obj1 && same_as $T/x.pack debian/12/arm64/6.1.0-50-amd64 $C/b2 $obj2"
run build $X $obj1 -o $T/x1.pack --json >$T/x1.json 2>/dev/null
check "... and once when both arches get the same objects" "json $T/x1.json 'd[\"minimized\"]==1 and d[\"linked\"]==1'"

# --- 4. dangling links and loops: reported by path and skipped, never a hang
B=$T/bad-tree; mkdir -p $B/debian/12/x86_64
cp "$k61" $B/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz
ln -s $T/nowhere.btf.tar.xz $B/debian/12/x86_64/9.9.9-gone.btf.tar.xz     # dangling file link
ln -s 9.9.8-self.btf.tar.xz $B/debian/12/x86_64/9.9.8-self.btf.tar.xz      # a link to itself
ln -s .. $B/debian/12/loop                                                  # dir link to its ancestor
ln -s ../.. $B/debian/12/up                                                # ... and to the root
ln -s $T/no-such-dir $B/debian/gone                                         # dangling dir link
ln -s 12 $B/debian/bookworm                                                 # a good one
ln -s $T/nowhere $B/debian/12/x86_64/README                                 # not a kernel name: ignored
run build $B $OBJ_ARGS -o $T/b.pack --json >$T/b.json 2>$T/b.err; rc=$?
check "bad links: exit 3 (kernels skipped), pack written" "[ $rc -eq 3 ] && [ -s $T/b.pack ]"
check "the good kernel is packed under both names, minimized once" \
  "json $T/b.json 'd[\"kernels\"]==2 and d[\"minimized\"]==1 and d[\"linked\"]==1' &&
   diff <(keys $T/b.pack) <(printf '%s\n' debian/12/x86_64/6.1.0-50-amd64 debian/bookworm/x86_64/6.1.0-50-amd64)"
check "stderr names the dangling file link" "grep -q 'skipped .*/debian/12/x86_64/9.9.9-gone.btf.tar.xz: dangling symbolic link' $T/b.err"
check "stderr names the self link (loop)" "grep -q 'skipped .*/debian/12/x86_64/9.9.8-self.btf.tar.xz: symbolic link loop' $T/b.err"
check "stderr names the directory link loops" \
  "grep -q 'skipped .*/debian/12/loop: directory link loop' $T/b.err && grep -q 'skipped .*/debian/12/up: directory link loop' $T/b.err"
check "stderr names the dangling directory link" "grep -q 'skipped .*/debian/gone: dangling symbolic link' $T/b.err"
check "a dangling link with no kernel name is not reported" "! grep -q README $T/b.err"
# (bookworm -> 12 reaches the same bad links under its own name: each path is reported)
check "--json lists the 9 skipped paths with their problems" \
  "json $T/b.json 'd[\"skipped\"]==9 and [p[\"path\"].split(\"/bad-tree/\")[1] for p in d[\"skipped_paths\"]]==
   [v+\"/\"+f for v in (\"debian/12\", \"debian/bookworm\") for f in (\"loop\", \"up\", \"x86_64/9.9.8-self.btf.tar.xz\", \"x86_64/9.9.9-gone.btf.tar.xz\")]
   + [\"debian/gone\"] and all(p[\"message\"].startswith(p[\"path\"]+\": \") for p in d[\"skipped_paths\"])'"
run build $B $OBJ_ARGS -o $T/bs.pack --strict >/dev/null 2>$T/bs.err; rc=$?
check "--strict: a bad link is fatal, exit 1, no pack" "[ $rc -eq 1 ] && [ ! -e $T/bs.pack ] && grep -q 'strict' $T/bs.err"
run build $B $OBJ_ARGS --distro ubuntu -o $T/bf.pack >/dev/null 2>$T/bf.err; rc=$?
check "filters apply to problems too: none for a filtered-out distro" "[ $rc -eq 1 ] && ! grep -q 'skipped' $T/bf.err"
"$BTFPACK" verify $T/b.pack --against $B --objs $OBJ_ARGS >$T/bv.out 2>$T/bv.err
check "verify --against a tree with bad links warns about them and checks the rest" \
  "grep -q '9.9.9-gone.btf.tar.xz: dangling' $T/bv.err && tail -1 $T/bv.out | grep -q '2/2 kernels'"
# a corrupt file under two names: read and rejected once, both names reported
Z=$T/corrupt-tree; mkdir -p $Z/debian/12/x86_64
cp "$k510" $Z/debian/12/x86_64/5.10.0-32-amd64.btf.tar.xz
head -c 100000 "$k61" > $C/truncated
ln -s $C/truncated $Z/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz
ln -s 6.1.0-50-amd64.btf.tar.xz $Z/debian/12/x86_64/6.1.0-49-amd64.btf.tar.xz
run build $Z $OBJ_ARGS -o $T/z.pack --json >$T/z.json 2>$T/z.err; rc=$?
check "a corrupt file behind two links: exit 3, both names skipped, the other kernel packed" \
  "[ $rc -eq 3 ] && json $T/z.json 'd[\"kernels\"]==1 and d[\"skipped\"]==2 and d[\"minimized\"]==1' &&
   grep -q 'skipped .*/6.1.0-49-amd64.btf.tar.xz: ' $T/z.err &&
   grep -q 'skipped .*/6.1.0-50-amd64.btf.tar.xz: the same file as .*/6.1.0-49-amd64.btf.tar.xz' $T/z.err"
D=$T/dangling-only; mkdir -p $D/debian/12/x86_64; ln -s $T/nowhere $D/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz
run build $D $OBJ_ARGS -o $T/d.pack >/dev/null 2>$T/d.err; rc=$?
check "a tree of only dangling links: exit 1, the error names the link" \
  "[ $rc -eq 1 ] && [ ! -e $T/d.pack ] && grep -q 'no kernel BTF files.*6.1.0-50-amd64.btf.tar.xz: dangling' $T/d.err"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
