// FrameStream: one zstd frame compressed while its bytes arrive, so that little is left to do
// when the last ones come (a pack's type table grows for the whole build). The frame is a
// standard one; once complete, its header is rewritten to name its content size (single
// segment), which the readers check.
#pragma once
#include <zstd.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace btfpack {

class FrameStream {
public:
    // what: named in errors, e.g. "the type table's records". hash_log: log2 of the match
    // finder's hash table entries (its chain table has twice as many): memory ~12 << hash_log
    // bytes, cleared when the stream starts; enough for a few times 1 << hash_log bytes.
    // flush_bytes: see append.
    FrameStream(std::string what, int hash_log, size_t flush_bytes);
    // Appends bytes: blocks are compressed as they fill, and whatever is pending once
    // flush_bytes have gathered (so finish() has less than that left to compress; each flush
    // ends a zstd block, which costs a few bytes).
    void append(const uint8_t* data, size_t size);
    // The frame. The stream is spent.
    std::vector<uint8_t> finish();
    uint64_t raw_size() const { return raw_; }

private:
    void run(const uint8_t* data, size_t size, ZSTD_EndDirective how);
    std::string what_;
    std::unique_ptr<ZSTD_CCtx, size_t (*)(ZSTD_CCtx*)> cctx_;
    std::vector<uint8_t> frame_;
    size_t flush_bytes_;
    uint64_t raw_ = 0, pending_ = 0;
};

}  // namespace btfpack
