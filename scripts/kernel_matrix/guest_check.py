"""Judge one guest's console output (the @@km / @@out lines of initramfs.INIT) for one app.

A run passes only if, in the guest:
  - the kernel is the one booted (uname -r), its own BTF was hidden, and the os-release installed
    is the one of the kernel's Debian release;
  - the app's BPF object has the guest's byte order (ELF EI_DATA 2, bpfeb, on s390x);
  - with layer 3 disabled the app exits 1 with the reader's diagnostic naming this host, and
    attaches nothing;
  - normally it names the expected host, gets its BTF from layer 3 (the embedded pack), attaches,
    exits 0, and every child it started (child: pid=N) produced an event with pid N, ppid = the
    app's own pid, comm "true", filename "/bin/true"; and no event claims the app as parent for
    a pid it did not start (a wrong BTF loads fine and then reads garbage).
"""
import re
from dataclasses import dataclass, field

EVENT = re.compile(r"^exec pid=(\d+) ppid=(\d+) comm=(.*?) filename=(.*?)( \(ours\))?$")


@dataclass
class Verdict:
    ok: bool = False
    layer: str = "-"
    own_btf: str = "?"      # the kernel's own /sys/kernel/btf/vmlinux, as the guest saw it: present | absent
    events: int = 0         # events the app received
    children: int = 0       # children it started
    matched: int = 0        # children whose event had the right pid, ppid, comm, filename
    values_ok: bool = False
    problems: list = field(default_factory=list)


def _lines(console):
    """Console lines from their first '@@' on (firmware escape codes may precede it), no CR."""
    for line in console.replace("\r", "").splitlines():
        i = line.find("@@")
        if i >= 0:
            yield line[i:]


def _km(console):
    """{key: value} of the @@km lines (key=value words; later lines win)."""
    kv = {}
    for line in _lines(console):
        if line.startswith("@@km "):
            for word in line[5:].split():
                k, sep, v = word.partition("=")
                if sep:
                    kv[k] = v
            for m in re.finditer(r"app=(\S+) mode=(\S+) (rc|object-ei-data)=(\S+)", line):
                kv[f"{m.group(1)}/{m.group(2)}/{m.group(3)}"] = m.group(4)
    return kv


def _out(console, app, mode):
    prefix = f"@@out {app} {mode} "
    return [l[len(prefix):] for l in _lines(console) if l.startswith(prefix)]


def expected_host(kernel):
    """The host as the reader names it (BTFHub naming: Debian 11 is 'bullseye')."""
    ver = "bullseye" if kernel.debian_release == "11" else kernel.debian_release
    return f"debian/{ver}/{kernel.btfhub_arch}/{kernel.release}"


def judge(console, kernel, app_name, osrel_name, big_endian):
    v = Verdict()
    p = v.problems
    kv = _km(console)
    v.own_btf = kv.get("kernel-btf", "?")
    if "@@km done" not in console:
        p.append("the guest did not finish (/init never reached its end)")
    if kv.get("uname") != kernel.release:
        p.append(f"guest uname -r is {kv.get('uname')!r}, expected {kernel.release}")
    if kv.get("kernel-btf-hidden") != "yes":
        p.append("the kernel's own BTF was not hidden")
    if kv.get("os-release") != osrel_name:
        p.append(f"guest os-release is {kv.get('os-release')!r}, expected {osrel_name}")
    want_ei = "2" if big_endian else "1"
    if kv.get(f"{app_name}/pack/object-ei-data") != want_ei:
        p.append(f"BPF object EI_DATA {kv.get(f'{app_name}/pack/object-ei-data')!r}, expected {want_ei} "
                 f"({'bpfeb' if big_endian else 'bpfel'})")
    host = expected_host(kernel)

    np_out = _out(console, app_name, "no-pack")
    if kv.get(f"{app_name}/no-pack/rc") != "1":
        p.append(f"layer 3 disabled: exit {kv.get(f'{app_name}/no-pack/rc')}, expected 1")
    if not any(f"no BTF for host {host}" in l for l in np_out):
        p.append(f"layer 3 disabled: no reader diagnostic 'no BTF for host {host}'")
    if any(l.startswith("attached:") for l in np_out):
        p.append("layer 3 disabled: the app attached anyway")

    out = _out(console, app_name, "pack")
    if kv.get(f"{app_name}/pack/rc") != "0":
        p.append(f"app exit {kv.get(f'{app_name}/pack/rc')}, expected 0")
    if f"host: {host}" not in out:
        p.append(f"the app did not name the host {host}")
    layer = next((l for l in out if l.startswith("btf: layer ")), "")
    m = re.match(r"btf: layer (\d+) \((\w+)\)", layer)
    v.layer = f"{m.group(1)} ({m.group(2)})" if m else "-"
    if not v.layer.startswith("3 "):
        p.append(f"BTF came from layer {v.layer}, expected 3 (pack)")
    self_pid = next((l.split("=", 1)[1] for l in out if l.startswith("self: pid=")), None)
    children = [l.split("=", 1)[1] for l in out if l.startswith("child: pid=")]
    events = [EVENT.match(l).groups() for l in out if EVENT.match(l)]
    v.events, v.children = len(events), len(children)
    for c in children:
        if any(e[0] == c and e[1] == self_pid and e[2] == "true" and e[3] == "/bin/true" for e in events):
            v.matched += 1
    strays = [e for e in events if e[1] == self_pid and e[0] not in children]
    v.values_ok = bool(self_pid) and v.children > 0 and v.matched == v.children and not strays
    if not v.values_ok:
        shown = "; ".join(f"pid={e[0]} ppid={e[1]} comm={e[2]}" for e in events[:4]) or "none"
        p.append(f"event values wrong: {v.matched} of {v.children} children (self pid {self_pid}) seen "
                 f"with pid, ppid, comm=true, filename=/bin/true; events: {shown}")
    v.ok = not p
    return v
