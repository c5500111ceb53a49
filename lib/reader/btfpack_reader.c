/* btfpack reader (see btfpack/reader.h and docs/FORMAT.md). */
#define _GNU_SOURCE
#include "btfpack/reader.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zstd.h>

#include "pack_format.h"
#include "reader_internal.h"
#include "type_table.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

/* Fuzzing builds skip checksum comparisons so the fuzzer reaches the structural checks. */
#ifdef BTFPACK_FUZZING
#define SUM_OK(stored, computed) ((void)(stored), (void)(computed), 1)
#else
#define SUM_OK(stored, computed) ((stored) == (computed))
#endif

_Static_assert(sizeof(((struct btfpack_entry *)0)->key) == BTFPACK_MAX_KEY_LEN + 1,
	       "struct btfpack_entry.key holds the longest key and its NUL");

struct span {
	const uint8_t *p;
	uint64_t len;
};

/* Every field is set by btfpack_open_* and only read afterwards (until btfpack_close): the
 * reader has no other state, so the functions taking a const handle may run concurrently. */
struct btfpack_pack {
	const uint8_t *data;
	uint64_t size;
	void *mapping; /* non-NULL when mmap'd */
	struct span meta, index, sources, blob_table, types, blobs;
	uint64_t kernels, nblobs;
	uint32_t max_raw, blocks;
	char *meta_text;       /* META, decompressed at open; NULL if unreadable (btfpack_meta gives "") */
	struct tt_table table; /* TYPES, decompressed at open when table_rc is BTFPACK_OK */
	int table_rc;          /* else why not: btfpack_get_btf reports it (listing still works) */
	char table_err[128];
};

/* Offset of index block b (< pk->blocks) from the INDEX start; parse checked the block table's bounds. */
static uint32_t block_offset(const struct btfpack_pack *pk, uint32_t b)
{
	return pf_rd32(pk->index.p + BTFPACK_IX_BLOCK_OFFSETS + (uint64_t)b * BTFPACK_IX_BLOCK_OFFSET_SIZE);
}

/* Entry b (< pk->nblobs) of the blob table; parse checked that the table holds nblobs entries. */
static const uint8_t *blob_entry(const struct btfpack_pack *pk, uint32_t b)
{
	return pk->blob_table.p + (uint64_t)b * BTFPACK_BLOB_ENTRY_SIZE;
}

static int parse(struct btfpack_pack *pk, char *err, size_t el)
{
	const uint8_t *d = pk->data;
	uint64_t n = pk->size;
	if (n < BTFPACK_HEADER_SIZE + BTFPACK_FOOTER_SIZE || memcmp(d + BTFPACK_HDR_MAGIC, BTFPACK_MAGIC, BTFPACK_MAGIC_LEN))
		return fail(err, el, BTFPACK_ERR_FORMAT, "not a btfpack pack (bad magic or too short)");
	uint16_t major = pf_rd16(d + BTFPACK_HDR_VERSION_MAJOR);
	if (major != BTFPACK_VERSION_MAJOR)
		return fail(err, el, BTFPACK_ERR_FORMAT, "unsupported pack format version %u (this reader reads version %u)", major,
			    BTFPACK_VERSION_MAJOR);
	if (!SUM_OK(pf_rd64(d + BTFPACK_HDR_CHECKSUM), XXH3_64bits(d, BTFPACK_HDR_CHECKSUM)))
		return fail(err, el, BTFPACK_ERR_CHECKSUM, "pack header checksum mismatch");
	if (pf_rd64(d + BTFPACK_HDR_FILE_SIZE) != n)
		return fail(err, el, BTFPACK_ERR_FORMAT, "pack is truncated or has trailing bytes (%llu bytes, header says %llu)",
			    (unsigned long long)n, (unsigned long long)pf_rd64(d + BTFPACK_HDR_FILE_SIZE));
	uint64_t body_end = n - BTFPACK_FOOTER_SIZE; /* the footer's start */
	if (memcmp(d + body_end + BTFPACK_FT_MAGIC, BTFPACK_END_MAGIC, BTFPACK_MAGIC_LEN))
		return fail(err, el, BTFPACK_ERR_FORMAT, "pack footer missing (truncated?)");
	if (!SUM_OK(pf_rd64(d + body_end + BTFPACK_FT_CHECKSUM), XXH3_64bits(d, body_end)))
		return fail(err, el, BTFPACK_ERR_CHECKSUM, "pack checksum mismatch (corrupt file)");
	uint32_t nsec = pf_rd32(d + BTFPACK_HDR_SECTION_COUNT);
	uint64_t st = pf_rd64(d + BTFPACK_HDR_SECTION_TABLE);
	pk->max_raw = pf_rd32(d + BTFPACK_HDR_MAX_RAW);
	if (pk->max_raw > BTFPACK_MAX_BTF_SIZE)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt header (blob size bound %u)", pk->max_raw);
	pk->kernels = pf_rd64(d + BTFPACK_HDR_KERNELS);
	pk->nblobs = pf_rd64(d + BTFPACK_HDR_BLOBS);
	if (nsec > BTFPACK_MAX_SECTIONS || st < BTFPACK_HEADER_SIZE || st > body_end ||
	    (uint64_t)nsec * BTFPACK_SECTION_ENTRY_SIZE > body_end - st)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt section table");
	uint64_t st_end = st + (uint64_t)nsec * BTFPACK_SECTION_ENTRY_SIZE;
	for (uint32_t i = 0; i < nsec; i++) {
		const uint8_t *s = d + st + (uint64_t)i * BTFPACK_SECTION_ENTRY_SIZE;
		uint64_t off = pf_rd64(s + BTFPACK_SE_OFFSET), len = pf_rd64(s + BTFPACK_SE_LENGTH);
		if (off < st_end || off > body_end || len > body_end - off)
			return fail(err, el, BTFPACK_ERR_FORMAT, "section %u lies outside the pack", i);
		/* section checksums are not recomputed here: the whole-file checksum above covers
		 * every byte; `btfpack verify` checks them one by one */
		struct span sp = {d + off, len};
		switch (pf_rd32(s + BTFPACK_SE_TYPE)) {
		case BTFPACK_SECTION_META: pk->meta = sp; break;
		case BTFPACK_SECTION_INDEX: pk->index = sp; break;
		case BTFPACK_SECTION_SOURCES: pk->sources = sp; break;
		case BTFPACK_SECTION_BLOB_TABLE: pk->blob_table = sp; break;
		case BTFPACK_SECTION_TYPES: pk->types = sp; break;
		case BTFPACK_SECTION_BLOBS: pk->blobs = sp; break;
		default: break;
		}
	}
	if (!pk->index.p || !pk->blob_table.p || !pk->blobs.p || !pk->types.p)
		return fail(err, el, BTFPACK_ERR_FORMAT, "pack lacks a required section");
	if (pk->index.len < BTFPACK_IX_BLOCK_OFFSETS || pf_rd32(pk->index.p + BTFPACK_IX_ENTRY_COUNT) != pk->kernels)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt index header");
	pk->blocks = pf_rd32(pk->index.p + BTFPACK_IX_BLOCK_COUNT);
	uint64_t blocks_end = BTFPACK_IX_BLOCK_OFFSETS + (uint64_t)pk->blocks * BTFPACK_IX_BLOCK_OFFSET_SIZE;
	if (pk->blocks != (pk->kernels + BTFPACK_INDEX_BLOCK_ENTRIES - 1) / BTFPACK_INDEX_BLOCK_ENTRIES ||
	    blocks_end > pk->index.len)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt index block table");
	for (uint32_t b = 0; b < pk->blocks; b++) {
		uint32_t o = block_offset(pk, b);
		if (o < blocks_end || o >= pk->index.len)
			return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt index block offset");
	}
	if (pk->nblobs > pk->blob_table.len / BTFPACK_BLOB_ENTRY_SIZE || pk->blob_table.len != pk->nblobs * BTFPACK_BLOB_ENTRY_SIZE)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt blob table");
	return BTFPACK_OK;
}

/* META text, NUL-terminated, or NULL if it does not decompress. */
/* One spare decompression context for the whole process, so that opening packs again and
 * again (a lookup per open) does not create one each time: taken and given back atomically,
 * so any thread may open; at most one is kept (ZSTD_freeDCtx when the spare slot is full). */
static _Atomic(ZSTD_DCtx *) spare_dctx;

static ZSTD_DCtx *take_dctx(void)
{
	ZSTD_DCtx *c = atomic_exchange(&spare_dctx, NULL);
	return c ? c : ZSTD_createDCtx();
}

static void give_dctx(ZSTD_DCtx *c)
{
	ZSTD_DCtx *none = NULL;
	if (!atomic_compare_exchange_strong(&spare_dctx, &none, c))
		ZSTD_freeDCtx(c);
}

static char *load_meta(const struct span *meta, ZSTD_DCtx *dctx)
{
	uint64_t raw = meta->len >= BTFPACK_Z_FRAME ? pf_rd64(meta->p + BTFPACK_Z_RAW_SIZE) : 0;
	if (!raw || raw > BTFPACK_MAX_META ||
	    ZSTD_getFrameContentSize(meta->p + BTFPACK_Z_FRAME, meta->len - BTFPACK_Z_FRAME) != raw)
		return NULL;
	char *text = malloc(raw + 1);
	if (text && tt_decompress(dctx, text, raw, meta->p + BTFPACK_Z_FRAME, meta->len - BTFPACK_Z_FRAME)) {
		free(text);
		return NULL;
	}
	if (text)
		text[raw] = 0;
	return text;
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
	/* the two compressed sections, with one decompression context taken from the spare */
	ZSTD_DCtx *dctx = take_dctx();
	if (!dctx) {
		btfpack_close(pk);
		return fail(err, err_len, BTFPACK_ERR_NOMEM, "out of memory");
	}
	pk->meta_text = load_meta(&pk->meta, dctx);
	pk->table_rc = tt_load(dctx, pk->types.p, pk->types.len, &pk->table, pk->table_err, sizeof(pk->table_err));
	give_dctx(dctx);
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
const char *btfpack_meta(const struct btfpack_pack *pk) { return pk->meta_text ? pk->meta_text : ""; }

/* Decode entry i by walking its block from the block's first entry. */
static int decode_entry(const struct btfpack_pack *pk, size_t i, struct btfpack_entry *e)
{
	uint32_t b = (uint32_t)(i / BTFPACK_INDEX_BLOCK_ENTRIES);
	const uint8_t *end = pk->index.p + pk->index.len;
	const uint8_t *p = pk->index.p + block_offset(pk, b);
	uint32_t keylen = 0;
	for (size_t k = (size_t)b * BTFPACK_INDEX_BLOCK_ENTRIES; k <= i; k++) {
		uint32_t shared, slen, blob;
		if (pf_varint_read(&p, end, &shared) || pf_varint_read(&p, end, &slen) || shared > keylen || slen > BTFPACK_MAX_KEY_LEN - shared ||
		    slen > (uint64_t)(end - p))
			return BTFPACK_ERR_FORMAT;
		memcpy(e->key + shared, p, slen);
		keylen = shared + slen;
		e->key[keylen] = 0;
		p += slen;
		if (pf_varint_read(&p, end, &blob) || blob >= pk->nblobs)
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
	if (i >= pk->kernels || pk->sources.len != pk->kernels * BTFPACK_SOURCE_ENTRY_SIZE)
		return BTFPACK_ERR_NOT_FOUND;
	*hash = pf_rd64(pk->sources.p + BTFPACK_SOURCE_ENTRY_SIZE * (uint64_t)i);
	return BTFPACK_OK;
}

int btfpack_find(const struct btfpack_pack *pk, const char *distro, const char *version, const char *arch,
		 const char *kernel, size_t *index)
{
	char key[BTFPACK_MAX_KEY_LEN + 2];
	int n = snprintf(key, sizeof(key), "%s/%s/%s/%s", distro, version, arch, kernel);
	if (n < 0 || n > (int)BTFPACK_MAX_KEY_LEN || !pk->kernels)
		return BTFPACK_ERR_NOT_FOUND;
	struct btfpack_entry e;
	/* last block whose first key <= key */
	uint32_t lo = 0, hi = pk->blocks;
	while (hi - lo > 1) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (decode_entry(pk, (size_t)mid * BTFPACK_INDEX_BLOCK_ENTRIES, &e))
			return BTFPACK_ERR_FORMAT;
		if (strcmp(e.key, key) <= 0)
			lo = mid;
		else
			hi = mid;
	}
	size_t first = (size_t)lo * BTFPACK_INDEX_BLOCK_ENTRIES, last = first + BTFPACK_INDEX_BLOCK_ENTRIES;
	if (last > pk->kernels)
		last = (size_t)pk->kernels;
	for (size_t i = first; i < last; i++) { /* decode incrementally would be faster; blocks are short */
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

/* The table indexes of blob b (following delta bases, at most BTFPACK_MAX_DELTA_DEPTH deep);
 * *ids is malloc'd. */
static int blob_ids(const struct btfpack_pack *pk, uint32_t b, int depth, uint32_t max_n, uint32_t **ids, uint32_t *n,
		    int *be)
{
	if (b >= pk->nblobs)
		return BTFPACK_ERR_FORMAT;
	const uint8_t *t = blob_entry(pk, b);
	uint64_t off = pf_rd64(t + BTFPACK_BE_LIST_OFFSET), len = pf_rd32(t + BTFPACK_BE_LIST_LEN);
	if (off > pk->blobs.len || len > pk->blobs.len - off || len < BTFPACK_LIST_MIN_LEN)
		return BTFPACK_ERR_FORMAT;
	const uint8_t *p = pk->blobs.p + off, *end = p + len;
	uint8_t flags = *p++;
	uint32_t *base = NULL, bn = 0, base_id, count;
	int base_be, rc = BTFPACK_ERR_FORMAT;
	*be = flags & BTFPACK_LIST_BIG_ENDIAN;
	*ids = NULL;
	if (flags & BTFPACK_LIST_DELTA) {
		if (pf_varint_read(&p, end, &base_id) || base_id == b || depth >= BTFPACK_MAX_DELTA_DEPTH)
			return BTFPACK_ERR_FORMAT;
		rc = blob_ids(pk, base_id, depth + 1, max_n, &base, &bn, &base_be);
		if (rc)
			return rc;
		rc = BTFPACK_ERR_FORMAT;
	}
	if (pf_varint_read(&p, end, &count) || count > max_n)
		goto out;
	uint32_t *out = malloc(sizeof(uint32_t) * ((size_t)count + 1));
	if (!out) {
		rc = BTFPACK_ERR_NOMEM;
		goto out;
	}
	uint32_t have = 0, cursor = 0;
	if (!(flags & BTFPACK_LIST_DELTA)) {
		for (; have < count; have++)
			if (pf_varint_read(&p, end, &out[have]))
				goto bad;
	} else {
		while (have < count) { /* (skip, copy, insert) triplets over the base list */
			uint32_t skip, copy, ins;
			if (pf_varint_read(&p, end, &skip) || pf_varint_read(&p, end, &copy) || pf_varint_read(&p, end, &ins) ||
			    skip > bn - cursor || copy > bn - cursor - skip || copy > count - have || ins > count - have - copy ||
			    (!copy && !ins))
				goto bad;
			cursor += skip;
			memcpy(out + have, base + cursor, sizeof(uint32_t) * copy);
			cursor += copy;
			have += copy;
			for (uint32_t k = 0; k < ins; k++)
				if (pf_varint_read(&p, end, &out[have++]))
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
	const uint8_t *t = blob_entry(pk, e.blob_id);
	uint64_t rlen = pf_rd32(t + BTFPACK_BE_RAW_LEN), sum = pf_rd64(t + BTFPACK_BE_CHECKSUM);
	if (rlen > pk->max_raw || rlen < BTFPACK_BTF_HEADER_SIZE)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt blob table entry %u", e.blob_id);
	if (pk->table_rc)
		return fail(err, el, pk->table_rc, "%s", pk->table_err);
	uint32_t *ids = NULL, n = 0;
	int be = 0;
	/* a BTF of rlen bytes has at most this many types (each at least a struct btf_type) */
	uint32_t max_types = (uint32_t)(rlen / (BTFPACK_BTF_TYPE_WORDS * sizeof(uint32_t)));
	rc = blob_ids(pk, e.blob_id, 0, max_types, &ids, &n, &be);
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
