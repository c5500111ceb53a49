#!/usr/bin/env bash
# usage: run_vm_subset.sh REPO BUILD
# Runs scripts/kernel-matrix on the CI subset and checks, beyond its own exit code, that the
# subset covered what it promises: both guest apps (the C exec_monitor and the Go execmonitor)
# passed in amd64, arm64 and s390x guests, on at least one kernel that had no BTF of its own, and
# every row passed with layer 3 (pack) and right event values.
# The s390x kernel has no BTF: its BTF is made by pahole from its -dbg package (433 MB, downloaded
# once; the cache keeps only the harvested .btf.tar.xz).
# Exit 77 (skip) when not root: the initramfs needs a /dev/console node.
set -u
REPO=$1 BUILD=$2
if [ "$(id -u)" -ne 0 ]; then echo "skip: needs root (mknod /dev/console in the initramfs)"; exit 77; fi
J=$BUILD/vm-subset.json
rm -f "$J"
python3 "$REPO/scripts/kernel-matrix" --build "$BUILD" --work "$BUILD/vm-subset" --suites bookworm \
  --json "$J" \
  linux-image-amd64 linux-image-arm64 linux-image-s390x
rc=$?
[ -s "$J" ] || { echo "FAIL: kernel-matrix wrote no $J (exit $rc)"; exit 1; }
python3 - "$J" <<'PY' || exit 1
import json, sys
rows = json.load(open(sys.argv[1]))["results"]
fails = []
for app in ("exec_monitor", "execmonitor"):
    mine = [r for r in rows if r.get("app") == app]
    if {r["arch"] for r in mine if r["ok"]} != {"amd64", "arm64", "s390x"}:
        fails.append(f"{app}: arches passed: {sorted({r['arch'] for r in mine if r['ok']})}")
    if not any(r["own_btf"] == "absent" and r["ok"] and r["btf"]["source"] == "pahole" for r in mine):
        fails.append(f"{app}: no kernel without BTF of its own, with its BTF made by pahole, passed")
for r in rows:
    if not (r["ok"] and r.get("layer") == "3 (pack)" and r.get("values_ok") and r["events"] >= r["children"] > 0):
        fails.append(f"{r.get('package', r.get('spec'))} {r.get('arch', '')}: {r['problems']}")
for f in fails:
    print("FAIL:", f)
print("passed: " + ", ".join(f"{r['app']} on {r['arch']} {r['kernel']} (own BTF {r['own_btf']}, BTF from {r['btf']['source']})"
                             for r in rows if r["ok"]))
sys.exit(1 if fails else 0)
PY
exit $rc
