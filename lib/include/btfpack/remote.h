/* btfpack remote: the reader's layer 4 over HTTP, as a separate small library
 * (libbtfpack_remote, C, links libcurl) so that the reader itself keeps depending only on
 * libzstd and libc. btfpack_remote_customize asks a `btfpack serve` (or BTFHub online) service
 * to minimize the app's BPF object for the host's kernel:
 *   POST <url>/api/v1/customize?distribution=&distribution_version=&arch=&kernel_version=&format=raw
 * with the object as the multipart field `bpf`, and returns the raw BTF.
 *
 *   struct btfpack_remote r = {.url = "http://127.0.0.1:8080", .object = obj, .object_size = n};
 *   struct btfpack_lookup_opts o = {.pack = pack, .remote = btfpack_remote_customize, .remote_ctx = &r};
 *   btfpack_lookup(&o, &btf, err, sizeof(err));   // layer 4 only when layers 1-3 have nothing
 */
#ifndef BTFPACK_REMOTE_H
#define BTFPACK_REMOTE_H

#include <stddef.h>

#include "btfpack/host.h"

#ifdef __cplusplus
extern "C" {
#endif

struct btfpack_remote {
	const char *url;         /* service base URL, e.g. "http://127.0.0.1:8080" (no trailing /api) */
	const void *object;      /* the app's BPF object (ELF bytes) */
	size_t object_size;
	long timeout_ms;         /* whole request; 0: 10000 */
	size_t max_response;     /* largest BTF accepted; 0: 64 MiB */
	int tar_xz;              /* nonzero: ask for BTFHub online's .tar.xz (e.g. to store it); default raw */
	char error[512];         /* why the last fetch failed ("" after success) */
};

/* A btfpack_remote_fetch callback (lookup.h); ctx is a struct btfpack_remote. 0 and *data
 * (malloc'd, caller frees) / *size on HTTP 200 with a BTF (raw: checked for the BTF magic);
 * -1 otherwise, with the reason (HTTP status and the service's JSON error) in ctx->error. */
int btfpack_remote_customize(const struct btfpack_host *host, void *ctx, void **data, size_t *size);

#ifdef __cplusplus
}
#endif
#endif
