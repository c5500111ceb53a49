// TypeTableCompressor: the TYPES section compressed as the type table grows, segment by
// segment; each of its four parts is one streamed zstd frame (docs/FORMAT.md). In the
// background (as PackWriter uses it during a build) two threads do the work, one for the
// records and one for the other parts: the compression overlaps with the minimization of the
// kernels still to come instead of following it, and what is left at the end is done by both.
// Either way the bytes are the same for the same segments.
#pragma once
#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "pack/frame_stream.h"
#include "pack/type_table_builder.h"
#include "reader/pack_format.h"
#include "util/serial_worker.h"

namespace btfpack {

class TypeTableCompressor {
public:
    explicit TypeTableCompressor(bool background);
    void append(TypeTableBuilder::Parts segment);
    size_t segments() const { return segments_; }
    // The section: per part, u64 raw size, u64 frame length, the frame. Spent after; a
    // background compression's error is thrown here.
    std::vector<uint8_t> finish();

private:
    // which worker compresses part k: the records have one to themselves
    static size_t worker_of(size_t k) { return k == BTFPACK_TT_PART_RECORDS ? 0 : 1; }
    std::array<FrameStream, BTFPACK_TT_PARTS> parts_;
    std::array<std::vector<uint8_t>, BTFPACK_TT_PARTS> frames_;
    size_t segments_ = 0;
    std::array<std::unique_ptr<SerialWorker>, 2> workers_;  // last: stopped before the streams go
};

}  // namespace btfpack
