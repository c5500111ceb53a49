#!/usr/bin/env python3
"""relocs_listing.py BTFPACK OBJ...: `btfpack relocs --json` lists every CO-RE record of each
object's .BTF.ext (counted independently here, either byte order) with names resolved, and
the text listing has one line per record."""
import importlib.util, json, os, subprocess, sys

here = os.path.dirname(os.path.abspath(__file__))
spec = importlib.util.spec_from_file_location("x", os.path.join(here, "..", "..", "scripts", "extract-bpf-objects.py"))
x = importlib.util.module_from_spec(spec)
spec.loader.exec_module(x)
KINDS = {"byte_off", "byte_sz", "field_exists", "signed", "lshift_u64", "rshift_u64", "local_type_id",
         "target_type_id", "type_exists", "type_size", "enumval_exists", "enumval_value", "type_matches"}

btfpack, objs = sys.argv[1], sys.argv[2:]
passed = failed = 0
seen_kinds = set()
for o in objs:
    want = x.core_relo_count(open(o, "rb").read())
    js = json.loads(subprocess.run([btfpack, "relocs", "--json", o], check=True, capture_output=True, text=True).stdout)
    text = subprocess.run([btfpack, "relocs", o], check=True, capture_output=True, text=True).stdout.splitlines()
    ok = len(js) == want == len(text) and want > 0 and all(r["kind"] in KINDS and r["root"] and r["spec"] for r in js)
    seen_kinds |= {r["kind"] for r in js}
    print(f"{'ok  ' if ok else 'FAIL'} {os.path.basename(o)}: {want} records, {len(js)} json, {len(text)} lines")
    passed, failed = passed + ok, failed + (not ok)
missing = KINDS - seen_kinds
print(f"{'ok  ' if not missing else 'FAIL'} relocation kinds covered by the objects: {len(seen_kinds)}/{len(KINDS)}"
      + (f", missing {sorted(missing)}" if missing else ""))
passed, failed = passed + (not missing), failed + bool(missing)
print(f"{passed} passed, {failed} failed")
sys.exit(1 if failed or not passed else 0)
