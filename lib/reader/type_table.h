/* The pack's shared type table (docs/FORMAT.md, TYPES): distinct BTF type records across all
 * kernels, with names as string-table indexes and type references as table indexes; a kernel's
 * BTF is rebuilt from a list of table indexes. Internal to btfpack (reader and writer); the
 * byte layout is in pack_format.h. */
#ifndef BTFPACK_TYPE_TABLE_H
#define BTFPACK_TYPE_TABLE_H

#include <stddef.h>
#include <stdint.h>
#include <zstd.h>

#ifdef __cplusplus
extern "C" {
#endif

enum tt_role { TT_DATA = 0, TT_NAME = 1, TT_REF = 2 };

/* Words (u32) of a BTF type record of this kind (BTFPACK_BTF_KIND_*) and vlen; 0 for an
 * unknown kind. */
uint32_t tt_record_words(uint32_t kind, uint32_t vlen);
/* What word w (0-based) of such a record holds: a string offset, a type id, or data. */
enum tt_role tt_word_role(uint32_t kind, uint32_t w);

struct tt_table {
	uint8_t *raw; /* the four parts, decompressed one after the other (owned) */
	uint32_t ntypes, nstrings;
	uint32_t *type_off, *str_off;      /* ntypes+1 / nstrings+1 offsets, from the stored lengths (owned) */
	const uint8_t *words;              /* records, u32 LE */
	uint64_t nwords;
	const uint8_t *chars;
	uint64_t nchars;
};

/* One zstd frame into exactly dst_len bytes, with the caller's context; 0 on success. */
int tt_decompress(ZSTD_DCtx *dctx, void *dst, size_t dst_len, const void *src, size_t src_len);
/* Decompresses (with dctx) and validates the TYPES section (its four parts, each a u64 raw
 * size, a u64 frame length and one zstd frame); on failure *t is empty and err says why. */
int tt_load(ZSTD_DCtx *dctx, const uint8_t *sec, uint64_t len, struct tt_table *t, char *err, size_t err_len);
void tt_free(struct tt_table *t);
/* Rebuilds one kernel's raw BTF from its type table indexes (type id i+1 = entry ids[i]), in
 * big-endian order if be; out is malloc'd with exactly raw_len bytes, or the call fails. */
int tt_assemble(const struct tt_table *t, const uint32_t *ids, uint32_t n, int be, uint32_t raw_len, void **out);

#ifdef __cplusplus
}
#endif
#endif
