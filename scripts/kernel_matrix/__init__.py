"""scripts/kernel-matrix: boot real Debian kernels under qemu and run the example apps in them.

One module per stage: debian_apt (private apt state, package resolution, downloads),
kernel_cache (vmlinuz of each kernel package), btf_harvest (BTF out of the image, or pahole on
the -dbg vmlinux), guest_apps (sysroots and the apps built per arch), initramfs, qemu_boot,
guest_check (judging a guest's console output).
"""
