// TypeTableBuilder: splits canonical minimized BTFs into one table of distinct type records
// (shared by all kernels) and one list of table indexes per BTF (docs/FORMAT.md, TYPES).
#pragma once
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

namespace btfpack {

class TypeTableBuilder {
public:
    struct Entry {
        bool big_endian;
        std::vector<uint32_t> ids;  // type id i+1 of the BTF = table index ids[i]
    };
    // Adds one raw BTF (either byte order).
    Entry add(const std::vector<uint8_t>& btf);
    // The TYPES section: u64 raw size + one zstd frame of the table.
    std::vector<uint8_t> section() const;
    size_t types() const { return records_.size(); }
    size_t raw_bytes() const;

private:
    std::vector<std::vector<uint32_t>> records_;   // words; names = string index+1, refs = type index+1
    std::unordered_multimap<uint64_t, uint32_t> by_hash_;  // content hash -> records (candidates)
    std::vector<std::string> strings_;
    std::unordered_map<std::string, uint32_t> string_ids_;
    std::vector<uint8_t> raw() const;
};

}  // namespace btfpack
