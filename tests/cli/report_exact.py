#!/usr/bin/env python3
"""The compatibility report against libbpf's own log, and its three sources against each other.

usage: report_exact.py BTFPACK KERNELS OBJECTS_DIR (--golden OUTCOMES_DIR | --oracle RELO_ORACLE)

For every kernel of KERNELS (a BTFHub-shaped tree of .btf.tar.xz) and every object of
OBJECTS_DIR, the per-program counts of `btfpack report --json` (patched, poisoned, failed, and
whether the program aborted the load) must equal those of libbpf's log as relo_oracle reads it:
the lines "<prog> #<relo> ... => patched|poison|FAILED ..." and "<prog> #* => ABORTED ...",
either committed (--golden: testdata/outcomes, made by scripts/update-golden-outcomes as root)
or made now by the oracle (--oracle: needs root and bpf()). Then:
  - the report made from a pack (`btfpack build` of the same kernels and objects, no archive
    needed) equals the report made against the archive, record for record;
  - `btfpack build --report F.json` writes that same report;
  - the kernel verdict is the worst program verdict, every poisoned or failed relocation is
    named in "missing" with the kernel, the HTML page embeds every kernel;
  - misuse gives clear errors: an object the pack was not built from (exit 1), --fail-on
    (exit 4), `btfpack diff` of a pack with one kernel fewer (1 added, exit 4 with
    --fail-on-regression when the added kernel fails).
"""
import collections
import json
import os
import re
import subprocess
import sys
import tempfile

LINE = re.compile(r"^(\S+) #(\d+|\*) .*?=> (patched|poison|FAILED|ABORTED)")


def run(cmd, ok=(0,)):
    p = subprocess.run(cmd, capture_output=True, text=True)
    if p.returncode not in ok:
        sys.exit(f"FAIL: {' '.join(cmd)} exited {p.returncode}: {p.stderr.strip()[:500]}")
    return p


def libbpf_counts(lines):
    """program -> [patched, poisoned, failed, aborted] from relo_oracle's lines"""
    c = collections.defaultdict(lambda: [0, 0, 0, False])
    for line in lines:
        m = LINE.match(line)
        if not m:
            if line.strip():
                sys.exit(f"FAIL: unparsed oracle line: {line!r}")
            continue
        prog, _, what = m.groups()
        if what == "ABORTED":
            c[prog][3] = True
        else:
            c[prog][["patched", "poison", "FAILED"].index(what)] += 1
    return c


def strip_source(rep):
    rep = dict(rep)
    rep.pop("source")
    return rep


def main():
    btfpack, kernels, objdir = sys.argv[1:4]
    mode, where = sys.argv[4], sys.argv[5]
    objs = sorted(os.path.join(objdir, f) for f in os.listdir(objdir) if f.endswith(".o"))
    failures = []
    with tempfile.TemporaryDirectory() as t:
        against = json.loads(run([btfpack, "report", "--against", kernels, *objs, "--json"]).stdout)
        checked = 0
        for k in against["kernels"]:
            got = collections.defaultdict(dict)
            for p in k["programs"]:
                got[os.path.basename(p["object"])][p["program"]] = [p["patched"], p["poisoned"], p["failed"], p["aborted"]]
                v = p["verdict"]
                want_v = "fails" if p["failed"] or p["aborted"] else "poisoned" if p["poisoned"] else "clean"
                if v != want_v:
                    failures.append(f"{k['key']} {p['program']}: verdict {v}, counts say {want_v}")
                if len(p["missing"]) == 0 and (p["poisoned"] or p["failed"]):
                    failures.append(f"{k['key']} {p['program']}: poisoned/failed but nothing named missing")
                for m in p["missing"]:
                    if "(" not in m or ("not in " in m and k["key"] not in m):
                        failures.append(f"{k['key']} {p['program']}: missing piece not in a person's terms: {m}")
            worst = max((["clean", "poisoned", "fails"].index(p["verdict"]) for p in k["programs"]), default=0)
            if k["verdict"] != ["clean", "poisoned", "fails"][worst]:
                failures.append(f"{k['key']}: kernel verdict {k['verdict']} is not its worst program's")
            raw = os.path.join(t, "k.btf")
            with open(raw, "wb") as f:
                subprocess.run(["tar", "-xJOf", os.path.join(kernels, k["key"] + ".btf.tar.xz")], stdout=f, check=True)
            for o in objs:
                name = os.path.basename(o)
                if mode == "--golden":
                    with open(os.path.join(where, k["key"], name[:-2] + ".txt")) as f:
                        lines = f.read().splitlines()
                else:
                    p = subprocess.run([where, o, raw], capture_output=True, text=True)
                    if p.returncode > 1:
                        sys.exit(f"FAIL: relo_oracle {o} on {k['key']}: exit {p.returncode}: {p.stderr[-300:]}")
                    lines = p.stdout.splitlines()
                want = libbpf_counts(lines)
                have = got.get(name, {})
                for prog in sorted(set(want) | set(have)):
                    w = want.get(prog, [0, 0, 0, False])
                    h = have.get(prog, [0, 0, 0, False])
                    checked += 1
                    if w != h:
                        failures.append(f"{k['key']} {name} {prog}: libbpf [patched, poisoned, failed, aborted] {w}, report {h}")
        print(f"counts: {checked} (kernel, object, program) triples compared with libbpf's log")

        pack = os.path.join(t, "p.pack")
        rep_build = os.path.join(t, "build-report.json")
        run([btfpack, "build", kernels, *objs, "-o", pack, "--report", rep_build])
        from_pack = json.loads(run([btfpack, "report", pack, *objs, "--json"]).stdout)
        if strip_source(from_pack) != strip_source(against):
            failures.append("the report from the pack differs from the report against the archive")
        with open(rep_build) as f:
            if strip_source(json.load(f)) != strip_source(from_pack):
                failures.append("build --report differs from report on the pack")
        html = os.path.join(t, "r.html")
        run([btfpack, "report", pack, *objs, "--html", html])
        page = open(html).read()
        if "http://" in page or "https://" in page or "<link" in page:
            failures.append("the HTML page refers to something outside itself")
        for k in against["kernels"]:
            if json.dumps(k["kernel"]) not in page:
                failures.append(f"the HTML page lacks kernel {k['kernel']}")

        # misuse and exit codes
        other = os.path.join(t, "other.o")
        with open(objs[0], "rb") as f, open(other, "wb") as g:
            g.write(f.read() + b"\0" * 16)  # still a valid ELF (trailing bytes), another hash
        p = run([btfpack, "report", pack, other], ok=(1,))
        if "not an object" not in p.stderr or "other.o" not in p.stderr:
            failures.append(f"wrong-object error unclear: {p.stderr.strip()}")
        worst = against["summary"]
        p = run([btfpack, "report", pack, *objs, "--fail-on", "fails"], ok=(0, 4))
        if p.returncode != (4 if worst["fails"] else 0):
            failures.append(f"--fail-on fails exited {p.returncode} with {worst['fails']} failing kernels")
        run([btfpack, "report", pack, *objs, "--fail-on", "bad"], ok=(2,))

        # diff: an old pack without the last kernel
        old_tree = os.path.join(t, "old")
        last = against["kernels"][-1]["key"]
        for k in against["kernels"][:-1]:
            d = os.path.join(old_tree, os.path.dirname(k["key"]))
            os.makedirs(d, exist_ok=True)
            os.symlink(os.path.abspath(os.path.join(kernels, k["key"] + ".btf.tar.xz")),
                       os.path.join(old_tree, k["key"] + ".btf.tar.xz"))
        old = os.path.join(t, "old.pack")
        run([btfpack, "build", old_tree, *objs, "-o", old])
        d = json.loads(run([btfpack, "diff", old, pack, *objs, "--json"]).stdout)
        if [a["key"] for a in d["added"]] != [last] or d["removed"] or d["changed"]:
            failures.append(f"diff: expected only {last} added, got {d}")
        p = run([btfpack, "diff", old, pack, *objs, "--fail-on-regression"], ok=(0, 4))
        last_fails = against["kernels"][-1]["verdict"] == "fails"
        if p.returncode != (4 if last_fails else 0) or last not in p.stdout:
            failures.append(f"diff --fail-on-regression exited {p.returncode}: {p.stdout}")
    for f in failures:
        print("FAIL:", f)
    print(f"{len(failures)} failure(s)")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
