#!/usr/bin/env bash
# Bad input never crashes btfpack, never leaves an output file, exits 1 with a message that
# names the file and the problem. usage: bad_inputs.sh BTFPACK GOOD_OBJ GOOD_KERNEL_TAR_XZ
set -u
BTFPACK=$1 OBJ=$2 KERNEL=$3
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
pass=0 fail=0

# expect NAME EXPECTED_SUBSTRING FILE_NAMED -- ARGS...
expect() {
  local name=$1 want=$2 named=$3; shift 4
  rm -f "$T/out.btf"
  "$BTFPACK" "$@" >"$T/stdout" 2>"$T/stderr"; local rc=$?
  local err; err=$(cat "$T/stderr")
  if [[ $rc -eq 1 && "$err" == *"$want"* && "$err" == *"$named"* && ! -e "$T/out.btf" ]] && ! ls "$T"/out.btf.tmp.* >/dev/null 2>&1; then
    pass=$((pass+1)); echo "ok   $name: $err"
  else
    fail=$((fail+1)); echo "FAIL $name: rc=$rc stderr=[$err] out_exists=$([[ -e $T/out.btf ]] && echo yes || echo no)"
  fi
}

raw="$T/kernel.btf"
tar -xJOf "$KERNEL" > "$raw"
echo "not an object" > "$T/text.o"
cp "$(type -P true)" "$T/host-elf.o"
llvm-objcopy-19 --remove-section=.BTF.ext "$OBJ" "$T/noext.o"
head -c 1000 "$OBJ" > "$T/trunc.o"
head -c $(( $(stat -c %s "$raw") / 2 )) "$raw" > "$T/trunc.btf"
head -c $(( $(stat -c %s "$KERNEL") / 2 )) "$KERNEL" > "$T/trunc.btf.tar.xz"
cp "$raw" "$T/corrupt.btf"; printf '\xff\xff\xff\x7f' | dd of="$T/corrupt.btf" bs=1 seek=8 conv=notrunc 2>/dev/null
tar -cJf "$T/empty.btf.tar.xz" -C "$T" text.o
: > "$T/empty.btf"

expect "missing object"         "cannot open"            missing.o         -- minimize "$raw" "$T/missing.o" -o "$T/out.btf"
expect "missing kernel"         "cannot open"            missing.btf       -- minimize "$T/missing.btf" "$OBJ" -o "$T/out.btf"
expect "object not an ELF"      "not an ELF file"        text.o            -- minimize "$raw" "$T/text.o" -o "$T/out.btf"
expect "object not BPF"         "not a BPF object"       host-elf.o        -- minimize "$raw" "$T/host-elf.o" -o "$T/out.btf"
expect "object without .BTF.ext" "no .BTF.ext"           noext.o           -- minimize "$raw" "$T/noext.o" -o "$T/out.btf"
expect "truncated object"       "truncated"              trunc.o           -- minimize "$raw" "$T/trunc.o" -o "$T/out.btf"
expect "truncated BTF"          "corrupt or truncated BTF" trunc.btf       -- minimize "$T/trunc.btf" "$OBJ" -o "$T/out.btf"
expect "corrupt BTF header"     "corrupt or truncated BTF" corrupt.btf     -- minimize "$T/corrupt.btf" "$OBJ" -o "$T/out.btf"
expect "truncated tar.xz"       "truncated or corrupt archive" trunc.btf.tar.xz -- minimize "$T/trunc.btf.tar.xz" "$OBJ" -o "$T/out.btf"
expect "archive without .btf"   "no *.btf file"          empty.btf.tar.xz  -- minimize "$T/empty.btf.tar.xz" "$OBJ" -o "$T/out.btf"
expect "empty kernel file"      "empty file"             empty.btf         -- minimize "$T/empty.btf" "$OBJ" -o "$T/out.btf"
expect "object given as kernel" "not a kernel BTF"       "$OBJ"            -- minimize "$OBJ" "$OBJ" -o "$T/out.btf"
expect "relocs on non-BPF ELF"  "not a BPF object"       host-elf.o        -- relocs "$T/host-elf.o"

# usage errors exit 2
"$BTFPACK" minimize "$raw" >/dev/null 2>&1; rc=$?
if [[ $rc -eq 2 ]]; then pass=$((pass+1)); echo "ok   usage error exits 2"; else fail=$((fail+1)); echo "FAIL usage error rc=$rc"; fi
# the good case still works and writes the file
if "$BTFPACK" minimize "$KERNEL" "$OBJ" -o "$T/out.btf" && [[ -s "$T/out.btf" ]]; then pass=$((pass+1)); echo "ok   good input"; else fail=$((fail+1)); echo "FAIL good input"; fi
# an output that is a pipe (or /dev/null) is written in place, never replaced by a file
mkfifo "$T/out.fifo"
cat "$T/out.fifo" > "$T/from-fifo.btf" &
reader=$!
"$BTFPACK" minimize "$KERNEL" "$OBJ" -o "$T/out.fifo"; rc=$?
wait $reader
if [[ $rc -eq 0 && -p "$T/out.fifo" ]] && cmp -s "$T/from-fifo.btf" "$T/out.btf"; then
  pass=$((pass+1)); echo "ok   output to a FIFO written in place"
else
  fail=$((fail+1)); echo "FAIL output to a FIFO (rc=$rc; still a FIFO: $([[ -p $T/out.fifo ]] && echo yes || echo no))"
fi

echo "$pass passed, $fail failed"
[[ $fail -eq 0 ]]
