/* btfpack host detection: which BTFHub-archive entry describes the running host.
 * C11 API, usable from C and C++; depends only on libc. Part of the reader library that
 * shipped apps link.
 *
 * BTFHub-archive lays kernels out as <distro>/<version>/<arch>/<uname -r>.btf.tar.xz, and a
 * pack built from it is keyed the same way (see btfpack/reader.h, btfpack_find). This module
 * turns the host's os-release and uname(2) into those four names:
 *
 *   os-release ID  VERSION_ID        -> distro         version
 *   ubuntu         20.04             -> ubuntu         20.04     (as is)
 *   debian         9, 10             -> debian         9, 10     (major)
 *   debian         11                -> debian         bullseye  (BTFHub's directory for 11)
 *   debian         12, ...           -> debian         12, ...   (major)
 *   centos         7, 8              -> centos         7, 8      (major)
 *   rhel           8.4               -> rhel           8         (major)
 *   ol             7.9               -> ol             7         (major)
 *   fedora         34                -> fedora         34        (as is)
 *   amzn           2                 -> amzn           2         (major)
 *   amzn           2018.03 (any YYYY.MM of Amazon Linux 1)
 *                                    -> amzn           1
 *   amzn           2023              -> amzn           2023      (major)
 *   sles, sles_sap 15.3, 12.5        -> sles           15.3      (as is: BTFHub names SLES
 *                                                                 "<major>.<service pack>")
 *   opensuse-leap, opensuse
 *                  15.3              -> opensuse-leap  15.3      (as is)
 *   anything else  V                 -> lowercase ID   V         (as is)
 *
 *   uname machine  x86_64 (amd64) -> x86_64;  aarch64, arm64 -> arm64;  s390x -> s390x;
 *                  anything else is passed through unchanged.
 *   kernel         uname release, unchanged.
 *
 * Typical use (after /sys/kernel/btf/vmlinux was found missing):
 *   struct btfpack_host h; char err[256];
 *   if (btfpack_host_detect(getenv("HOST_ROOT"), &h, err, sizeof(err)) == 0 &&
 *       btfpack_find(pack, h.distro, h.version, h.arch, h.kernel, &i) == 0) { ... }
 */
#ifndef BTFPACK_HOST_H
#define BTFPACK_HOST_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The host in BTFHub-archive naming. Every field is NUL-terminated; values longer than a
 * field are truncated. version is "" when os-release has no VERSION_ID (e.g. Debian sid,
 * Arch Linux): no BTFHub entry matches such a host. */
struct btfpack_host {
	char distro[64];   /* "ubuntu", "debian", "centos", "fedora", "amzn", "ol", "rhel", "sles", ... */
	char version[64];  /* "20.04", "10", "bullseye", "7", "34", "2", "1", "15.3", ... */
	char arch[32];     /* "x86_64", "arm64", "s390x", ... */
	char kernel[256];  /* uname -r, e.g. "5.4.0-1059-aws" */
};

/* Detect the running host in BTFHub-archive naming: distro/version from <root>/etc/os-release
 * (fallback <root>/usr/lib/os-release), kernel release and arch from uname(2).
 * root: prefix where the host's files are mounted (e.g. "/host" in a container), NULL or "" = "/".
 *   If <root>/etc/os-release is a symlink with an absolute target (e.g. /usr/lib/os-release),
 *   the target is looked up under root too, not in the caller's own filesystem.
 * Overrides for tests and containers (each used only when set and non-empty):
 *   BTFPACK_OS_RELEASE      path of the os-release file to read (used as is, root not applied;
 *                           no fallback if it cannot be read)
 *   BTFPACK_KERNEL_RELEASE  kernel release, instead of uname's
 *   BTFPACK_ARCH            raw uname machine (e.g. "aarch64"), mapped like uname's
 * os-release is parsed like the shell would: KEY=value lines, values optionally in single or
 * double quotes (backslash escapes in double quotes), '#' comment lines; malformed lines are
 * ignored; the last assignment of a key wins; only the first 64 KiB of the file are read.
 * Returns 0, or -1 with a message in err naming the file/problem (err may be NULL; the message
 * is truncated to err_len). On failure *out is zeroed. */
int btfpack_host_detect(const char *root, struct btfpack_host *out, char *err, size_t err_len);

/* Pure mapping, for tests and apps that already know the values: os-release ID and VERSION_ID
 * (quotes already stripped or not), uname machine and release -> BTFHub names (table above).
 * os_id, machine and release must be non-empty; version_id may be NULL or "".
 * Values containing '/', whitespace or control characters, or equal to "." or "..", are
 * rejected (they would not name one archive directory).
 * Returns 0, or -1 with a message in err. On failure *out is zeroed. */
int btfpack_host_from(const char *os_id, const char *version_id, const char *machine, const char *release,
		      struct btfpack_host *out, char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif
