// Reports over a pack or an archive (see report_builder.h).
#include "btfpack/report_builder.h"

#include <chrono>
#include <cstdlib>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>

#include "btfpack/error.h"
#include "btfpack/kernel_btf.h"
#include "btfpack/reader.h"
#include "pack/object_set.h"
#include "util/parallel_for.h"

namespace btfpack {
namespace {

struct Progress {
    std::mutex mutex;
    size_t done = 0;
    void step(const ReportOptions& o, size_t total, size_t n = 1) {
        if (!o.progress) return;
        std::lock_guard<std::mutex> lock(mutex);
        done += n;
        o.progress(done, total);
    }
};

}  // namespace

ReportRun report_pack(const std::string& path, const ReportOptions& options) {
    auto t0 = std::chrono::steady_clock::now();
    ObjectSet objs = load_objects(options.objects);
    struct Closer {
        void operator()(struct btfpack_pack* p) const { btfpack_close(p); }
    };
    struct btfpack_pack* raw = nullptr;
    char err[512];
    if (btfpack_open_file(path.c_str(), &raw, err, sizeof(err)) != BTFPACK_OK) throw Error(err);
    std::unique_ptr<struct btfpack_pack, Closer> pack(raw);

    // the objects must be ones the pack was built from: its "object=" records
    std::set<std::string> recorded;
    std::istringstream meta(btfpack_meta(pack.get()));
    for (std::string line; std::getline(meta, line);)
        if (line.rfind("object=", 0) == 0) recorded.insert(line.substr(7));
    for (size_t i = 0; i < objs.record.size(); i++) {
        if (recorded.count(objs.record[i])) continue;
        std::string name = objs.record[i].substr(0, objs.record[i].find('\t', objs.record[i].find('\t') + 1));
        std::string have;
        for (const auto& r : recorded)
            if (r.rfind(name + "\t", 0) == 0) have = r;
        for (auto& c : have)
            if (c == '\t') c = ' ';
        throw Error(objs.specs[i].path, "not an object " + path + " was built from (" +
                                            (have.empty() ? "its objects: see btfpack info" : "it has " + have) +
                                            "); report on the pack's own objects, or use --against ARCHIVE");
    }

    CompatChecker checker = objs.checker();
    ReportRun run;
    run.report.columns = checker.columns();

    // kernels sharing a blob and an arch's objects relocate alike: each such group once
    struct Group {
        size_t first = 0;  // pack entry relocated
        std::vector<size_t> objects;
        std::vector<size_t> rows;
    };
    std::vector<Group> groups;
    std::map<std::pair<uint32_t, std::vector<size_t>>, size_t> group_of;
    std::vector<KernelReport>& rows = run.report.kernels;
    size_t n = btfpack_count(pack.get());
    for (size_t i = 0; i < n; i++) {
        struct btfpack_entry e;
        if (btfpack_entry_at(pack.get(), i, &e) != BTFPACK_OK) throw Error(path, "corrupt index");
        KernelKey key = parse_kernel_key(e.key);
        if (!options.filter.wants(key)) continue;
        std::vector<size_t> which = objects_for_arch(objs.specs, key.arch);
        auto [it, fresh] = group_of.emplace(std::make_pair(e.blob_id, which), groups.size());
        if (fresh) groups.push_back({i, which, {}});
        groups[it->second].rows.push_back(rows.size());
        rows.emplace_back().key = key;
    }
    Progress progress;
    parallel_for(groups.size(), options.jobs, [&](size_t g) {
        Group& gr = groups[g];
        void* data;
        size_t len;
        char e[512];
        if (btfpack_get_btf(pack.get(), gr.first, &data, &len, e, sizeof(e)) != BTFPACK_OK) throw Error(path, e);
        std::vector<uint8_t> bytes(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + len);
        free(data);
        KernelKey first = rows[gr.rows[0]].key;
        auto btf = parse_kernel_btf(path + ": " + first.str(), std::move(bytes));
        KernelReport r = checker.check(first, btf.get(), gr.objects);
        for (size_t row : gr.rows) rows[row].programs = r.programs;
        progress.step(options, groups.size());
    });
    run.relocated = groups.size();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return run;
}

ReportRun report_archive(const std::string& archive, const ReportOptions& options) {
    auto t0 = std::chrono::steady_clock::now();
    ObjectSet objs = load_objects(options.objects);
    ReportRun run;
    std::vector<ArchiveProblem> problems;
    std::vector<ArchiveKernel> kernels = scan_archive(archive, options.filter, &problems);
    for (const auto& p : problems) run.skipped.push_back({p.path, p.str()});
    CompatChecker checker = objs.checker();
    run.report.columns = checker.columns();

    std::vector<KernelReport> rows(kernels.size());
    std::vector<std::string> failure(kernels.size());
    std::vector<char> used(kernels.size(), 0);
    Progress progress;
    parallel_for(kernels.size(), options.jobs, [&](size_t i) {
        const ArchiveKernel& k = kernels[i];
        std::vector<size_t> which = objects_for_arch(objs.specs, k.key.arch);
        if (!which.empty()) {
            try {
                auto btf = load_kernel_btf(k.path);
                rows[i] = checker.check(k.key, btf.get(), which);
                used[i] = 1;
            } catch (const std::exception& e) {
                failure[i] = e.what();
            }
        }
        progress.step(options, kernels.size());
    });
    for (size_t i = 0; i < kernels.size(); i++) {
        if (used[i]) run.report.kernels.push_back(std::move(rows[i]));
        else if (!failure[i].empty()) run.skipped.push_back({kernels[i].path, failure[i]});
    }
    if (run.report.kernels.empty() && !kernels.empty() && run.skipped.empty())
        throw Error(archive, "no object for the arches of its kernels");
    run.relocated = run.report.kernels.size();
    run.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    return run;
}

}  // namespace btfpack
