#!/usr/bin/env bash
# Golden relocation outcomes, checked without root or the bpf() syscall: the CO-RE test objects
# committed under OBJECTS (testdata/objects/el, built from bpf/ and copied by
# scripts/update-golden-outcomes) and, per testdata kernel, the outcome lines libbpf (relo_oracle,
# run as root by that script) produced for them (testdata/outcomes/<kernel>/<object>.txt).
# btfpack's resolver must produce exactly those lines: a contributor without bpf() still sees a
# resolver regression; the libbpf-judged fidelity tests run in CI as root.
# usage: outcomes.sh BTFPACK KERNELS_DIR OBJECTS_DIR OUTCOMES_DIR
set -u
BTFPACK=$1 KERNELS=$2 OBJECTS=$3 OUTCOMES=$4
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0
mapfile -t files < <(cd "$OUTCOMES" && find . -name '*.txt' | sed 's,^\./,,' | sort)
if [ ${#files[@]} -eq 0 ]; then echo "no outcome files under $OUTCOMES" >&2; echo "0 passed, 1 failed"; exit 1; fi
for f in "${files[@]}"; do
  kernel=$(dirname "$f") obj=$(basename "$f" .txt).o
  raw=$T/$(echo "$kernel" | tr / _).btf
  if [ ! -f "$raw" ]; then
    tar -xJOf "$KERNELS/$kernel.btf.tar.xz" > "$raw" 2>/dev/null || { echo "FAIL $kernel: cannot unpack"; fail=$((fail+1)); continue; }
  fi
  if "$BTFPACK" relocs "$OBJECTS/$obj" --btf "$raw" --outcomes > $T/got 2>$T/err && diff -q "$OUTCOMES/$f" $T/got > /dev/null; then
    pass=$((pass+1))
  else
    fail=$((fail+1))
    echo "FAIL $kernel $obj: btfpack's outcomes differ from libbpf's ('<' libbpf, '>' btfpack):"
    diff "$OUTCOMES/$f" $T/got | head -10
    cat $T/err | head -3
  fi
done
echo "$pass passed, $fail failed"
[ $fail -eq 0 ]
