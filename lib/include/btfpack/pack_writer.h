// PackWriter: collects (kernel -> minimized BTF) pairs, stores identical BTFs once, the rest as
// lists into one shared type table, and writes a pack file (docs/FORMAT.md) atomically.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "btfpack/archive_tree.h"

namespace btfpack {

struct PackStats {
    uint64_t kernels = 0, blobs = 0, bytes = 0;  // bytes: the whole pack file
    uint64_t raw_blob_bytes = 0;   // the distinct BTFs, uncompressed
    uint64_t list_bytes = 0;       // their lists (BLOBS section)
    uint64_t type_table_bytes = 0; // the TYPES section
    std::string storage;           // e.g. "type table: 383 distinct types, 6350 bytes compressed"
};

class TypeTableBuilder;
class TypeTableCompressor;

class PackWriter {
public:
    PackWriter();
    // source_hash: XXH3-64 of the archive file the BTF was made from (for build --update).
    // Kernels added in key order let the writer build its type table as they come (a new
    // BTF's types are split off and compressed on a background thread here, not at the end);
    // any order gives the same bytes.
    void add_kernel(const KernelKey& key, std::vector<uint8_t> btf, uint64_t source_hash);
    void add_meta(const std::string& key, const std::string& value) { meta_.emplace_back(key, value); }
    size_t kernels() const { return entries_.size(); }
    // The pack's bytes; stats filled if given.
    std::vector<uint8_t> serialize(PackStats* stats = nullptr) const;
    // serialize() written to path via a temporary file and rename.
    PackStats write(const std::string& path) const;

private:
    struct Entry {
        KernelKey key;
        size_t blob;
        uint64_t source_hash;
    };
    std::vector<Entry> entries_;
    std::unordered_set<std::string> keys_;  // of entries_, to refuse a kernel added twice
    std::vector<std::vector<uint8_t>> blobs_;
    std::unordered_multimap<uint64_t, size_t> blob_ids_;  // hash64 of a blob -> its index (compared on a match)
    // the type table of blobs_ in their order, and each blob's list into it
    std::shared_ptr<TypeTableBuilder> types_;
    std::vector<std::vector<uint32_t>> blob_lists_;
    std::vector<bool> blob_big_endian_;
    std::vector<std::pair<std::string, std::string>> meta_;
    // types_'s section, compressed while blobs come; once finished (by serialize) it is kept
    // with the number of segments it covers, and a later add compresses afresh.
    std::shared_ptr<TypeTableCompressor> stream_;
    mutable std::vector<uint8_t> streamed_section_;
    mutable size_t streamed_segments_ = SIZE_MAX;
    std::vector<uint8_t> types_section() const;
};

// XXH3-64 (XXH3_64bits) of the bytes: the checksum and content hash used in packs.
uint64_t hash64(const void* data, size_t size);
// hash64 of a file's contents, read in chunks (no copy of the file in memory); its size in
// *size. Throws Error naming the file.
uint64_t hash64_file(const std::string& path, uint64_t* size);

// One way of storing a set of distinct blobs with per-blob random access.
struct StorageOption {
    std::string description;
    uint64_t dict_bytes = 0, frame_bytes = 0;  // total = dict_bytes + frame_bytes
};
// The per-blob zstd alternatives to the type table, for the storage comparison
// (scripts/bench-pack-storage): plain, trained dictionaries, base blobs as raw dictionary.
// uses[i]: kernels sharing blob i.
std::vector<StorageOption> storage_options(const std::vector<std::vector<uint8_t>>& blobs, const std::vector<size_t>& uses);

}  // namespace btfpack
