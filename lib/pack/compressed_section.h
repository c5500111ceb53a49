// A compressed pack section (META, TYPES; docs/FORMAT.md): the raw size, then one zstd frame.
// Layout: BTFPACK_Z_* in reader/pack_format.h.
#pragma once
#include <zstd.h>

#include <cstdint>
#include <string>
#include <vector>

#include "btfpack/error.h"
#include "reader/pack_format.h"

namespace btfpack {

// Level 19: on real archives as small as the ultra levels (20-22) to a few bytes, at half
// their cost, which the end of `btfpack build` pays serially.
constexpr int kSectionLevel = 19;

// what: named in the error, e.g. "the type table".
inline std::vector<uint8_t> compressed_section(const std::vector<uint8_t>& raw, const char* what) {
    std::vector<uint8_t> sec(BTFPACK_Z_FRAME + ZSTD_compressBound(raw.size()));
    pf_wr64(&sec[BTFPACK_Z_RAW_SIZE], raw.size());
    size_t n = ZSTD_compress(&sec[BTFPACK_Z_FRAME], sec.size() - BTFPACK_Z_FRAME, raw.data(), raw.size(), kSectionLevel);
    if (ZSTD_isError(n)) throw Error(std::string("zstd: cannot compress ") + what);
    sec.resize(BTFPACK_Z_FRAME + n);
    return sec;
}

}  // namespace btfpack
