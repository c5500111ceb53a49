// Customizer: the minimized BTF of uploaded objects for one archive kernel, as BTFHub
// online's /api/v1/customize computes it, bounded: results cached in an LRU keyed by (the
// objects' content, the kernel file), identical concurrent requests computed once, at most
// max_inflight minimizations at once (a request waits queue_wait for a slot, then 503), at
// most max_relocations CO-RE relocations per request (422), cpu_seconds of CPU per
// minimization (503). Full kernel BTFs are kept parsed in a small LRU of their own, and
// decompressed (zstd) in a larger one, so that a kernel seen before costs no xz decompression.
#pragma once
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "btfpack/archive_tree.h"
#include "btfpack/serve.h"
#include "serve/lru_cache.h"
#include "serve/metrics.h"

struct btf;

namespace btfpack {

// One uploaded object: its bytes and the name the client gave it (for messages).
struct Upload {
    std::string name;
    std::string bytes;
};

struct CustomizeResult {
    std::vector<uint8_t> btf;     // raw minimized BTF
    std::vector<uint8_t> tar_xz;  // the same as <kernel_version>.btf in a .tar.xz
    uint32_t types = 0, relocations = 0;
    std::vector<std::string> objects;  // the uploads' bytes: a cache hit is confirmed against them
};

class Customizer {
public:
    Customizer(const ServeOptions& options, Metrics* metrics);

    // Throws ServiceError (422 bad object or too many relocations, 503 busy or over the CPU
    // limit, 500 unreadable kernel file or internal error). *cached: answered without computing.
    std::shared_ptr<const CustomizeResult> customize(const ArchiveKernel& kernel, const std::vector<Upload>& uploads,
                                                     bool* cached);
    // The full BTF of an archive kernel, parsed (cached); throws ServiceError 500 when the file is bad.
    std::shared_ptr<struct btf> kernel_btf(const ArchiveKernel& kernel);
    // Decompresses kernel k into the kernel store if it is not there and fits (for prewarming);
    // false when the store is full or off.
    bool store_kernel(const ArchiveKernel& k);
    // Prometheus lines for the caches.
    std::string cache_metrics() const;

private:
    class Slot;
    std::shared_ptr<const CustomizeResult> compute(const ArchiveKernel& kernel, const std::vector<Upload>& uploads);

    const ServeOptions options_;
    Metrics* metrics_;
    std::mutex slots_mu_;
    std::condition_variable slots_cv_;
    unsigned slots_free_;
    std::shared_ptr<struct btf> load_kernel(const ArchiveKernel& k);
    SingleFlightLru<std::shared_ptr<struct btf>> kernels_;
    // raw kernel BTFs, zstd level 1 (~1/4 of the BTF; ~5 ms to decompress instead of ~60 ms of xz)
    SingleFlightLru<std::vector<uint8_t>> store_;
    SingleFlightLru<CustomizeResult> results_;
};

}  // namespace btfpack
