/* btfpack reader: find the minimized BTF of a kernel in a btfpack pack (docs/FORMAT.md).
 * C API, usable from C and C++; depends only on libzstd and libc. Every offset, length and
 * count in the pack is bounds-checked; a corrupt pack gives an error, never a crash.
 *
 * Threads: btfpack_open_* does all the decompressing (the metadata and the shared type table)
 * and the handle never changes after it. So the functions taking a const handle may be called
 * on the same handle from any number of threads at once, with no locking; only btfpack_close
 * must not run while another call on that handle does. Everything the reader allocates belongs
 * to a handle (freed by btfpack_close) or is returned to the caller (btfpack_get_btf's buffer),
 * but for one zstd decompression context kept for the process's next open (taken and given
 * back atomically, so any thread may open at any time; about 100 KB).
 *
 * Typical use:
 *   struct btfpack_pack *p; char err[256];
 *   if (btfpack_open_file("btfs.pack", &p, err, sizeof(err))) { fprintf(stderr, "%s\n", err); ... }
 *   size_t i;
 *   if (btfpack_find(p, "ubuntu", "20.04", "x86_64", "5.4.0-1045-aws", &i) == 0) {
 *       void *btf; size_t len;
 *       if (btfpack_get_btf(p, i, &btf, &len, err, sizeof(err)) == 0) { ...; free(btf); }
 *   }
 *   btfpack_close(p);
 */
#ifndef BTFPACK_READER_H
#define BTFPACK_READER_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Return codes (0 is success). */
enum btfpack_status {
	BTFPACK_OK = 0,
	BTFPACK_ERR_IO = -1,        /* cannot open/read/map the file */
	BTFPACK_ERR_FORMAT = -2,    /* not a pack, unsupported version, or corrupt/truncated */
	BTFPACK_ERR_CHECKSUM = -3,  /* a checksum does not match */
	BTFPACK_ERR_NOT_FOUND = -4, /* no such kernel in the pack */
	BTFPACK_ERR_NOMEM = -5,
};

struct btfpack_pack;

/* One index entry, copied out of the pack: the struct holds its own bytes (no pointers). */
struct btfpack_entry {
	char key[512];      /* "distro/version/arch/kernel-release" */
	uint32_t blob_id;   /* entries with equal blob_id share one BTF */
};

/* Open a pack from a file (mmap) or from memory (not copied: it must stay unchanged until
 * btfpack_close). Validates header, section table, footer and the whole-file checksum up
 * front, and decompresses the metadata and the type table (a type table that does not load is
 * reported by btfpack_get_btf; listing and lookup still work). On error returns a
 * btfpack_status and, if err is not NULL, a message naming the problem. */
int btfpack_open_file(const char *path, struct btfpack_pack **out, char *err, size_t err_len);
int btfpack_open_memory(const void *data, size_t size, struct btfpack_pack **out, char *err, size_t err_len);
void btfpack_close(struct btfpack_pack *pack);

/* Number of kernels, and of distinct BTF blobs. */
size_t btfpack_count(const struct btfpack_pack *pack);
size_t btfpack_blob_count(const struct btfpack_pack *pack);
/* The META text (key=value lines), NUL-terminated, owned by the pack until btfpack_close
 * ("" if unreadable). */
const char *btfpack_meta(const struct btfpack_pack *pack);

/* Entry i (0 <= i < count), in key order. */
int btfpack_entry_at(const struct btfpack_pack *pack, size_t i, struct btfpack_entry *out);
/* Exact lookup; *index receives the entry number. BTFPACK_ERR_NOT_FOUND if absent. */
int btfpack_find(const struct btfpack_pack *pack, const char *distro, const char *version,
		 const char *arch, const char *kernel, size_t *index);
/* XXH3-64 of the archive file entry i was built from, for incremental builds. */
int btfpack_source_at(const struct btfpack_pack *pack, size_t i, uint64_t *hash);
/* Rebuild entry i's raw BTF from the type table into a malloc'd buffer (caller frees),
 * checking its checksum. */
int btfpack_get_btf(const struct btfpack_pack *pack, size_t i, void **data, size_t *size,
		    char *err, size_t err_len);

#ifdef __cplusplus
}
#endif
#endif
