#!/usr/bin/env bash
# The Go reader's command against the C++ CLI, which uses the C reader: on a pack that
# `btfpack build` writes here (the test archive tree of pack_build.sh, every bpf/ object) and
# on every shared vector (testdata/vectors), `btfpack-go ls`, `ls --json` and `get` (-o FILE
# and -o -) must give byte-identical output, the same exit codes, and the same error
# messages (after the program name: "btfpack: error: X" vs "btfpack-go: error: X").
# usage: go_cross.sh BTFPACK BTFPACK_GO KERNELS_DIR OBJ_DIR VECTORS_DIR
set -u
C=$1 G=$2 KERNELS=$3 OBJS=$4 V=$5
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); else fail=$((fail+1)); echo "FAIL $1"; fi; }
# same CMD ARGS...: both CLIs' stdout bytes, exit codes and error messages are equal
same() {
  local name=$1; shift
  "$C" "$@" >$T/c.out 2>$T/c.err; local crc=$?
  "$G" "$@" >$T/g.out 2>$T/g.err; local grc=$?
  sed -i 's/^btfpack: //' $T/c.err; sed -i 's/^btfpack-go: //' $T/g.err
  check "$name: exit codes ($crc, $grc)" "[ $crc -eq $grc ]"
  check "$name: stdout" "cmp -s $T/c.out $T/g.out"
  check "$name: stderr (C++: $(head -c 200 $T/c.err | head -1); Go: $(head -c 200 $T/g.err | head -1))" "cmp -s $T/c.err $T/g.err"
}

A=$T/archive
. "$(dirname "$0")/test_archive_tree.sh"
make_test_archive $A "$KERNELS"
"$C" build $A "$OBJS"/*.o -o $T/p.pack >/dev/null 2>&1 || { echo "FAIL btfpack build"; exit 1; }
n=0
for pack in $T/p.pack "$V"/packs/*.pack; do
  same "ls $(basename $pack)" ls $pack
  same "ls --json $(basename $pack)" ls --json $pack
  while IFS=$'\t' read -r key _; do
    same "get $key -o -" get $pack "$key" -o -
    "$C" get $pack "$key" -o $T/c.btf && "$G" get $pack "$key" -o $T/g.btf
    check "get $key -o FILE" "cmp -s $T/c.btf $T/g.btf"
    n=$((n+1))
  done < <("$C" ls $pack)
done
check "every kernel compared ($n)" "[ $n -ge 30 ]"

# every corrupt vector: listing and getting the first and the last base kernel fail (or work)
# the same way (the variants damage entry 0 or, index-suffix-overrun, entry 3)
first=$(head -1 "$V/packs/four-arches.ls" | cut -f1) last=$(tail -1 "$V/packs/four-arches.ls" | cut -f1)
for pack in "$V"/corrupt/*.pack; do
  same "ls $(basename $pack)" ls $pack
  same "$(basename $pack) get $first" get $pack "$first" -o -
  same "$(basename $pack) get $last" get $pack "$last" -o -
done

# errors: missing file, directory, unknown kernel, malformed key, unwritable output
same "missing pack" ls $T/nope.pack
same "a directory" ls $T
same "unknown kernel" get $T/p.pack debian/12/x86_64/nope -o $T/x.btf
check "no output file for an unknown kernel" "[ ! -e $T/x.btf ]"
same "malformed key" get $T/p.pack debian/12/x86_64 -o -
same "empty key component" get $T/p.pack debian//x86_64/6.1.0-50-amd64 -o -
same "unwritable output" get $T/p.pack debian/12/x86_64/6.1.0-50-amd64 -o $T/no/such/dir/x.btf
# usage errors: the same exit code (the messages are each CLI's own)
"$C" get $T/p.pack >/dev/null 2>&1; crc=$?; "$G" get $T/p.pack >/dev/null 2>&1; grc=$?
check "usage error: exit 2 for both ($crc, $grc)" "[ $crc -eq 2 ] && [ $grc -eq 2 ]"
"$C" bogus >/dev/null 2>&1; crc=$?; "$G" bogus >/dev/null 2>&1; grc=$?
check "unknown subcommand: exit 2 for both ($crc, $grc)" "[ $crc -eq 2 ] && [ $grc -eq 2 ]"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
