#!/usr/bin/env bash
# The shared reference packs (testdata/vectors/packs, scripts/update-vectors) through a reader
# CLI: `ls` and `ls --json` print exactly <pack>.ls / <pack>.ls.json, and `get` of every kernel
# gives the bytes whose sha256 <pack>.sha256 records. Run for the C++ `btfpack` and for the Go
# `btfpack-go` (both readers must agree with the writer's recorded output).
# usage: vectors.sh CLI VECTORS_DIR
set -u
CLI=$1 V=$2
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }
for p in "$V"/packs/*.pack; do
  b=${p%.pack} n=$(basename "$b")
  check "$n: ls" "\"$CLI\" ls \"$p\" | cmp -s - \"$b.ls\""
  check "$n: ls --json" "\"$CLI\" ls --json \"$p\" | cmp -s - \"$b.ls.json\""
  while read -r sum key; do
    "$CLI" get "$p" "$key" -o "$T/got.btf"
    check "$n: get $key" "[ \"\$(sha256sum < $T/got.btf | cut -d' ' -f1)\" = $sum ]"
  done < "$b.sha256"
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ] && [ $pass -gt 0 ]
