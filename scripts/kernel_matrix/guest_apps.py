"""The apps that run in the guests, built once per architecture, static, with the pack embedded.

APPS is the list of guest apps. Each entry says how to build the app for one arch (a function
(BuildContext) -> path of the binary) and how the guest runs it: `run` (normal: must find its
BTF in the pack, layer 3) and `no_pack` (layer 3 disabled: must fail with the reader's
diagnostic), and which CO-RE object it loads (`object`, copied next to it in the guest, whose
byte order the guest reports). Every app speaks the protocol of examples/exec_monitor on stdout:
    self: pid=N            child: pid=N (one per /bin/true it starts)
    host: D/V/A/K          btf: layer L (name) ...
    exec pid=P ppid=Q comm=C filename=F[ (ours)]
and exits 0 when events arrived (guest_check.judge reads it). The apps: the C example
(examples/exec_monitor, static, with the C reader) and the Go example (go/examples/execmonitor,
cilium/ebpf + the Go reader, CGO_ENABLED=0 GOARCH=amd64|arm64|s390x, the matrix pack in place of
its embedded btfs.pack through `go build -overlay`). Another app is added by appending one App
to APPS; an app with another output protocol brings its own `judge` (same signature as
guest_check.judge).

Cross builds link against a sysroot per arch: the bookworm -dev packages fetched with
`apt-get download` and unpacked with `dpkg-deb -x` into <cache>/sysroot/<arch> (multiarch
`apt-get install` of them fails on version skew between architectures).
"""
import glob
import json
import os
import shutil
import subprocess
from dataclasses import dataclass, field

from . import guest_check
from .errors import MatrixError

CC = {"amd64": "gcc", "arm64": "aarch64-linux-gnu-gcc", "s390x": "s390x-linux-gnu-gcc"}
TRIPLET = {"amd64": "x86_64-linux-gnu", "arm64": "aarch64-linux-gnu", "s390x": "s390x-linux-gnu"}
BIG_ENDIAN = {"s390x"}
SYSROOT_PACKAGES = ("libbpf-dev", "libelf-dev", "zlib1g-dev", "libzstd-dev", "libxxhash-dev", "busybox-static")
SYSROOT_SUITE = "bookworm"
READER_SOURCES = ("btfpack_reader.c", "type_table.c", "host_detect.c", "btfpack_lookup.c")


@dataclass
class BuildContext:
    arch: str
    repo: str           # source tree
    build: str          # cmake build tree (btfpack, bpf objects)
    sysroot: str
    pack: str           # the pack every app embeds
    out: str            # per-arch output dir


@dataclass
class App:
    name: str
    build: object       # (BuildContext) -> binary path
    run: list = field(default_factory=list)      # args in the guest, layer 3 expected
    no_pack: list = field(default_factory=list)  # args in the guest with layer 3 disabled
    object: object = None                        # (BuildContext) -> the CO-RE object the binary loads
    judge: object = guest_check.judge            # (console, kernel, app name, os-release name, big endian) -> Verdict


def bpf_object(ctx):
    """The build tree's CO-RE object in the guest's byte order (bpfeb for s390x): exec_monitor's."""
    path = os.path.join(ctx.build, "bpf", "eb" if ctx.arch in BIG_ENDIAN else "el", "example_exec.o")
    if not os.path.exists(path):
        raise MatrixError(f"{path} missing: build the tree first (cmake --build {ctx.build})")
    return path


def _run(cmd, what, env=None):
    r = subprocess.run(cmd, capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise MatrixError(f"{what} failed ({' '.join(cmd[:3])} ...):\n{(r.stderr or r.stdout).strip()[-1500:]}")
    return r


def build_exec_monitor(ctx):
    """examples/exec_monitor.c + the C reader + the embedded pack, static, for ctx.arch."""
    cc = CC[ctx.arch]
    if not shutil.which(cc):
        raise MatrixError(f"{cc} not found (scripts/setup.sh installs the cross compilers)")
    os.makedirs(ctx.out, exist_ok=True)
    pack_o = os.path.join(ctx.out, "pack.o")
    env = dict(os.environ, CC=cc)
    _run([os.path.join(ctx.build, "tools", "btfpack"), "embed", ctx.pack, "-o", pack_o], "btfpack embed", env)
    reader = os.path.join(ctx.repo, "lib", "reader")
    binary = os.path.join(ctx.out, "exec_monitor")
    _run([cc, "-O2", "-static", "-std=gnu11", "-Wall", "-Wextra",
          "-I", os.path.join(ctx.repo, "lib", "include"), "-I", reader, "-I", os.path.join(ctx.sysroot, "usr/include"),
          os.path.join(ctx.repo, "examples", "exec_monitor.c"), *[os.path.join(reader, s) for s in READER_SOURCES],
          pack_o, "-L", os.path.join(ctx.sysroot, "usr/lib", TRIPLET[ctx.arch]),
          "-lbpf", "-lelf", "-lz", "-lzstd", "-o", binary], f"static build of exec_monitor for {ctx.arch}")
    return binary


GO_EXAMPLE = os.path.join("go", "examples", "execmonitor")   # in REPO; its module is REPO/go
GO_ARCH = {"amd64": "amd64", "arm64": "arm64", "s390x": "s390x"}


def go_tool():
    """The Go toolchain: $BTFPACK_GO, else go on PATH, else /usr/local/go/bin/go."""
    go = os.environ.get("BTFPACK_GO") or shutil.which("go") or "/usr/local/go/bin/go"
    if not os.access(go, os.X_OK):
        raise MatrixError(f"no Go toolchain ({go}): set BTFPACK_GO (the Go example is built for the guests)")
    return go


def _go_env(ctx):
    return dict(os.environ, CGO_ENABLED="0", GOOS="linux", GOARCH=GO_ARCH[ctx.arch], GOFLAGS="-mod=readonly")


def build_go_execmonitor(ctx):
    """go/examples/execmonitor for ctx.arch, CGO_ENABLED=0, stripped, with ctx.pack embedded in
    place of the committed btfs.pack (go build -overlay: the source tree is not changed)."""
    os.makedirs(ctx.out, exist_ok=True)
    overlay = os.path.join(ctx.out, "go-overlay.json")
    with open(overlay, "w") as f:
        json.dump({"Replace": {os.path.join(ctx.repo, GO_EXAMPLE, "btfs.pack"): ctx.pack}}, f)
    binary = os.path.join(ctx.out, "execmonitor")
    # no -trimpath: the compile steps then hit Go's build cache of a plain `go build` (go_example
    # makes them for all three arches): ~1 s instead of ~55 s per arch; -s -w: 5-6 MB, not 8
    _run([go_tool(), "-C", os.path.join(ctx.repo, "go"), "build", "-overlay", overlay,
          "-ldflags=-s -w", "-o", binary, "./examples/execmonitor"],
         f"CGO_ENABLED=0 GOARCH={GO_ARCH[ctx.arch]} go build of {GO_EXAMPLE}", _go_env(ctx))
    return binary


def go_execmonitor_object(ctx):
    """The bpf2go object the GOARCH build embeds (execmonitor_bpfeb.o for s390x), as go list says."""
    r = _run([go_tool(), "-C", os.path.join(ctx.repo, "go"), "list", "-f", "{{range .EmbedFiles}}{{.}} {{end}}",
              "./examples/execmonitor"], f"go list of {GO_EXAMPLE}", _go_env(ctx))
    objs = [f for f in r.stdout.split() if f.startswith("execmonitor_bpf") and f.endswith(".o")]
    if len(objs) != 1:
        raise MatrixError(f"{GO_EXAMPLE} for GOARCH={GO_ARCH[ctx.arch]} embeds {objs or 'no'} bpf2go object(s), "
                          "expected one")
    return os.path.join(ctx.repo, GO_EXAMPLE, objs[0])


APPS = [
    App(name="exec_monitor", build=build_exec_monitor, object=bpf_object,
        run=["--count", "3", "--timeout", "60"], no_pack=["--no-pack", "--count", "1", "--timeout", "5"]),
    # -v: it prints every exec event (not only its children's), so the judge sees strays too
    App(name="execmonitor", build=build_go_execmonitor, object=go_execmonitor_object,
        run=["-count", "3", "-timeout", "60", "-v"], no_pack=["-no-pack", "-count", "1", "-timeout", "5"]),
]


def sysroot(arch, apt, cache_dir, log=print):
    """<cache>/sysroot/<arch> with SYSROOT_PACKAGES unpacked (bookworm versions); its path."""
    root = os.path.join(cache_dir, "sysroot", arch)
    stamp = os.path.join(root, "btfpack-sysroot.json")
    if os.path.exists(stamp) and json.load(open(stamp)).get("packages") == list(SYSROOT_PACKAGES):
        return root
    shutil.rmtree(root, ignore_errors=True)
    debs = os.path.join(cache_dir, "sysroot", arch + ".debs")
    shutil.rmtree(debs, ignore_errors=True)
    got = {}
    for pkg in SYSROOT_PACKAGES:
        versions = [v for v, s in apt.versions(pkg) if s == SYSROOT_SUITE]
        if not versions:
            raise MatrixError(f"{pkg}:{arch} is not in the {SYSROOT_SUITE} index")
        deb = apt.download(pkg, versions[0], debs)
        _run(["dpkg-deb", "-x", deb, root], f"dpkg-deb -x {deb}")
        got[pkg] = versions[0]
    shutil.rmtree(debs, ignore_errors=True)
    if not glob.glob(os.path.join(root, "usr/lib", TRIPLET[arch], "libbpf.a")):
        raise MatrixError(f"{root}: no libbpf.a after unpacking libbpf-dev:{arch}")
    with open(stamp, "w") as f:
        json.dump({"suite": SYSROOT_SUITE, "packages": list(SYSROOT_PACKAGES), "versions": got}, f, indent=1)
    log(f"  sysroot {arch}: {', '.join(f'{p}={v}' for p, v in got.items())}")
    return root


def busybox(sysroot_dir):
    path = os.path.join(sysroot_dir, "bin", "busybox")
    if not os.path.exists(path):
        raise MatrixError(f"{path} missing (busybox-static in the sysroot)")
    return path
