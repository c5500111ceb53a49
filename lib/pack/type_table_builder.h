// TypeTableBuilder: splits canonical minimized BTFs into one table of distinct type records
// (shared by all kernels) and one list of table indexes per BTF (docs/FORMAT.md, TYPES).
#pragma once
#include <array>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "reader/pack_format.h"

namespace btfpack {

class TypeTableBuilder {
public:
    struct Entry {
        bool big_endian;
        std::vector<uint32_t> ids;  // type id i+1 of the BTF = table index ids[i]
    };
    // The raw bytes of the table's four parts (docs/FORMAT.md, TYPES: record lengths, string
    // lengths, string bytes, records), or of what one segment added to them.
    using Parts = std::array<std::vector<uint8_t>, BTFPACK_TT_PARTS>;

    // Adds one raw BTF (either byte order). The records and strings it adds to the table
    // (if any) are the table's next segment.
    Entry add(const std::vector<uint8_t>& btf);
    // What segment i added to each part.
    Parts segment(size_t i) const;
    size_t segments() const { return segment_ends_.size(); }
    // The TYPES section, compressed segment by segment as PackWriter compresses it while
    // kernels are added (TypeTableCompressor: the same bytes).
    std::vector<uint8_t> section() const;
    size_t types() const { return records_.size(); }
    size_t raw_bytes() const;

private:
    std::vector<std::vector<uint32_t>> records_;   // words; names = string index+1, refs = type index+1
    std::unordered_multimap<uint64_t, uint32_t> by_hash_;  // content hash -> records (candidates)
    std::vector<std::string> strings_;
    std::unordered_map<std::string, uint32_t> string_ids_;
    // records_ / strings_ counts at the end of each segment
    std::vector<std::pair<uint32_t, uint32_t>> segment_ends_;
};

}  // namespace btfpack
