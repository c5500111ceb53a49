// The compatibility report as people and programs read it: a terminal summary, JSON
// (docs/REPORT.md gives the schema) and one self-contained HTML page.
#pragma once
#include <cstdio>
#include <ostream>
#include <string>
#include <vector>

#include "btfpack/compat_report.h"
#include "btfpack/pack_builder.h"

namespace btfpack::cli {

// Where a report came from, as its outputs name it.
struct ReportSource {
    std::string kind;  // "pack" or "archive"
    std::string path;
};

// The file name of object o ("prog.o" for "build/prog.o"), as the outputs name objects.
std::string object_name(const ReportColumns& columns, uint32_t o);

// Kernels per verdict overall and per distro/version/arch, the most common missing pieces,
// the failing programs; verbose: every kernel's non-clean programs with what is missing.
void print_report_summary(std::FILE* out, const CompatReport& report, const ReportSource& source, bool verbose);
void write_report_json(std::ostream& out, const CompatReport& report, const ReportSource& source,
                       const std::vector<KernelFailure>& skipped);
// No network, no external file: inline CSS, the data as JSON and a small script drawing the
// heatmap on a canvas (only the visible part, so 4,000 x 1,000 cells stay fast).
std::string report_html(const CompatReport& report, const ReportSource& source);

}  // namespace btfpack::cli
