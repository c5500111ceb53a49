"""A private apt state per architecture: Debian's package indexes of the chosen suites, read and
downloaded from without touching the host's own apt configuration, lists, cache or dpkg state.

State lives in <cache>/apt/<arch>/<hash of the sources>/ (sources.list, lists/, an empty dpkg
status), so runs with other suite lists keep their own indexes. Indexes are refreshed when older
than max_age seconds.
"""
import functools
import hashlib
import os
import re
import subprocess
import time

from .errors import MatrixError

KEYRING = "/usr/share/keyrings/debian-archive-keyring.gpg"
DEFAULT_SUITES = ("bullseye", "bullseye-security", "bookworm", "bookworm-security", "bookworm-backports",
                  "trixie", "trixie-security", "trixie-backports", "forky", "sid", "experimental")
# Debian release of a suite (the base system a kernel of that suite runs on)
SUITE_RELEASE = {"bullseye": "11", "bookworm": "12", "trixie": "13", "forky": "14", "sid": "14",
                 "unstable": "14", "experimental": "14"}


def base_suite(suite):
    """bookworm-backports -> bookworm, experimental -> sid (the system that suite extends)."""
    s = re.sub(r"-(backports|security|updates|proposed-updates)$", "", suite)
    return "sid" if s == "experimental" else s


@functools.cmp_to_key
def debian_version_key(a, b):
    """Sort key comparing Debian version strings the way dpkg does."""
    if a == b:
        return 0
    r = subprocess.run(["dpkg", "--compare-versions", a, "lt", b])
    return -1 if r.returncode == 0 else 1


class PrivateApt:
    """apt-get / apt-cache of one architecture, on private sources and lists."""

    def __init__(self, cache_dir, arch, suites=DEFAULT_SUITES, mirror=None, security_mirror=None,
                 max_age=6 * 3600, log=print):
        self.arch, self.suites, self.log, self.max_age = arch, tuple(suites), log, max_age
        self.mirror = mirror or os.environ.get("DEBIAN_MIRROR", "http://deb.debian.org/debian")
        self.security_mirror = security_mirror or os.environ.get("DEBIAN_SECURITY_MIRROR",
                                                                 "http://deb.debian.org/debian-security")
        self.state = os.path.join(cache_dir, "apt", arch, hashlib.sha256(self.sources().encode()).hexdigest()[:12])
        self._updated = False

    def sources(self):
        lines = []
        for s in self.suites:
            url = self.security_mirror if s.endswith("-security") else self.mirror
            lines.append(f"deb [signed-by={KEYRING}] {url} {s} main")
        return "\n".join(lines) + "\n"

    def opts(self):
        st = self.state
        return ["-o", f"Dir::Etc::SourceList={st}/sources.list", "-o", f"Dir::Etc::SourceParts={st}/empty",
                "-o", f"Dir::Etc::Preferences={st}/empty/none", "-o", f"Dir::Etc::PreferencesParts={st}/empty",
                "-o", f"Dir::State::Lists={st}/lists", "-o", f"Dir::State::status={st}/status",
                "-o", f"Dir::Cache={st}/cache", "-o", "Dir::Cache::srcpkgcache=",
                "-o", f"APT::Architecture={self.arch}", "-o", f"APT::Architectures={self.arch}",
                "-o", "APT::Sandbox::User=root", "-o", "Acquire::Languages=none",
                "-o", "Acquire::Retries=3"]

    def ensure_indexes(self, refresh=False):
        """apt-get update into the private lists when they are missing, stale or for other suites."""
        if self._updated:
            return
        st = self.state
        for d in ("lists/partial", "cache/archives/partial", "empty"):
            os.makedirs(os.path.join(st, d), exist_ok=True)
        open(os.path.join(st, "status"), "a").close()
        src = self.sources()
        path = os.path.join(st, "sources.list")
        stamp = os.path.join(st, "updated")
        fresh = os.path.exists(stamp) and time.time() - os.path.getmtime(stamp) < self.max_age
        if fresh and not refresh:
            self._updated = True
            return
        with open(path, "w") as f:
            f.write(src)
        t0 = time.time()
        r = subprocess.run(["apt-get", "-q", *self.opts(), "update"], capture_output=True, text=True)
        problems = [l for l in (r.stdout + r.stderr).splitlines() if l.startswith(("E:", "W:", "Err:"))]
        if r.returncode != 0 and not os.listdir(os.path.join(st, "lists")):
            raise MatrixError(f"apt-get update ({self.arch}: {' '.join(self.suites)}) failed:\n" + "\n".join(problems))
        for p in problems:  # a suite this arch lacks (bullseye s390x) is not fatal
            self.log(f"  apt {self.arch}: {p}")
        open(stamp, "w").close()
        self.log(f"  apt indexes {self.arch} ({len(self.suites)} suites) updated in {time.time() - t0:.1f} s")
        self._updated = True

    def _cache(self, *args):
        self.ensure_indexes()
        r = subprocess.run(["apt-cache", *self.opts(), *args], capture_output=True, text=True)
        return r.returncode, r.stdout, r.stderr

    def versions(self, pkg):
        """[(version, suite)] of pkg in the indexes, newest first."""
        rc, out, err = self._cache("madison", pkg)
        found = []
        for line in out.splitlines():
            parts = [p.strip() for p in line.split("|")]
            if len(parts) < 3 or parts[0] != pkg:
                continue
            where = parts[2].split()
            suite = where[1].split("/")[0] if len(where) > 1 else "?"
            found.append((parts[1], suite))
        found.sort(key=lambda vs: debian_version_key(vs[0]), reverse=True)
        return found

    def fields(self, pkg, version):
        """The index stanza of pkg=version as a dict."""
        rc, out, err = self._cache("show", f"{pkg}={version}")
        if rc != 0:
            raise MatrixError(f"apt-cache show {pkg}={version} ({self.arch}): {err.strip()[-300:]}")
        stanza = out.split("\n\n")[0]
        fields, key = {}, None
        for line in stanza.splitlines():
            if line[:1] in (" ", "\t") and key:
                fields[key] += "\n" + line.strip()
            elif ":" in line:
                key, _, val = line.partition(":")
                fields[key] = val.strip()
        return fields

    def download(self, pkg, version, dest_dir):
        """apt-get download pkg=version into dest_dir; the .deb's path."""
        self.ensure_indexes()
        os.makedirs(dest_dir, exist_ok=True)
        before = set(os.listdir(dest_dir))
        r = subprocess.run(["apt-get", "-q", *self.opts(), "download", f"{pkg}={version}"], cwd=dest_dir,
                           capture_output=True, text=True)
        if r.returncode != 0:
            raise MatrixError(f"apt-get download {pkg}={version} ({self.arch}): {r.stderr.strip()[-400:]}")
        new = [f for f in os.listdir(dest_dir) if f not in before and f.startswith(pkg + "_") and f.endswith(".deb")]
        if len(new) != 1:
            raise MatrixError(f"apt-get download {pkg}={version} ({self.arch}): expected one new .deb in {dest_dir}")
        return os.path.join(dest_dir, new[0])
