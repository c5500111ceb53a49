#!/usr/bin/env bash
# btfpack.1 (and btfpack.1.gz, as Debian ships man pages) from the CLI's own --help: help2man on
# `btfpack --help` / `--version`, plus one VERBS section holding each verb's --help.
# usage: man-page.sh HELP2MAN BTFPACK OUT.1
set -euo pipefail
HELP2MAN=$1 BTFPACK=$2 OUT=$3
mkdir -p "$(dirname "$OUT")"
inc=$(mktemp); trap 'rm -f "$inc"' EXIT
help=$("$BTFPACK" --help)
roff() { sed 's/\\/\\e/g; s/^\([.'\'']\)/\\\&\1/'; }  # a leading . or ' starts a request, \ an escape
# the verbs, as `btfpack --help` lists them under "Subcommands:"
verbs=$( awk '/^[A-Za-z ]+:$/ { in_verbs = ($0 == "Subcommands:"); next } in_verbs && /^  [a-z]/ { print $1 }' <<<"$help")
[ -n "$verbs" ] || { echo "man-page.sh: no verbs found in '$BTFPACK --help'" >&2; exit 1; }
{
  # help2man runs the examples together (they are not option lines): kept as lines here, in
  # place of its EXAMPLES section; the exit codes get a section of their own
  echo '[=EXAMPLES]'
  echo '.nf'
  awk '/^Examples:$/ { f = 1; next } f && /^$/ { exit } f' <<<"$help" | sed 's/^  //' | roff
  echo '.fi'
  echo '[EXIT STATUS]'
  grep '^Exit codes:' <<<"$help" | sed 's/^Exit codes: *//' | roff
  echo '[VERBS]'
  for v in $verbs; do
    echo ".SS \"btfpack $v\""
    echo '.nf'
    (cd "$(dirname "$BTFPACK")" && PATH=".:$PATH" "$(basename "$BTFPACK")" "$v" --help) | roff
    echo '.fi'
  done
} >"$inc"
# run as plain `btfpack` (found on PATH) so that the usage lines say btfpack, not a build path
PATH="$(cd "$(dirname "$BTFPACK")" && pwd):$PATH" "$HELP2MAN" --no-info --no-discard-stderr --section 1 \
  --name "make eBPF CO-RE programs run on kernels without built-in BTF" \
  --include "$inc" --output "$OUT.tmp" "$(basename "$BTFPACK")"
mv "$OUT.tmp" "$OUT"
gzip -9nc "$OUT" >"$OUT.gz"
