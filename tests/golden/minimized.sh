#!/usr/bin/env bash
# Golden bytes of `btfpack minimize`: the sha256 of the minimized BTF of every testdata kernel
# (testdata/kernels/**/*.btf.tar.xz) for every CO-RE test object alone (BPF_DIR/el/*.o,
# BPF_DIR/eb/*.o) and for all el objects merged ("el/*"). One line each:
#   <sha256>  <kernel path under testdata/kernels>  <object set>
# usage: minimized.sh BTFPACK BPF_DIR KERNELS_DIR --check GOLDEN_FILE   (the test)
#        minimized.sh BTFPACK BPF_DIR KERNELS_DIR --write GOLDEN_FILE   (scripts/update-golden)
set -u
BTFPACK=$1 BPF=$2 KERNELS=$3 MODE=$4 GOLDEN=$5
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
export LC_ALL=C
mapfile -t kernels < <(cd "$KERNELS" && find . -name '*.btf.tar.xz' | sed 's,^\./,,' | sort)
el=("$BPF"/el/*.o) eb=("$BPF"/eb/*.o)
if [ ${#kernels[@]} -eq 0 ] || [ ! -e "${el[0]}" ] || [ ! -e "${eb[0]}" ]; then
  echo "no kernels under $KERNELS or no objects under $BPF/el, $BPF/eb" >&2; exit 1
fi
: > $T/now
for k in "${kernels[@]}"; do
  for o in "${el[@]}" "${eb[@]}" ALL; do
    if [ "$o" = ALL ]; then label='el/*'; objs=("${el[@]}")
    else label=$(basename "$(dirname "$o")")/$(basename "$o"); objs=("$o"); fi
    if ! "$BTFPACK" minimize "$KERNELS/$k" "${objs[@]}" -o $T/out.btf 2>$T/err; then
      echo "btfpack minimize $k $label failed: $(cat $T/err)" >&2; exit 1
    fi
    echo "$(sha256sum < $T/out.btf | cut -d' ' -f1)  $k  $label" >> $T/now
  done
done
sort -k2 $T/now > $T/sorted
case $MODE in
--write)
  { echo "# sha256 of btfpack minimize KERNEL OBJECT(S): tests/golden/minimized.sh; regenerate"
    echo "# deliberately (only when the output bytes are meant to change) with scripts/update-golden"
    cat $T/sorted; } > "$GOLDEN.tmp" && mv "$GOLDEN.tmp" "$GOLDEN"
  echo "wrote $GOLDEN: $(wc -l < $T/sorted) minimized BTFs"
  ;;
--check)
  if diff <(grep -v '^#' "$GOLDEN") $T/sorted > $T/diff; then
    echo "ok   $(wc -l < $T/sorted) minimized BTFs byte-identical to $GOLDEN"
  else
    echo "FAIL the minimized bytes changed ('<' golden, '>' now):"
    cat $T/diff
    echo "If the change is intended (a deliberate change of the output format or of what is kept),"
    echo "regenerate the golden file and commit it with the change:  scripts/update-golden [BUILD_DIR]"
    exit 1
  fi
  ;;
*) echo "usage: $0 BTFPACK BPF_DIR KERNELS_DIR --check|--write GOLDEN_FILE" >&2; exit 2 ;;
esac
