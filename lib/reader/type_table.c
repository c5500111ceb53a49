/* Shared type table: loading and BTF re-assembly (see type_table.h, docs/FORMAT.md). */
#include "type_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "btfpack/reader.h"
#include "reader_internal.h"

#define MAX_TABLE (16u << 20)

static void wr32(uint8_t *p, uint32_t v, int be)
{
	for (int i = 0; i < 4; i++)
		p[be ? 3 - i : i] = (uint8_t)(v >> (8 * i));
}

uint32_t tt_record_words(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case 1: case 14: case 17: return 4;               /* int, var, decl_tag */
	case 2: case 7: case 8: case 9: case 10: case 11: case 12: case 16: case 18: return 3;
	case 3: return 6;                                   /* array */
	case 4: case 5: case 15: case 19: return 3 + 3 * vlen; /* struct, union, datasec, enum64 */
	case 6: case 13: return 3 + 2 * vlen;               /* enum, func_proto */
	default: return 0;
	}
}

static inline enum tt_role role_of(uint32_t kind, uint32_t w)
{
	if (w == 0)
		return TT_NAME;
	if (w == 1)
		return TT_DATA;
	if (w == 2) {
		switch (kind) {
		case 2: case 8: case 9: case 10: case 11: case 12: case 13: case 14: case 17: case 18: return TT_REF;
		default: return TT_DATA;
		}
	}
	uint32_t k = w - 3;
	switch (kind) {
	case 3: return k < 2 ? TT_REF : TT_DATA;               /* elem, index, nelems */
	case 4: case 5: return k % 3 == 0 ? TT_NAME : k % 3 == 1 ? TT_REF : TT_DATA;
	case 6: return k % 2 == 0 ? TT_NAME : TT_DATA;
	case 13: return k % 2 == 0 ? TT_NAME : TT_REF;
	case 15: return k % 3 == 0 ? TT_REF : TT_DATA;
	case 19: return k % 3 == 0 ? TT_NAME : TT_DATA;
	default: return TT_DATA;
	}
}

enum tt_role tt_word_role(uint32_t kind, uint32_t w) { return role_of(kind, w); }

int tt_decompress(void *dst, size_t dst_len, const void *src, size_t src_len)
{
	/* one decompression context per thread, kept: creating one costs more than decompressing */
	static __thread ZSTD_DCtx *dctx;
	if (!dctx)
		dctx = ZSTD_createDCtx();
	size_t got = dctx ? ZSTD_decompressDCtx(dctx, dst, dst_len, src, src_len) : (size_t)-1;
	return ZSTD_isError(got) || got != dst_len ? -1 : 0;
}

int tt_load(const uint8_t *sec, uint64_t len, struct tt_table *t, char *err, size_t el)
{
	memset(t, 0, sizeof(*t));
	if (len < 8)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt type table");
	uint64_t raw = rd32(sec) | (uint64_t)rd32(sec + 4) << 32;
	/* the size must be what the frame says, and plausible for its compressed size */
	unsigned long long fsz = ZSTD_getFrameContentSize(sec + 8, len - 8);
	if (raw < 8 || raw > MAX_TABLE || fsz != raw || raw > 1024 * (len - 8) + 4096)
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt type table size");
	t->raw = malloc(raw);
	if (!t->raw)
		return fail(err, el, BTFPACK_ERR_NOMEM, "out of memory");
	if (tt_decompress(t->raw, raw, sec + 8, len - 8)) {
		tt_free(t);
		return fail(err, el, BTFPACK_ERR_FORMAT, "type table does not decompress");
	}
	const uint8_t *p = t->raw, *end = t->raw + raw;
	t->ntypes = rd32(p);
	t->nstrings = rd32(p + 4);
	p += 8;
	if (4 * ((uint64_t)t->ntypes + t->nstrings) > (uint64_t)(end - p)) {
		tt_free(t);
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt type table counts");
	}
	/* record lengths (words) and string lengths -> offsets; then chars, then words */
	t->type_off = malloc(sizeof(uint32_t) * ((size_t)t->ntypes + 1));
	t->str_off = malloc(sizeof(uint32_t) * ((size_t)t->nstrings + 1));
	if (!t->type_off || !t->str_off) {
		tt_free(t);
		return fail(err, el, BTFPACK_ERR_NOMEM, "out of memory");
	}
	uint64_t sum = 0;
	t->type_off[0] = 0;
	for (uint32_t i = 0; i < t->ntypes; i++, p += 4) {
		sum += rd32(p);
		if (sum > raw)
			break;
		t->type_off[i + 1] = (uint32_t)sum;
	}
	t->nwords = sum;
	sum = 0;
	t->str_off[0] = 0;
	for (uint32_t i = 0; i < t->nstrings && t->nwords <= raw; i++, p += 4) {
		sum += rd32(p);
		if (sum > raw)
			break;
		t->str_off[i + 1] = (uint32_t)sum;
	}
	t->nchars = sum;
	if (t->nwords > raw || t->nchars > (uint64_t)(end - p) ||
	    (uint64_t)(end - p) - t->nchars != 4 * t->nwords) {
		tt_free(t);
		return fail(err, el, BTFPACK_ERR_FORMAT, "corrupt type table lengths");
	}
	t->chars = p;
	t->words = p + t->nchars;
	/* records and strings are validated when a BTF uses them (tt_assemble) */
	return BTFPACK_OK;
}

void tt_free(struct tt_table *t)
{
	free(t->raw);
	free(t->type_off);
	free(t->str_off);
	memset(t, 0, sizeof(*t));
}

int tt_assemble(const struct tt_table *t, const uint32_t *ids, uint32_t n, int be, uint32_t raw_len, void **out)
{
	if (raw_len < 24)
		return BTFPACK_ERR_FORMAT;
	uint32_t *local_of = calloc((size_t)t->ntypes + 1, sizeof(uint32_t)); /* table index+1 -> local id */
	uint32_t *str_at = calloc((size_t)t->nstrings + 1, sizeof(uint32_t)); /* string index+1 -> offset */
	uint8_t *o = malloc(raw_len);
	int rc = BTFPACK_ERR_FORMAT;
	if (!local_of || !str_at || !o) {
		rc = BTFPACK_ERR_NOMEM;
		goto out;
	}
	for (uint32_t i = 0; i < n; i++) {
		if (ids[i] >= t->ntypes)
			goto out;
		if (!local_of[ids[i] + 1])
			local_of[ids[i] + 1] = i + 1;
	}
	/* types: from offset 24; strings follow, starting with "" */
	uint64_t tlen = 0;
	for (uint32_t i = 0; i < n; i++) { /* each record used: in bounds, sized as its kind says */
		uint32_t a = t->type_off[ids[i]], b = t->type_off[ids[i] + 1];
		if (b < a || b > t->nwords || b - a < 3)
			goto out;
		uint32_t info = rd32(t->words + 4 * ((uint64_t)a + 1));
		if (tt_record_words((info >> 24) & 0x1f, info & 0xffff) != b - a)
			goto out;
		tlen += 4ull * (b - a);
	}
	if (24 + tlen + 1 > raw_len)
		goto out;
	uint64_t sp = 24 + tlen;
	o[sp++] = 0;
	uint8_t *tp = o + 24;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = t->type_off[ids[i]], b = t->type_off[ids[i] + 1];
		uint32_t kind = (rd32(t->words + 4 * ((uint64_t)a + 1)) >> 24) & 0x1f;
		for (uint32_t w = 0; w < b - a; w++, tp += 4) {
			uint32_t v = rd32(t->words + 4 * ((uint64_t)a + w));
			switch (role_of(kind, w)) {
			case TT_NAME:
				if (v) {
					if (v > t->nstrings)
						goto out;
					if (!str_at[v]) { /* first use: check and append the string */
						uint32_t sa = t->str_off[v - 1], sb = t->str_off[v];
						if (sb < sa || sb > t->nchars || memchr(t->chars + sa, 0, sb - sa) ||
						    sp - 24 - tlen > UINT32_MAX || sb - sa + 1 > raw_len - sp)
							goto out;
						str_at[v] = (uint32_t)(sp - 24 - tlen);
						memcpy(o + sp, t->chars + sa, sb - sa);
						sp += sb - sa;
						o[sp++] = 0;
					}
					v = str_at[v];
				}
				break;
			case TT_REF:
				if (v) {
					if (v > t->ntypes || !local_of[v])
						goto out; /* a reference outside this kernel's types */
					v = local_of[v];
				}
				break;
			default:
				break;
			}
			wr32(tp, v, be);
		}
	}
	if (sp != raw_len)
		goto out;
	/* header: magic, version 1, flags 0, hdr_len 24, type_off 0, type_len, str_off, str_len */
	o[be ? 0 : 1] = 0xeb;
	o[be ? 1 : 0] = 0x9f;
	o[2] = 1;
	o[3] = 0;
	wr32(o + 4, 24, be);
	wr32(o + 8, 0, be);
	wr32(o + 12, (uint32_t)tlen, be);
	wr32(o + 16, (uint32_t)tlen, be);
	wr32(o + 20, (uint32_t)(sp - 24 - tlen), be);
	*out = o;
	o = NULL;
	rc = BTFPACK_OK;
out:
	free(local_of);
	free(str_at);
	free(o);
	return rc;
}
