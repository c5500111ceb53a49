"""Boot one kernel with an initramfs under qemu (TCG: /dev/kvm is unusable on these CPUs) and
return its console output and wall seconds from qemu's start to its exit."""
import subprocess
import time

QEMU = {
    "amd64": (["qemu-system-x86_64"], "console=ttyS0"),
    "arm64": (["qemu-system-aarch64", "-M", "virt", "-cpu", "cortex-a72"], "console=ttyAMA0"),  # -cpu max: 2.5x slower
    "s390x": (["qemu-system-s390x", "-M", "s390-ccw-virtio"], "console=ttysclp0"),
}


def command(arch, vmlinuz, initrd):
    base, console = QEMU[arch]
    return [*base, "-accel", "tcg", "-m", "1G", "-smp", "1", "-nographic", "-no-reboot", "-nic", "none",
            "-kernel", vmlinuz, "-initrd", initrd, "-append", f"{console} panic=-1 quiet"]


def boot(arch, vmlinuz, initrd, timeout):
    """(console text, seconds, note): note says 'timeout' or 'exit N' when qemu did not end cleanly."""
    cmd = command(arch, vmlinuz, initrd)
    t0 = time.time()
    p = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        out, _ = p.communicate(timeout=timeout)
        note = "" if p.returncode == 0 else f"qemu exit {p.returncode}"
    except subprocess.TimeoutExpired:
        p.kill()
        out, _ = p.communicate()
        note = f"timeout after {timeout} s"
    return out.decode(errors="replace"), time.time() - t0, note
