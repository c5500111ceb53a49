// A compressed pack section (META, TYPES; docs/FORMAT.md): the raw size, then one zstd frame.
// Layout: BTFPACK_Z_* in reader/pack_format.h.
#pragma once
#include <zstd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "btfpack/error.h"
#include "reader/pack_format.h"

namespace btfpack {

// Level 19: on real archives as small as the ultra levels (20-22) to a few bytes, at half
// their cost, which the end of `btfpack build` pays serially; with its target match length
// cut from 256 to 32, 28-37% fewer instructions for the type tables of the large object's
// 9- and 66-kernel packs, at +0.06% / +0.35% bytes (and -0.2% for libbpf-tools'): measured
// in docs/PERFORMANCE.md.
constexpr int kSectionLevel = 19;
constexpr int kSectionTargetLength = 32;

// what: named in the error, e.g. "the type table".
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
