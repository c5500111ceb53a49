# Sourced by the tests/install scripts (bash): the pass/fail bookkeeping they share.
#   check DESCRIPTION CONDITION  eval CONDITION; print "ok   ..." or "FAIL ..." (then return 1,
#                                so that `check ... || show FILE` shows what went wrong)
#   show FILE...                 the files indented under the last line
#   finish                       last line "N passed, M failed"; exit 0 only if M == 0 and N > 0
pass=0 fail=0
check() { if eval "$2"; then pass=$((pass+1)); echo "ok   $1"; else fail=$((fail+1)); echo "FAIL $1"; return 1; fi; }
show() { sed 's/^/     | /' "$@"; }
finish() {
  echo "$pass passed, $fail failed"
  [ $fail -eq 0 ] && [ $pass -gt 0 ]
  exit
}
