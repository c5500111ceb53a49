// What relocating an object against a target BTF did, as values: the events libbpf 1.1 would
// log for each CO-RE relocation (RelocEvent), and per relocation the outcome the relo_oracle
// test tool reads off that log (RelocOutcome). Text in libbpf's words is made from these
// only where a person reads it (relocs --btf, BTFPACK_RELO_LOG, error messages).
#pragma once
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace btfpack {

class LocalRelocations;

// One line libbpf logs for a relocation ("prog 'P': relo #N: <text>"). Which fields mean
// what depends on the kind; text is set only for CandidateMatchError (a target spec, kept in
// the texts of the RelocationOutcomes).
enum class RelocEventKind : uint8_t {
    LocalSpec,                 // the local spec, "<byte_off> [5] struct task_struct.pid (0:1 @ offset 4)"
    NoMatchingTargets,         // "no matching targets found"
    Patched,                   // insn, insn_class, a = old value, b = new value
    PatchedMemSize,            // insn, a = old size, b = new size
    Substituted,               // insn: "substituting insn #I w/ invalid insn" (poison)
    // failures: everything below
    RelocateFailed,            // err
    CandidateSearchFailed,     // err, a = local type id
    ParseFailed,               // err
    AnonymousUnsupported,      //
    CandidateMatchError,       // err, a = candidate index, text = candidate spec (target ids: not compared)
    FieldOffsetAmbiguity,      // a != b
    DecisionAmbiguity,         // a = poison?, b = value, c = other poison?, d = other value
    UnrecognizedKind,          // (the relocation's kind and instruction)
    UnexpectedInsnValue,       // insn, insn_class, a = got, b = expected, c = new
    ValueTooBig,               // insn, a
    AccessesFieldIncorrectly,  // insn
    UnexpectedMemSize,         // insn, a = got, b = expected
    InvalidNewMemSize,         // insn, a
    UnexpectedLdimm64Form,     // insn
    UnrecognizedInsn,          // insn, a = code, b = src, c = dst, d = off, e = imm
    PatchFailed,               // insn, err
};

enum class InsnClass : uint8_t { Alu, LdxStStx, Ldimm64 };

struct RelocEvent {
    RelocEventKind kind = RelocEventKind::LocalSpec;
    InsnClass insn_class = InsnClass::Alu;
    int32_t insn = 0;
    int64_t err = 0;
    uint64_t a = 0, b = 0, c = 0, d = 0, e = 0;
    uint32_t text = 0;  // 1 + index into RelocationOutcomes::texts; 0: none

    bool is_failure() const { return kind >= RelocEventKind::RelocateFailed; }
    // Equal as libbpf would log them, except target type ids when target_ids_differ (a full
    // and a minimized BTF number their types differently by construction).
    bool same_as(const RelocEvent& o, bool target_ids_differ) const;
};
using RelocEvents = std::vector<RelocEvent>;

// A relocation's outcome as relo_oracle reads it: patched, poisoned or failed.
struct RelocOutcome {
    uint32_t relocation = 0;  // index into LocalRelocations::relocations()
    bool has_spec = false;    // a LocalSpec event was seen (the line shows it)
    bool no_match = false;    // "no matching targets found" came before the outcome
    RelocEvent decided;       // the first Patched / PatchedMemSize / Substituted / failure event
};

// A program whose failure stopped libbpf's relocation pass (relo_oracle reloads without it).
struct AbortedProgram {
    uint32_t prog_name = 0;  // id into LocalRelocations::program_names()
    int last_relo = -1;      // highest relo # of the program that got an outcome
};

struct RelocationOutcomes {
    std::vector<RelocOutcome> outcomes;  // in the order libbpf logs them
    std::vector<AbortedProgram> aborted;  // in the order they failed
    std::vector<std::string> texts;       // the rare event texts (RelocEvent::text)
};

// libbpf's words for one event (the text after "relo #N: ").
std::string event_text(const LocalRelocations& local, uint32_t relocation, const RelocEvent& ev,
                       const std::vector<std::string>& texts);
// relo_oracle's normalized lines: "<prog> #<relo> <spec> => patched insn ...", then the
// "<prog> #* => ABORTED after relo #N" lines.
std::vector<std::string> outcome_lines(const LocalRelocations& local, const RelocationOutcomes& outcomes);

}  // namespace btfpack
