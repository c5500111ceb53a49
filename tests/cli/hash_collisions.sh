#!/usr/bin/env bash
# Collision safety: btfpack built with BTFPACK_HASH_BITS=4 (16 hash values, so distinct types
# collide everywhere) must write exactly the same bytes as the normal build: every testdata
# kernel x every object (each el and eb object alone, and all el objects merged) minimized,
# and packs of the testdata kernels. Hashes only index content; every match is compared.
# usage: hash_collisions.sh BTFPACK BTFPACK_HASH4 KERNELS_DIR EL_DIR EB_DIR [EXTRA_OBJ...]
set -u
BTFPACK=$1 HASH4=$2 KERNELS=$3 EL=$4 EB=$5; shift 5
EXTRA=("$@")
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; fi; }

mapfile -t kernels < <(find "$KERNELS" -name '*.btf.tar.xz' | LC_ALL=C sort)
el=("$EL"/*.o) eb=("$EB"/*.o)
check "there are kernels and objects" "[ ${#kernels[@]} -gt 0 ] && [ -e \"${el[0]}\" ] && [ -e \"${eb[0]}\" ]"

same=0 differ=0
for k in "${kernels[@]}"; do
  sets=()
  for o in "${el[@]}" "${eb[@]}" "${EXTRA[@]}"; do sets+=("$o"); done
  sets+=("${el[*]}")
  for s in "${sets[@]}"; do
    # shellcheck disable=SC2086
    "$BTFPACK" minimize "$k" $s -o $T/a.btf 2>$T/ea; ra=$?
    # shellcheck disable=SC2086
    "$HASH4" minimize "$k" $s -o $T/b.btf 2>$T/eb; rb=$?
    if [ $ra -eq 0 ] && [ $rb -eq 0 ] && cmp -s $T/a.btf $T/b.btf; then same=$((same+1))
    else differ=$((differ+1)); echo "  differs: ${k#$KERNELS/} x $s (rc $ra/$rb)"; fi
  done
done
check "minimized BTFs byte-identical with a 4-bit hash ($same kernel x object sets)" "[ $differ -eq 0 ] && [ $same -gt 0 ]"

pack() {  # pack BINARY OUT OBJS...
  local bin=$1 out=$2; shift 2
  SOURCE_DATE_EPOCH=1700000000 "$bin" build "$KERNELS" "$@" -o "$out" -j 2 >/dev/null 2>&1
}
pack "$BTFPACK" $T/a.pack "${el[@]}"; pack "$HASH4" $T/b.pack "${el[@]}"
check "pack of the testdata kernels (el objects) byte-identical with a 4-bit hash" "[ -s $T/a.pack ] && cmp $T/a.pack $T/b.pack"
# more distinct types than 16 hash values: the table can only be right if collisions were told apart
types=$("$HASH4" info $T/b.pack | sed -n 's/.*type table: \([0-9]*\) distinct types.*/\1/p')
check "its type table holds $types distinct types (> 16: collisions resolved, not merged)" "[ \"${types:-0}\" -gt 16 ]"
pack "$BTFPACK" $T/c.pack "${el[@]}" "${eb[@]}" "${EXTRA[@]}"; pack "$HASH4" $T/d.pack "${el[@]}" "${eb[@]}" "${EXTRA[@]}"
check "pack of the testdata kernels (all objects) byte-identical with a 4-bit hash" "[ -s $T/c.pack ] && cmp $T/c.pack $T/d.pack"
check "both builds' packs are read back identically by the normal reader" \
  "diff <($BTFPACK ls $T/c.pack) <($BTFPACK ls $T/d.pack) >/dev/null"

echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
