"""One initramfs per architecture: busybox, /init, the apps with their BPF object, and the real
os-release of every Debian release whose kernels boot with it.

/init (below) mounts proc/sysfs/tmpfs/tracefs, hides the kernel's own BTF behind a tmpfs on
/sys/kernel/btf, installs the os-release of the Debian release the running kernel (uname -r)
comes from as /etc/os-release, runs every app in both modes and powers off. Everything it
reports is a line starting with "@@km " or "@@out APP MODE " (guest_check parses them), so kernel
messages on the same console cannot be mistaken for results.
"""
import os
import shutil
import subprocess

from .errors import MatrixError

INIT = r"""#!/bin/busybox sh
/bin/busybox mkdir -p /proc /sys /tmp /usr/bin /usr/sbin /sbin
/bin/busybox --install -s
export PATH=/bin:/sbin:/usr/bin:/usr/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t tmpfs tmpfs /tmp
mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
K=$(uname -r)
echo "@@km uname=$K machine=$(uname -m) uptime=$(cut -d' ' -f1 /proc/uptime)"
if [ -e /sys/kernel/btf/vmlinux ]; then
  echo "@@km kernel-btf=present"
  mount -t tmpfs tmpfs /sys/kernel/btf
else
  echo "@@km kernel-btf=absent"
fi
if [ -e /sys/kernel/btf/vmlinux ]; then echo "@@km kernel-btf-hidden=no"; else echo "@@km kernel-btf-hidden=yes"; fi
osr=$(awk -v k="$K" '$1 == k { print $2 }' /etc/matrix/kernels)
if [ -n "$osr" ] && cp "/etc/matrix/os-release/$osr" /etc/os-release; then
  echo "@@km os-release=$osr $(. /etc/os-release; echo "ID=$ID VERSION_ID=$VERSION_ID")"
else
  echo "@@km os-release=missing (no entry for $K in /etc/matrix/kernels)"
fi
while read -r app mode args; do
  obj=/apps/$app/example_exec.o
  [ -e "$obj" ] && echo "@@km app=$app mode=$mode object-ei-data=$(hexdump -s 5 -n 1 -e '1/1 "%u"' "$obj")"
  t0=$(cut -d' ' -f1 /proc/uptime)
  "/apps/$app/$app" $args >/tmp/out 2>&1
  rc=$?
  sed "s|^|@@out $app $mode |" /tmp/out
  echo "@@km app=$app mode=$mode rc=$rc started=$t0 ended=$(cut -d' ' -f1 /proc/uptime)"
done </etc/matrix/runs
echo "@@km done"
poweroff -f
"""


def build(out_path, busybox, apps, kernels_osrel, os_releases, work):
    """Write out_path (newc cpio, gzip -9).

    apps: [(App, binary path, path of the CO-RE object it loads, put next to it)];
    kernels_osrel: {uname -r: os-release name}; os_releases: {os-release name: file path}.
    """
    root = os.path.join(work, "root")
    shutil.rmtree(root, ignore_errors=True)
    for d in ("bin", "dev", "etc/matrix/os-release", "apps"):
        os.makedirs(os.path.join(root, d))
    shutil.copy(busybox, os.path.join(root, "bin", "busybox"))
    os.chmod(os.path.join(root, "bin", "busybox"), 0o755)
    with open(os.path.join(root, "init"), "w") as f:
        f.write(INIT)
    os.chmod(os.path.join(root, "init"), 0o755)
    subprocess.run(["mknod", "-m", "600", os.path.join(root, "dev", "console"), "c", "5", "1"], check=True)
    runs = []
    for app, binary, bpf_object in apps:
        d = os.path.join(root, "apps", app.name)
        os.makedirs(d)
        shutil.copy(binary, os.path.join(d, app.name))
        shutil.copy(bpf_object, os.path.join(d, "example_exec.o"))
        runs.append(f"{app.name} no-pack {' '.join(app.no_pack)}")
        runs.append(f"{app.name} pack {' '.join(app.run)}")
    with open(os.path.join(root, "etc/matrix/runs"), "w") as f:
        f.write("\n".join(runs) + "\n")
    with open(os.path.join(root, "etc/matrix/kernels"), "w") as f:
        f.write("".join(f"{k} {o}\n" for k, o in sorted(kernels_osrel.items())))
    for name, path in os_releases.items():
        shutil.copy(path, os.path.join(root, "etc/matrix/os-release", name))
    r = subprocess.run(f"cd '{root}' && find . | sort | cpio -o -H newc --quiet | gzip -9 > '{out_path}'",
                       shell=True, capture_output=True, text=True)
    if r.returncode != 0:
        raise MatrixError(f"{out_path}: cpio/gzip failed: {r.stderr.strip()[-300:]}")
    return out_path
