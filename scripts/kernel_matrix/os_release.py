"""The real /etc/os-release of a Debian release: usr/lib/os-release of that suite's base-files
package, cached in <cache>/os-release/<suite>/ with the package version it came from."""
import json
import os
import shutil
import tempfile

from .errors import MatrixError
from .kernel_cache import extract_member


def fetch(suite, apts, cache_dir):
    """Path of the os-release file base-files of `suite` ships. apts: PrivateApt of any arches,
    tried in order (the file is the same on every arch; the mirror 404s some s390x files)."""
    d = os.path.join(cache_dir, "os-release", suite)
    path, meta = os.path.join(d, "os-release"), os.path.join(d, "base-files.json")
    if os.path.exists(path) and os.path.exists(meta):
        return path
    tried = []
    for apt in apts:
        for version in [v for v, s in apt.versions("base-files") if s == suite]:
            tmp = tempfile.mkdtemp(prefix="base-files-", dir=cache_dir)
            try:
                deb = apt.download("base-files", version, tmp)
                extract_member(deb, "./usr/lib/os-release", path)
            except MatrixError as e:
                tried.append(str(e))
                continue
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
            with open(meta, "w") as f:
                json.dump({"package": "base-files", "version": version, "suite": suite, "arch": apt.arch}, f)
            return path
    raise MatrixError(f"no base-files of {suite} could be fetched (add {suite} to --suites)"
                      + "".join(f"\n  {t}" for t in tried))
