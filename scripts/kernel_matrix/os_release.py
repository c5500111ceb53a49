"""The real /etc/os-release of a Debian release: usr/lib/os-release of that suite's base-files
package, cached in <cache>/os-release/<suite>/ with the package version it came from."""
import json
import os
import shutil
import tempfile

from .errors import MatrixError
from .kernel_cache import extract_member


def fetch(suite, apt, cache_dir):
    """Path of the os-release file base-files of `suite` ships."""
    d = os.path.join(cache_dir, "os-release", suite)
    path, meta = os.path.join(d, "os-release"), os.path.join(d, "base-files.json")
    if os.path.exists(path) and os.path.exists(meta):
        return path
    versions = [v for v, s in apt.versions("base-files") if s == suite]
    if not versions:
        raise MatrixError(f"base-files of {suite} is not in the {apt.arch} indexes (add {suite} to --suites)")
    tmp = tempfile.mkdtemp(prefix="base-files-", dir=cache_dir)
    try:
        deb = apt.download("base-files", versions[0], tmp)
        extract_member(deb, "./usr/lib/os-release", path)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    with open(meta, "w") as f:
        json.dump({"package": "base-files", "version": versions[0], "suite": suite}, f)
    return path
