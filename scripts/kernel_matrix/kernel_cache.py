"""Debian kernel packages: resolve a spec through apt and keep only its vmlinuz in a cache.

A spec is NAME[=VERSION][:ARCH]. Without a version the newest version any configured suite has is
taken; without an arch it comes from the name's suffix (-amd64, -arm64, -s390x), else amd64.
Metapackages (linux-image-amd64) and, from 6.19 on, linux-image-K packages that only depend on
linux-binary-K are followed to the package that holds the image.

Cache layout: <cache>/<arch>/<package>_<version>/boot/vmlinuz-<kernel> and kernel.json (package,
version, suite, the .deb's size and sha256). The .deb itself is deleted after extraction.
"""
import hashlib
import json
import os
import re
import shutil
import subprocess
import tarfile
import tempfile
import time
from dataclasses import asdict, dataclass

from .debian_apt import SUITE_RELEASE, base_suite
from .errors import MatrixError

ARCHES = ("amd64", "arm64", "s390x")
BTFHUB_ARCH = {"amd64": "x86_64", "arm64": "arm64", "s390x": "s390x"}
IMAGE_DEP = re.compile(r"^(linux-(?:image|binary)-\d[^ (]*)")


@dataclass
class Kernel:
    spec: str           # as given on the command line
    package: str        # the package holding the image
    version: str
    arch: str           # Debian arch
    suite: str          # where that version was found
    release: str = ""   # uname -r
    vmlinuz: str = ""   # cached path
    deb_sha256: str = ""
    deb_size: int = 0

    @property
    def debian_release(self):
        """Debian release the kernel is built for: +debN / 0.debN in its name, else its suite's."""
        m = re.search(r"\+deb(\d+)", self.release) or re.search(r"-0\.deb(\d+)\.", self.release)
        if m:
            return m.group(1)
        return SUITE_RELEASE.get(base_suite(self.suite), "unknown")

    @property
    def btfhub_arch(self):
        return BTFHUB_ARCH[self.arch]

    @property
    def cache_dir_name(self):
        return f"{self.package}_{self.version}".replace(":", "%3a")


def parse_spec(spec):
    """NAME[=VERSION][:ARCH] -> (name, version or None, arch)."""
    head, sep, tail = spec.rpartition(":")
    arch = None
    if sep and tail in ARCHES:
        spec, arch = head, tail
    name, _, version = spec.partition("=")
    if not re.fullmatch(r"[a-z0-9][a-z0-9+.-]+", name):
        raise MatrixError(f"kernel spec '{spec}': not a Debian package name")
    if arch is None:
        arch = next((a for a in ARCHES if name.endswith("-" + a) or name.endswith("-" + a + "-dbg")), "amd64")
    return name, version or None, arch


def candidates(spec, apt):
    """The Kernels (package holding the image, version, suite) a spec may name, best first: the
    one version given, else every version the indexes have, newest first (a mirror may list a
    package it does not serve: the caller tries the next)."""
    name, version, arch = parse_spec(spec)
    found = apt.versions(name)
    if version:
        found = [vs for vs in found if vs[0] == version]
    if not found:
        what = f"{name}={version}" if version else name
        raise MatrixError(f"kernel spec '{spec}': {what} is in no {arch} index of the suites {', '.join(apt.suites)}")
    seen = set()
    for ver, suite in found:
        if ver in seen:
            continue
        seen.add(ver)
        pkg = name
        for _ in range(4):  # metapackage -> linux-image-K -> linux-binary-K (same source: same version)
            deps = [IMAGE_DEP.match(d.strip()) for d in apt.fields(pkg, ver).get("Depends", "").split(",")]
            nxt = [m.group(1) for m in deps if m and m.group(1) != pkg]
            if not nxt:
                break
            pkg = nxt[0]
        yield Kernel(spec=spec, package=pkg, version=ver, arch=arch, suite=suite)


def _stream_out(deb, dest_of, stop_after=None):
    """One pass over the .deb's data tar: every regular file m for which dest_of(m.name) gives a
    path is written there. Stops reading (and ends dpkg-deb) after stop_after files. The names."""
    errf = tempfile.TemporaryFile()  # not a pipe: dpkg-deb's decompressor child may outlive a kill
    p = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", deb], stdout=subprocess.PIPE, stderr=errf)
    written, stopped = [], False
    try:
        with tarfile.open(fileobj=p.stdout, mode="r|") as tf:
            for m in tf:
                dest = dest_of(m.name) if m.isfile() else None
                if not dest:
                    continue
                os.makedirs(os.path.dirname(dest), exist_ok=True)
                with open(dest + ".part", "wb") as out:
                    shutil.copyfileobj(tf.extractfile(m), out)
                os.replace(dest + ".part", dest)
                written.append(m.name)
                if stop_after and len(written) >= stop_after:
                    stopped = True
                    break
    except tarfile.TarError as e:
        raise MatrixError(f"{deb}: unreadable data: {e}")
    finally:
        if p.poll() is None and stopped:
            p.kill()
        p.stdout.close()  # the decompressor child gets SIGPIPE
        rc = p.wait()
        errf.seek(0)
        err = errf.read().decode(errors="replace")
        errf.close()
    if rc != 0 and not stopped:
        raise MatrixError(f"{deb}: dpkg-deb --fsys-tarfile failed: {err.strip()[-300:]}")
    return written


IMAGE_MEMBER = re.compile(r"\./boot/vmlinuz-(.+)|\./usr/lib/modules/([^/]+)/vmlinuz")


def extract_images(deb, dest_dir):
    """Each kernel image of the .deb (./boot/vmlinuz-K, or in newer packages
    ./usr/lib/modules/K/vmlinuz) as dest_dir/boot/vmlinuz-K; the list of K."""
    def dest_of(name):
        r = IMAGE_MEMBER.fullmatch(name)
        return os.path.join(dest_dir, "boot", "vmlinuz-" + (r.group(1) or r.group(2))) if r else None
    return [(lambda r: r.group(1) or r.group(2))(IMAGE_MEMBER.fullmatch(n)) for n in _stream_out(deb, dest_of)]


def extract_member(deb, member, dest):
    """Stream one file out of a .deb to dest, reading no further than that file."""
    if not _stream_out(deb, lambda name: dest if name == member else None, stop_after=1):
        raise MatrixError(f"{deb}: no {member} in the package")


def sha256_file(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def fetch(kernel, apt, cache_dir, log=print):
    """Fill kernel.release / .vmlinuz from the cache, downloading the package if needed."""
    d = os.path.join(cache_dir, kernel.arch, kernel.cache_dir_name)
    meta = os.path.join(d, "kernel.json")
    if os.path.exists(meta):
        m = json.load(open(meta))
        kernel.release, kernel.deb_sha256, kernel.deb_size = m["release"], m["deb_sha256"], m["deb_size"]
        kernel.vmlinuz = os.path.join(d, "boot", "vmlinuz-" + kernel.release)
        if os.path.exists(kernel.vmlinuz):
            return kernel
    tmp = tempfile.mkdtemp(prefix="dl-", dir=cache_dir)
    try:
        t0 = time.time()
        deb = apt.download(kernel.package, kernel.version, tmp)
        took = time.time() - t0
        size = os.path.getsize(deb)
        releases = extract_images(deb, d)
        if len(set(releases)) != 1:
            raise MatrixError(f"{os.path.basename(deb)}: expected the image of one kernel in the package "
                              f"(./boot/vmlinuz-*), found {len(releases)}")
        release = releases[0]
        kernel.release, kernel.deb_sha256, kernel.deb_size = release, sha256_file(deb), size
        kernel.vmlinuz = os.path.join(d, "boot", "vmlinuz-" + release)
        m = asdict(kernel)
        m.pop("vmlinuz")
        m["download_seconds"] = round(took, 1)
        with open(meta, "w") as f:
            json.dump(m, f, indent=1)
        log(f"  fetched {os.path.basename(deb)} ({size / 1e6:.0f} MB in {took:.1f} s), kept boot/vmlinuz-{release}")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return kernel
