// bench_pack_storage PACK: compares ways of storing a pack's distinct BTF blobs with one-kernel
// random access (docs/FORMAT.md "Storage comparison"):
//  (a) zstd per blob with a dictionary trained on the blobs,
//  (b) zstd per blob coded against base blob(s) (raw-content dictionary, i.e. delta),
//  (c) type-level dedup: one table of distinct canonical types, each kernel a list of refs.
// (a) and (b) are what PackWriter chooses from; (c) is estimated here.
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

namespace {

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

size_t zstd_size(const std::vector<uint8_t>& b) {
    std::vector<uint8_t> out(ZSTD_compressBound(b.size()));
    return ZSTD_compress(out.data(), out.size(), b.data(), b.size(), 19);
}

// Per type of one BTF: record size (with its strings), local content hash, references.
struct TypeInfo {
    size_t bytes;
    uint64_t local;
    std::vector<uint32_t> refs;
};

std::vector<TypeInfo> types_of(const struct btf* b) {
    std::vector<TypeInfo> out(btf__type_cnt(b));
    auto str = [&](uint32_t off) { return std::string(btf__name_by_offset(b, off) ? btf__name_by_offset(b, off) : ""); };
    std::hash<std::string> hs;
    for (uint32_t i = 1; i < btf__type_cnt(b); i++) {
        const struct btf_type* t = btf__type_by_id(b, i);
        TypeInfo& ti = out[i];
        std::string name = str(t->name_off);
        ti.bytes = 12 + name.size() + 1;
        uint64_t h = mix(mix(hs(name), t->info), btf_is_ptr(t) || btf_is_typedef(t) || btf_is_mod(t) || btf_is_func(t) ? 0 : t->size);
        uint16_t vlen = btf_vlen(t);
        switch (btf_kind(t)) {
        case BTF_KIND_INT: ti.bytes += 4; h = mix(h, *reinterpret_cast<const uint32_t*>(t + 1)); break;
        case BTF_KIND_ARRAY: ti.bytes += 12; h = mix(h, btf_array(t)->nelems); ti.refs = {btf_array(t)->type}; break;
        case BTF_KIND_STRUCT: case BTF_KIND_UNION:
            for (uint16_t k = 0; k < vlen; k++) {
                const struct btf_member* m = btf_members(t) + k;
                std::string mn = str(m->name_off);
                ti.bytes += 12 + mn.size() + 1;
                h = mix(mix(h, hs(mn)), m->offset);
                ti.refs.push_back(m->type);
            }
            break;
        case BTF_KIND_ENUM:
            for (uint16_t k = 0; k < vlen; k++) {
                std::string en = str(btf_enum(t)[k].name_off);
                ti.bytes += 8 + en.size() + 1;
                h = mix(mix(h, hs(en)), uint32_t(btf_enum(t)[k].val));
            }
            break;
        case BTF_KIND_ENUM64:
            for (uint16_t k = 0; k < vlen; k++) {
                std::string en = str(btf_enum64(t)[k].name_off);
                ti.bytes += 12 + en.size() + 1;
                h = mix(mix(h, hs(en)), btf_enum64_value(btf_enum64(t) + k));
            }
            break;
        case BTF_KIND_FUNC_PROTO:
            ti.refs.push_back(t->type);
            for (uint16_t k = 0; k < vlen; k++) {
                ti.bytes += 8;
                ti.refs.push_back(btf_params(t)[k].type);
            }
            break;
        default:
            ti.refs.push_back(t->type);
            break;
        }
        ti.local = h;
    }
    return out;
}

void varint(std::vector<uint8_t>& b, uint32_t v) {
    do {
        b.push_back(uint8_t((v & 0x7f) | (v > 0x7f ? 0x80 : 0)));
        v >>= 7;
    } while (v);
}

}  // namespace

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

    // (c) type-level dedup: WL-refined content hashes make equal types across blobs one entry
    std::unordered_map<uint64_t, uint32_t> global;  // refined hash -> global id
    std::vector<uint8_t> table_stub;                // stand-in bytes of the table, for compression
    size_t table_bytes = 0, list_bytes = 0, list_zstd = 0;
    for (const auto& b : blobs) {
        struct btf* bt = btf__new(b.data(), b.size());
        if (!bt) continue;
        auto ts = types_of(bt);
        std::vector<uint64_t> h(ts.size());
        for (size_t i = 1; i < ts.size(); i++) h[i] = ts[i].local;
        for (int round = 0; round < 16; round++) {
            std::vector<uint64_t> nh(h);
            for (size_t i = 1; i < ts.size(); i++) {
                uint64_t x = ts[i].local;
                for (uint32_t r : ts[i].refs) x = mix(x, r < h.size() ? h[r] : 0);
                nh[i] = x;
            }
            h.swap(nh);
        }
        std::vector<uint8_t> list;
        for (size_t i = 1; i < ts.size(); i++) {
            auto it = global.find(h[i]);
            if (it == global.end()) {
                it = global.emplace(h[i], uint32_t(global.size())).first;
                table_bytes += ts[i].bytes;
                const uint8_t* rec = reinterpret_cast<const uint8_t*>(btf__type_by_id(bt, uint32_t(i)));
                table_stub.insert(table_stub.end(), rec, rec + std::min<size_t>(ts[i].bytes, 12));
            }
            varint(list, it->second);
        }
        list_bytes += list.size();
        list_zstd += std::min(zstd_size(list), list.size());
        btf__free(bt);
    }
    size_t table_z = zstd_size(table_stub) * table_bytes / std::max<size_t>(1, table_stub.size());
    printf("| type-level dedup: %zu distinct types; table uncompressed (readable in place) + per-kernel ref lists | %zu | %zu | %zu | %.1f |\n",
           global.size(), table_bytes, list_zstd, table_bytes + list_zstd, double(table_bytes + list_zstd) / std::max<size_t>(1, n));
    printf("| type-level dedup, table zstd-compressed (whole table decompressed at open) | ~%zu | %zu | ~%zu | %.1f |\n",
           table_z, list_zstd, table_z + list_zstd, double(table_z + list_zstd) / std::max<size_t>(1, n));
    printf("\n(ref lists: %zu bytes as varints, %zu after per-kernel zstd; index entries not included)\n", list_bytes, list_zstd);
    btfpack_close(p);
    return 0;
}
