// CoreResolver: relocates a BPF object's CO-RE relocations against a target BTF exactly as
// libbpf 1.1 does (candidate search, candidate cache, ambiguity checks, instruction patching),
// for objects of either byte order. Also records what of the target a relocation can read.
// Cost is linear in relocations: the local side comes precomputed (LocalRelocations) and
// relocations with identical specs and candidate-cache state are resolved once per target.
#pragma once
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "btfpack/bpf_object.h"
#include "btfpack/core_outcome.h"
#include "btfpack/local_relocations.h"
#include "btfpack/observed_facts.h"

struct btf;

namespace btfpack {

class MemberNameIndex;
struct CandidateMatches;

// A target BTF's named types indexed by essential name (flavor suffix "___x" stripped).
// Only the names that the given objects' relocations start from are indexed (one pass, no
// allocation per target type).
class CandidateIndex {
public:
    CandidateIndex(const struct btf* target, const std::vector<const LocalRelocations*>& objects);
    CandidateIndex(const struct btf* target, const LocalRelocations& object) : CandidateIndex(target, {&object}) {}
    const struct btf* target() const { return target_; }
    // Candidates for a local type of essential name `name`, in target id order, as libbpf's
    // bpf_core_find_cands finds them.
    std::vector<uint32_t> find(const std::string& name, const struct btf* local, uint32_t local_id) const;
    // The target's members by name, filled as relocations look them up (so an index is used by
    // one thread at a time, like the rest of a relocation pass).
    MemberNameIndex* member_names() const { return names_.get(); }
    // What each (local spec, candidate) pair gave, kept so that observe_relocations and
    // relocate_object against this target match each pair once.
    CandidateMatches* matches() const { return matches_.get(); }

private:
    const struct btf* target_;
    std::unordered_map<std::string, std::vector<uint32_t>> by_name_;
    std::shared_ptr<MemberNameIndex> names_;
    std::shared_ptr<CandidateMatches> matches_;
};

// What libbpf does with every CO-RE relocation of the object against the target, including
// its reloads without failed programs (as the relo_oracle test tool drives it). With a log,
// every line libbpf would log ("prog 'P': relo #N: ...") is written to it as it is made.
RelocationOutcomes relocate_object(const LocalRelocations& local, const CandidateIndex& target,
                                   std::FILE* log = nullptr);

// Relocates the object against targets a and b side by side, as libbpf would, and compares
// every event libbpf would log (target type ids masked: a full and a minimized BTF number
// types differently). "" when the two logs agree, else where and how they first differ.
// Keeps no outcomes: cost and memory do not grow with what the two runs agree on.
std::string first_log_difference(const LocalRelocations& local, const CandidateIndex& a, const CandidateIndex& b,
                                 std::FILE* log = nullptr);  // log: target a's lines, as relocate_object

// Records in facts every part of the target that relocating obj can read, for every
// candidate of every relocation (so any candidate-cache state libbpf may be in is covered).
void observe_relocations(const LocalRelocations& local, const CandidateIndex& target, ObservedFacts* facts);

// "task_struct.real_parent", "task_struct.comm[3]", "enum pid_type::PIDTYPE_TGID", "struct foo".
std::string describe_access(const BpfObject& obj, const CoreRelocation& relo);
// The relocation's root type as C spells it: "struct task_struct", "enum pid_type".
std::string root_type_name(const BpfObject& obj, const CoreRelocation& relo);

}  // namespace btfpack
