// Type table compression (see type_table_compressor.h).
#include "pack/type_table_compressor.h"

#include "reader/pack_format.h"

namespace btfpack {

// Match-finder tables and flush sizes for each part (FrameStream): the lengths are a few KB,
// the strings tens of KB, the records most of the table. Flushing the small parts every 4-8
// KB costs a few bytes; the records, whose blocks cost more, every 32 KB: what is left to
// compress at the end is a few ms of work (docs/PERFORMANCE.md).
TypeTableCompressor::TypeTableCompressor(bool background)
    : parts_{FrameStream("the type table's record lengths", 14, 4 << 10), FrameStream("the type table's string lengths", 14, 4 << 10),
             FrameStream("the type table's strings", 16, 8 << 10), FrameStream("the type table's records", 18, 32 << 10)} {
    if (background)
        for (auto& w : workers_) w = std::make_unique<SerialWorker>();
}

void TypeTableCompressor::append(TypeTableBuilder::Parts segment) {
    segments_++;
    for (size_t k = 0; k < parts_.size(); k++) {
        if (segment[k].empty()) continue;
        auto task = [this, k, bytes = std::move(segment[k])] { parts_[k].append(bytes.data(), bytes.size()); };
        if (workers_[0]) workers_[worker_of(k)]->post(std::move(task));
        else task();
    }
}

std::vector<uint8_t> TypeTableCompressor::finish() {
    for (size_t k = 0; k < parts_.size(); k++) {
        auto task = [this, k] { frames_[k] = parts_[k].finish(); };
        if (workers_[0]) workers_[worker_of(k)]->post(task);
        else task();
    }
    for (auto& w : workers_)
        if (w) w->wait();
    std::vector<uint8_t> sec;
    for (size_t k = 0; k < parts_.size(); k++) {
        size_t at = sec.size();
        sec.resize(at + BTFPACK_TP_FRAME);
        pf_wr64(&sec[at + BTFPACK_TP_RAW_SIZE], parts_[k].raw_size());
        pf_wr64(&sec[at + BTFPACK_TP_FRAME_LEN], frames_[k].size());
        sec.insert(sec.end(), frames_[k].begin(), frames_[k].end());
    }
    return sec;
}

}  // namespace btfpack
