// The btfpack CLI verbs; each returns the process exit code (see btfpack.cpp).
#pragma once
#include <string>
#include <vector>

#include "btfpack/pack_builder.h"
#include "btfpack/report_builder.h"

namespace btfpack::cli {

// kExitVerdict: report --fail-on / diff --fail-on-regression found what was asked about.
constexpr int kExitOk = 0, kExitError = 1, kExitUsage = 2, kExitPartial = 3, kExitVerdict = 4;

int relocs(const std::vector<std::string>& objects, bool json, const std::string& btf);
int minimize(const std::string& kernel, const std::vector<std::string>& objects, const std::string& out, bool verbose);
// report_file: also write the compatibility report there (.html: the page, else JSON).
int build(BuildOptions options, const std::string& out, bool json, bool strict, const std::string& report_file = "");
int ls(const std::string& pack, bool json);
int info(const std::string& pack);
int get(const std::string& pack, const std::string& key, const std::string& out);
int verify(const std::string& pack, const std::string& archive, const std::vector<std::string>& objects, size_t sample);

struct ReportRequest {
    std::string pack, against;  // exactly one of them
    ReportOptions options;
    bool json = false, verbose = false;
    std::string html;     // also write the HTML page there
    std::string fail_on;  // "poisoned" or "fails": exit kExitVerdict if a kernel is that or worse
};
int report(const ReportRequest& request);

struct DiffRequest {
    std::string old_pack, new_pack;
    ReportOptions options;                 // objects: the new pack's (and the old one's, unless old_objects)
    std::vector<std::string> old_objects;  // the old pack's objects if they differ
    bool json = false, fail_on_regression = false;
};
int diff(const DiffRequest& request);

// The report as JSON, or as the HTML page when path ends in .html (atomically).
void write_report_file(const std::string& path, const CompatReport& report, const struct ReportSource& source,
                       const std::vector<KernelFailure>& skipped);

int embed(const std::string& pack, const std::string& out, const std::string& symbol);

std::string json_str(const std::string& s);
// What the environment asks of the engine: BTFPACK_RELO_LOG (libbpf-style relocation log on
// stderr), BTFPACK_SKIP_SELF_CHECK=1 (no self-check: for debugging btfpack itself only).
MinimizeOptions minimize_options_from_env();

}  // namespace btfpack::cli
