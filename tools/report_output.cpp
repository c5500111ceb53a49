// Report outputs: terminal summary and JSON (see report_output.h; HTML: report_html.cpp).
#include "report_output.h"

#include <algorithm>
#include <array>
#include <map>
#include <tuple>

#include "commands.h"

namespace btfpack::cli {
namespace {

const char* plural(size_t n, const char* one, const char* many) { return n == 1 ? one : many; }

std::string group_of(const KernelKey& k) { return k.distro + "/" + k.version + "/" + k.arch; }

// A missing piece without its kernel (what every kernel lacking it shares: a RelocProblem
// names no kernel), ordered to count kernels per piece.
struct PieceOrder {
    bool operator()(const RelocProblem& a, const RelocProblem& b) const {
        return std::tie(a.object, a.spec_id, a.failed, a.no_candidates, a.detail) <
               std::tie(b.object, b.spec_id, b.failed, b.no_candidates, b.detail);
    }
};

std::string piece_text(const ReportColumns& c, const RelocProblem& p) {
    std::string s = c.access[p.object][p.spec_id] + " (" + c.thing[p.object][p.spec_id] + "): ";
    if (p.failed) return s + p.detail;
    return s + (p.no_candidates ? "no " + c.root[p.object][p.spec_id] + " in the kernel" : "not in the kernel");
}

}  // namespace

std::string object_name(const ReportColumns& c, uint32_t o) {
    const std::string& p = c.objects[o].path;
    return p.substr(p.find_last_of('/') + 1);
}

void print_report_summary(std::FILE* out, const CompatReport& r, const ReportSource& src, bool verbose) {
    const ReportColumns& c = r.columns;
    size_t counts[3] = {0, 0, 0};
    std::map<std::string, std::array<size_t, 3>> groups;
    std::map<RelocProblem, std::pair<size_t, size_t>, PieceOrder> pieces;  // -> (kernels, last kernel counted + 1)
    std::map<uint32_t, std::pair<size_t, std::string>> failing;  // column -> (kernels, first reason)
    for (size_t ki = 0; ki < r.kernels.size(); ki++) {
        const KernelReport& k = r.kernels[ki];
        Verdict v = k.verdict();
        counts[int(v)]++;
        groups[group_of(k.key)][int(v)]++;
        for (const ProgramResult& p : k.programs) {
            for (const RelocProblem& pr : p.problems) {
                auto& e = pieces[pr];
                if (e.second != ki + 1) e.first++, e.second = ki + 1;
            }
            if (p.verdict() == Verdict::Fails) {
                auto& f = failing[p.column];
                if (!f.first++) {
                    for (const RelocProblem& pr : p.problems)
                        if (pr.failed) f.second = problem_text(c, pr, k.key);
                    if (f.second.empty()) f.second = "its relocation failed";
                }
            }
        }
    }
    std::fprintf(out, "btfpack report: %zu %s x %zu %s (%zu %s), from %s %s\n", r.kernels.size(),
                 plural(r.kernels.size(), "kernel", "kernels"), c.objects.size(), plural(c.objects.size(), "object", "objects"),
                 c.programs.size(), plural(c.programs.size(), "program", "programs"), src.kind.c_str(), src.path.c_str());
    std::fprintf(out, "  %zu clean (every program relocates), %zu poisoned (some instructions poisoned: rejected if "
                      "reached), %zu fail (some programs fail to relocate)\n",
                 counts[0], counts[1], counts[2]);
    if (!groups.empty()) {
        size_t w = 0;
        for (const auto& [g, n] : groups) w = std::max(w, g.size());
        std::fprintf(out, "\nkernels by distro/version/arch:\n");
        for (const auto& [g, n] : groups)
            std::fprintf(out, "  %-*s  %5zu: %zu clean, %zu poisoned, %zu fail\n", int(w), g.c_str(), n[0] + n[1] + n[2], n[0],
                         n[1], n[2]);
    }
    if (!pieces.empty()) {
        std::vector<std::pair<size_t, RelocProblem>> top;
        for (const auto& [p, n] : pieces) top.push_back({n.first, p});
        std::stable_sort(top.begin(), top.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
        size_t shown = verbose ? top.size() : std::min<size_t>(top.size(), 10);
        std::fprintf(out, "\nmost common missing pieces (kernels lacking it, of %zu):\n", r.kernels.size());
        for (size_t i = 0; i < shown; i++)
            std::fprintf(out, "  %5zu  %s: %s\n", top[i].first, object_name(c, top[i].second.object).c_str(),
                         piece_text(c, top[i].second).c_str());
        if (shown < top.size()) std::fprintf(out, "  ... %zu more (--verbose, --json)\n", top.size() - shown);
    }
    if (!failing.empty()) {
        std::fprintf(out, "\nprograms that fail to relocate:\n");
        for (const auto& [col, f] : failing)
            std::fprintf(out, "  %s %s: on %zu %s, e.g. %s\n", object_name(c, c.programs[col].object).c_str(),
                         c.programs[col].name.c_str(), f.first, plural(f.first, "kernel", "kernels"), f.second.c_str());
    }
    if (!verbose) return;
    std::fprintf(out, "\nper kernel:\n");
    for (const KernelReport& k : r.kernels) {
        std::fprintf(out, "  %s: %s\n", k.key.str().c_str(), verdict_name(k.verdict()));
        for (const ProgramResult& p : k.programs) {
            if (p.verdict() == Verdict::Clean) continue;
            const ReportProgram& rp = c.programs[p.column];
            std::fprintf(out, "    %s %s: %s (%u patched, %u poisoned, %u failed%s)\n", object_name(c, rp.object).c_str(),
                         rp.name.c_str(), verdict_name(p.verdict()), p.patched, p.poisoned, p.failed,
                         p.aborted ? ", load aborted" : "");
            for (const RelocProblem& pr : p.problems) std::fprintf(out, "      %s\n", problem_text(c, pr, k.key).c_str());
        }
    }
}

void write_report_json(std::ostream& o, const CompatReport& r, const ReportSource& src,
                       const std::vector<KernelFailure>& skipped) {
    const ReportColumns& c = r.columns;
    size_t counts[3] = {0, 0, 0};
    for (const KernelReport& k : r.kernels) counts[int(k.verdict())]++;
    o << "{\"btfpack_report\": 1,\n \"source\": {\"" << src.kind << "\": " << json_str(src.path) << "},\n \"objects\": [";
    for (size_t i = 0; i < c.objects.size(); i++)
        o << (i ? ", " : "") << "{\"path\": " << json_str(c.objects[i].path) << ", \"arch\": " << json_str(c.objects[i].arch) << "}";
    o << "],\n \"programs\": [";
    for (size_t i = 0; i < c.programs.size(); i++)
        o << (i ? ",\n   " : "\n   ") << "{\"object\": " << c.programs[i].object << ", \"name\": " << json_str(c.programs[i].name) << "}";
    o << "],\n \"summary\": {\"kernels\": " << r.kernels.size() << ", \"clean\": " << counts[0]
      << ", \"poisoned\": " << counts[1] << ", \"fails\": " << counts[2] << "},\n \"kernels\": [";
    for (size_t ki = 0; ki < r.kernels.size(); ki++) {
        const KernelReport& k = r.kernels[ki];
        o << (ki ? ",\n  " : "\n  ") << "{\"key\": " << json_str(k.key.str()) << ", \"distro\": " << json_str(k.key.distro)
          << ", \"version\": " << json_str(k.key.version) << ", \"arch\": " << json_str(k.key.arch)
          << ", \"kernel\": " << json_str(k.key.kernel) << ", \"verdict\": \"" << verdict_name(k.verdict())
          << "\", \"programs\": [";
        for (size_t pi = 0; pi < k.programs.size(); pi++) {
            const ProgramResult& p = k.programs[pi];
            const ReportProgram& rp = c.programs[p.column];
            o << (pi ? ",\n    " : "\n    ") << "{\"column\": " << p.column << ", \"object\": " << json_str(c.objects[rp.object].path)
              << ", \"program\": " << json_str(rp.name) << ", \"verdict\": \"" << verdict_name(p.verdict())
              << "\", \"patched\": " << p.patched << ", \"poisoned\": " << p.poisoned << ", \"failed\": " << p.failed
              << ", \"aborted\": " << (p.aborted ? "true" : "false") << ", \"missing\": [";
            for (size_t j = 0; j < p.problems.size(); j++)
                o << (j ? ", " : "") << json_str(problem_text(c, p.problems[j], k.key));
            o << "]}";
        }
        o << "]}";
    }
    o << "],\n \"skipped\": [";
    for (size_t i = 0; i < skipped.size(); i++)
        o << (i ? ", " : "") << "{\"path\": " << json_str(skipped[i].path) << ", \"message\": " << json_str(skipped[i].message) << "}";
    o << "]}\n";
}

}  // namespace btfpack::cli
