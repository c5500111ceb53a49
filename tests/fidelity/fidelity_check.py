#!/usr/bin/env python3
"""CO-RE fidelity checks of btfpack (python3 stdlib only; registered as ctest tests).

usage: fidelity_check.py {libbpf|bigendian|resolver} --btfpack BIN --oracle BIN [--oracle BIN2 ...]
                         --el DIR --eb DIR --kernels DIR [--timeout S] [--jobs N] [--no-alone] [-v]

Kernels are every *.btf.tar.xz under --kernels (BTFHub layout, one raw <kernel>.btf inside),
unpacked once per kernel into a temporary directory that is removed afterwards. Objects are the
*.o files of --el (little-endian) and --eb (big-endian twins with the same names).

Every --oracle is relo_oracle (tests/tools/relo_oracle.c) built against some libbpf: the first
one is the libbpf btfpack's resolver reproduces (Debian 12's 1.1), further ones newer libbpfs
(e.g. relo_oracle_libbpf15, Debian 13's 1.5 linked statically). Checks name their oracle when
there are several.

  libbpf     For every kernel K: minimize ALL el objects together (`btfpack minimize K.tar.xz
             objs... -o all.btf`) and every el object alone (`btfpack minimize K.btf obj -o
             obj.btf`); each oracle (libbpf) then relocates each object against the full BTF and
             against the min BTF. PASS = identical outcome lists, non-empty, same oracle exit
             code, and the oracle did not fail (exit 2). --no-alone skips the objects alone (for a
             directory of one object, alone is the merged minimization again).
  bigendian  The same for the eb objects, judged by `btfpack relocs OBJ --btf B --outcomes`
             (libbpf 1.1 cannot open big-endian objects on a little-endian host; 1.5 opens them
             but refuses to load, so to relocate, an object of the other byte order).
  resolver   For every kernel x el object: `btfpack relocs OBJ --btf FULL --outcomes` must equal
             the first oracle's output against FULL line for line (btfpack's resolver vs libbpf);
             every further oracle's output and exit code must equal the first one's (a newer
             libbpf that relocates differently shows up as `[NEW vs FIRST]`, not as a resolver
             failure); and the eb twin's outcomes must equal those, except lines of kind <lshift_u64>,
             whose value legitimately depends on byte order (printed as notes, not failures).
             When the eb twin was compiled into different code (libbpf's *_PROBED bitfield
             macros are endian-specific, so instruction and relocation numbers shift), it is
             compared by (program, kind, local spec) -> set of results instead.

Outcome lines of <target_type_id> relocations have their patched value masked when a full and
a min BTF are compared (type ids differ by construction; only the fact it resolved counts).
Every check prints one PASS/FAIL line; the last line is `N passed, M failed`. Exit 0 only when
M == 0 and N > 0: finding no kernel, no object or no outcome line is a failure.
The oracle needs root and the bpf syscall (libbpf probes program loading before relocating).
"""
import argparse
import concurrent.futures as cf
import difflib
import glob
import os
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.realpath(__file__)), os.pardir, os.pardir, "scripts"))
import proc_group  # noqa: E402  (scripts/proc_group.py: children killed with their process group)

ARGS = None


# ---------------------------------------------------------------------------- running tools

class Run:
    """Result of one external command."""

    def __init__(self, cmd, rc, out, err, secs):
        self.cmd, self.rc, self.out, self.err, self.secs = cmd, rc, out, err, secs

    def lines(self):
        return self.out.splitlines()

    def why(self):
        """short description of a failure: exit code and the last stderr line"""
        if self.rc is None:
            return f"timed out after {ARGS.timeout:g} s"
        tail = [l for l in (self.err or "").strip().splitlines() if l.strip()]
        return f"exit {self.rc}" + (f": {tail[-1][:300]}" if tail else "")

    def shell(self):
        return " ".join(self.cmd)


def run(cmd):
    """Run cmd with the per-check timeout; never raises for the command's own failures."""
    cmd = [str(c) for c in cmd]
    if proc_group.stopping.is_set():
        return Run(cmd, -1, "", "interrupted", 0.0)
    t0 = time.monotonic()
    try:
        # own process group: a timeout or a signal kills the tool with all its children
        p = proc_group.popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             errors="replace", stdin=subprocess.DEVNULL)
    except OSError as e:
        return Run(cmd, 127, "", f"cannot run {cmd[0]}: {e}", 0.0)
    out, err, timed_out = proc_group.communicate(p, ARGS.timeout)
    return Run(cmd, None if timed_out else p.returncode, out, err, time.monotonic() - t0)


# ---------------------------------------------------------------------------- outcome lines

TYPE_ID_VALUE = re.compile(r"\b(imm|imm64) \d+ -> \d+")


def mask(lines):
    """the patched id of a target_type_id relocation differs between full and min BTF by construction"""
    return [TYPE_ID_VALUE.sub(r"\1 X -> Y", l) if "<target_type_id>" in l else l for l in lines]


def diff(a, b, name_a, name_b):
    d = list(difflib.unified_diff(a, b, name_a, name_b, n=0, lineterm=""))
    limit = None if ARGS.verbose else 12
    shown = d[:limit] if limit else d
    more = [f"... {len(d) - len(shown)} more diff lines (-v shows all)"] if len(shown) < len(d) else []
    return shown + more


def oracle(obj, btf, which=None):
    return run([which or ARGS.oracles[0], obj, btf])


def oracle_name(path):
    return os.path.basename(path)


def relocs(obj, btf):
    return run([ARGS.btfpack, "relocs", obj, "--btf", btf, "--outcomes"])


def minimize(kernel, objs, out):
    if os.path.exists(out):
        os.unlink(out)
    r = run([ARGS.btfpack, "minimize", kernel, *objs, "-o", out])
    if r.rc == 0 and not os.path.isfile(out):
        r.rc, r.err = 1, f"exit 0 but {out} was not written"
    return r


KIND = re.compile(r"^(\S+) #(\d+|\*) (<[a-z_0-9]+>)?")


def kind_of(line):
    m = KIND.match(line)
    return m.group(3) if m else None


# ---------------------------------------------------------------------------- result bookkeeping

class Check:
    def __init__(self, label):
        self.label, self.ok, self.info, self.details = label, False, "", []

    def passed(self, info=""):
        self.ok, self.info = True, info
        return self

    def failed(self, info, details=()):
        self.ok, self.info, self.details = False, info, list(details)
        return self


def report(checks, totals):
    for c in checks:
        print(f"{'PASS' if c.ok else 'FAIL'}  {c.label}" + (f"  {c.info}" if c.info else ""))
        for d in c.details:
            print(f"        {d}")
        totals[0 if c.ok else 1] += 1
    sys.stdout.flush()


# ---------------------------------------------------------------------------- inputs

def find_kernels(d):
    return sorted(glob.glob(os.path.join(d, "**", "*.btf.tar.xz"), recursive=True))


def find_objs(d):
    return sorted(glob.glob(os.path.join(d, "*.o"))) if d and os.path.isdir(d) else []


def kernel_label(k):
    rel = os.path.relpath(k, ARGS.kernels)
    return rel[: -len(".btf.tar.xz")] if rel.endswith(".btf.tar.xz") else rel


def unpack(k, td):
    """the raw BTF inside a BTFHub <kernel>.btf.tar.xz, written to td (no path from the archive is trusted)"""
    with tarfile.open(k, "r:*") as tf:
        members = [m for m in tf.getmembers() if m.isfile()]
        if not members:
            raise ValueError("no file inside")
        m = next((m for m in members if m.name.endswith(".btf")), members[0])
        out = os.path.join(td, os.path.basename(m.name) or "kernel.btf")
        with tf.extractfile(m) as src, open(out, "wb") as dst:
            shutil.copyfileobj(src, dst)
    return out


def per_kernel(kernels, body, totals):
    """unpack every kernel into its own temporary directory, run body(label, tar, full, td) -> [Check]"""
    for k in kernels:
        label = kernel_label(k)
        print(f"== {label}", flush=True)
        with tempfile.TemporaryDirectory(prefix="btfpack-fidelity-") as td:
            try:
                full = unpack(k, td)
            except (OSError, tarfile.TarError, ValueError) as e:
                report([Check(f"{label}").failed(f"cannot unpack {k}: {e}")], totals)
                continue
            report(body(label, k, full, td), totals)


def pool():
    return cf.ThreadPoolExecutor(max_workers=max(1, ARGS.jobs))


# ---------------------------------------------------------------------------- full vs min

def full_vs_min(label, ref, got, min_info):
    """compare outcome runs against the full (ref) and the min (got) BTF; both masked"""
    c = Check(label)
    if ref.rc != 0 and not (ARGS.tool == "oracle" and ref.rc == 1):
        hint = " (relo_oracle needs root and the bpf syscall)" if ARGS.tool == "oracle" and os.geteuid() else ""
        return c.failed(f"against the full BTF: {ref.why()}{hint}", [ref.shell()])
    if not ref.lines():
        return c.failed("no relocation outcomes against the full BTF (an object without CO-RE "
                        "relocations, or one the tool could not relocate)", [ref.shell()])
    if got.rc != ref.rc:
        return c.failed(f"against the min BTF: {got.why()} (full BTF: exit {ref.rc})", [got.shell()])
    a, b = mask(ref.lines()), mask(got.lines())
    if not b:
        return c.failed("no relocation outcomes against the min BTF", [got.shell()])
    if a != b:
        return c.failed(f"outcomes differ ({len(a)} full vs {len(b)} min lines)",
                        [got.shell()] + diff(a, b, "full", "min"))
    note = " (oracle exit 1: some relocations without outcome, same on both)" if ref.rc == 1 else ""
    return c.passed(f"{len(a)} outcomes identical, {min_info}{note}")


def fidelity(objs, judges):
    """body for the libbpf / bigendian subcommands; judges: [(name, outcome_fn)], a name shown
    in the labels only when there are several"""

    def body(klabel, tar, full, td):
        # all objects together into one min BTF, straight from the .tar.xz (as a pack build does)
        merged = os.path.join(td, "all.min.btf")
        mr = minimize(tar, objs, merged)
        merged_info = f"merged min {os.path.getsize(merged)} B" if mr.rc == 0 else ""
        os.makedirs(os.path.join(td, "each"))

        def one(obj):
            name = os.path.basename(obj)
            out = []
            # the object alone, from the unpacked raw BTF (not for a directory of one object)
            each = os.path.join(td, "each", name + ".min.btf")
            er = None if ARGS.no_alone else minimize(full, [obj], each)
            for jname, outcome_fn in judges:
                judge = f"  ({jname})" if len(judges) > 1 else ""
                ref = outcome_fn(obj, full)
                lab = f"{klabel}  {name}  [all {len(objs)} objects]{judge}"
                if mr.rc != 0:
                    out.append(Check(lab).failed(f"btfpack minimize (all objects): {mr.why()}", [mr.shell()]))
                else:
                    out.append(full_vs_min(lab, ref, outcome_fn(obj, merged), merged_info))
                lab = f"{klabel}  {name}  [alone]{judge}"
                if er is None:
                    continue
                if er.rc != 0:
                    out.append(Check(lab).failed(f"btfpack minimize: {er.why()}", [er.shell()]))
                else:
                    out.append(full_vs_min(lab, ref, outcome_fn(obj, each), f"min {os.path.getsize(each)} B"))
            return out

        with pool() as ex:
            return [c for cs in ex.map(one, objs) for c in cs]

    return body


# ---------------------------------------------------------------------------- resolver vs libbpf

def semantic(lines):
    """(prog, kind, local spec) -> set of results with instruction numbers removed"""
    m = {}
    for l in lines:
        head, sep, res = l.partition(" => ")
        mm = re.match(r"^(\S+) #(?:\d+|\*) ?(.*)$", head)
        key = (mm.group(1), mm.group(2)) if mm else (head, "")
        if res.startswith("ABORTED"):
            res = "ABORTED"
        m.setdefault(key, set()).add(re.sub(r"insn #\d+", "insn #N", res))
    return m


def twin_compare(el_lines, eb_lines):
    """eb twin vs el outcomes -> (ok, info, details)"""
    if len(el_lines) == len(eb_lines):
        fails, notes = [], []
        for a, b in zip(el_lines, eb_lines):
            if a == b:
                continue
            ka, kb = kind_of(a), kind_of(b)
            if ka == kb == "<lshift_u64>" and a.split(" => ")[0] == b.split(" => ")[0]:
                notes.append(f"byte order: el {a.split(' => ')[1]}  |  eb {b.split(' => ')[1]}  ({a.split(' => ')[0]})")
            else:
                fails += [f"- el {a}", f"+ eb {b}"]
        if not fails:
            return True, f"eb twin identical ({len(notes)} lshift_u64 byte-order differences)", notes
        # same length but different structure (e.g. endian-specific code) falls through
        strict_fail = fails
    else:
        strict_fail = [f"{len(el_lines)} el vs {len(eb_lines)} eb lines"]
    # endian-specific code (e.g. BPF_CORE_READ_BITFIELD_PROBED): compare what each relocation resolved to
    sa, sb = semantic(el_lines), semantic(eb_lines)
    fails, notes = [], []
    for key in sorted(set(sa) | set(sb)):
        va, vb = sa.get(key), sb.get(key)
        if va == vb:
            continue
        what = f"{key[0]} {key[1]}"
        if va is None or vb is None:
            fails.append(f"{what}: only in {'eb' if va is None else 'el'} twin")
        elif key[1].startswith("<lshift_u64>"):
            notes.append(f"byte order: el {sorted(va)}  |  eb {sorted(vb)}  ({what})")
        else:
            fails.append(f"{what}: el {sorted(va)}  |  eb {sorted(vb)}")
    if fails:
        return False, "eb twin outcomes differ from the el object's", fails + [
            "(line by line: " + "; ".join(strict_fail[:4]) + ")"]
    return True, (f"eb twin equivalent: code differs ({len(el_lines)} el vs {len(eb_lines)} eb "
                  f"relocations), every (prog, kind, spec) resolves alike "
                  f"({len(notes)} lshift_u64 byte-order differences)"), notes


def resolver_body(el_objs, eb_dir):
    def body(klabel, tar, full, td):
        def one(obj):
            name = os.path.basename(obj)
            out = []
            ref = oracle(obj, full)
            ours = relocs(obj, full)
            c = Check(f"{klabel}  {name}  [btfpack relocs vs libbpf]")
            good_ref = ref.rc in (0, 1) and ref.lines()
            if ref.rc not in (0, 1):
                c.failed(f"relo_oracle: {ref.why()}" + (" (needs root and the bpf syscall)" if os.geteuid() else ""),
                         [ref.shell()])
            elif not ref.lines():
                c.failed("libbpf produced no relocation outcomes (object without CO-RE relocations?)", [ref.shell()])
            elif ours.rc != 0:
                c.failed(f"btfpack relocs: {ours.why()}", [ours.shell()])
            elif ours.lines() != ref.lines():
                c.failed(f"outcomes differ ({len(ref.lines())} libbpf vs {len(ours.lines())} btfpack lines)",
                         [ours.shell()] + diff(ref.lines(), ours.lines(), "libbpf", "btfpack"))
            else:
                c.passed(f"{len(ref.lines())} outcomes identical" + (" (oracle exit 1)" if ref.rc == 1 else ""))
            out.append(c)
            # a newer libbpf vs the one the resolver reproduces, on the same full BTF
            for other in ARGS.oracles[1:]:
                c = Check(f"{klabel}  {name}  [{oracle_name(other)} vs {oracle_name(ARGS.oracles[0])}]")
                new = oracle(obj, full, other)
                if new.rc not in (0, 1):
                    c.failed(f"{oracle_name(other)}: {new.why()}", [new.shell()])
                elif not good_ref:
                    c.failed("no reference outcomes from the first oracle (see above)")
                elif new.rc != ref.rc or new.lines() != ref.lines():
                    c.failed(f"libbpf versions relocate differently ({len(ref.lines())} vs {len(new.lines())} "
                             f"lines, exit {ref.rc} vs {new.rc})",
                             [new.shell()] + diff(ref.lines(), new.lines(), oracle_name(ARGS.oracles[0]),
                                                  oracle_name(other)))
                else:
                    c.passed(f"{len(new.lines())} outcomes identical" + (" (both exit 1)" if new.rc == 1 else ""))
                out.append(c)
            if eb_dir is None:  # objects without big-endian twins (e.g. real-world objects)
                return out

            c = Check(f"{klabel}  {name}  [eb twin vs el]")
            twin = os.path.join(eb_dir or "", name)
            if not good_ref:
                c.failed("no libbpf reference outcomes for the el object (see above)")
            elif not os.path.isfile(twin):
                c.failed(f"big-endian twin {twin} not found")
            else:
                eb = relocs(twin, full)
                if eb.rc != 0:
                    c.failed(f"btfpack relocs (eb): {eb.why()}", [eb.shell()])
                elif not eb.lines():
                    c.failed("no relocation outcomes for the eb twin", [eb.shell()])
                else:
                    ok, info, details = twin_compare(ref.lines(), eb.lines())
                    shown = details if ARGS.verbose or not ok else details[:6]
                    if len(shown) < len(details):
                        shown.append(f"... {len(details) - len(shown)} more (-v shows all)")
                    c.passed(info) if ok else c.failed(info)
                    c.details = shown
            out.append(c)
            return out

        with pool() as ex:
            return [c for cs in ex.map(one, el_objs) for c in cs]

    return body


# ---------------------------------------------------------------------------- main

def main():
    global ARGS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter,
                                 epilog=__doc__.split("\n\n", 2)[2])
    ap.add_argument("check", choices=["libbpf", "bigendian", "resolver"])
    ap.add_argument("--btfpack", required=True, help="the btfpack CLI")
    ap.add_argument("--oracle", dest="oracles", action="append", default=[], metavar="ORACLE",
                    help="relo_oracle (needed by libbpf and resolver); repeat for more libbpf versions, "
                         "the first being the one btfpack's resolver reproduces")
    ap.add_argument("--el", help="directory of little-endian CO-RE objects (*.o)")
    ap.add_argument("--eb", help="directory of their big-endian twins (*.o); without it, resolver skips the twin check")
    ap.add_argument("--kernels", required=True, help="directory searched recursively for *.btf.tar.xz")
    ap.add_argument("--timeout", type=float, default=300, help="seconds per tool run (default 300)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1, help="objects checked in parallel")
    ap.add_argument("--no-alone", action="store_true",
                    help="libbpf/bigendian: only the merged minimization, not each object alone "
                         "(the same work again when there is one object)")
    ap.add_argument("-v", "--verbose", action="store_true", help="show every diff line and note")
    ARGS = ap.parse_args()
    ARGS.tool = "oracle" if ARGS.check == "libbpf" else "btfpack"
    proc_group.handle_signals()  # ctest timeout / Ctrl-C: children killed, temporary files removed

    problems = []
    if not os.access(ARGS.btfpack, os.X_OK):
        problems.append(f"btfpack not found or not executable: {ARGS.btfpack}")
    if ARGS.check in ("libbpf", "resolver"):
        if not ARGS.oracles:
            problems.append("no --oracle given (relo_oracle)")
        for o in ARGS.oracles:
            if not os.access(o, os.X_OK):
                problems.append(f"relo_oracle not found or not executable: {o}")
        if os.geteuid() != 0:
            print("warning: not root; relo_oracle needs root and the bpf syscall", file=sys.stderr)
    kernels = find_kernels(ARGS.kernels)
    if not kernels:
        problems.append(f"no kernels (*.btf.tar.xz) found under {ARGS.kernels}")
    objdir = ARGS.eb if ARGS.check == "bigendian" else ARGS.el
    objs = find_objs(objdir)
    if not objs:
        problems.append(f"no objects (*.o) found in {objdir} (are the bpf/ objects built?)")
    if problems:
        for p in problems:
            print(f"FAIL  {p}")
        print("nothing compared")
        print("0 passed, 1 failed")
        return 1

    judges = ", ".join(map(oracle_name, ARGS.oracles)) if ARGS.check != "bigendian" else "btfpack relocs"
    print(f"{ARGS.check}: {len(kernels)} kernels x {len(objs)} objects from {objdir}; judged by {judges}", flush=True)
    totals = [0, 0]
    t0 = time.monotonic()
    if ARGS.check == "libbpf":
        judges = [(oracle_name(o), lambda obj, btf, o=o: oracle(obj, btf, o)) for o in ARGS.oracles]
        per_kernel(kernels, fidelity(objs, judges), totals)
    elif ARGS.check == "bigendian":
        per_kernel(kernels, fidelity(objs, [("btfpack relocs", relocs)]), totals)
    else:
        extra = sorted(set(map(os.path.basename, find_objs(ARGS.eb))) - set(map(os.path.basename, objs)))
        if extra:
            print(f"note: eb objects without an el twin, not compared: {' '.join(extra)}")
        per_kernel(kernels, resolver_body(objs, ARGS.eb), totals)
    print(f"({time.monotonic() - t0:.1f} s)")
    print(f"{totals[0]} passed, {totals[1]} failed")
    return 0 if totals[1] == 0 and totals[0] > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
