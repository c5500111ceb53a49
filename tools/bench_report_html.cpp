// A report page at the scale of the biggest users, for scripts/bench-report: a real report
// (a pack and its objects) grown to at least KERNELS x PROGRAMS by copying its kernels and
// programs, each copied kernel taking every cell from a pseudo-randomly chosen real kernel,
// so that rows are as varied as real ones. Not installed.
//   usage: bench_report_html PACK OUT.html KERNELS PROGRAMS OBJ...
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <algorithm>
#include <random>
#include <stdexcept>

#include "btfpack/file_io.h"
#include "btfpack/report_builder.h"
#include "report_output.h"

using namespace btfpack;

int main(int argc, char** argv) {
    if (argc < 6) {
        std::fprintf(stderr, "usage: bench_report_html PACK OUT.html KERNELS PROGRAMS OBJ...\n");
        return 2;
    }
    try {
        ReportOptions o;
        o.objects.assign(argv + 5, argv + argc);
        CompatReport base = report_pack(argv[1], o).report;
        const size_t want_k = std::strtoul(argv[3], nullptr, 10), want_p = std::strtoul(argv[4], nullptr, 10);
        if (base.kernels.empty() || base.columns.programs.empty()) throw std::runtime_error("empty report");
        CompatReport r;
        r.columns = base.columns;
        const size_t base_p = base.columns.programs.size();
        for (size_t copy = 1; r.columns.programs.size() < want_p; copy++)  // more objects like these
            for (size_t i = 0; i < base.columns.objects.size() && r.columns.programs.size() < want_p; i++) {
                ReportObject ob = base.columns.objects[i];
                ob.path += "#" + std::to_string(copy);
                uint32_t oi = uint32_t(r.columns.objects.size());
                r.columns.objects.push_back(ob);
                r.columns.access.push_back(base.columns.access[i]);
                r.columns.thing.push_back(base.columns.thing[i]);
                r.columns.root.push_back(base.columns.root[i]);
                for (const ReportProgram& p : base.columns.programs)
                    if (p.object == i) r.columns.programs.push_back({oi, p.name});
            }
        std::mt19937 rng(42);
        for (size_t copy = 0; r.kernels.size() < want_k; copy++)
            for (const KernelReport& k : base.kernels) {
                if (r.kernels.size() >= want_k) break;
                KernelReport nk;
                nk.key = k.key;
                if (copy) nk.key.kernel += "-c" + std::to_string(copy);
                // each cell from the same program on a random real kernel of the same arch
                for (size_t col = 0; col < r.columns.programs.size(); col++) {
                    const KernelReport* src = &k;
                    if (copy)
                        for (int tries = 0; tries < 4; tries++) {
                            const KernelReport& c = base.kernels[rng() % base.kernels.size()];
                            if (c.key.arch == k.key.arch) src = &c;
                        }
                    for (const ProgramResult& p : src->programs)
                        if (p.column == col % base_p) {
                            ProgramResult q = p;
                            q.column = uint32_t(col);
                            for (auto& pr : q.problems) pr.object = r.columns.programs[col].object;
                            nk.programs.push_back(std::move(q));
                        }
                }
                r.kernels.push_back(std::move(nk));
            }
        std::sort(r.kernels.begin(), r.kernels.end(), [](const KernelReport& a, const KernelReport& b) { return a.key < b.key; });
        std::string page = cli::report_html(r, {"pack", std::string(argv[1]) + " (grown for the benchmark)"});
        write_file_atomically(argv[2], std::vector<uint8_t>(page.begin(), page.end()));
        std::printf("%zu kernels x %zu programs: %zu bytes\n", r.kernels.size(), r.columns.programs.size(), page.size());
    } catch (const std::exception& e) {
        std::fprintf(stderr, "bench_report_html: %s\n", e.what());
        return 1;
    }
    return 0;
}
