// PackBuilder: minimizes every kernel of a BTFHub-archive checkout against per-arch objects,
// in parallel, and writes one pack. Bad kernel files are reported and skipped. Kernels that
// are the same file (links) are minimized once.
#pragma once
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "btfpack/archive_tree.h"
#include "btfpack/compat_report.h"
#include "btfpack/minimizer.h"
#include "btfpack/pack_writer.h"

namespace btfpack {

// One BPF object of a build (or verify): "obj.o" serves every arch, "ARCH=obj.o" the kernels
// of that arch only (ARCH as in the archive: x86_64, arm64, s390x). A '=' counts only before
// any '/', so a path with '=' in a directory name is a plain path.
struct ObjectSpec {
    static constexpr const char* kAnyArch = "*";
    std::string arch = kAnyArch;  // kAnyArch: every arch
    std::string path;
};
ObjectSpec parse_object_spec(const std::string& spec);
// The objects (indexes into objects, in their order) that serve the kernels of arch: the ones
// given for that arch if there is any, else the ones for every arch; empty if neither.
std::vector<size_t> objects_for_arch(const std::vector<ObjectSpec>& objects, const std::string& arch);

struct BuildOptions {
    std::string archive;                   // archive root
    std::vector<std::string> objects;      // "obj.o" (every arch) or "ARCH=obj.o"
    ArchiveFilter filter;
    unsigned jobs = 0;                     // 0 = all cores
    std::string update_from;               // previous pack: reuse kernels whose source is unchanged
    bool strict = false;                   // a bad kernel file is fatal: no pack is written
    std::function<void(size_t done, size_t total)> progress;  // called from worker threads, serialized
    MinimizeOptions minimize;              // for every kernel
    bool report = false;                   // also make the compatibility report (BuildResult::report)
};

struct KernelFailure {
    std::string path, message;
};

struct BuildResult {
    PackStats stats;
    // minimized + reused + linked = kernels packed; linked: the same file as another kernel
    // (a symbolic or hard link, a directory link), which took that kernel's result
    size_t scanned = 0, minimized = 0, reused = 0, linked = 0;
    std::vector<KernelFailure> failures;  // skipped kernels and archive paths (dangling links, loops)
    std::vector<std::string> no_object;   // arches in the archive with no object for them
    bool update_used = false;             // false: --update pack absent/unusable, or objects changed
    std::string update_note;
    double seconds = 0;
    uint64_t peak_rss_bytes = 0;          // the process's peak resident memory (VmHWM)
    CompatReport report;                  // with BuildOptions::report: every packed kernel, in key order
};

// Builds and writes the pack to output (atomically). Throws Error on fatal problems (bad
// object, unreadable archive root, no kernel at all); per-kernel problems go to failures.
BuildResult build_pack(const BuildOptions& options, const std::string& output);

}  // namespace btfpack
