// Customize: uploaded objects x archive kernel -> minimized BTF, bounded (customizer.h).
#include "serve/customizer.h"

#include <bpf/btf.h>

#include <malloc.h>
#include <zstd.h>

#include <chrono>
#include <cstdio>

#include "btfpack/bpf_object.h"
#include "btfpack/cpu_budget.h"
#include "btfpack/kernel_btf.h"
#include "btfpack/minimizer.h"
#include "serve/service_error.h"
#include "serve/tar_xz.h"
#include "util/content_hash.h"

namespace btfpack {

namespace {

// The kernel file a key stands for: a re-scan that finds another file there gets a new key.
std::string kernel_identity(const ArchiveKernel& k) {
    return k.key.str() + "|" + std::to_string(k.id.dev) + ":" + std::to_string(k.id.ino) + ":" + std::to_string(k.size);
}

std::string result_key(const ArchiveKernel& k, const std::vector<Upload>& uploads) {
    std::string key;
    char buf[40];
    for (const Upload& u : uploads) {
        std::snprintf(buf, sizeof(buf), "%016llx.%zu,", (unsigned long long)content_hash(u.bytes.data(), u.bytes.size()),
                      u.bytes.size());
        key += buf;
    }
    return key + "|" + kernel_identity(k);
}

size_t result_cost(const CustomizeResult& r) {
    size_t n = sizeof(r) + r.btf.size() + r.tar_xz.size() + 256;
    for (const auto& o : r.objects) n += o.size();
    return n;
}

}  // namespace

// A minimization slot, held for the scope (RAII over Customizer's counting semaphore).
class Customizer::Slot {
public:
    explicit Slot(Customizer* c) : c_(c) {
        std::unique_lock<std::mutex> lock(c->slots_mu_);
        auto wait = std::chrono::duration<double>(c->options_.queue_wait_seconds);
        if (!c->slots_cv_.wait_for(lock, wait, [&] { return c->slots_free_ > 0; })) {
            c->metrics_->busy_rejections++;
            throw ServiceError(503, "server busy: all " + std::to_string(c->options_.max_inflight) +
                                        " minimization slots stayed taken for " +
                                        std::to_string(c->options_.queue_wait_seconds) + " s; retry later");
        }
        c->slots_free_--;
        c->metrics_->minimizations_in_flight++;
    }
    ~Slot() {
        {
            std::lock_guard<std::mutex> lock(c_->slots_mu_);
            c_->slots_free_++;
        }
        c_->metrics_->minimizations_in_flight--;
        c_->slots_cv_.notify_one();
    }

private:
    Customizer* c_;
};

Customizer::Customizer(const ServeOptions& options, Metrics* metrics)
    : options_(options),
      metrics_(metrics),
      slots_free_(options.max_inflight ? options.max_inflight : 1),
      kernels_(options.kernel_cache, [](const std::shared_ptr<struct btf>&) { return size_t(1); }),
      store_(options.kernel_store_bytes, [](const std::vector<uint8_t>& z) { return z.size() + 64; }),
      results_(options.cache_bytes, result_cost) {}

std::shared_ptr<struct btf> Customizer::load_kernel(const ArchiveKernel& k) {
    // from the store when it holds the kernel (or computing it for the store), else from the file
    std::string id = kernel_identity(k);
    std::shared_ptr<struct btf> parsed;
    auto compressed = store_.get(id, [&] {
        parsed = load_kernel_btf(k.path);
        uint32_t size = 0;
        const void* raw = btf__raw_data(parsed.get(), &size);
        std::vector<uint8_t> z(ZSTD_compressBound(size));
        size_t n = ZSTD_compress(z.data(), z.size(), raw, size, 1);
        if (ZSTD_isError(n)) throw Error(k.path, "zstd cannot compress the kernel BTF");
        z.resize(n);
        z.shrink_to_fit();
        return z;
    });
    if (parsed) return parsed;
    unsigned long long size = ZSTD_getFrameContentSize(compressed->data(), compressed->size());
    if (size == ZSTD_CONTENTSIZE_ERROR || size == ZSTD_CONTENTSIZE_UNKNOWN) throw Error(k.path, "corrupt kernel store entry");
    std::vector<uint8_t> raw(size);
    if (ZSTD_isError(ZSTD_decompress(raw.data(), raw.size(), compressed->data(), compressed->size())))
        throw Error(k.path, "corrupt kernel store entry");
    return parse_kernel_btf(k.path, std::move(raw));
}

std::shared_ptr<struct btf> Customizer::kernel_btf(const ArchiveKernel& k) {
    return *kernels_.get(kernel_identity(k), [&] {
        try {
            auto b = load_kernel(k);
            // the compressed file and the decompressed copy (~4x the BTF) were just freed: give
            // those pages back, or every worker thread's malloc arena keeps a kernel's worth
            malloc_trim(0);
            return b;
        } catch (const Error& e) {
            // the message names the server's file; the client gets the kernel's key
            std::fprintf(stderr, "btfpack serve: %s\n", e.what());
            throw ServiceError(500, "the archive's file for " + k.key.str() + " cannot be read as a kernel BTF");
        }
    });
}

bool Customizer::store_kernel(const ArchiveKernel& k) {
    if (options_.kernel_store_bytes == 0) return false;
    LruStats s = store_.stats();
    if (s.cost + (k.size * 2) > options_.kernel_store_bytes) return false;  // full (a kernel's zstd ~ 1-2x its xz)
    try {
        load_kernel(k);
        malloc_trim(0);
    } catch (const Error& e) {
        std::fprintf(stderr, "btfpack serve: prewarm: %s\n", e.what());
    }
    return true;
}

std::shared_ptr<const CustomizeResult> Customizer::customize(const ArchiveKernel& k, const std::vector<Upload>& uploads,
                                                             bool* cached) {
    std::string key = result_key(k, uploads);
    bool hit = false;
    auto r = results_.get(key, [&] { return *compute(k, uploads); }, &hit);
    bool same = r->objects.size() == uploads.size();
    for (size_t i = 0; same && i < uploads.size(); i++) same = r->objects[i] == uploads[i].bytes;
    if (!same) {  // a hash collision: the cached result is for other objects
        hit = false;
        r = compute(k, uploads);
    }
    if (cached) *cached = hit;
    return r;
}

std::shared_ptr<const CustomizeResult> Customizer::compute(const ArchiveKernel& k, const std::vector<Upload>& uploads) {
    Slot slot(this);
    std::shared_ptr<struct btf> kernel = kernel_btf(k);
    metrics_->minimizations++;
    auto result = std::make_shared<CustomizeResult>();
    try {
        ScopedCpuBudget budget(options_.cpu_seconds);
        std::vector<BpfObject> objs;
        size_t relocations = 0;
        for (const Upload& u : uploads) {
            try {
                objs.push_back(BpfObject::parse(u.name, reinterpret_cast<const uint8_t*>(u.bytes.data()), u.bytes.size()));
            } catch (const CpuBudgetExceeded&) {
                throw;
            } catch (const Error& e) {
                throw ServiceError(422, std::string("bad BPF object: ") + e.what());
            }
            relocations += objs.back().relocations().size();
            if (relocations > options_.max_relocations)
                throw ServiceError(422, u.name + ": too many CO-RE relocations (" + std::to_string(relocations) +
                                            " in this request, the limit is " + std::to_string(options_.max_relocations) + ")");
        }
        std::vector<const BpfObject*> ptrs;
        for (const auto& o : objs) ptrs.push_back(&o);
        MinimizeResult m;
        try {
            m = minimize(kernel.get(), ptrs);
        } catch (const CpuBudgetExceeded&) {
            throw;
        } catch (const Error& e) {
            std::string what = e.what();
            bool internal = what.find("internal error") != std::string::npos;
            throw ServiceError(internal ? 500 : 422, what);
        }
        result->btf = std::move(m.btf);
        result->types = m.types;
        result->relocations = m.relocations;
    } catch (const CpuBudgetExceeded& e) {
        metrics_->cpu_limit_exceeded++;
        throw ServiceError(503, std::string("minimization stopped: ") + e.what() + " (server limit --cpu-seconds)");
    } catch (...) {
        metrics_->minimization_errors++;
        throw;
    }
    result->tar_xz = single_file_tar_xz(k.key.kernel + ".btf", result->btf);
    for (const Upload& u : uploads) result->objects.push_back(u.bytes);
    return result;
}

std::string Customizer::cache_metrics() const {
    const LruStats caches[3] = {results_.stats(), kernels_.stats(), store_.stats()};
    const char* names[3] = {"results", "kernels", "kernel_store"};
    struct Family {
        const char *name, *type, *help;
        unsigned long long (*value)(const LruStats&);
    };
    const Family families[] = {
        {"btfpack_cache_hits_total", "counter", "Lookups answered from the cache (results: customize; kernels: parsed full BTFs).",
         [](const LruStats& s) { return s.hits; }},
        {"btfpack_cache_misses_total", "counter", "Lookups that computed.", [](const LruStats& s) { return s.misses; }},
        {"btfpack_cache_joined_total", "counter", "Lookups that waited for an identical computation under way.",
         [](const LruStats& s) { return s.joined; }},
        {"btfpack_cache_evictions_total", "counter", "Entries dropped to stay within the bound.",
         [](const LruStats& s) { return s.evictions; }},
        {"btfpack_cache_entries", "gauge", "Entries held.", [](const LruStats& s) { return (unsigned long long)s.entries; }},
        {"btfpack_cache_cost", "gauge", "What the entries count against the bound (results, kernel_store: bytes; kernels: entries).",
         [](const LruStats& s) { return (unsigned long long)s.cost; }},
    };
    std::string o;
    char line[256];
    for (const Family& f : families) {
        o += std::string("# HELP ") + f.name + " " + f.help + "\n# TYPE " + f.name + " " + f.type + "\n";
        for (int i = 0; i < 3; i++) {
            std::snprintf(line, sizeof(line), "%s{cache=\"%s\"} %llu\n", f.name, names[i], f.value(caches[i]));
            o += line;
        }
    }
    return o;
}

}  // namespace btfpack
