/* btfpack lookup: the BTF a libbpf app should use on this host, in BTFHub's order:
 * (1) a path the app sets, (2) the kernel's own /sys/kernel/btf/vmlinux, (3) the pack (file or
 * embedded), (4) an optional callback that fetches from a remote service. The result says which
 * layer answered and gives a path usable as bpf_object_open_opts.btf_custom_path (a memfd for
 * BTFs from the pack or the callback: no temporary file is left behind). Never guesses: if the
 * pack has no exact match, the error names the host and the nearest kernels the pack has.
 * (Releases BTFHub names two ways, Debian 11 "bullseye"/"11" and Amazon Linux 1 "1"/"2018",
 * are looked up under both names.) */
#ifndef BTFPACK_LOOKUP_H
#define BTFPACK_LOOKUP_H

#include <stddef.h>

#include "btfpack/host.h"
#include "btfpack/reader.h"

#ifdef __cplusplus
extern "C" {
#endif

enum btfpack_layer {
	BTFPACK_LAYER_NONE = 0,
	BTFPACK_LAYER_EXPLICIT = 1, /* the app's own path */
	BTFPACK_LAYER_KERNEL = 2,   /* the running kernel's BTF */
	BTFPACK_LAYER_PACK = 3,     /* the pack */
	BTFPACK_LAYER_REMOTE = 4,   /* the app's callback */
};

/* Fetch a BTF for host (and the app's objects, which the callback knows) into a malloc'd
 * buffer; return 0 on success. */
typedef int (*btfpack_remote_fetch)(const struct btfpack_host *host, void *ctx, void **data, size_t *size);

struct btfpack_lookup_opts {
	const char *explicit_path;       /* layer 1; NULL: skipped */
	const char *kernel_btf;          /* layer 2; NULL: "<root>/sys/kernel/btf/vmlinux"; "": skipped */
	const struct btfpack_pack *pack; /* layer 3; NULL: skipped */
	btfpack_remote_fetch remote;     /* layer 4; NULL: skipped */
	void *remote_ctx;
	const struct btfpack_host *host; /* NULL: btfpack_host_detect(root) */
	const char *root;                /* where the host's files are mounted; NULL: "/" */
};

struct btfpack_btf {
	enum btfpack_layer layer;
	char path[4096];          /* for btf_custom_path: the file, or /proc/self/fd/N of a memfd */
	int fd;                   /* the memfd (layers 3, 4), else -1 */
	void *data;               /* the BTF bytes (layers 3, 4; owned), else NULL */
	size_t size;
	struct btfpack_host host; /* the host looked up */
};

/* 0 and *out filled, or a btfpack_status (BTFPACK_ERR_NOT_FOUND when no layer has it) with a
 * message in err. Release with btfpack_btf_free. */
int btfpack_lookup(const struct btfpack_lookup_opts *opts, struct btfpack_btf *out, char *err, size_t err_len);
void btfpack_btf_free(struct btfpack_btf *btf);

/* Put bytes in a sealed memfd; *fd and path "/proc/self/fd/N" (libbpf opens it by path). */
int btfpack_memfd(const void *data, size_t size, int *fd, char *path, size_t path_len);

/* The kernels the pack has for host's distro/version/arch nearest to host's kernel release
 * (longest shared prefix), comma-separated, at most max of them; returns how many. */
int btfpack_nearest(const struct btfpack_pack *pack, const struct btfpack_host *host, int max, char *buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
