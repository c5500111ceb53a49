/* btfpack reader (see btfpack/reader.h and docs/FORMAT.md). */
#define _GNU_SOURCE
#include "btfpack/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "reader_internal.h"
#include "type_table.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#define HEADER_SIZE 64
#define FOOTER_SIZE 16
#define SECTION_SIZE 32
#define MAX_SECTIONS 16
#define BLOCK_ENTRIES 16
#define MAX_KEY 511
#define MAX_META (1u << 20)
#define MAX_RAW_BLOB (16u << 20) /* a minimized BTF is KBs; even a full kernel BTF is ~10 MB */

/* Fuzzing builds skip checksum comparisons so the fuzzer reaches the structural checks. */
#ifdef BTFPACK_FUZZING
#define SUM_OK(stored, computed) ((void)(stored), (void)(computed), 1)
#else
#define SUM_OK(stored, computed) ((stored) == (computed))
#endif

enum { SEC_META = 1, SEC_INDEX = 2, SEC_SOURCES = 3, SEC_BLOB_TABLE = 4, SEC_BLOBS = 6, SEC_TYPES = 7 };

struct span {
	const uint8_t *p;
	uint64_t len;
};

struct btfpack_pack {
	const uint8_t *data;
	uint64_t size;
	void *mapping; /* non-NULL when mmap'd */
	struct span meta, index, sources, blob_table, types, blobs;
	uint64_t kernels, nblobs;
	uint32_t max_raw, blocks;
	char *meta_text;
	struct tt_table table; /* decompressed at the first btfpack_get_btf (a handle is not for concurrent use) */
	int table_loaded;
};


static int parse(struct btfpack_pack *pk, char *err, size_t el)
{
	const uint8_t *d = pk->data;
	uint64_t n = pk->size;
	if (n < HEADER_SIZE + FOOTER_SIZE || memcmp(d, "BTFPACK\0", 8))
		return fail(err, el, BTFPACK_ERR_FORMAT, "not a btfpack pack (bad magic or too short)");
	if ((d[8] | d[9] << 8) != 1)
		return fail(err, el, BTFPACK_ERR_FORMAT, "unsupported pack format version %u", d[8] | d[9] << 8);
	if (!SUM_OK(rd64(d + 56), XXH3_64bits(d, 56)))
		return fail(err, el, BTFPACK_ERR_CHECKSUM, "pack header checksum mismatch");
	if (rd64(d + 16) != n)
		return fail(err, el, BTFPACK_ERR_FORMAT, "pack is truncated or has trailing bytes (%llu bytes, header says %llu)",
			    (unsigned long long)n, (unsigned long long)rd64(d + 16));
	if (memcmp(d + n - 8, "BTFPEND\0", 8))
		return fail(err, el, BTFPACK_ERR_FORMAT, "pack footer missing (truncated?)");
	if (!SUM_OK(rd64(d + n - 16), XXH3_64bits(d, n - FOOTER_SIZE)))
		return fail(err, el, BTFPACK_ERR_CHECKSUM, "pack checksum mismatch (corrupt file)");
	uint32_t nsec = rd32(d + 24);
	uint64_t st = rd64(d + 32);
	pk->max_raw = rd32(d + 28);
	if (pk->max_raw > MAX_RAW_BLOB)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt header (blob size bound %u)", pk->max_raw);
	pk->kernels = rd64(d + 40);
	pk->nblobs = rd64(d + 48);
	uint64_t body_end = n - FOOTER_SIZE;
	if (nsec > MAX_SECTIONS || st < HEADER_SIZE || st > body_end || (uint64_t)nsec * SECTION_SIZE > body_end - st)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt section table");
	for (uint32_t i = 0; i < nsec; i++) {
		const uint8_t *s = d + st + (uint64_t)i * SECTION_SIZE;
		uint64_t off = rd64(s + 8), len = rd64(s + 16);
		if (off < st + (uint64_t)nsec * SECTION_SIZE || off > body_end || len > body_end - off)
			return fail(err, el, BTFPACK_ERR_FORMAT, "section %u lies outside the pack", i);
		/* section checksums are not recomputed here: the whole-file checksum above covers
		 * every byte; `btfpack verify` checks them one by one */
		struct span sp = {d + off, len};
		switch (rd32(s)) {
		case SEC_META: pk->meta = sp; break;
		case SEC_INDEX: pk->index = sp; break;
		case SEC_SOURCES: pk->sources = sp; break;
		case SEC_BLOB_TABLE: pk->blob_table = sp; break;
		case SEC_TYPES: pk->types = sp; break;
		case SEC_BLOBS: pk->blobs = sp; break;
		default: break;
		}
	}
	if (!pk->index.p || !pk->blob_table.p || !pk->blobs.p || !pk->types.p)
		return fail(err, el, BTFPACK_ERR_FORMAT, "pack lacks a required section");
	if (pk->index.len < 8 || rd32(pk->index.p) != pk->kernels)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt index header");
	pk->blocks = rd32(pk->index.p + 4);
	if (pk->blocks != (pk->kernels + BLOCK_ENTRIES - 1) / BLOCK_ENTRIES || 8 + (uint64_t)pk->blocks * 4 > pk->index.len)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt index block table");
	for (uint32_t b = 0; b < pk->blocks; b++) {
		uint32_t o = rd32(pk->index.p + 8 + 4 * (uint64_t)b);
		if (o < 8 + (uint64_t)pk->blocks * 4 || o >= pk->index.len)
			return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt index block offset");
	}
	if (pk->nblobs > pk->blob_table.len / 24 || pk->blob_table.len != pk->nblobs * 24)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt blob table");
	return BTFPACK_OK;
}

int btfpack_open_memory(const void *data, size_t size, struct btfpack_pack **out, char *err, size_t err_len)
{
	struct btfpack_pack *pk = calloc(1, sizeof(*pk));
	if (!pk)
		return fail(err, err_len, BTFPACK_ERR_NOMEM, "out of memory");
	pk->data = data;
	pk->size = size;
	int rc = parse(pk, err, err_len);
	if (rc) {
		btfpack_close(pk);
		return rc;
	}
	*out = pk;
	return BTFPACK_OK;
}

int btfpack_open_file(const char *path, struct btfpack_pack **out, char *err, size_t err_len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return fail(err, err_len, BTFPACK_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		close(fd);
		return fail(err, err_len, BTFPACK_ERR_IO, "%s: not a regular file", path);
	}
	void *m = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0) : MAP_FAILED;
	close(fd);
	if (m == MAP_FAILED)
		return fail(err, err_len, st.st_size ? BTFPACK_ERR_IO : BTFPACK_ERR_FORMAT, "%s: %s", path,
			    st.st_size ? "cannot map" : "empty file");
	char msg[256];
	int rc = btfpack_open_memory(m, (size_t)st.st_size, out, msg, sizeof(msg));
	if (rc) {
		munmap(m, (size_t)st.st_size);
		return fail(err, err_len, rc, "%s: %s", path, msg);
	}
	(*out)->mapping = m;
	return BTFPACK_OK;
}

void btfpack_close(struct btfpack_pack *pk)
{
	if (!pk)
		return;
	if (pk->mapping)
		munmap(pk->mapping, pk->size);
	tt_free(&pk->table);
	free(pk->meta_text);
	free(pk);
}

size_t btfpack_count(const struct btfpack_pack *pk) { return (size_t)pk->kernels; }
size_t btfpack_blob_count(const struct btfpack_pack *pk) { return (size_t)pk->nblobs; }
const char *btfpack_meta(const struct btfpack_pack *pk)
{
	struct btfpack_pack *mp = (struct btfpack_pack *)pk; /* decompressed on first use */
	if (!mp->meta_text) {
		uint64_t raw = pk->meta.len >= 8 ? rd64(pk->meta.p) : 0;
		mp->meta_text = malloc(raw <= MAX_META ? raw + 1 : 1);
		if (!mp->meta_text)
			return "";
		mp->meta_text[0] = 0;
		if (raw && raw <= MAX_META &&
		    ZSTD_getFrameContentSize(pk->meta.p + 8, pk->meta.len - 8) == raw &&
		    tt_decompress(mp->meta_text, raw, pk->meta.p + 8, pk->meta.len - 8) == 0)
			mp->meta_text[raw] = 0;
		else
			mp->meta_text[0] = 0;
	}
	return mp->meta_text;
}

/* Decode entry i by walking its block from the block's first entry. */
static int decode_entry(const struct btfpack_pack *pk, size_t i, struct btfpack_entry *e)
{
	uint32_t b = (uint32_t)(i / BLOCK_ENTRIES);
	const uint8_t *end = pk->index.p + pk->index.len;
	const uint8_t *p = pk->index.p + rd32(pk->index.p + 8 + 4 * (uint64_t)b);
	uint32_t keylen = 0;
	for (size_t k = (size_t)b * BLOCK_ENTRIES; k <= i; k++) {
		uint32_t shared, slen, blob;
		if (read_varint(&p, end, &shared) || read_varint(&p, end, &slen) || shared > keylen || slen > MAX_KEY - shared ||
		    slen > (uint64_t)(end - p))
			return BTFPACK_ERR_FORMAT;
		memcpy(e->key + shared, p, slen);
		keylen = shared + slen;
		e->key[keylen] = 0;
		p += slen;
		if (read_varint(&p, end, &blob) || blob >= pk->nblobs)
			return BTFPACK_ERR_FORMAT;
		e->blob_id = blob;
	}
	return BTFPACK_OK;
}

int btfpack_entry_at(const struct btfpack_pack *pk, size_t i, struct btfpack_entry *out)
{
	if (i >= pk->kernels)
		return BTFPACK_ERR_NOT_FOUND;
	return decode_entry(pk, i, out);
}

int btfpack_source_at(const struct btfpack_pack *pk, size_t i, uint64_t *hash)
{
	if (i >= pk->kernels || pk->sources.len != pk->kernels * 8)
		return BTFPACK_ERR_NOT_FOUND;
	*hash = rd64(pk->sources.p + 8 * (uint64_t)i);
	return BTFPACK_OK;
}

int btfpack_find(const struct btfpack_pack *pk, const char *distro, const char *version, const char *arch,
		 const char *kernel, size_t *index)
{
	char key[MAX_KEY + 2];
	int n = snprintf(key, sizeof(key), "%s/%s/%s/%s", distro, version, arch, kernel);
	if (n < 0 || n > MAX_KEY || !pk->kernels)
		return BTFPACK_ERR_NOT_FOUND;
	struct btfpack_entry e;
	/* last block whose first key <= key */
	uint32_t lo = 0, hi = pk->blocks;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (decode_entry(pk, (size_t)mid * BLOCK_ENTRIES, &e))
			return BTFPACK_ERR_FORMAT;
		if (strcmp(e.key, key) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	size_t first = (size_t)lo * BLOCK_ENTRIES, last = first + BLOCK_ENTRIES;
	if (last > pk->kernels)
		last = (size_t)pk->kernels;
	for (size_t i = first; i < last; i++) { /* decode incrementally would be faster; blocks are 16 */
		if (decode_entry(pk, i, &e))
			return BTFPACK_ERR_FORMAT;
		int c = strcmp(e.key, key);
		if (c == 0) {
			*index = i;
			return BTFPACK_OK;
		}
		if (c > 0)
			break;
	}
	return BTFPACK_ERR_NOT_FOUND;
}

/* The table indexes of blob b (following delta bases, at most TT_MAX_DELTA_DEPTH deep);
 * *ids is malloc'd. */
static int blob_ids(const struct btfpack_pack *pk, uint32_t b, int depth, uint32_t max_n, uint32_t **ids, uint32_t *n,
		    int *be)
{
	if (b >= pk->nblobs)
		return BTFPACK_ERR_FORMAT;
	const uint8_t *t = pk->blob_table.p + (uint64_t)b * 24;
	uint64_t off = rd64(t), len = rd32(t + 8);
	if (off > pk->blobs.len || len > pk->blobs.len - off || len < 2)
		return BTFPACK_ERR_FORMAT;
	const uint8_t *p = pk->blobs.p + off, *end = p + len;
	uint8_t flags = *p++;
	uint32_t *base = NULL, bn = 0, base_id, count;
	int base_be, rc = BTFPACK_ERR_FORMAT;
	*be = flags & TT_LIST_BIG_ENDIAN;
	*ids = NULL;
	if (flags & TT_LIST_DELTA) {
		if (read_varint(&p, end, &base_id) || base_id == b || depth >= TT_MAX_DELTA_DEPTH)
			return BTFPACK_ERR_FORMAT;
		rc = blob_ids(pk, base_id, depth + 1, max_n, &base, &bn, &base_be);
		if (rc)
			return rc;
		rc = BTFPACK_ERR_FORMAT;
	}
	if (read_varint(&p, end, &count) || count > max_n)
		goto out;
	uint32_t *out = malloc(sizeof(uint32_t) * ((size_t)count + 1));
	if (!out) {
		rc = BTFPACK_ERR_NOMEM;
		goto out;
	}
	uint32_t have = 0, cursor = 0;
	if (!(flags & TT_LIST_DELTA)) {
		for (; have < count; have++)
			if (read_varint(&p, end, &out[have]))
				goto bad;
	} else {
		while (have < count) { /* (skip, copy, insert) triplets over the base list */
			uint32_t skip, copy, ins;
			if (read_varint(&p, end, &skip) || read_varint(&p, end, &copy) || read_varint(&p, end, &ins) ||
			    skip > bn - cursor || copy > bn - cursor - skip || copy > count - have || ins > count - have - copy ||
			    (!copy && !ins))
				goto bad;
			cursor += skip;
			memcpy(out + have, base + cursor, sizeof(uint32_t) * copy);
			cursor += copy;
			have += copy;
			for (uint32_t k = 0; k < ins; k++)
				if (read_varint(&p, end, &out[have++]))
					goto bad;
		}
	}
	*ids = out;
	*n = count;
	rc = BTFPACK_OK;
	goto out;
bad:
	free(out);
out:
	free(base);
	return rc;
}

int btfpack_get_btf(const struct btfpack_pack *pk, size_t i, void **data, size_t *size, char *err, size_t el)
{
	struct btfpack_entry e;
	int rc = btfpack_entry_at(pk, i, &e);
	if (rc)
		return fail(err, el, rc, rc == BTFPACK_ERR_NOT_FOUND ? "no entry %zu" : "corrupt index", i);
	const uint8_t *t = pk->blob_table.p + (uint64_t)e.blob_id * 24;
	uint64_t rlen = rd32(t + 12), sum = rd64(t + 16);
	if (rlen > pk->max_raw || rlen < 24)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt blob table entry %u", e.blob_id);
	struct btfpack_pack *mp = (struct btfpack_pack *)pk;
	if (!mp->table_loaded) {
		char terr[128];
		rc = tt_load(pk->types.p, pk->types.len, &mp->table, terr, sizeof(terr));
		if (rc)
			return fail(err, el, rc, "%s", terr);
		mp->table_loaded = 1;
	}
	uint32_t *ids = NULL, n = 0;
	int be = 0;
	rc = blob_ids(pk, e.blob_id, 0, (uint32_t)(rlen / 12), &ids, &n, &be);
	void *out = NULL;
	if (!rc)
		rc = tt_assemble(&pk->table, ids, n, be, (uint32_t)rlen, &out);
	free(ids);
	if (rc)
		return fail(err, el, rc, "blob %u cannot be rebuilt from the type table", e.blob_id);
	if (!SUM_OK(sum, XXH3_64bits(out, rlen))) {
		free(out);
		return fail(err, el, BTFPACK_ERR_CHECKSUM, "blob %u checksum mismatch", e.blob_id);
	}
	*data = out;
	*size = rlen;
	return BTFPACK_OK;
}
