#!/usr/bin/env bash
# usage: run_vm_subset.sh REPO BUILD
# Runs scripts/kernel-matrix on the CI subset and checks, beyond its own exit code, that the
# subset covered what it promises: amd64, arm64 and s390x guests, at least one kernel that had no
# BTF of its own, every row passed with layer 3 (pack) and right event values.
# The s390x kernel's BTF comes from testdata/kernels-pahole when it is the kernel recorded there
# (made by pahole from its -dbg package; scripts/kernel-matrix --save-btf regenerates it), so CI
# does not download the 433 MB -dbg package; any other kernel is harvested by pahole as usual.
# Exit 77 (skip) when not root: the initramfs needs a /dev/console node.
set -u
REPO=$1 BUILD=$2
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root (mknod /dev/console in the initramfs)"; exit 77; fi
J=$BUILD/vm-subset.json
rm -f "$J"
python3 "$REPO/scripts/kernel-matrix" --build "$BUILD" --work "$BUILD/vm-subset" --suites bookworm \
  --btf-dir "$REPO/testdata/kernels-pahole" --json "$J" \
  linux-image-amd64 linux-image-arm64 linux-image-s390x
rc=$?
[ -s "$J" ] || { echo "FAIL: kernel-matrix wrote no $J (exit $rc)"; exit 1; }
python3 - "$J" <<'PY' || exit 1
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
fails = []
if {r["arch"] for r in rows} != {"amd64", "arm64", "s390x"}:
    fails.append(f"arches covered: {sorted({r['arch'] for r in rows})}")
if not any(r["own_btf"] == "absent" for r in rows):
    fails.append("no kernel without BTF of its own in the subset")
for r in rows:
    if not (r["ok"] and r["layer"] == "3 (pack)" and r["values_ok"] and r["events"] >= r["children"] > 0):
        fails.append(f"{r['package']} {r['arch']}: {r['problems']}")
for f in fails:
    print("FAIL:", f)
print("ok: " + ", ".join(f"{r['arch']} {r['kernel']} (own BTF {r['own_btf']}, BTF from {r['btf']['source']})" for r in rows))
sys.exit(1 if fails else 0)
PY
exit $rc
