// Compatibility report (see compat_report.h): relocate_object's outcomes tallied per program,
// classified exactly as the relo_oracle test tool reads libbpf's log (patched, poison, FAILED
// lines; ABORTED programs).
#include "btfpack/compat_report.h"

#include <algorithm>
#include <set>

#include "btfpack/core_outcome.h"
#include "btfpack/core_resolver.h"

namespace btfpack {

const char* verdict_name(Verdict v) {
    switch (v) {
    case Verdict::Clean: return "clean";
    case Verdict::Poisoned: return "poisoned";
    case Verdict::Fails: return "fails";
    }
    return "?";
}

Verdict ProgramResult::verdict() const {
    if (failed || aborted) return Verdict::Fails;
    return poisoned ? Verdict::Poisoned : Verdict::Clean;
}

Verdict KernelReport::verdict() const {
    Verdict v = Verdict::Clean;
    for (const ProgramResult& p : programs) v = std::max(v, p.verdict());
    return v;
}

namespace {

// The kind of thing a relocation asks about, in a person's words.
const char* thing_of(CoreRelocKind k) {
    switch (k) {
    case CoreRelocKind::FieldByteOffset: return "field";
    case CoreRelocKind::FieldByteSize: return "field size";
    case CoreRelocKind::FieldExists: return "field existence";
    case CoreRelocKind::FieldSigned: return "field signedness";
    case CoreRelocKind::FieldLShiftU64: return "bitfield left shift";
    case CoreRelocKind::FieldRShiftU64: return "bitfield right shift";
    case CoreRelocKind::TypeIdLocal: return "local type id";
    case CoreRelocKind::TypeIdTarget: return "type id";
    case CoreRelocKind::TypeExists: return "type existence";
    case CoreRelocKind::TypeSize: return "type size";
    case CoreRelocKind::EnumValueExists: return "enum value existence";
    case CoreRelocKind::EnumValueValue: return "enum value";
    case CoreRelocKind::TypeMatches: return "type match";
    }
    return "relocation";
}

}  // namespace

CompatChecker::CompatChecker(std::vector<const LocalRelocations*> objects, std::vector<ReportObject> info)
    : locals_(std::move(objects)) {
    ReportColumns& c = columns_;
    c.objects = std::move(info);
    c.objects.resize(locals_.size());
    for (uint32_t o = 0; o < locals_.size(); o++) {
        const LocalRelocations& l = *locals_[o];
        // columns: the object's programs with CO-RE relocations, by name, in first-relocation order
        column_of_.emplace_back(l.program_names().size(), UINT32_MAX);
        for (const LocalRelocation& lr : l.relocations()) {
            uint32_t& col = column_of_[o][lr.prog_name];
            if (col != UINT32_MAX) continue;
            col = uint32_t(c.programs.size());
            c.programs.push_back({o, l.program_names()[lr.prog_name]});
        }
        c.access.emplace_back(l.spec_count());
        c.thing.emplace_back(l.spec_count());
        c.root.emplace_back(l.spec_count());
        for (uint32_t s = 0; s < l.spec_count(); s++) {
            const CoreRelocation& relo = l.relo(l.spec_info(s).first);
            c.access[o][s] = describe_access(l.object(), relo);
            c.thing[o][s] = thing_of(relo.kind);
            std::string root = root_type_name(l.object(), relo);
            size_t flavor = root.find("___");  // candidates are found by the essential name
            if (flavor != std::string::npos) root.resize(flavor);
            c.root[o][s] = root;
        }
    }
}

KernelReport CompatChecker::check(const KernelKey& key, const struct btf* target, const std::vector<size_t>& objects) const {
    KernelReport rep;
    rep.key = key;
    for (size_t o : objects) {
        const LocalRelocations& l = *locals_[o];
        CandidateIndex index(target, l);
        RelocationOutcomes out = relocate_object(l, index);
        // every program of the object gets a row entry, relocated cleanly or not
        std::vector<ProgramResult> res;
        std::vector<uint32_t> slot(l.program_names().size(), UINT32_MAX);
        for (uint32_t p = 0; p < l.program_names().size(); p++) {
            if (column_of_[o][p] == UINT32_MAX) continue;
            slot[p] = uint32_t(res.size());
            res.emplace_back().column = column_of_[o][p];
        }
        std::vector<std::set<std::pair<uint32_t, bool>>> seen(res.size());  // (spec, failed) listed once
        for (const RelocOutcome& oc : out.outcomes) {
            const LocalRelocation& lr = l.relocations()[oc.relocation];
            ProgramResult& pr = res[slot[lr.prog_name]];
            const RelocEventKind k = oc.decided.kind;
            bool failed = oc.decided.is_failure();
            if (k == RelocEventKind::Patched || k == RelocEventKind::PatchedMemSize) {
                pr.patched++;
                continue;
            }
            (failed ? pr.failed : pr.poisoned)++;
            if (!seen[slot[lr.prog_name]].insert({lr.spec_id, failed}).second) continue;
            RelocProblem prob;
            prob.object = uint32_t(o);
            prob.spec_id = lr.spec_id;
            prob.failed = failed;
            if (failed) {
                prob.detail = event_text(l, oc.relocation, oc.decided, out.texts);
            } else {
                const LocalSpec& si = l.spec_info(lr.spec_id);
                prob.no_candidates = !si.anonymous && !si.bad_type &&
                                     index.find(l.names()[si.name_key], l.object().btf(), l.relo(oc.relocation).type_id).empty();
            }
            pr.problems.push_back(std::move(prob));
        }
        for (const AbortedProgram& a : out.aborted) res[slot[a.prog_name]].aborted = true;
        for (ProgramResult& pr : res) rep.programs.push_back(std::move(pr));
    }
    std::sort(rep.programs.begin(), rep.programs.end(),
              [](const ProgramResult& a, const ProgramResult& b) { return a.column < b.column; });
    return rep;
}

std::string problem_text(const ReportColumns& c, const RelocProblem& p, const std::string& kernel) {
    std::string s = c.access[p.object][p.spec_id] + " (" + c.thing[p.object][p.spec_id] + "): ";
    if (p.failed) return s + p.detail;
    s += "not in " + kernel;
    if (p.no_candidates) s += " (no " + c.root[p.object][p.spec_id] + " in the kernel)";
    return s;
}

}  // namespace btfpack
