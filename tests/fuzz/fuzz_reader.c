/* libFuzzer target: open a pack from memory, list, find and decompress. The reader must never
 * crash, read out of bounds or allocate without bound, whatever the input. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "btfpack/reader.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct btfpack_pack *p = NULL;
	char err[256];
	if (btfpack_open_memory(data, size, &p, err, sizeof(err)) != BTFPACK_OK)
		return 0;
	size_t n = btfpack_count(p);
	for (size_t i = 0; i < n && i < 64; i++) {
		struct btfpack_entry e;
		if (btfpack_entry_at(p, i, &e) != BTFPACK_OK)
			continue;
		char key[sizeof(e.key)];
		memcpy(key, e.key, sizeof(key));
		char *parts[4] = {key, "", "", ""};
		for (int k = 1; k < 4; k++) {
			char *s = strchr(parts[k - 1], '/');
			if (!s)
				break;
			*s = 0;
			parts[k] = s + 1;
		}
		size_t idx;
		btfpack_find(p, parts[0], parts[1], parts[2], parts[3], &idx);
		void *btf;
		size_t len;
		if (btfpack_get_btf(p, i, &btf, &len, err, sizeof(err)) == BTFPACK_OK)
			free(btf);
		uint64_t shash;
		btfpack_source_at(p, i, &shash);
	}
	size_t idx;
	btfpack_find(p, "debian", "12", "x86_64", "6.1.0-50-amd64", &idx);
	(void)btfpack_meta(p);
	btfpack_close(p);
	return 0;
}
