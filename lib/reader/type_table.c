/* Shared type table: loading and BTF re-assembly (see type_table.h, docs/FORMAT.md). */
#include "type_table.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zstd.h>

#include "btfpack/reader.h"
#include "pack_format.h"
#include "reader_internal.h"

/* A u16 / u32 of the rebuilt BTF, in its byte order. */
static void btf_wr(uint8_t *p, uint32_t v, int bytes, int be)
{
	for (int i = 0; i < bytes; i++)
		p[be ? bytes - 1 - i : i] = (uint8_t)(v >> (8 * i));
}
static void btf_wr16(uint8_t *p, uint16_t v, int be) { btf_wr(p, v, 2, be); }
static void btf_wr32(uint8_t *p, uint32_t v, int be) { btf_wr(p, v, 4, be); }

/* Word w of the records (little-endian in the table). */
static uint32_t table_word(const struct tt_table *t, uint64_t w) { return pf_rd32(t->words + BTFPACK_TT_WORD_SIZE * w); }

uint32_t tt_record_words(uint32_t kind, uint32_t vlen)
{
	switch (kind) {
	case BTFPACK_BTF_KIND_INT:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_INT_WORDS;
	case BTFPACK_BTF_KIND_VAR:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_VAR_WORDS;
	case BTFPACK_BTF_KIND_DECL_TAG:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_DECL_TAG_WORDS;
	case BTFPACK_BTF_KIND_PTR:
	case BTFPACK_BTF_KIND_FWD:
	case BTFPACK_BTF_KIND_TYPEDEF:
	case BTFPACK_BTF_KIND_VOLATILE:
	case BTFPACK_BTF_KIND_CONST:
	case BTFPACK_BTF_KIND_RESTRICT:
	case BTFPACK_BTF_KIND_FUNC:
	case BTFPACK_BTF_KIND_FLOAT:
	case BTFPACK_BTF_KIND_TYPE_TAG:
		return BTFPACK_BTF_TYPE_WORDS;
	case BTFPACK_BTF_KIND_ARRAY:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_ARRAY_WORDS;
	case BTFPACK_BTF_KIND_STRUCT:
	case BTFPACK_BTF_KIND_UNION:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_MEMBER_WORDS * vlen;
	case BTFPACK_BTF_KIND_ENUM:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_ENUM_WORDS * vlen;
	case BTFPACK_BTF_KIND_FUNC_PROTO:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_PARAM_WORDS * vlen;
	case BTFPACK_BTF_KIND_DATASEC:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_VAR_SECINFO_WORDS * vlen;
	case BTFPACK_BTF_KIND_ENUM64:
		return BTFPACK_BTF_TYPE_WORDS + BTFPACK_BTF_ENUM64_WORDS * vlen;
	default:
		return 0;
	}
}

/* Word w of a record: struct btf_type's name_off, info and size/type, then the kind's
 * trailing data, whose words repeat per member (k: the word within the trailing data). */
static inline enum tt_role role_of(uint32_t kind, uint32_t w)
{
	if (w == BTFPACK_BTF_W_NAME)
		return TT_NAME;
	if (w == BTFPACK_BTF_W_INFO)
		return TT_DATA;
	if (w == BTFPACK_BTF_W_SIZE_TYPE) { /* a type for these kinds; a size (or 0) for the others */
		switch (kind) {
		case BTFPACK_BTF_KIND_PTR:
		case BTFPACK_BTF_KIND_TYPEDEF:
		case BTFPACK_BTF_KIND_VOLATILE:
		case BTFPACK_BTF_KIND_CONST:
		case BTFPACK_BTF_KIND_RESTRICT:
		case BTFPACK_BTF_KIND_FUNC:
		case BTFPACK_BTF_KIND_FUNC_PROTO: /* the return type */
		case BTFPACK_BTF_KIND_VAR:
		case BTFPACK_BTF_KIND_DECL_TAG:
		case BTFPACK_BTF_KIND_TYPE_TAG:
			return TT_REF;
		default:
			return TT_DATA;
		}
	}
	uint32_t k = w - BTFPACK_BTF_TYPE_WORDS;
	switch (kind) {
	case BTFPACK_BTF_KIND_ARRAY: /* type, index_type, nelems */
		return k < 2 ? TT_REF : TT_DATA;
	case BTFPACK_BTF_KIND_STRUCT: /* per member: name_off, type, offset */
	case BTFPACK_BTF_KIND_UNION:
		k %= BTFPACK_BTF_MEMBER_WORDS;
		return k == 0 ? TT_NAME : k == 1 ? TT_REF : TT_DATA;
	case BTFPACK_BTF_KIND_ENUM: /* per value: name_off, val */
		return k % BTFPACK_BTF_ENUM_WORDS == 0 ? TT_NAME : TT_DATA;
	case BTFPACK_BTF_KIND_FUNC_PROTO: /* per parameter: name_off, type */
		return k % BTFPACK_BTF_PARAM_WORDS == 0 ? TT_NAME : TT_REF;
	case BTFPACK_BTF_KIND_DATASEC: /* per variable: type, offset, size */
		return k % BTFPACK_BTF_VAR_SECINFO_WORDS == 0 ? TT_REF : TT_DATA;
	case BTFPACK_BTF_KIND_ENUM64: /* per value: name_off, val_lo32, val_hi32 */
		return k % BTFPACK_BTF_ENUM64_WORDS == 0 ? TT_NAME : TT_DATA;
	default: /* INT, VAR, DECL_TAG: one data word */
		return TT_DATA;
	}
}

enum tt_role tt_word_role(uint32_t kind, uint32_t w) { return role_of(kind, w); }

int tt_decompress(ZSTD_DCtx *dctx, void *dst, size_t dst_len, const void *src, size_t src_len)
{
	size_t got = ZSTD_decompressDCtx(dctx, dst, dst_len, src, src_len);
	return ZSTD_isError(got) || got != dst_len ? -1 : 0;
}

/* The part at *off of TYPES: its frame, and its raw size checked against the caps (total: the
 * parts before it) and the frame. 0, or the message. */
static const char *part_at(const uint8_t *sec, uint64_t len, uint64_t *off, uint64_t total, const uint8_t **frame,
			   uint64_t *flen, uint64_t *raw)
{
	if (len - *off < BTFPACK_TP_FRAME)
		return "corrupt type table";
	*raw = pf_rd64(sec + *off + BTFPACK_TP_RAW_SIZE);
	*flen = pf_rd64(sec + *off + BTFPACK_TP_FRAME_LEN);
	if (*flen > len - *off - BTFPACK_TP_FRAME)
		return "corrupt type table";
	*frame = sec + *off + BTFPACK_TP_FRAME;
	/* the size must be what the frame says, and plausible for its compressed size */
	unsigned long long fsz = ZSTD_getFrameContentSize(*frame, *flen);
	if (*raw > BTFPACK_MAX_TYPE_TABLE - total || fsz != *raw || *raw > BTFPACK_Z_MAX_RATIO * *flen + BTFPACK_Z_RATIO_SLACK)
		return "corrupt type table size";
	*off += BTFPACK_TP_FRAME + *flen;
	return NULL;
}

/* Lengths (u32 each) into n+1 offsets from 0; the sum, or UINT64_MAX past 2^32-1. */
static uint64_t offsets(const uint8_t *len, uint32_t n, uint32_t *off)
{
	uint64_t sum = 0;
	off[0] = 0;
	for (uint32_t i = 0; i < n; i++, len += BTFPACK_TT_LENGTH_SIZE) {
		sum += pf_rd32(len);
		if (sum > UINT32_MAX)
			return UINT64_MAX;
		off[i + 1] = (uint32_t)sum;
	}
	return sum;
}

int tt_load(ZSTD_DCtx *dctx, const uint8_t *sec, uint64_t len, struct tt_table *t, char *err, size_t el)
{
	memset(t, 0, sizeof(*t));
	const uint8_t *frame[BTFPACK_TT_PARTS] = {0};
	uint64_t flen[BTFPACK_TT_PARTS] = {0}, plen[BTFPACK_TT_PARTS] = {0}, off = 0, total = 0;
	const char *why = NULL;
	int rc = BTFPACK_ERR_FORMAT;
	for (unsigned k = 0; k < BTFPACK_TT_PARTS && !why; k++) {
		why = part_at(sec, len, &off, total, &frame[k], &flen[k], &plen[k]);
		total += plen[k];
	}
	if (!why && off != len)
		why = "corrupt type table";
	/* all parts into one buffer, one after the other (one byte more: an empty table is a buffer too) */
	uint8_t *part[BTFPACK_TT_PARTS] = {0};
	if (!why && !(t->raw = malloc(total + 1)))
		why = "out of memory";
	for (unsigned k = 0, at = 0; k < BTFPACK_TT_PARTS && !why; at += (unsigned)plen[k], k++) {
		part[k] = t->raw + at;
		if (tt_decompress(dctx, part[k], plen[k], frame[k], flen[k]))
			why = "type table does not decompress";
	}
	const uint64_t lw = plen[BTFPACK_TT_PART_TYPE_WORDS], ls = plen[BTFPACK_TT_PART_STRING_BYTES];
	const uint64_t lr = plen[BTFPACK_TT_PART_RECORDS];
	if (!why && (lw % BTFPACK_TT_LENGTH_SIZE || ls % BTFPACK_TT_LENGTH_SIZE || lr % BTFPACK_TT_WORD_SIZE))
		why = "corrupt type table counts";
	if (!why) {
		t->ntypes = (uint32_t)(lw / BTFPACK_TT_LENGTH_SIZE);
		t->nstrings = (uint32_t)(ls / BTFPACK_TT_LENGTH_SIZE);
		t->type_off = malloc(sizeof(uint32_t) * ((size_t)t->ntypes + 1));
		t->str_off = malloc(sizeof(uint32_t) * ((size_t)t->nstrings + 1));
		if (!t->type_off || !t->str_off)
			why = "out of memory";
	}
	if (!why) {
		/* record lengths and string lengths -> offsets, which must add up to the other parts */
		t->nwords = offsets(part[BTFPACK_TT_PART_TYPE_WORDS], t->ntypes, t->type_off);
		t->nchars = offsets(part[BTFPACK_TT_PART_STRING_BYTES], t->nstrings, t->str_off);
		if (t->nwords != lr / BTFPACK_TT_WORD_SIZE || t->nchars != plen[BTFPACK_TT_PART_CHARS])
			why = "corrupt type table lengths";
	}
	if (why) {
		if (!strcmp(why, "out of memory"))
			rc = BTFPACK_ERR_NOMEM;
		tt_free(t);
		return fail(err, el, rc, "%s", why);
	}
	t->chars = part[BTFPACK_TT_PART_CHARS];
	t->words = part[BTFPACK_TT_PART_RECORDS];
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
	if (raw_len < BTFPACK_BTF_HEADER_SIZE)
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
	/* types right after the header; strings follow, starting with "" */
	uint64_t tlen = 0;
	for (uint32_t i = 0; i < n; i++) { /* each record used: in bounds, sized as its kind says */
		uint32_t a = t->type_off[ids[i]], b = t->type_off[ids[i] + 1];
		if (b < a || b > t->nwords || b - a < BTFPACK_BTF_TYPE_WORDS)
			goto out;
		uint32_t info = table_word(t, (uint64_t)a + BTFPACK_BTF_W_INFO);
		if (tt_record_words(BTFPACK_BTF_INFO_KIND(info), BTFPACK_BTF_INFO_VLEN(info)) != b - a)
			goto out;
		tlen += (uint64_t)sizeof(uint32_t) * (b - a);
	}
	const uint64_t str_start = BTFPACK_BTF_HEADER_SIZE + tlen;
	if (str_start + 1 > raw_len)
		goto out;
	uint64_t sp = str_start;
	o[sp++] = 0;
	uint8_t *tp = o + BTFPACK_BTF_HEADER_SIZE;
	for (uint32_t i = 0; i < n; i++) {
		uint32_t a = t->type_off[ids[i]], b = t->type_off[ids[i] + 1];
		uint32_t kind = BTFPACK_BTF_INFO_KIND(table_word(t, (uint64_t)a + BTFPACK_BTF_W_INFO));
		for (uint32_t w = 0; w < b - a; w++, tp += sizeof(uint32_t)) {
			uint32_t v = table_word(t, (uint64_t)a + w);
			switch (role_of(kind, w)) {
			case TT_NAME:
				if (v) {
					if (v > t->nstrings)
						goto out;
					if (!str_at[v]) { /* first use: check and append the string */
						uint32_t sa = t->str_off[v - 1], sb = t->str_off[v];
						if (sb < sa || sb > t->nchars || memchr(t->chars + sa, 0, sb - sa) ||
						    sp - str_start > UINT32_MAX || sb - sa + 1 > raw_len - sp)
							goto out;
						str_at[v] = (uint32_t)(sp - str_start);
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
			btf_wr32(tp, v, be);
		}
	}
	if (sp != raw_len)
		goto out;
	/* struct btf_header: types at 0 and strings right after them (offsets from its end) */
	btf_wr16(o + BTFPACK_BTF_HDR_MAGIC, BTFPACK_BTF_MAGIC, be);
	o[BTFPACK_BTF_HDR_VERSION] = BTFPACK_BTF_VERSION;
	o[BTFPACK_BTF_HDR_FLAGS] = 0;
	btf_wr32(o + BTFPACK_BTF_HDR_LEN, BTFPACK_BTF_HEADER_SIZE, be);
	btf_wr32(o + BTFPACK_BTF_HDR_TYPE_OFF, 0, be);
	btf_wr32(o + BTFPACK_BTF_HDR_TYPE_LEN, (uint32_t)tlen, be);
	btf_wr32(o + BTFPACK_BTF_HDR_STR_OFF, (uint32_t)tlen, be);
	btf_wr32(o + BTFPACK_BTF_HDR_STR_LEN, (uint32_t)(sp - str_start), be);
	*out = o;
	o = NULL;
	rc = BTFPACK_OK;
out:
	free(local_of);
	free(str_at);
	free(o);
	return rc;
}
