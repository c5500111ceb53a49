// Coding of a BTF's type-table list in a pack (docs/FORMAT.md, BLOBS): plain indexes, or
// (skip, copy, insert) edits of a similar BTF's list, chained at most BTFPACK_MAX_DELTA_DEPTH
// deep (reader/pack_format.h).
#pragma once
#include <cstdint>
#include <vector>

namespace btfpack {

std::vector<uint8_t> encode_plain_list(bool big_endian, const std::vector<uint32_t>& ids);
std::vector<uint8_t> encode_delta_list(bool big_endian, uint32_t base_blob, const std::vector<uint32_t>& base,
                                       const std::vector<uint32_t>& ids);

// Codes every list: each BTF picks the cheapest of plain or a delta against one of the 16
// previous ones whose chain is not yet at the depth limit.
std::vector<std::vector<uint8_t>> encode_lists(const std::vector<bool>& big_endian,
                                               const std::vector<std::vector<uint32_t>>& ids);

}  // namespace btfpack
