/* The btfpack pack format, version 1: every number that fixes a pack's bytes, in one place.
 *
 * docs/FORMAT.md is the prose description; it names these constants next to the bytes they
 * describe. The writer (lib/pack/, C++) and the reader (lib/reader/, C) both include this
 * header, so neither side spells a format number of its own. The Go reader (go/btfpack/format.go)
 * mirrors this file: constants, then the byte helpers at the end.
 *
 * Conventions: all integers are little-endian, whatever the host (BTF records are the
 * exception: they are in the blob's own byte order, see BTFPACK_LIST_BIG_ENDIAN); all file
 * offsets are from the start of the file; section-internal offsets are from the section's
 * start. "off" constants are byte offsets of a field within its structure; the field's width
 * is given in its comment.
 *
 * Internal to btfpack (not installed): C11 and C++17, depends on nothing but <stdint.h>/<stddef.h>. */
#ifndef BTFPACK_PACK_FORMAT_H
#define BTFPACK_PACK_FORMAT_H

#include <stddef.h>
#include <stdint.h>

/* ---- File layout: header, section table, sections, footer ---------------------------------- */

#define BTFPACK_MAGIC "BTFPACK\0"  /* file bytes 0..7 */
#define BTFPACK_END_MAGIC "BTFPEND\0" /* the last 8 bytes of the file */
#define BTFPACK_MAGIC_LEN 8u        /* bytes of either magic, its \0 included */

#define BTFPACK_VERSION_MAJOR 2u /* a reader rejects any other major (1: TYPES as one frame) */
#define BTFPACK_VERSION_MINOR 0u /* a reader accepts any minor (additions only) */

/* Header: the first BTFPACK_HEADER_SIZE bytes of the file. */
#define BTFPACK_HEADER_SIZE 64u
#define BTFPACK_HDR_MAGIC 0u          /* 8 bytes  BTFPACK_MAGIC */
#define BTFPACK_HDR_VERSION_MAJOR 8u  /* u16      BTFPACK_VERSION_MAJOR */
#define BTFPACK_HDR_VERSION_MINOR 10u /* u16      BTFPACK_VERSION_MINOR */
#define BTFPACK_HDR_FLAGS 12u         /* u32      0 (reserved) */
#define BTFPACK_HDR_FILE_SIZE 16u     /* u64      file size in bytes (truncation check) */
#define BTFPACK_HDR_SECTION_COUNT 24u /* u32      entries in the section table, <= BTFPACK_MAX_SECTIONS */
#define BTFPACK_HDR_MAX_RAW 28u       /* u32      largest rebuilt BTF, <= BTFPACK_MAX_BTF_SIZE */
#define BTFPACK_HDR_SECTION_TABLE 32u /* u64      file offset of the section table */
#define BTFPACK_HDR_KERNELS 40u       /* u64      index entries */
#define BTFPACK_HDR_BLOBS 48u         /* u64      distinct BTF blobs (blob table entries) */
#define BTFPACK_HDR_CHECKSUM 56u      /* u64      XXH3-64 of header bytes [0, BTFPACK_HDR_CHECKSUM) */

/* Section table: BTFPACK_HDR_SECTION_COUNT entries of BTFPACK_SECTION_ENTRY_SIZE bytes. The
 * writer puts it right after the header; a reader takes the offset from the header. */
#define BTFPACK_SECTION_ENTRY_SIZE 32u
#define BTFPACK_SE_TYPE 0u      /* u32  a BTFPACK_SECTION_* id; unknown ids are skipped */
#define BTFPACK_SE_RESERVED 4u  /* u32  0 */
#define BTFPACK_SE_OFFSET 8u    /* u64  file offset of the section */
#define BTFPACK_SE_LENGTH 16u   /* u64  section length in bytes */
#define BTFPACK_SE_CHECKSUM 24u /* u64  XXH3-64 of the section's bytes */

/* Section ids (BTFPACK_SE_TYPE). 5 was never written and is not to be reused. */
#define BTFPACK_SECTION_META 1u       /* build metadata (compressed section, below) */
#define BTFPACK_SECTION_INDEX 2u      /* kernel key -> blob id */
#define BTFPACK_SECTION_SOURCES 3u    /* per kernel: XXH3-64 of its archive file (build --update) */
#define BTFPACK_SECTION_BLOB_TABLE 4u /* per blob: where its list is, its size and checksum */
#define BTFPACK_SECTION_BLOBS 6u      /* the blobs' lists of type table indexes */
#define BTFPACK_SECTION_TYPES 7u      /* the shared type table (compressed section, below) */

/* Footer: the last BTFPACK_FOOTER_SIZE bytes of the file (offsets from the footer's start). */
#define BTFPACK_FOOTER_SIZE 16u
#define BTFPACK_FT_CHECKSUM 0u /* u64      XXH3-64 of every byte before the footer */
#define BTFPACK_FT_MAGIC 8u    /* 8 bytes  BTFPACK_END_MAGIC */

/* ---- Sections ------------------------------------------------------------------------------ */

/* A compressed section (META): the raw size, then one zstd frame whose declared content size
 * must equal it. */
#define BTFPACK_Z_RAW_SIZE 0u /* u64  decompressed size */
#define BTFPACK_Z_FRAME 8u    /* the zstd frame, to the end of the section */

/* INDEX: a header, block offsets, then front-coded blocks of BTFPACK_INDEX_BLOCK_ENTRIES
 * entries, each entry = varint shared, varint suffix_len, suffix bytes, varint blob_id
 * (shared = 0 for the first entry of a block). Keys are "distro/version/arch/kernel-release",
 * sorted bytewise, at most BTFPACK_MAX_KEY_LEN bytes. */
#define BTFPACK_IX_ENTRY_COUNT 0u   /* u32  entries (= BTFPACK_HDR_KERNELS) */
#define BTFPACK_IX_BLOCK_COUNT 4u   /* u32  ceil(entries / BTFPACK_INDEX_BLOCK_ENTRIES) */
#define BTFPACK_IX_BLOCK_OFFSETS 8u /* u32[block count]  each block's offset from the section start */
#define BTFPACK_IX_BLOCK_OFFSET_SIZE 4u
#define BTFPACK_INDEX_BLOCK_ENTRIES 16u

/* SOURCES: one u64 per index entry, in index order. */
#define BTFPACK_SOURCE_ENTRY_SIZE 8u

/* BLOB_TABLE: BTFPACK_HDR_BLOBS entries of BTFPACK_BLOB_ENTRY_SIZE bytes. */
#define BTFPACK_BLOB_ENTRY_SIZE 24u
#define BTFPACK_BE_LIST_OFFSET 0u /* u64  offset of the blob's list in BLOBS */
#define BTFPACK_BE_LIST_LEN 8u    /* u32  its length in bytes */
#define BTFPACK_BE_RAW_LEN 12u    /* u32  size of the rebuilt BTF, <= BTFPACK_HDR_MAX_RAW */
#define BTFPACK_BE_CHECKSUM 16u   /* u64  XXH3-64 of the rebuilt BTF */

/* BLOBS: a list is a flags byte, then
 *   plain: varint n, n varints (type table indexes; BTF type id i+1 = entry i), or
 *   delta (BTFPACK_LIST_DELTA): varint base_blob, varint n, then (skip, copy, insert) varint
 *          triplets over the base blob's list, each followed by `insert` varint indexes,
 *          until n indexes are produced; base chains are at most BTFPACK_MAX_DELTA_DEPTH deep. */
#define BTFPACK_LIST_BIG_ENDIAN 0x01u /* flags: rebuild the BTF big-endian */
#define BTFPACK_LIST_DELTA 0x02u      /* flags: coded against a base blob's list */
#define BTFPACK_MAX_DELTA_DEPTH 8
#define BTFPACK_LIST_MIN_LEN 2u /* flags byte + at least a one-byte varint */

/* TYPES: BTFPACK_TT_PARTS compressed parts, one after the other, each a u64 raw size, a u64
 * frame length and one zstd frame whose declared content size must equal the raw size. The
 * parts, decompressed: the record lengths (u32 words each; type_count = raw size / 4), the
 * string lengths (u32 bytes each; string_count = raw size / 4), the string bytes (no NULs),
 * the records (u32 words, little-endian). In a record, a name word holds string index + 1 (0:
 * no name) and a type reference holds table index + 1 (0: void); which word is which follows
 * from the kind (reader/type_table.c, tt_word_role). */
#define BTFPACK_TT_PARTS 4u
#define BTFPACK_TT_PART_TYPE_WORDS 0u   /* u32 per record */
#define BTFPACK_TT_PART_STRING_BYTES 1u /* u32 per string */
#define BTFPACK_TT_PART_CHARS 2u
#define BTFPACK_TT_PART_RECORDS 3u
#define BTFPACK_TP_RAW_SIZE 0u  /* u64  decompressed size */
#define BTFPACK_TP_FRAME_LEN 8u /* u64  the frame's length */
#define BTFPACK_TP_FRAME 16u    /* the zstd frame */
#define BTFPACK_TT_LENGTH_SIZE 4u  /* bytes per stored length */
#define BTFPACK_TT_WORD_SIZE 4u    /* bytes per record word */

/* LEB128 varints (INDEX, BLOBS): 7 bits a byte, low first, high bit = more; a u32, so at most
 * BTFPACK_VARINT_MAX bytes. */
#define BTFPACK_VARINT_MAX 5u

/* ---- Caps: the reader checks these before it allocates or loops. The writer checks the key and
 * BTF sizes when a kernel is added; its read-back of every pack it writes catches the rest. ---- */

#define BTFPACK_MAX_SECTIONS 16u            /* section table entries */
#define BTFPACK_MAX_KEY_LEN 511u            /* index key bytes (struct btfpack_entry.key holds +1) */
#define BTFPACK_MAX_BTF_SIZE (16u << 20)    /* a rebuilt BTF: minimized ones are KBs, a full kernel ~10 MB */
#define BTFPACK_MAX_TYPE_TABLE (16u << 20)  /* decompressed TYPES, all parts */
#define BTFPACK_MAX_META (1u << 20)         /* decompressed META; a reader shows "" beyond */
/* A TYPES part whose raw size exceeds BTFPACK_Z_MAX_RATIO x its frame size +
 * BTFPACK_Z_RATIO_SLACK is rejected before anything is allocated. */
#define BTFPACK_Z_MAX_RATIO 1024u
#define BTFPACK_Z_RATIO_SLACK 4096u

/* ---- BTF, as far as the pack rebuilds it (linux/btf.h; kept here so the reader needs no
 * kernel or libbpf headers) ------------------------------------------------------------------ */

#define BTFPACK_BTF_MAGIC 0xeb9fu
#define BTFPACK_BTF_VERSION 1u
#define BTFPACK_BTF_HEADER_SIZE 24u /* struct btf_header; types start right after it */
#define BTFPACK_BTF_HDR_MAGIC 0u    /* u16  BTFPACK_BTF_MAGIC (in the BTF's byte order) */
#define BTFPACK_BTF_HDR_VERSION 2u  /* u8   BTFPACK_BTF_VERSION */
#define BTFPACK_BTF_HDR_FLAGS 3u    /* u8   0 */
#define BTFPACK_BTF_HDR_LEN 4u      /* u32  BTFPACK_BTF_HEADER_SIZE */
#define BTFPACK_BTF_HDR_TYPE_OFF 8u /* u32  types offset (after the header) */
#define BTFPACK_BTF_HDR_TYPE_LEN 12u
#define BTFPACK_BTF_HDR_STR_OFF 16u
#define BTFPACK_BTF_HDR_STR_LEN 20u

/* struct btf_type: BTFPACK_BTF_TYPE_WORDS u32 words, then the kind's trailing data. */
#define BTFPACK_BTF_TYPE_WORDS 3u
#define BTFPACK_BTF_W_NAME 0u      /* name_off */
#define BTFPACK_BTF_W_INFO 1u      /* info: vlen, kind, kind_flag */
#define BTFPACK_BTF_W_SIZE_TYPE 2u /* size or type */
#define BTFPACK_BTF_INFO_KIND(info) (((info) >> 24) & 0x1fu)
#define BTFPACK_BTF_INFO_VLEN(info) ((info) & 0xffffu)

#define BTFPACK_BTF_KIND_INT 1u
#define BTFPACK_BTF_KIND_PTR 2u
#define BTFPACK_BTF_KIND_ARRAY 3u
#define BTFPACK_BTF_KIND_STRUCT 4u
#define BTFPACK_BTF_KIND_UNION 5u
#define BTFPACK_BTF_KIND_ENUM 6u
#define BTFPACK_BTF_KIND_FWD 7u
#define BTFPACK_BTF_KIND_TYPEDEF 8u
#define BTFPACK_BTF_KIND_VOLATILE 9u
#define BTFPACK_BTF_KIND_CONST 10u
#define BTFPACK_BTF_KIND_RESTRICT 11u
#define BTFPACK_BTF_KIND_FUNC 12u
#define BTFPACK_BTF_KIND_FUNC_PROTO 13u
#define BTFPACK_BTF_KIND_VAR 14u
#define BTFPACK_BTF_KIND_DATASEC 15u
#define BTFPACK_BTF_KIND_FLOAT 16u
#define BTFPACK_BTF_KIND_DECL_TAG 17u
#define BTFPACK_BTF_KIND_TYPE_TAG 18u
#define BTFPACK_BTF_KIND_ENUM64 19u

/* Trailing u32 words after struct btf_type: once, or per vlen entry (linux/btf.h structs). */
#define BTFPACK_BTF_INT_WORDS 1u          /* INT: encoding, offset, bits */
#define BTFPACK_BTF_VAR_WORDS 1u          /* struct btf_var: linkage */
#define BTFPACK_BTF_DECL_TAG_WORDS 1u     /* struct btf_decl_tag: component_idx */
#define BTFPACK_BTF_ARRAY_WORDS 3u        /* struct btf_array: type, index_type, nelems */
#define BTFPACK_BTF_MEMBER_WORDS 3u       /* per struct btf_member: name_off, type, offset */
#define BTFPACK_BTF_ENUM_WORDS 2u         /* per struct btf_enum: name_off, val */
#define BTFPACK_BTF_PARAM_WORDS 2u        /* per struct btf_param: name_off, type */
#define BTFPACK_BTF_VAR_SECINFO_WORDS 3u  /* per struct btf_var_secinfo: type, offset, size */
#define BTFPACK_BTF_ENUM64_WORDS 3u       /* per struct btf_enum64: name_off, val_lo32, val_hi32 */

/* ---- Byte helpers: the one definition of the encodings above ------------------------------- */

/* The n bytes at p as a little-endian number. */
static inline uint64_t pf_rd(const uint8_t *p, unsigned n)
{
	uint64_t v = 0;
	for (unsigned i = 0; i < n; i++)
		v |= (uint64_t)p[i] << (8 * i);
	return v;
}
static inline uint16_t pf_rd16(const uint8_t *p) { return (uint16_t)pf_rd(p, 2); }
static inline uint32_t pf_rd32(const uint8_t *p) { return (uint32_t)pf_rd(p, 4); }
static inline uint64_t pf_rd64(const uint8_t *p) { return pf_rd(p, 8); }

/* The low n bytes of v at p, little-endian. */
static inline void pf_wr(uint8_t *p, uint64_t v, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}
static inline void pf_wr16(uint8_t *p, uint16_t v) { pf_wr(p, v, 2); }
static inline void pf_wr32(uint8_t *p, uint32_t v) { pf_wr(p, v, 4); }
static inline void pf_wr64(uint8_t *p, uint64_t v) { pf_wr(p, v, 8); }

/* Writes v as a varint into out (room for BTFPACK_VARINT_MAX bytes); returns the bytes used. */
static inline size_t pf_varint_write(uint8_t *out, uint32_t v)
{
	size_t n = 0;
	do {
		uint8_t c = v & 0x7f;
		v >>= 7;
		out[n++] = (uint8_t)(c | (v ? 0x80 : 0));
	} while (v);
	return n;
}

/* Reads a varint of at most BTFPACK_VARINT_MAX bytes within [*p, end) and advances *p;
 * 0 on success, -1 if it runs past end, is longer, or exceeds a u32. */
static inline int pf_varint_read(const uint8_t **p, const uint8_t *end, uint32_t *v)
{
	uint64_t x = 0;
	for (unsigned i = 0; i < BTFPACK_VARINT_MAX; i++) {
		if (*p >= end)
			return -1;
		uint8_t b = *(*p)++;
		x |= (uint64_t)(b & 0x7f) << (7 * i);
		if (!(b & 0x80))
			return x > UINT32_MAX ? -1 : (*v = (uint32_t)x, 0);
	}
	return -1;
}

#ifdef __cplusplus
/* The writer's side: the same encodings appended to a byte vector. */
#include <vector>

namespace btfpack::pf {

/* The low n bytes of v, little-endian, appended to b. */
inline void put(std::vector<uint8_t>& b, uint64_t v, unsigned n)
{
	b.resize(b.size() + n);
	pf_wr(b.data() + b.size() - n, v, n);
}
inline void put32(std::vector<uint8_t>& b, uint32_t v) { put(b, v, 4); }
inline void put64(std::vector<uint8_t>& b, uint64_t v) { put(b, v, 8); }
inline void put_varint(std::vector<uint8_t>& b, uint32_t v)
{
	uint8_t tmp[BTFPACK_VARINT_MAX];
	b.insert(b.end(), tmp, tmp + pf_varint_write(tmp, v));
}

}  // namespace btfpack::pf
#endif

#endif
