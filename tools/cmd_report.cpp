// Report verbs: report (over a pack or an archive) and diff (two packs).
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include <CLI/CLI.hpp>

#include "btfpack/error.h"
#include "btfpack/file_io.h"
#include "btfpack/report_builder.h"
#include "commands.h"
#include "report_output.h"

namespace btfpack::cli {
namespace {

void progress_on_tty(ReportOptions* o) {
    if (!isatty(STDERR_FILENO)) return;
    o->progress = [](size_t done, size_t total) {
        fprintf(stderr, "\rrelocating: %zu/%zu kernel BTFs   ", done, total);
        if (done == total) fprintf(stderr, "\n");
    };
}

Verdict parse_verdict(const std::string& s) {
    if (s == "poisoned") return Verdict::Poisoned;
    if (s == "fails") return Verdict::Fails;
    throw CLI::ValidationError("--fail-on", "expected poisoned or fails, got '" + s + "'");
}

ReportRun run_report(const std::string& pack, const std::string& against, ReportOptions opt) {
    progress_on_tty(&opt);
    if (!against.empty()) return report_archive(against, opt);
    return report_pack(pack, opt);
}

}  // namespace

void write_report_file(const std::string& path, const CompatReport& report, const ReportSource& src,
                       const std::vector<KernelFailure>& skipped) {
    std::ostringstream s;
    bool html = path.size() > 5 && path.compare(path.size() - 5, 5, ".html") == 0;
    if (html) s << report_html(report, src);
    else write_report_json(s, report, src, skipped);
    std::string text = s.str();
    write_file_atomically(path, std::vector<uint8_t>(text.begin(), text.end()));
}

int report(const ReportRequest& rq) {
    if (rq.pack.empty() == rq.against.empty())
        throw CLI::ValidationError("report", "give a PACK, or --against ARCHIVE (not both)");
    Verdict fail_on = rq.fail_on.empty() ? Verdict::Clean : parse_verdict(rq.fail_on);
    ReportRun run = run_report(rq.pack, rq.against, rq.options);
    ReportSource src{rq.pack.empty() ? "archive" : "pack", rq.pack.empty() ? rq.against : rq.pack};
    for (const auto& f : run.skipped) fprintf(stderr, "btfpack: skipped %s\n", f.message.c_str());
    if (!rq.html.empty()) write_report_file(rq.html, run.report, src, run.skipped);
    if (rq.json) write_report_json(std::cout, run.report, src, run.skipped);
    else print_report_summary(stdout, run.report, src, rq.verbose);
    if (!rq.json)
        printf("\n(%zu distinct kernel BTFs relocated in %.2fs%s)\n", run.relocated, run.seconds,
               src.kind == "pack" ? "; from the pack alone: packed BTFs relocate exactly like the full ones" : "");
    if (fail_on != Verdict::Clean)
        for (const KernelReport& k : run.report.kernels)
            if (k.verdict() >= fail_on) return kExitVerdict;
    return run.skipped.empty() ? kExitOk : kExitPartial;
}

int diff(const DiffRequest& rq) {
    ReportOptions old_opt = rq.options, new_opt = rq.options;
    if (!rq.old_objects.empty()) old_opt.objects = rq.old_objects;
    ReportRun a = run_report(rq.old_pack, "", old_opt), b = run_report(rq.new_pack, "", new_opt);
    std::map<std::string, const KernelReport*> old_by, new_by;
    for (const auto& k : a.report.kernels) old_by[k.key.str()] = &k;
    for (const auto& k : b.report.kernels) new_by[k.key.str()] = &k;
    // the missing pieces of a kernel, as text (kernel named), to show what came and went
    auto pieces = [](const CompatReport& r, const KernelReport& k) {
        std::set<std::string> s;
        for (const ProgramResult& p : k.programs)
            for (const RelocProblem& pr : p.problems)
                s.insert(object_name(r.columns, pr.object) + " " + r.columns.programs[p.column].name + ": " +
                         problem_text(r.columns, pr, k.key));
        return s;
    };
    std::vector<const KernelReport*> added, removed;
    std::vector<std::pair<const KernelReport*, const KernelReport*>> changed;
    for (const auto& [key, k] : new_by) {
        auto it = old_by.find(key);
        if (it == old_by.end()) added.push_back(k);
        else if (it->second->verdict() != k->verdict()) changed.push_back({it->second, k});
    }
    for (const auto& [key, k] : old_by)
        if (!new_by.count(key)) removed.push_back(k);
    bool regression = false;
    for (const auto& [o, n] : changed) regression |= n->verdict() > o->verdict();
    for (const KernelReport* k : added) regression |= k->verdict() == Verdict::Fails;
    if (rq.json) {
        std::cout << "{\"old\": " << json_str(rq.old_pack) << ", \"new\": " << json_str(rq.new_pack)
                  << ", \"old_kernels\": " << a.report.kernels.size() << ", \"new_kernels\": " << b.report.kernels.size()
                  << ",\n \"added\": [";
        for (size_t i = 0; i < added.size(); i++)
            std::cout << (i ? ", " : "") << "{\"key\": " << json_str(added[i]->key.str()) << ", \"verdict\": \""
                      << verdict_name(added[i]->verdict()) << "\"}";
        std::cout << "],\n \"removed\": [";
        for (size_t i = 0; i < removed.size(); i++)
            std::cout << (i ? ", " : "") << "{\"key\": " << json_str(removed[i]->key.str()) << ", \"verdict\": \""
                      << verdict_name(removed[i]->verdict()) << "\"}";
        std::cout << "],\n \"changed\": [";
        for (size_t i = 0; i < changed.size(); i++) {
            auto [o, n] = changed[i];
            std::set<std::string> po = pieces(a.report, *o), pn = pieces(b.report, *n);
            std::cout << (i ? ",\n   " : "\n   ") << "{\"key\": " << json_str(n->key.str()) << ", \"old\": \""
                      << verdict_name(o->verdict()) << "\", \"new\": \"" << verdict_name(n->verdict()) << "\", \"now_missing\": [";
            bool first = true;
            for (const auto& s : pn)
                if (!po.count(s)) std::cout << (first ? "" : ", ") << json_str(s), first = false;
            std::cout << "], \"no_longer_missing\": [";
            first = true;
            for (const auto& s : po)
                if (!pn.count(s)) std::cout << (first ? "" : ", ") << json_str(s), first = false;
            std::cout << "]}";
        }
        std::cout << "],\n \"regression\": " << (regression ? "true" : "false") << "}\n";
    } else {
        printf("btfpack diff: %zu -> %zu kernels: %zu added, %zu removed, %zu changed verdict\n", a.report.kernels.size(),
               b.report.kernels.size(), added.size(), removed.size(), changed.size());
        for (const KernelReport* k : added) printf("  added    %s: %s\n", k->key.str().c_str(), verdict_name(k->verdict()));
        for (const KernelReport* k : removed) printf("  removed  %s (was %s)\n", k->key.str().c_str(), verdict_name(k->verdict()));
        for (const auto& [o, n] : changed) {
            printf("  changed  %s: %s -> %s%s\n", n->key.str().c_str(), verdict_name(o->verdict()), verdict_name(n->verdict()),
                   n->verdict() > o->verdict() ? "  (worse)" : "");
            std::set<std::string> po = pieces(a.report, *o), pn = pieces(b.report, *n);
            for (const auto& s : pn)
                if (!po.count(s)) printf("           + %s\n", s.c_str());
            for (const auto& s : po)
                if (!pn.count(s)) printf("           - %s\n", s.c_str());
        }
        if (regression) printf("regression: some kernels got worse, or new kernels fail\n");
    }
    return regression && rq.fail_on_regression ? kExitVerdict : kExitOk;
}

}  // namespace btfpack::cli
