// Relocation outcomes as text, in libbpf 1.1's and relo_oracle's words, and their comparison
// (see core_outcome.h).
#include "btfpack/core_outcome.h"

#include <bpf/btf.h>

#include <cstdarg>
#include <cstdint>
#include <cstdio>

#include "btfpack/local_relocations.h"
#include "core/core_rules.h"

namespace btfpack {
namespace {

std::string fmt(const char* f, ...) __attribute__((format(printf, 1, 2)));
std::string fmt(const char* f, ...) {
    char buf[1024];
    va_list ap;
    va_start(ap, f);
    vsnprintf(buf, sizeof(buf), f, ap);
    va_end(ap);
    return buf;
}

using ull = unsigned long long;

const char* class_name(InsnClass c) {
    switch (c) {
    case InsnClass::Alu: return "ALU/ALU64";
    case InsnClass::LdxStStx: return "LDX/ST/STX";
    case InsnClass::Ldimm64: return "LDIMM64";
    }
    return "?";
}

// The relocation's root type as libbpf's messages spell it: kind name, then name.
std::string local_root(const LocalRelocations& local, const CoreRelocation& r, const char* anon) {
    const struct btf* b = local.object().btf();
    const struct btf_type* t = btf__type_by_id(b, r.type_id);
    const char* name = t ? btf__name_by_offset(b, t->name_off) : nullptr;
    return std::string(t ? btf_kind_name(t) : "?") + " " + (name && *name ? name : anon);
}

}  // namespace

std::string event_text(const LocalRelocations& local, uint32_t relocation, const RelocEvent& ev,
                       const std::vector<std::string>& texts) {
    const LocalRelocation& lr = local.relocations()[relocation];
    const CoreRelocation& r = local.relo(relocation);
    switch (ev.kind) {
    case RelocEventKind::LocalSpec: return format_spec(local.spec(lr.spec_id));
    case RelocEventKind::NoMatchingTargets: return "no matching targets found";
    case RelocEventKind::Patched:
        if (ev.insn_class == InsnClass::Ldimm64)
            return fmt("patched insn #%d (LDIMM64) imm64 %llu -> %llu", ev.insn, ull(ev.a), ull(ev.b));
        return fmt("patched insn #%d (%s) %s %llu -> %llu", ev.insn, class_name(ev.insn_class),
                   ev.insn_class == InsnClass::Alu ? "imm" : "off", ull(ev.a), ull(ev.b));
    case RelocEventKind::PatchedMemSize:
        return fmt("patched insn #%d (LDX/ST/STX) mem_sz %u -> %u", ev.insn, unsigned(ev.a), unsigned(ev.b));
    case RelocEventKind::Substituted: return fmt("substituting insn #%d w/ invalid insn", ev.insn);
    case RelocEventKind::RelocateFailed: return fmt("failed to relocate: %lld", (long long)ev.err);
    case RelocEventKind::CandidateSearchFailed:
        return fmt("target candidate search failed for [%u] %s: %lld", unsigned(ev.a), local_root(local, r, "").c_str(),
                   (long long)ev.err);
    case RelocEventKind::ParseFailed:
        return fmt("parsing [%u] %s + %s failed: %lld", r.type_id, local_root(local, r, "<anon>").c_str(),
                   *local.object().access_string(r) ? local.object().access_string(r) : "<?>", (long long)ev.err);
    case RelocEventKind::AnonymousUnsupported:
        return fmt("<%s> (%d) relocation doesn't support anonymous types", core_reloc_kind_name(r.kind), int(r.kind));
    case RelocEventKind::CandidateMatchError:
        return fmt("error matching candidate #%llu %s: %lld", ull(ev.a),
                   ev.text && ev.text <= texts.size() ? texts[ev.text - 1].c_str() : "?", (long long)ev.err);
    case RelocEventKind::FieldOffsetAmbiguity:
        return fmt("field offset ambiguity: %u != %u", unsigned(ev.a), unsigned(ev.b));
    case RelocEventKind::DecisionAmbiguity:
        return fmt("relocation decision ambiguity: %s %llu != %s %llu", ev.a ? "failure" : "success", ull(ev.b),
                   ev.c ? "failure" : "success", ull(ev.d));
    case RelocEventKind::UnrecognizedKind:
        return fmt("unrecognized CO-RE relocation %s (%d) at insn #%d", core_reloc_kind_name(r.kind), int(r.kind),
                   int(r.insn_off / 8));
    case RelocEventKind::UnexpectedInsnValue:
        if (ev.insn_class == InsnClass::Ldimm64)
            return fmt("unexpected insn #%d (LDIMM64) value: got %llu, exp %llu -> %llu", ev.insn, ull(ev.a), ull(ev.b),
                       ull(ev.c));
        return fmt("unexpected insn #%d (%s) value: got %u, exp %llu -> %llu", ev.insn, class_name(ev.insn_class),
                   unsigned(ev.a), ull(ev.b), ull(ev.c));
    case RelocEventKind::ValueTooBig: return fmt("insn #%d (LDX/ST/STX) value too big: %llu", ev.insn, ull(ev.a));
    case RelocEventKind::AccessesFieldIncorrectly:
        return fmt("insn #%d (LDX/ST/STX) accesses field incorrectly. Make sure you are accessing pointers, unsigned "
                   "integers, or fields of matching type and size.",
                   ev.insn);
    case RelocEventKind::UnexpectedMemSize:
        return fmt("insn #%d (LDX/ST/STX) unexpected mem size: got %d, exp %u", ev.insn, int(int64_t(ev.a)),
                   unsigned(ev.b));
    case RelocEventKind::InvalidNewMemSize:
        return fmt("insn #%d (LDX/ST/STX) invalid new mem size: %u", ev.insn, unsigned(ev.a));
    case RelocEventKind::UnexpectedLdimm64Form: return fmt("insn #%d (LDIMM64) has unexpected form", ev.insn);
    case RelocEventKind::UnrecognizedInsn:
        return fmt("trying to relocate unrecognized insn #%d, code:0x%x, src:0x%x, dst:0x%x, off:0x%x, imm:0x%x", ev.insn,
                   unsigned(ev.a), unsigned(ev.b), unsigned(ev.c), unsigned(ev.d), unsigned(ev.e));
    case RelocEventKind::PatchFailed: return fmt("failed to patch insn #%d: %lld", ev.insn, (long long)ev.err);
    }
    return "?";
}

bool RelocEvent::same_as(const RelocEvent& o, bool target_ids_differ) const {
    if (kind != o.kind || insn_class != o.insn_class || insn != o.insn || err != o.err || a != o.a || c != o.c ||
        e != o.e)
        return false;
    if (!target_ids_differ) return b == o.b && d == o.d;
    switch (kind) {
    case RelocEventKind::Patched: return true;                  // b: the patched target type id
    case RelocEventKind::DecisionAmbiguity: return true;        // b, d: the candidates' type ids
    case RelocEventKind::UnexpectedInsnValue: return b == o.b;  // c: the new value
    default: return b == o.b && d == o.d;  // (a CandidateMatchError's text names target ids: not compared)
    }
}

std::vector<std::string> outcome_lines(const LocalRelocations& local, const RelocationOutcomes& outcomes) {
    std::vector<std::string> lines;
    lines.reserve(outcomes.outcomes.size() + outcomes.aborted.size());
    for (const RelocOutcome& o : outcomes.outcomes) {
        const LocalRelocation& lr = local.relocations()[o.relocation];
        std::string line = local.program_names()[lr.prog_name] + " #" + std::to_string(local.relo(o.relocation).index) + " " +
                           (o.has_spec ? event_text(local, o.relocation, RelocEvent(), outcomes.texts) : "<?>") + " => ";
        if (o.decided.kind == RelocEventKind::Substituted)
            line += "poison insn #" + std::to_string(o.decided.insn) + (o.no_match ? " [no matching targets]" : "");
        else
            line += (o.decided.is_failure() ? "FAILED " : "") + event_text(local, o.relocation, o.decided, outcomes.texts);
        lines.push_back(std::move(line));
    }
    for (const AbortedProgram& p : outcomes.aborted)
        lines.push_back(local.program_names()[p.prog_name] + " #* => ABORTED after relo #" + std::to_string(p.last_relo));
    return lines;
}

}  // namespace btfpack
