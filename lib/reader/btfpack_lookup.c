/* btfpack lookup (see btfpack/lookup.h). */
#define _GNU_SOURCE
#include "btfpack/lookup.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "reader_internal.h"

int btfpack_memfd(const void *data, size_t size, int *fd, char *path, size_t path_len)
{
	int f = memfd_create("btfpack-btf", MFD_CLOEXEC | MFD_ALLOW_SEALING);
	if (f < 0)
		return BTFPACK_ERR_IO;
	const char *p = data;
	size_t left = size;
	while (left) {
		ssize_t n = write(f, p, left);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0) {
			close(f);
			return BTFPACK_ERR_IO;
		}
		p += n;
		left -= (size_t)n;
	}
	fcntl(f, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE | F_SEAL_SEAL);
	*fd = f;
	snprintf(path, path_len, "/proc/self/fd/%d", f);
	return BTFPACK_OK;
}

static size_t common_prefix(const char *a, const char *b)
{
	size_t n = 0;
	while (a[n] && a[n] == b[n])
		n++;
	return n;
}

int btfpack_nearest(const struct btfpack_pack *pack, const struct btfpack_host *h, int max, char *buf, size_t len)
{
	char prefix[512];
	int pl = snprintf(prefix, sizeof(prefix), "%s/%s/%s/", h->distro, h->version, h->arch);
	if (buf && len)
		buf[0] = 0;
	if (pl < 0 || (size_t)pl >= sizeof(prefix) || max <= 0)
		return 0;
	/* keep the best `max` by shared prefix length with the kernel release (ties: key order) */
	size_t best_len[16];
	char best[16][256];
	int nbest = 0;
	if (max > 16)
		max = 16;
	struct btfpack_entry e;
	for (size_t i = 0; i < btfpack_count(pack); i++) {
		if (btfpack_entry_at(pack, i, &e) || strncmp(e.key, prefix, (size_t)pl))
			continue;
		const char *k = e.key + pl;
		size_t c = common_prefix(k, h->kernel);
		int at = nbest;
		while (at > 0 && best_len[at - 1] < c)
			at--;
		if (at >= max)
			continue;
		if (nbest < max)
			nbest++;
		memmove(&best_len[at + 1], &best_len[at], sizeof(best_len[0]) * (size_t)(nbest - 1 - at));
		memmove(&best[at + 1], &best[at], sizeof(best[0]) * (size_t)(nbest - 1 - at));
		best_len[at] = c;
		snprintf(best[at], sizeof(best[at]), "%s", k);
	}
	size_t used = 0;
	for (int i = 0; i < nbest && buf && len; i++) {
		int n = snprintf(buf + used, len - used, "%s%s", i ? ", " : "", best[i]);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return nbest;
}

/* BTFHub-archive names some releases two ways: Debian 11 as "bullseye" (btfhub) and "11"
 * (older trees, Debian package harvests), Amazon Linux 1 as "1" and "2018". */
static const char *release_alias(const char *distro, const char *version)
{
	static const char *const table[][3] = {
		{"debian", "bullseye", "11"}, {"debian", "11", "bullseye"}, {"amzn", "1", "2018"}, {"amzn", "2018", "1"},
	};
	for (size_t k = 0; k < sizeof(table) / sizeof(table[0]); k++)
		if (!strcmp(distro, table[k][0]) && !strcmp(version, table[k][1]))
			return table[k][2];
	return NULL;
}

static int readable(const char *path)
{
	return access(path, R_OK) == 0;
}

int btfpack_lookup(const struct btfpack_lookup_opts *o, struct btfpack_btf *out, char *err, size_t el)
{
	memset(out, 0, sizeof(*out));
	out->fd = -1;
	const char *root = o->root && o->root[0] ? o->root : "";
	if (o->explicit_path) {
		if (!readable(o->explicit_path))
			return fail(err, el, BTFPACK_ERR_IO, "%s: cannot read the BTF path set by the app: %s", o->explicit_path,
				    strerror(errno));
		out->layer = BTFPACK_LAYER_EXPLICIT;
		snprintf(out->path, sizeof(out->path), "%s", o->explicit_path);
		return BTFPACK_OK;
	}
	if (!o->kernel_btf || o->kernel_btf[0]) {
		char kpath[4096];
		if (o->kernel_btf)
			snprintf(kpath, sizeof(kpath), "%s", o->kernel_btf);
		else
			snprintf(kpath, sizeof(kpath), "%s/sys/kernel/btf/vmlinux", root);
		if (readable(kpath)) {
			out->layer = BTFPACK_LAYER_KERNEL;
			snprintf(out->path, sizeof(out->path), "%s", kpath);
			return BTFPACK_OK;
		}
	}
	char herr[256];
	if (o->host)
		out->host = *o->host;
	else if (btfpack_host_detect(o->root, &out->host, herr, sizeof(herr)))
		return fail(err, el, BTFPACK_ERR_NOT_FOUND, "no kernel BTF on this host, and %s", herr);
	const struct btfpack_host *h = &out->host;
	char nearest[1024] = "";
	int have_nearest = 0;
	if (o->pack) {
		size_t i;
		int rc = btfpack_find(o->pack, h->distro, h->version, h->arch, h->kernel, &i);
		/* the same release under its other archive name (not a guess: the same kernel) */
		const char *alias = release_alias(h->distro, h->version);
		if (rc == BTFPACK_ERR_NOT_FOUND && alias)
			rc = btfpack_find(o->pack, h->distro, alias, h->arch, h->kernel, &i);
		if (rc == BTFPACK_OK) {
			char gerr[256];
			rc = btfpack_get_btf(o->pack, i, &out->data, &out->size, gerr, sizeof(gerr));
			if (rc)
				return fail(err, el, rc, "pack entry for %s/%s/%s/%s is unreadable: %s", h->distro, h->version,
					    h->arch, h->kernel, gerr);
			out->layer = BTFPACK_LAYER_PACK;
		} else if (rc != BTFPACK_ERR_NOT_FOUND) {
			return fail(err, el, rc, "corrupt pack index");
		} else {
			have_nearest = btfpack_nearest(o->pack, h, 5, nearest, sizeof(nearest));
		}
	}
	if (!out->data && o->remote) {
		if (o->remote(h, o->remote_ctx, &out->data, &out->size) == 0 && out->data && out->size)
			out->layer = BTFPACK_LAYER_REMOTE;
		else
			out->data = NULL;
	}
	if (!out->data) {
		if (!o->pack)
			return fail(err, el, BTFPACK_ERR_NOT_FOUND, "no BTF for host %s/%s/%s/%s: the kernel has none and no pack was given",
				    h->distro, h->version, h->arch, h->kernel);
		if (have_nearest)
			return fail(err, el, BTFPACK_ERR_NOT_FOUND,
				    "no BTF for host %s/%s/%s/%s: not in the pack; nearest kernels it has for %s/%s/%s: %s",
				    h->distro, h->version, h->arch, h->kernel, h->distro, h->version, h->arch, nearest);
		return fail(err, el, BTFPACK_ERR_NOT_FOUND,
			    "no BTF for host %s/%s/%s/%s: the pack has no kernel for %s/%s/%s (%zu kernels in all)", h->distro,
			    h->version, h->arch, h->kernel, h->distro, h->version, h->arch, btfpack_count(o->pack));
	}
	if (btfpack_memfd(out->data, out->size, &out->fd, out->path, sizeof(out->path))) {
		btfpack_btf_free(out);
		return fail(err, el, BTFPACK_ERR_IO, "cannot create a memfd for the BTF: %s", strerror(errno));
	}
	return BTFPACK_OK;
}

void btfpack_btf_free(struct btfpack_btf *b)
{
	if (!b)
		return;
	if (b->fd >= 0)
		close(b->fd);
	free(b->data);
	b->fd = -1;
	b->data = NULL;
	b->size = 0;
}
