// Pack writing (see pack_writer.h and docs/FORMAT.md).
#include "btfpack/pack_writer.h"

#include <zdict.h>
#include <zstd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <future>
#include <memory>

#include "btfpack/error.h"
#include "btfpack/file_io.h"
#include "btfpack/reader.h"
#include "pack/compressed_section.h"
#include "pack/list_codec.h"
#include "pack/type_table_builder.h"
#include "pack/type_table_compressor.h"
#include "reader/pack_format.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

namespace btfpack {

uint64_t hash64(const void* data, size_t size) { return XXH3_64bits(data, size); }

uint64_t hash64_file(const std::string& path, uint64_t* size) {
    std::unique_ptr<FILE, int (*)(FILE*)> f(std::fopen(path.c_str(), "rb"), std::fclose);
    if (!f) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
    std::unique_ptr<XXH3_state_t, XXH_errorcode (*)(XXH3_state_t*)> st(XXH3_createState(), XXH3_freeState);
    XXH3_64bits_reset(st.get());
    std::vector<uint8_t> buf(1 << 16);
    *size = 0;
    for (size_t n; (n = std::fread(buf.data(), 1, buf.size(), f.get())) > 0; *size += n) XXH3_64bits_update(st.get(), buf.data(), n);
    if (std::ferror(f.get())) throw Error(path, "read error");
    return XXH3_64bits_digest(st.get());
}

namespace {

constexpr int kLevel = 19;  // the per-blob zstd alternatives (storage_options)

using pf::put64;
using pf::put_varint;

// n zero bytes appended to b (a fixed-size structure, filled in at its field offsets); returns
// where they start.
size_t reserve(std::vector<uint8_t>& b, size_t n) {
    b.resize(b.size() + n);
    return b.size() - n;
}

struct Compressed {
    std::vector<uint8_t> dict;
    std::vector<std::vector<uint8_t>> frames;
    uint64_t total = 0;
    std::string storage;
};

Compressed compress_all(const std::vector<const std::vector<uint8_t>*>& blobs, std::vector<uint8_t> dict,
                        std::string storage) {
    Compressed c;
    c.dict = std::move(dict);
    c.storage = std::move(storage);
    std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    std::unique_ptr<ZSTD_CDict, size_t (*)(ZSTD_CDict*)> cdict(
        c.dict.empty() ? nullptr : ZSTD_createCDict(c.dict.data(), c.dict.size(), kLevel), ZSTD_freeCDict);
    if (!cctx || (!c.dict.empty() && !cdict)) throw Error("zstd: cannot create compression context");
    for (const auto* b : blobs) {
        std::vector<uint8_t> out(ZSTD_compressBound(b->size()));
        size_t n = cdict ? ZSTD_compress_usingCDict(cctx.get(), out.data(), out.size(), b->data(), b->size(), cdict.get())
                         : ZSTD_compressCCtx(cctx.get(), out.data(), out.size(), b->data(), b->size(), kLevel);
        if (ZSTD_isError(n)) throw Error(std::string("zstd: ") + ZSTD_getErrorName(n));
        out.resize(n);
        c.total += n;
        c.frames.push_back(std::move(out));
    }
    c.total += c.dict.size();
    return c;
}

// The per-blob zstd alternatives measured against the type table (storage_options): no
// dictionary, dictionaries trained on the blobs, the most used blobs as a raw-content
// dictionary (delta coding against a base). on_option sees each one.
template <typename F>
void each_storage(const std::vector<const std::vector<uint8_t>*>& blobs, const std::vector<size_t>& uses, F on_option) {
    on_option(compress_all(blobs, {}, "zstd -19, no dictionary"));
    if (blobs.size() < 2) return;
    std::vector<uint8_t> samples;
    std::vector<size_t> sizes;
    for (const auto* b : blobs) {
        samples.insert(samples.end(), b->begin(), b->end());
        sizes.push_back(b->size());
    }
    for (size_t cap : {size_t(4096), size_t(16384), size_t(65536), size_t(112640)}) {
        if (cap > samples.size() / 2 && cap != 4096) break;
        std::vector<uint8_t> dict(cap);
        size_t n = ZDICT_trainFromBuffer(dict.data(), dict.size(), samples.data(), sizes.data(), unsigned(sizes.size()));
        if (ZDICT_isError(n)) continue;
        dict.resize(n);
        on_option(compress_all(blobs, dict, "zstd -19, dictionary trained on the blobs (" + std::to_string(n) + " bytes)"));
    }
    // raw-content dictionary: the most used blobs, most used last (zstd prefers recent content)
    std::vector<size_t> order(blobs.size());
    for (size_t i = 0; i < order.size(); i++) order[i] = i;
    std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) { return uses[a] > uses[b]; });
    std::vector<uint8_t> base;
    for (size_t k = 0; k < order.size() && k < 4; k++) {
        const auto* b = blobs[order[k]];
        if (base.size() + b->size() > 65536) break;
        base.insert(base.begin(), b->begin(), b->end());
        on_option(compress_all(blobs, base, "zstd -19, delta against " + std::to_string(k + 1) +
                                                " base blob(s) as raw dictionary (" + std::to_string(base.size()) + " bytes)"));
    }
}

}  // namespace

std::vector<StorageOption> storage_options(const std::vector<std::vector<uint8_t>>& blobs, const std::vector<size_t>& uses) {
    std::vector<const std::vector<uint8_t>*> ptrs;
    for (const auto& b : blobs) ptrs.push_back(&b);
    std::vector<StorageOption> out;
    each_storage(ptrs, uses, [&](Compressed c) { out.push_back({c.storage, c.dict.size(), c.total - c.dict.size()}); });
    return out;
}

PackWriter::PackWriter() : types_(std::make_shared<TypeTableBuilder>()), stream_(std::make_shared<TypeTableCompressor>(true)) {}

std::vector<uint8_t> PackWriter::types_section() const {
    if (streamed_segments_ == SIZE_MAX) {
        streamed_section_ = stream_->finish();
        streamed_segments_ = stream_->segments();
    }
    if (streamed_segments_ == types_->segments()) return streamed_section_;
    return types_->section();  // kernels added since: the same bytes, made now
}

void PackWriter::add_kernel(const KernelKey& key, std::vector<uint8_t> btf, uint64_t source_hash) {
    for (const std::string* part : {&key.distro, &key.version, &key.arch, &key.kernel})
        if (part->empty() || part->find('/') != std::string::npos || part->find('\0') != std::string::npos)
            throw Error(key.str(), "invalid kernel name component");
    if (key.str().size() > BTFPACK_MAX_KEY_LEN) throw Error(key.str(), "kernel name too long");
    if (btf.size() < BTFPACK_BTF_HEADER_SIZE || btf.size() > BTFPACK_MAX_BTF_SIZE)
        throw Error(key.str(), "BTF size out of range (24 B to 16 MiB)");
    // identical BTFs are stored once: found by hash, confirmed by comparing the bytes
    uint64_t h = hash64(btf.data(), btf.size());
    size_t id = blobs_.size();
    for (auto [it, end] = blob_ids_.equal_range(h); it != end; ++it)
        if (blobs_[it->second] == btf) id = it->second;
    if (id == blobs_.size()) {
        size_t segments = types_->segments();
        TypeTableBuilder::Entry e = types_->add(btf);  // may throw: nothing added yet
        if (types_->segments() > segments && streamed_segments_ == SIZE_MAX) stream_->append(types_->segment(segments));
        blob_lists_.push_back(std::move(e.ids));
        blob_big_endian_.push_back(e.big_endian);
        blob_ids_.emplace(h, id);
        blobs_.push_back(std::move(btf));
    }
    if (!keys_.insert(key.str()).second) throw Error(key.str(), "kernel added twice");
    entries_.push_back({key, id, source_hash});
}

std::vector<uint8_t> PackWriter::serialize(PackStats* stats) const {
    std::vector<Entry> entries = entries_;
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.key < b.key; });
    // blob ids in order of first use, so equal inputs give equal packs
    std::vector<long> remap(blobs_.size(), -1);
    std::vector<const std::vector<uint8_t>*> blobs;
    std::vector<size_t> uses;
    for (auto& e : entries) {
        if (remap[e.blob] < 0) {
            remap[e.blob] = long(blobs.size());
            blobs.push_back(&blobs_[e.blob]);
            uses.push_back(0);
        }
        e.blob = size_t(remap[e.blob]);
        uses[e.blob]++;
    }
    // distinct BTFs as lists into one shared type table (the smallest storage measured, see
    // docs/FORMAT.md), lists coded against similar ones; the reader is run on the result below
    // Blobs first used in key order, as build adds them, are already in the table in that order;
    // otherwise it is built again in that order.
    bool in_order = true;
    for (size_t i = 0; i < remap.size(); i++) in_order &= remap[i] == long(i);
    TypeTableBuilder rebuilt;
    const TypeTableBuilder& types = in_order ? *types_ : rebuilt;
    std::vector<bool> big_endian = blob_big_endian_;
    std::vector<std::vector<uint32_t>> ids = blob_lists_;
    if (!in_order) {
        big_endian.clear();
        ids.clear();
        for (const auto* b : blobs) {
            TypeTableBuilder::Entry e = rebuilt.add(*b);
            big_endian.push_back(e.big_endian);
            ids.push_back(std::move(e.ids));
        }
    }
    // the lists are coded while the type table's compression finishes
    auto coded = std::async(std::launch::async, [&] { return encode_lists(big_endian, ids); });
    std::vector<uint8_t> types_section = in_order ? this->types_section() : rebuilt.section();
    std::vector<std::vector<uint8_t>> lists = coded.get();

    std::vector<uint8_t> meta, index, sources, table, blob_bytes;
    for (const auto& kv : meta_) {
        std::string line = kv.first + "=" + kv.second + "\n";
        meta.insert(meta.end(), line.begin(), line.end());
    }
    std::string storage_desc = "type table: " + std::to_string(types.types()) + " distinct types, " +
                               std::to_string(types_section.size()) + " bytes compressed";
    std::string storage = "storage=" + storage_desc + "\n";
    meta.insert(meta.end(), storage.begin(), storage.end());
    meta = compressed_section(meta, "the pack metadata");

    uint32_t nblocks = uint32_t((entries.size() + BTFPACK_INDEX_BLOCK_ENTRIES - 1) / BTFPACK_INDEX_BLOCK_ENTRIES);
    reserve(index, BTFPACK_IX_BLOCK_OFFSETS + BTFPACK_IX_BLOCK_OFFSET_SIZE * size_t(nblocks));
    pf_wr32(&index[BTFPACK_IX_ENTRY_COUNT], uint32_t(entries.size()));
    pf_wr32(&index[BTFPACK_IX_BLOCK_COUNT], nblocks);
    std::string prev;
    for (size_t i = 0; i < entries.size(); i++) {
        std::string key = entries[i].key.str();
        size_t shared = 0;
        if (i % BTFPACK_INDEX_BLOCK_ENTRIES == 0) {
            size_t block = i / BTFPACK_INDEX_BLOCK_ENTRIES;
            pf_wr32(&index[BTFPACK_IX_BLOCK_OFFSETS + BTFPACK_IX_BLOCK_OFFSET_SIZE * block], uint32_t(index.size()));
        } else {
            while (shared < key.size() && shared < prev.size() && key[shared] == prev[shared]) shared++;
        }
        put_varint(index, uint32_t(shared));
        put_varint(index, uint32_t(key.size() - shared));
        index.insert(index.end(), key.begin() + long(shared), key.end());
        put_varint(index, uint32_t(entries[i].blob));
        prev = key;
        static_assert(BTFPACK_SOURCE_ENTRY_SIZE == sizeof(uint64_t));
        put64(sources, entries[i].source_hash);
    }
    uint32_t max_raw = 0;
    for (size_t b = 0; b < blobs.size(); b++) {
        uint8_t* t = &table[reserve(table, BTFPACK_BLOB_ENTRY_SIZE)];
        pf_wr64(t + BTFPACK_BE_LIST_OFFSET, blob_bytes.size());
        pf_wr32(t + BTFPACK_BE_LIST_LEN, uint32_t(lists[b].size()));
        pf_wr32(t + BTFPACK_BE_RAW_LEN, uint32_t(blobs[b]->size()));
        pf_wr64(t + BTFPACK_BE_CHECKSUM, hash64(blobs[b]->data(), blobs[b]->size()));
        blob_bytes.insert(blob_bytes.end(), lists[b].begin(), lists[b].end());
        max_raw = std::max(max_raw, uint32_t(blobs[b]->size()));
    }

    const std::vector<std::pair<uint32_t, const std::vector<uint8_t>*>> sections = {
        {BTFPACK_SECTION_META, &meta},           {BTFPACK_SECTION_INDEX, &index},
        {BTFPACK_SECTION_SOURCES, &sources},     {BTFPACK_SECTION_BLOB_TABLE, &table},
        {BTFPACK_SECTION_TYPES, &types_section}, {BTFPACK_SECTION_BLOBS, &blob_bytes}};
    std::vector<uint8_t> out(BTFPACK_HEADER_SIZE);  // fields not set are 0: flags, reserved
    uint8_t* h = out.data();
    std::copy_n(BTFPACK_MAGIC, BTFPACK_MAGIC_LEN, h + BTFPACK_HDR_MAGIC);
    pf_wr16(h + BTFPACK_HDR_VERSION_MAJOR, BTFPACK_VERSION_MAJOR);
    pf_wr16(h + BTFPACK_HDR_VERSION_MINOR, BTFPACK_VERSION_MINOR);
    pf_wr32(h + BTFPACK_HDR_SECTION_COUNT, uint32_t(sections.size()));
    pf_wr32(h + BTFPACK_HDR_MAX_RAW, max_raw);
    pf_wr64(h + BTFPACK_HDR_SECTION_TABLE, BTFPACK_HEADER_SIZE);  // right after the header
    pf_wr64(h + BTFPACK_HDR_KERNELS, entries.size());
    pf_wr64(h + BTFPACK_HDR_BLOBS, blobs.size());
    uint64_t off = BTFPACK_HEADER_SIZE + BTFPACK_SECTION_ENTRY_SIZE * sections.size();
    for (const auto& [type, bytes] : sections) {
        uint8_t* e = &out[reserve(out, BTFPACK_SECTION_ENTRY_SIZE)];
        pf_wr32(e + BTFPACK_SE_TYPE, type);
        pf_wr64(e + BTFPACK_SE_OFFSET, off);
        pf_wr64(e + BTFPACK_SE_LENGTH, bytes->size());
        pf_wr64(e + BTFPACK_SE_CHECKSUM, hash64(bytes->data(), bytes->size()));
        off += bytes->size();
    }
    for (const auto& s : sections) out.insert(out.end(), s.second->begin(), s.second->end());
    size_t footer = reserve(out, BTFPACK_FOOTER_SIZE);
    pf_wr64(&out[BTFPACK_HDR_FILE_SIZE], out.size());
    pf_wr64(&out[BTFPACK_HDR_CHECKSUM], hash64(out.data(), BTFPACK_HDR_CHECKSUM));
    pf_wr64(&out[footer + BTFPACK_FT_CHECKSUM], hash64(out.data(), footer));
    std::copy_n(BTFPACK_END_MAGIC, BTFPACK_MAGIC_LEN, &out[footer + BTFPACK_FT_MAGIC]);

    // every kernel's BTF must come back byte for byte through the reader
    struct btfpack_pack* check = nullptr;
    char err[256];
    if (btfpack_open_memory(out.data(), out.size(), &check, err, sizeof(err)) != BTFPACK_OK)
        throw Error(std::string("internal error: the pack written does not open: ") + err);
    for (size_t i = 0, b = 0; i < entries.size(); i++) {
        if (entries[i].blob != b) continue;  // first kernel of each blob (blob ids follow first use)
        void* data = nullptr;
        size_t len = 0;
        bool same = btfpack_get_btf(check, i, &data, &len, err, sizeof(err)) == BTFPACK_OK && len == blobs[b]->size() &&
                    std::equal(blobs[b]->begin(), blobs[b]->end(), static_cast<uint8_t*>(data));
        free(data);
        if (!same) {
            btfpack_close(check);
            throw Error("internal error: the pack does not give back " + entries[i].key.str() + "'s BTF exactly");
        }
        b++;
    }
    btfpack_close(check);

    if (stats) {
        stats->kernels = entries.size();
        stats->blobs = blobs.size();
        stats->bytes = out.size();
        stats->type_table_bytes = types_section.size();
        stats->list_bytes = blob_bytes.size();
        stats->raw_blob_bytes = 0;
        for (const auto* b : blobs) stats->raw_blob_bytes += b->size();
        stats->storage = storage_desc;
    }
    return out;
}

PackStats PackWriter::write(const std::string& path) const {
    PackStats stats;
    write_file_atomically(path, serialize(&stats));
    return stats;
}

}  // namespace btfpack
