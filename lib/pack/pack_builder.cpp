// Parallel archive -> pack pipeline (see pack_builder.h). Memory per worker: one compressed
// kernel file (~1 MB), its decompressed BTF (~5 MB), libbpf's parsed copy of it (~6 MB) and the
// resolver's per-kernel state (candidate lists and resolutions: proportional to the distinct
// relocation specs, not to the relocations).
#include "btfpack/pack_builder.h"

#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <condition_variable>
#include <ctime>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "btfpack/bpf_object.h"
#include "btfpack/error.h"
#include "btfpack/file_io.h"
#include "btfpack/kernel_btf.h"
#include "btfpack/local_relocations.h"
#include "btfpack/minimizer.h"
#include "btfpack/reader.h"
#include "pack/object_set.h"

namespace btfpack {
namespace {

// What a worker gets instead of the objects when they failed to load (the error itself is
// rethrown by build_pack once the workers stopped).
struct ObjectsNotLoaded {};

// This process's own peak RSS: VmHWM belongs to its address space (getrusage's ru_maxrss also
// counts the peak of the process that exec'd it).
uint64_t peak_rss_bytes() {
    if (FILE* f = std::fopen("/proc/self/status", "r")) {
        char line[256];
        unsigned long long kb = 0;
        bool found = false;
        while (!found && std::fgets(line, sizeof(line), f)) found = std::sscanf(line, "VmHWM: %llu kB", &kb) == 1;
        std::fclose(f);
        if (found) return kb * 1024;
    }
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? uint64_t(ru.ru_maxrss) * 1024 : 0;
}

// The build time recorded in the pack, UTC: SOURCE_DATE_EPOCH when set (reproducible-builds.org:
// decimal seconds since 1970-01-01 00:00:00 UTC; malformed is an error), else now.
std::string now_utc() {
    std::time_t t = std::time(nullptr);
    const char* sde = std::getenv("SOURCE_DATE_EPOCH");
    if (sde && *sde) {
        errno = 0;
        char* end = nullptr;
        unsigned long long v = std::strtoull(sde, &end, 10);
        bool digits = std::strspn(sde, "0123456789") == std::strlen(sde);
        if (!digits || *end || errno == ERANGE || v > 253402300799ull)  // up to 9999-12-31T23:59:59Z
            throw Error(std::string("SOURCE_DATE_EPOCH=") + sde,
                        "not a number of seconds since 1970-01-01 00:00:00 UTC (up to year 9999)");
        t = std::time_t(v);
    }
    struct tm tm;
    char buf[32];
    if (!gmtime_r(&t, &tm) || !std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm))
        throw Error("cannot format the build time");
    return buf;
}

// The previous pack's kernels whose source file is unchanged, when built from the same objects.
struct Previous {
    struct btfpack_pack* pack = nullptr;
    std::map<std::string, size_t> index;  // key -> entry
    ~Previous() { btfpack_close(pack); }
};

bool open_previous(const std::string& path, const ObjectSet& objs, Previous* prev, std::string* note) {
    char err[512];
    if (btfpack_open_file(path.c_str(), &prev->pack, err, sizeof(err)) != BTFPACK_OK) {
        *note = std::string("not updating: ") + err;
        prev->pack = nullptr;
        return false;
    }
    std::string meta = btfpack_meta(prev->pack), want;
    for (const auto& l : objs.meta_lines) want += "object=" + l + "\n";
    std::string have;
    size_t pos = 0;
    while (pos < meta.size()) {
        size_t nl = meta.find('\n', pos);
        std::string line = meta.substr(pos, nl == std::string::npos ? std::string::npos : nl - pos);
        if (line.rfind("object=", 0) == 0) have += line + "\n";
        pos = nl == std::string::npos ? meta.size() : nl + 1;
    }
    if (have != want) {
        *note = "objects changed since " + path + ": full rebuild";
        return false;
    }
    for (size_t i = 0; i < btfpack_count(prev->pack); i++) {
        struct btfpack_entry e;
        if (btfpack_entry_at(prev->pack, i, &e) == BTFPACK_OK) prev->index[e.key] = i;
    }
    *note = "updating " + path;
    return true;
}

}  // namespace

ObjectSpec parse_object_spec(const std::string& spec) {
    ObjectSpec out;
    out.path = spec;
    size_t eq = spec.find('=');
    if (eq != std::string::npos && spec.find('/') > eq) {
        out.arch = spec.substr(0, eq);
        out.path = spec.substr(eq + 1);
    }
    return out;
}

std::vector<size_t> objects_for_arch(const std::vector<ObjectSpec>& objects, const std::string& arch) {
    bool own = std::any_of(objects.begin(), objects.end(), [&](const ObjectSpec& o) { return o.arch == arch; });
    const std::string& want = own ? arch : std::string(ObjectSpec::kAnyArch);
    std::vector<size_t> out;
    for (size_t i = 0; i < objects.size(); i++)
        if (objects[i].arch == want) out.push_back(i);
    return out;
}

BuildResult build_pack(const BuildOptions& opt, const std::string& output) {
    auto t0 = std::chrono::steady_clock::now();
    BuildResult res;
    const std::string build_time = now_utc();  // a malformed SOURCE_DATE_EPOCH fails before any work
    std::vector<ObjectSpec> specs;
    for (const auto& o : opt.objects) specs.push_back(parse_object_spec(o));
    ObjectSet objs;
    std::vector<ArchiveProblem> problems;
    std::vector<ArchiveKernel> kernels;
    try {
        kernels = scan_archive(opt.archive, opt.filter, &problems);
    } catch (...) {
        objs = load_objects(opt.objects);  // a bad object is the first thing to report
        throw;
    }
    res.scanned = kernels.size();
    for (const auto& p : problems) res.failures.push_back({p.path, p.str()});
    if (kernels.empty()) {
        objs = load_objects(opt.objects);
        throw Error(opt.archive, "no kernel BTF files (<distro>/<version>/<arch>/<kernel>.btf[.tar.xz]) match" +
                                     (problems.empty() ? std::string()
                                                       : " (" + std::to_string(problems.size()) + " path(s) skipped, first: " +
                                                             problems[0].str() + ")"));
    }
    // The objects are loaded (below) while the workers already read and decompress kernels;
    // a worker waits for them (ready) before it minimizes or looks into the previous pack.
    std::unique_ptr<CompatChecker> checker;
    Previous prev;
    std::promise<void> objects_loaded;
    std::shared_future<void> ready = objects_loaded.get_future().share();

    // Kernels whose files are the same file (links, hard links) and that get the same objects
    // form a group: its first kernel is minimized (or reused), the others take that result.
    std::vector<std::string> no_obj;
    std::vector<std::vector<size_t>> groups;
    std::map<std::pair<FileIdentity, std::vector<size_t>>, size_t> group_of;  // (file, objects) -> group
    size_t work_kernels = 0;
    for (size_t i = 0; i < kernels.size(); i++) {
        const std::string& arch = kernels[i].key.arch;
        std::vector<size_t> which = objects_for_arch(specs, arch);
        if (which.empty()) {
            if (std::find(no_obj.begin(), no_obj.end(), arch) == no_obj.end()) no_obj.push_back(arch);
            continue;
        }
        auto [it, fresh] = group_of.emplace(std::make_pair(kernels[i].id, std::move(which)), groups.size());
        if (fresh) groups.emplace_back();
        groups[it->second].push_back(i);
        work_kernels++;
    }
    res.no_object = no_obj;

    struct Slot {
        std::vector<uint8_t> btf;
        uint64_t hash = 0;  // XXH3-64 of the archive file
        bool ok = false, reused = false, done = false;
        std::string error;
        size_t left = 0;  // members not yet added to the pack
        std::vector<ProgramResult> report;  // with opt.report
    };
    std::vector<Slot> slots(groups.size());
    std::vector<size_t> order, group_of_kernel(kernels.size(), SIZE_MAX);  // kernels to pack, in key order
    for (size_t g = 0; g < groups.size(); g++) {
        slots[g].left = groups[g].size();
        for (size_t i : groups[g]) group_of_kernel[i] = g;
    }
    for (size_t i = 0; i < kernels.size(); i++)
        if (group_of_kernel[i] != SIZE_MAX) order.push_back(i);

    // Results go into the pack in key order as soon as they are there (while other kernels are
    // still being minimized), by whichever worker completes the next one.
    PackWriter writer;
    size_t next_commit = 0;
    std::mutex commit_mutex;
    std::string commit_error;
    auto commit_ready = [&] {  // commit_mutex held
        for (; next_commit < order.size(); next_commit++) {
            size_t i = order[next_commit], g = group_of_kernel[i];
            Slot& s = slots[g];
            if (!s.done) return;
            const ArchiveKernel& k = kernels[i];
            const ArchiveKernel& first = kernels[groups[g][0]];
            bool last = --s.left == 0;
            if (!s.ok) {
                res.failures.push_back({k.path, i == groups[g][0] ? s.error : k.path + ": the same file as " + first.path + " (skipped)"});
                continue;
            }
            if (i == groups[g][0]) (s.reused ? res.reused : res.minimized)++;
            else res.linked++;
            if (checker) {
                res.report.kernels.push_back({k.key, last ? std::move(s.report) : s.report});
            }
            if (!commit_error.empty()) continue;
            try {
                if (last) writer.add_kernel(k.key, std::move(s.btf), s.hash);
                else writer.add_kernel(k.key, s.btf, s.hash);
            } catch (const std::exception& e) {
                commit_error = e.what();  // a btfpack bug: reported after the workers stop
            }
        }
    };
    // Two steps per kernel file: reading it (for a .tar.xz mostly decompression, ~85% of its
    // time) and minimizing it. A worker reads the next file while fewer than kReadAhead read
    // kernels wait, else minimizes the oldest of them (key order, so results commit as they
    // come): reading runs ahead, and while the last file is being read the other workers still
    // have kernels to minimize. Memory: at most 2 x jobs + kReadAhead kernels (~6 MB each) at once.
    constexpr size_t kReadAhead = 2;
    unsigned jobs = opt.jobs ? opt.jobs : std::max(1u, std::thread::hardware_concurrency());
    jobs = unsigned(std::min<size_t>(jobs, std::max<size_t>(1, groups.size())));
    struct ReadKernel {
        size_t group;
        std::shared_ptr<struct btf> btf;
    };
    std::mutex work_mutex;
    std::condition_variable work_changed;
    std::deque<ReadKernel> read_kernels;
    size_t next_read = 0, reading = 0;
    bool stop = false;  // the objects did not load
    std::atomic<size_t> done{0};
    std::mutex progress_mutex;
    auto finish = [&](size_t g) {
        {
            std::lock_guard<std::mutex> lock(commit_mutex);
            slots[g].done = true;
            commit_ready();
        }
        size_t d = done += groups[g].size();
        if (opt.progress) {
            std::lock_guard<std::mutex> lock(progress_mutex);
            opt.progress(d, work_kernels);
        }
    };
    // Reads group g's file: the kernel to minimize, or null when the group is finished here
    // (reused from the previous pack, or failed).
    auto read = [&](size_t g) -> std::shared_ptr<struct btf> {
        Slot& s = slots[g];
        const ArchiveKernel& k = kernels[groups[g][0]];
        try {
            std::vector<uint8_t> bytes = read_whole_file(k.path);
            s.hash = hash64(bytes.data(), bytes.size());
            if (!opt.update_from.empty()) ready.get();
            // --update: any kernel of the group whose previous source was this very file
            for (size_t m = 0; res.update_used && !s.ok && m < groups[g].size(); m++) {
                auto it = prev.index.find(kernels[groups[g][m]].key.str());
                uint64_t phash;
                if (it == prev.index.end() || btfpack_source_at(prev.pack, it->second, &phash) != BTFPACK_OK ||
                    phash != s.hash)
                    continue;
                void* data;
                size_t len;
                char err[256];
                // no lock: an open pack handle is read-only, for any number of threads
                if (btfpack_get_btf(prev.pack, it->second, &data, &len, err, sizeof(err)) == BTFPACK_OK) {
                    s.btf.assign(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + len);
                    free(data);
                    s.reused = s.ok = true;
                }
            }
            if (!s.ok) return parse_kernel_btf(k.path, std::move(bytes));
        } catch (const std::exception& e) {
            s.error = e.what();
        }
        return nullptr;
    };
    // Minimizes (or, for a reused group, only reports on) group g.
    auto minimize_group = [&](size_t g, const struct btf* kernel) {
        Slot& s = slots[g];
        const ArchiveKernel& k = kernels[groups[g][0]];
        ready.get();
        try {
            if (kernel) {
                s.btf = minimize(kernel, objs.for_arch(k.key.arch), opt.minimize).btf;
                s.ok = true;
            }
            if (checker && s.ok) {  // the minimized BTF relocates exactly as the full one (self-check)
                auto min = parse_kernel_btf(k.path + " (minimized)", s.btf);
                s.report = checker->check(k.key, min.get(), objects_for_arch(specs, k.key.arch)).programs;
            }
        } catch (const std::exception& e) {
            s.error = e.what();
            s.ok = false;
        }
    };
    auto worker = [&] {
        for (;;) {
            ReadKernel job{SIZE_MAX, nullptr};
            size_t to_read = SIZE_MAX;
            {
                std::unique_lock<std::mutex> lock(work_mutex);
                work_changed.wait(lock, [&] { return stop || !read_kernels.empty() || next_read < groups.size() || !reading; });
                if (stop) return;
                // the last `jobs` files are read as soon as a worker is free: the sooner the last
                // read starts, the less the other workers wait for it at the end
                bool last_files = groups.size() - next_read <= jobs;
                if (next_read < groups.size() && (read_kernels.size() < kReadAhead || last_files)) {
                    to_read = next_read++;
                    reading++;
                } else if (!read_kernels.empty()) {
                    job = std::move(read_kernels.front());
                    read_kernels.pop_front();
                } else {
                    return;  // nothing to read, nothing read, no read under way
                }
            }
            try {
                if (to_read != SIZE_MAX) {
                    std::shared_ptr<struct btf> kernel = read(to_read);
                    bool to_minimize = kernel || (slots[to_read].ok && checker);  // ok: reused, so ready (checker) was waited for
                    {
                        std::lock_guard<std::mutex> lock(work_mutex);
                        reading--;
                        if (to_minimize) read_kernels.push_back({to_read, std::move(kernel)});
                    }
                    work_changed.notify_all();
                    if (!to_minimize) finish(to_read);
                    continue;
                }
                minimize_group(job.group, job.btf.get());
            } catch (const ObjectsNotLoaded&) {
                {
                    std::lock_guard<std::mutex> lock(work_mutex);
                    stop = true;
                }
                work_changed.notify_all();
                return;
            }
            job.btf.reset();
            finish(job.group);
        }
    };
    std::vector<std::thread> threads;
    for (unsigned j = 0; j < jobs; j++) threads.emplace_back(worker);
    std::exception_ptr load_error;
    try {
        objs = load_objects(opt.objects);
        if (opt.report) {
            checker = std::make_unique<CompatChecker>(objs.checker());
            res.report.columns = checker->columns();
        }
        if (!opt.update_from.empty()) res.update_used = open_previous(opt.update_from, objs, &prev, &res.update_note);
        objects_loaded.set_value();
    } catch (...) {
        load_error = std::current_exception();
        objects_loaded.set_exception(std::make_exception_ptr(ObjectsNotLoaded()));
    }
    for (auto& t : threads) t.join();
    if (load_error) std::rethrow_exception(load_error);
    if (!commit_error.empty()) throw Error("internal error: " + commit_error);
    if (opt.strict && !res.failures.empty())
        throw Error(res.failures[0].message + " (--strict: " + std::to_string(res.failures.size()) +
                    " bad kernel file(s), no pack written)");
    if (writer.kernels() == 0) throw Error(opt.archive, "no kernel could be minimized; no pack written");
    writer.add_meta("btfpack_version", "0.1.0");
    writer.add_meta("build_time", build_time);
    for (const auto& l : objs.meta_lines) writer.add_meta("object", l);
    writer.add_meta("kernels", std::to_string(writer.kernels()));
    res.stats = writer.write(output);
    res.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    res.peak_rss_bytes = peak_rss_bytes();
    return res;
}

}  // namespace btfpack
