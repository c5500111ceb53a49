"""A kernel's BTF for the BTFHub-shaped archive: cut out of its vmlinuz when the kernel was built
with CONFIG_DEBUG_INFO_BTF, else made the way BTFHub makes it, `pahole --btf_encode_detached` on
the vmlinux of the matching linux-image-...-dbg package.

The result is <archive>/debian/<release>/<arch>/<kernel>.btf.tar.xz holding <kernel>.btf (raw
BTF), packed deterministically (GNU tar, mtime 0, owner 0/0, xz -9e), and a copy is kept next to
the kernel's vmlinuz in the cache (btf.tar.xz + btf.json saying where it came from), so a second
run neither downloads the -dbg package nor runs pahole again (--reharvest forces both).
"""
import json
import lzma
import os
import shutil
import struct
import subprocess
import tempfile
import time
import zlib

from .errors import MatrixError
from .kernel_cache import extract_member, sha256_file

MIN_VMLINUX_BTF = 1 << 20  # a vmlinux BTF is megabytes; smaller matches are other blobs


def _btf_in(data):
    """(endian, bytes) of the largest plausible vmlinux BTF blob in data, or None."""
    best = None
    for endian, magic in (("<", b"\x9f\xeb\x01\x00"), (">", b"\xeb\x9f\x01\x00")):
        i = data.find(magic)
        while i >= 0:
            if i + 24 <= len(data):
                hdr_len, type_off, type_len, str_off, str_len = struct.unpack_from(endian + "5I", data, i + 4)
                size = hdr_len + str_off + str_len
                if (hdr_len == 24 and type_off == 0 and str_off == type_len and size >= MIN_VMLINUX_BTF
                        and i + size <= len(data) and (best is None or size > len(best[1]))):
                    best = (endian, data[i:i + size])
            i = data.find(magic, i + 1)
    return best


def _streams(image):
    """Every decompressible stream embedded in a kernel image (bzImage, Image.gz, s390x, EFI zboot)."""
    def gz(b):
        return zlib.decompressobj(31).decompress(b)

    def xz(b):
        return lzma.LZMADecompressor().decompress(b)

    def cli(cmd):
        return lambda b: subprocess.run(cmd, input=b, capture_output=True).stdout  # trailing junk: partial ok

    for magic, fn in ((b"\xfd7zXZ\x00", xz), (b"\x1f\x8b\x08", gz), (b"\x28\xb5\x2f\xfd", cli(["zstd", "-dcq"])),
                      (b"\x02\x21\x4c\x18", cli(["lz4", "-dcq"])), (b"\x5d\x00\x00", lambda b: lzma.LZMADecompressor(
                          lzma.FORMAT_ALONE).decompress(b))):
        i = image.find(magic)
        while i >= 0:
            try:
                out = fn(image[i:])
            except (OSError, EOFError, lzma.LZMAError, zlib.error, FileNotFoundError):
                out = b""
            if len(out) > 4 << 20:
                yield out
            i = image.find(magic, i + 1)


def btf_from_image(path):
    """(endian, raw BTF) found in a vmlinuz, or None when the kernel has no BTF."""
    image = open(path, "rb").read()
    found = _btf_in(image)
    if found:
        return found
    for out in _streams(image):
        found = _btf_in(out)
        if found:
            return found
    return None


def write_btf_tar_xz(raw_path, member, dest):
    """Deterministic <member>.tar.xz of one raw BTF (as scripts/harvest-testdata.sh packs them)."""
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    d = tempfile.mkdtemp(prefix="btf-")
    try:
        shutil.copyfile(raw_path, os.path.join(d, member))
        cmd = (f"tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner --mode=0644 --format=gnu "
               f"-C '{d}' -cf - '{member}' | xz -9e -T1 -c > '{dest}.part'")
        r = subprocess.run(cmd, shell=True, capture_output=True, text=True)
        if r.returncode != 0:
            raise MatrixError(f"{dest}: tar/xz failed: {r.stderr.strip()[-300:]}")
        os.replace(dest + ".part", dest)
    finally:
        shutil.rmtree(d, ignore_errors=True)


def _pahole_from_dbg(kernel, apt, work, log):
    """Raw BTF made by pahole from the -dbg package's vmlinux; (path, provenance)."""
    candidates = [kernel.package + "-dbg"]
    if kernel.package.startswith("linux-binary-"):
        candidates.append("linux-image-" + kernel.package[len("linux-binary-"):] + "-dbg")
    dbg = next((p for p in candidates if any(v == kernel.version for v, _ in apt.versions(p))), None)
    if not dbg:
        raise MatrixError(f"{kernel.package} {kernel.version}: the kernel has no BTF and no "
                          f"{' / '.join(candidates)} of that version is in the indexes")
    t0 = time.time()
    deb = apt.download(dbg, kernel.version, work)
    t_dl = time.time() - t0
    size = os.path.getsize(deb)
    deb_sha = sha256_file(deb)
    vmlinux = os.path.join(work, "vmlinux-" + kernel.release)
    t0 = time.time()
    extract_member(deb, f"./usr/lib/debug/boot/vmlinux-{kernel.release}", vmlinux)
    os.unlink(deb)
    t_x = time.time() - t0
    raw = os.path.join(work, kernel.release + ".btf")
    t0 = time.time()
    r = subprocess.run(["pahole", f"--btf_encode_detached={raw}", vmlinux], capture_output=True, text=True)
    t_p = time.time() - t0
    if r.returncode != 0 or not os.path.exists(raw):
        raise MatrixError(f"pahole --btf_encode_detached on {dbg}'s vmlinux-{kernel.release} failed: "
                          f"{(r.stderr or r.stdout).strip()[-400:]}")
    pv = subprocess.run(["pahole", "--version"], capture_output=True, text=True).stdout.strip()
    log(f"  {kernel.release}: no BTF in the image; pahole {pv} on {dbg} ({size / 1e6:.0f} MB: download "
        f"{t_dl:.1f} s, extract vmlinux {t_x:.1f} s, pahole {t_p:.1f} s)")
    return raw, {"source": "pahole", "pahole": pv, "dbg_package": dbg, "dbg_version": kernel.version,
                 "dbg_deb_size": size, "dbg_deb_sha256": deb_sha,
                 "seconds": {"download": round(t_dl, 1), "extract": round(t_x, 1), "pahole": round(t_p, 1)}}


def harvest(kernel, apt, archive, cache_dir, reharvest=False, log=print):
    """Put kernel's BTF into archive; returns the provenance dict (source: image | pahole)."""
    kdir = os.path.dirname(os.path.dirname(kernel.vmlinuz))
    cached, info_path = os.path.join(kdir, "btf.tar.xz"), os.path.join(kdir, "btf.json")
    rel = os.path.join("debian", kernel.debian_release, kernel.btfhub_arch, kernel.release + ".btf.tar.xz")
    dest = os.path.join(archive, rel)
    if not reharvest and os.path.exists(cached) and os.path.exists(info_path):
        info = json.load(open(info_path))
    else:
        work = tempfile.mkdtemp(prefix="harvest-", dir=cache_dir)
        try:
            found = btf_from_image(kernel.vmlinuz)
            if found:
                raw = os.path.join(work, kernel.release + ".btf")
                open(raw, "wb").write(found[1])
                info = {"source": "image"}
            else:
                raw, info = _pahole_from_dbg(kernel, apt, work, log)
            with open(raw, "rb") as f:
                magic = f.read(2)
            info["endian"] = {b"\x9f\xeb": "little", b"\xeb\x9f": "big"}.get(magic, "not BTF")
            if info["endian"] == "not BTF":
                raise MatrixError(f"{raw}: the harvested file is not BTF (magic {magic.hex()})")
            info["raw_size"], info["raw_sha256"] = os.path.getsize(raw), sha256_file(raw)
            write_btf_tar_xz(raw, kernel.release + ".btf", cached)
            with open(info_path, "w") as f:
                json.dump(info, f, indent=1)
        finally:
            shutil.rmtree(work, ignore_errors=True)
    os.makedirs(os.path.dirname(dest), exist_ok=True)
    shutil.copyfile(cached, dest)
    info["archive_path"] = rel
    return info
