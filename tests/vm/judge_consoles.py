#!/usr/bin/env python3
"""Root-free test of scripts/kernel_matrix/guest_check.judge on real guest consoles recorded by
scripts/kernel-matrix (tests/vm/consoles: amd64 6.1 with SeaBIOS escape codes before the first
line, s390x 6.1 without BTF of its own, CRLF line ends; both with the two guest apps, the C
exec_monitor and the Go execmonitor): each app must pass as recorded, and every tampered copy
of its lines (the traps a wrong BTF or a broken guest produce) must fail with the problem named;
a recorded real run with a wrong BTF (the app itself exits 0) must fail too.
usage: judge_consoles.py REPO"""
import os
import re
import sys

repo = sys.argv[1]
sys.path.insert(0, os.path.join(repo, "scripts"))
from kernel_matrix.guest_check import judge  # noqa: E402
from kernel_matrix.kernel_cache import Kernel  # noqa: E402

CASES = {
    "amd64-6.1.0-50-amd64.log": Kernel("", "linux-image-6.1.0-50-amd64", "6.1.176-1", "amd64", "bookworm",
                                       release="6.1.0-50-amd64"),
    "s390x-6.1.0-50-s390x.log": Kernel("", "linux-image-6.1.0-50-s390x", "6.1.176-1", "s390x", "bookworm",
                                       release="6.1.0-50-s390x"),
}


APPS = ("exec_monitor", "execmonitor")


def only(text, app):
    """The console without the other apps' lines, so that a tamper edits this app's lines."""
    others = [a for a in APPS if a != app]
    return "".join(l for l in text.splitlines(keepends=True)
                   if not any(f"@@out {o} " in l or f"app={o} " in l for o in others))


def first_child_event(text):
    m = re.search(r"exec pid=(\d+) ppid=(\d+)", text)
    return m.group(1), m.group(2)


TAMPER = {  # name -> (edit of the console text, words the problem must contain)
    "garbage ppid (wrong BTF)": (lambda t: re.sub(r"ppid=\d+", "ppid=4294967295", t, count=1), "event values wrong"),
    "garbage comm": (lambda t: t.replace("comm=true", "comm=\x01\x02", 1), "event values wrong"),
    "missing event": (lambda t: re.sub(r"[^\n]*exec pid=\d+ ppid=[^\n]*\n", "", t, count=1), "event values wrong"),
    "stray pid claims the app as parent": (
        lambda t: t.replace("exec pid=" + first_child_event(t)[0], "exec pid=31337", 1), "event values wrong"),
    "layer 2 answered": (lambda t: t.replace("btf: layer 3 (pack)", "btf: layer 2 (kernel)"), "expected 3"),
    "kernel BTF not hidden": (lambda t: t.replace("kernel-btf-hidden=yes", "kernel-btf-hidden=no"), "not hidden"),
    "no-pack run succeeded": (lambda t: t.replace("mode=no-pack rc=1", "mode=no-pack rc=0"), "layer 3 disabled"),
    "no reader diagnostic": (lambda t: t.replace("no BTF for host", "something else"), "reader diagnostic"),
    "wrong byte order object": (lambda t: re.sub(r"(mode=pack object-ei-data=)\d", r"\g<1>9", t), "EI_DATA"),
    "other kernel booted": (lambda t: re.sub(r"uname=\S+", "uname=9.9.9", t), "uname"),
    "guest did not finish": (lambda t: t.replace("@@km done", ""), "did not finish"),
    "app failed": (lambda t: t.replace("mode=pack rc=0", "mode=pack rc=1"), "app exit 1"),
}

failed = 0
# A real run that must fail: 5.10 booted with 6.1's BTF filed under 5.10's name in the pack. The
# app loads, attaches and exits 0 with 3 events, all garbage (pid 4294939085, ppid 0, empty comm).
wrong = open(os.path.join(repo, "tests", "vm", "consoles", "amd64-5.10.0-32-amd64-with-6.1-btf.log"), newline="").read()
v = judge(wrong, Kernel("", "linux-image-5.10.0-32-amd64", "5.10.223-1", "amd64", "bullseye", release="5.10.0-32-amd64"),
          "exec_monitor", "debian-bullseye", False)
ok = not v.ok and not v.values_ok and v.events == 3 and "rc=0" in wrong and any("event values wrong" in p for p in v.problems)
print(f"{'ok  ' if ok else 'FAIL'} 5.10 with the 6.1 BTF (app exit 0, 3 events): rejected ({'; '.join(v.problems)[:150]})")
failed += not ok
for name, kernel in CASES.items():
    recorded = open(os.path.join(repo, "tests", "vm", "consoles", name), newline="").read()
    big = kernel.arch == "s390x"
    for app in APPS:
        text = only(recorded, app)
        v = judge(text, kernel, app, "debian-bookworm", big)
        ok = v.ok and v.values_ok and v.layer == "3 (pack)" and v.events == v.children == 3
        print(f"{'ok  ' if ok else 'FAIL'} {name} {app} as recorded: ok={v.ok} layer={v.layer} "
              f"events={v.events}/{v.children} own_btf={v.own_btf} {v.problems}")
        failed += not ok
        for what, (edit, words) in TAMPER.items():
            t = edit(text)
            assert t != text, f"{what}: the edit changed nothing in {name} ({app})"
            v = judge(t, kernel, app, "debian-bookworm", big)
            ok = not v.ok and any(words in p for p in v.problems)
            print(f"{'ok  ' if ok else 'FAIL'} {name} {app} {what}: rejected ({'; '.join(v.problems)[:150]})")
            failed += not ok
        v = judge(text, kernel, app, "debian-trixie", big)
        ok = not v.ok and any("os-release" in p for p in v.problems)
        print(f"{'ok  ' if ok else 'FAIL'} {name} {app} expected another os-release: rejected")
        failed += not ok
        # the other app's verdict must not leak into this one: its lines alone do not pass for it
        other = next(a for a in APPS if a != app)
        v = judge(only(recorded, other), kernel, app, "debian-bookworm", big)
        ok = not v.ok
        print(f"{'ok  ' if ok else 'FAIL'} {name} {app} judged on {other}'s lines only: rejected")
        failed += not ok
print(f"{failed} failed")
sys.exit(1 if failed else 0)
