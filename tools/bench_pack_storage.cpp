// bench_pack_storage PACK: compares ways of storing a pack's distinct BTF blobs with one-kernel
// random access (docs/FORMAT.md "Storage comparison"):
//  (a) zstd per blob with a dictionary trained on the blobs,
//  (b) zstd per blob coded against base blob(s) (raw-content dictionary, i.e. delta),
//  (c) type-level dedup: one table of distinct canonical types, each kernel a list of refs.
// (c) is what PackWriter stores; (a) and (b) are computed by the writer's storage_options.
#include <bpf/btf.h>
#include <zstd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <map>
#include <string>
#include <unordered_map>
#include <vector>

#include "btfpack/pack_writer.h"
#include "btfpack/reader.h"
#include "pack/list_codec.h"
#include "pack/type_table_builder.h"

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: bench_pack_storage PACK\n");
        return 2;
    }
    struct btfpack_pack* p;
    char err[512];
    if (btfpack_open_file(argv[1], &p, err, sizeof(err))) {
        fprintf(stderr, "%s\n", err);
        return 1;
    }
    size_t n = btfpack_count(p);
    std::vector<std::vector<uint8_t>> blobs(btfpack_blob_count(p));
    std::vector<size_t> uses(blobs.size());
    for (size_t i = 0; i < n; i++) {
        struct btfpack_entry e;
        btfpack_entry_at(p, i, &e);
        uses[e.blob_id]++;
        if (!blobs[e.blob_id].empty()) continue;
        void* d;
        size_t len;
        if (btfpack_get_btf(p, i, &d, &len, err, sizeof(err))) {
            fprintf(stderr, "%s\n", err);
            return 1;
        }
        blobs[e.blob_id].assign(static_cast<uint8_t*>(d), static_cast<uint8_t*>(d) + len);
        free(d);
    }
    size_t raw = 0;
    for (const auto& b : blobs) raw += b.size();
    printf("%zu kernels, %zu distinct blobs, %zu raw blob bytes (%.0f per blob)\n\n", n, blobs.size(), raw,
           double(raw) / std::max<size_t>(1, blobs.size()));
    printf("| storage (one-kernel random access) | shared bytes | per-blob bytes | total | bytes/kernel |\n|---|---:|---:|---:|---:|\n");
    for (const auto& o : btfpack::storage_options(blobs, uses))
        printf("| %s | %llu | %llu | %llu | %.1f |\n", o.description.c_str(), (unsigned long long)o.dict_bytes,
               (unsigned long long)o.frame_bytes, (unsigned long long)(o.dict_bytes + o.frame_bytes),
               double(o.dict_bytes + o.frame_bytes) / std::max<size_t>(1, n));

    // (c) type-level dedup, as the pack stores it (TypeTableBuilder)
    btfpack::TypeTableBuilder tt;
    std::vector<bool> be;
    std::vector<std::vector<uint32_t>> ids;
    for (const auto& b : blobs) {
        auto e = tt.add(b);
        be.push_back(e.big_endian);
        ids.push_back(e.ids);
    }
    size_t list_bytes = 0, plain_bytes = 0;
    for (const auto& l : btfpack::encode_lists(be, ids)) list_bytes += l.size();
    for (size_t i = 0; i < ids.size(); i++) plain_bytes += btfpack::encode_plain_list(be[i], ids[i]).size();
    size_t table_raw = tt.raw_bytes(), table_z = tt.section().size();
    printf("| (c) type-level dedup: %zu distinct types; table uncompressed + per-kernel lists | %zu | %zu | %zu | %.1f |\n",
           tt.types(), table_raw, list_bytes, table_raw + list_bytes, double(table_raw + list_bytes) / std::max<size_t>(1, n));
    printf("| (c) type-level dedup, table zstd-compressed (what btfpack stores) | %zu | %zu | %zu | %.1f |\n", table_z,
           list_bytes, table_z + list_bytes, double(table_z + list_bytes) / std::max<size_t>(1, n));
    printf("\n(lists: %zu bytes as plain indexes, %zu coded against similar lists; bytes/kernel exclude the index "
           "and metadata)\n", plain_bytes, list_bytes);
    btfpack_close(p);
    return 0;
}
