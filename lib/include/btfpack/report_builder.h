// Compatibility reports over a pack (no archive, no root: a packed BTF relocates exactly like
// the full one) or over a BTFHub-archive checkout (the full BTFs), relocated in parallel.
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "btfpack/archive_tree.h"
#include "btfpack/compat_report.h"
#include "btfpack/pack_builder.h"

namespace btfpack {

struct ReportOptions {
    std::vector<std::string> objects;  // "obj.o" (every arch) or "ARCH=obj.o", as for build
    ArchiveFilter filter;              // which kernels
    unsigned jobs = 0;                 // 0 = all cores
    std::function<void(size_t done, size_t total)> progress;  // from worker threads, serialized
};

struct ReportRun {
    CompatReport report;
    std::vector<KernelFailure> skipped;  // kernels that could not be read (archive), with why
    size_t relocated = 0;                // distinct BTFs relocated (a pack's kernels sharing a blob: once)
    double seconds = 0;
};

// Every kernel of the pack. Each object must be one the pack was built from (same name, size
// and hash as its record); a subset of them is fine. Throws Error naming the object otherwise.
ReportRun report_pack(const std::string& pack, const ReportOptions& options);
// Every kernel file of the archive (full BTFs), like build reads them; bad files are skipped.
ReportRun report_archive(const std::string& archive, const ReportOptions& options);

}  // namespace btfpack
