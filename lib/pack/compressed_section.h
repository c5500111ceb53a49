// A compressed pack section (META; docs/FORMAT.md): the raw size, then one zstd frame.
// Layout: BTFPACK_Z_* in reader/pack_format.h. (TYPES is compressed while it grows:
// type_table_compressor.h.)
#pragma once
#include <zstd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "btfpack/error.h"
#include "reader/pack_format.h"

namespace btfpack {

// Level 19, target match length 32, as the type table's parts (frame_stream.cpp).
constexpr int kSectionLevel = 19;
constexpr int kSectionTargetLength = 32;

// what: named in the error, e.g. "the pack metadata".
inline std::vector<uint8_t> compressed_section(const std::vector<uint8_t>& raw, const char* what) {
    std::vector<uint8_t> sec(BTFPACK_Z_FRAME + ZSTD_compressBound(raw.size()));
    pf_wr64(&sec[BTFPACK_Z_RAW_SIZE], raw.size());
    std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx(ZSTD_createCCtx(), ZSTD_freeCCtx);
    if (!cctx || ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_compressionLevel, kSectionLevel)) ||
        ZSTD_isError(ZSTD_CCtx_setParameter(cctx.get(), ZSTD_c_targetLength, kSectionTargetLength)))
        throw Error(std::string("zstd: cannot set up compression of ") + what);
    size_t n = ZSTD_compress2(cctx.get(), &sec[BTFPACK_Z_FRAME], sec.size() - BTFPACK_Z_FRAME, raw.data(), raw.size());
    if (ZSTD_isError(n)) throw Error(std::string("zstd: cannot compress ") + what);
    sec.resize(BTFPACK_Z_FRAME + n);
    return sec;
}

}  // namespace btfpack
