// Streamed zstd frames (see frame_stream.h).
#include "pack/frame_stream.h"

#include "btfpack/error.h"
#include "pack/compressed_section.h"
#include "reader/pack_format.h"

namespace btfpack {
namespace {

// The level and target length of every compressed section (compressed_section.h), with
// explicit tables (the defaults for an unknown size would allocate and clear ~80 MB): a 16 MiB
// window (the reader's cap on a type table, so any match distance is allowed) and the
// caller's hash table size (docs/PERFORMANCE.md).
constexpr int kWindowLog = 24;

constexpr uint32_t kFrameMagic = 0xFD2FB528u;
// Frame_Header_Descriptor bits (RFC 8878, 3.1.1.1.1)
constexpr uint8_t kFcsFlagShift = 6, kSingleSegment = 0x20, kChecksumFlag = 0x04, kDictIdFlags = 0x03;
constexpr uint8_t kFcs4Bytes = 2;  // Frame_Content_Size_Flag 2: a 4-byte size

}  // namespace

FrameStream::FrameStream(std::string what, int hash_log, size_t flush_bytes)
    : what_(std::move(what)), cctx_(ZSTD_createCCtx(), ZSTD_freeCCtx), flush_bytes_(flush_bytes) {
    auto set = [&](ZSTD_cParameter p, int v) { return cctx_ && !ZSTD_isError(ZSTD_CCtx_setParameter(cctx_.get(), p, v)); };
    if (!set(ZSTD_c_compressionLevel, kSectionLevel) || !set(ZSTD_c_windowLog, kWindowLog) || !set(ZSTD_c_chainLog, hash_log + 1) ||
        !set(ZSTD_c_hashLog, hash_log) || !set(ZSTD_c_targetLength, kSectionTargetLength))
        throw Error("zstd: cannot set up compression of " + what_);
}

void FrameStream::run(const uint8_t* data, size_t size, ZSTD_EndDirective how) {
    ZSTD_inBuffer in{data, size, 0};
    for (;;) {
        size_t at = frame_.size();
        frame_.resize(at + ZSTD_CStreamOutSize());
        ZSTD_outBuffer out{frame_.data() + at, frame_.size() - at, 0};
        size_t left = ZSTD_compressStream2(cctx_.get(), &out, &in, how);
        frame_.resize(at + out.pos);
        if (ZSTD_isError(left)) throw Error("zstd: cannot compress " + what_ + ": " + ZSTD_getErrorName(left));
        if (how == ZSTD_e_continue ? in.pos == in.size : left == 0) return;
    }
}

void FrameStream::append(const uint8_t* data, size_t size) {
    if (raw_ + size > BTFPACK_MAX_TYPE_TABLE)
        throw Error(what_ + " would exceed " + std::to_string(BTFPACK_MAX_TYPE_TABLE >> 20) + " MiB");
    raw_ += size;
    pending_ += size;
    bool flush = pending_ >= flush_bytes_;
    run(data, size, flush ? ZSTD_e_flush : ZSTD_e_continue);
    if (flush) pending_ = 0;
}

std::vector<uint8_t> FrameStream::finish() {
    run(nullptr, 0, ZSTD_e_end);
    if (ZSTD_getFrameContentSize(frame_.data(), frame_.size()) == raw_) return std::move(frame_);  // nothing came before the end
    // Streamed without a known size, the header is magic, descriptor (no size, not single
    // segment, no dictionary), window descriptor. Single segment with a 4-byte content size
    // instead: the same blocks, now with the size the readers check.
    if (frame_.size() < 6 || pf_rd32(frame_.data()) != kFrameMagic || (frame_[4] & (0xC0 | kSingleSegment | kDictIdFlags)))
        throw Error("internal error: unexpected zstd frame header for " + what_);
    std::vector<uint8_t> out(frame_.begin(), frame_.begin() + 4);
    out.push_back(uint8_t(kFcs4Bytes << kFcsFlagShift | kSingleSegment | (frame_[4] & kChecksumFlag)));
    for (int i = 0; i < 4; i++) out.push_back(uint8_t(raw_ >> (8 * i)));
    out.insert(out.end(), frame_.begin() + 6, frame_.end());  // the blocks, after the window descriptor
    frame_.clear();
    if (ZSTD_getFrameContentSize(out.data(), out.size()) != raw_)
        throw Error("internal error: the rewritten zstd frame header of " + what_ + " does not read back");
    return out;
}

}  // namespace btfpack
