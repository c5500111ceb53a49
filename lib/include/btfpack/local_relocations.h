// LocalRelocations: the local (object) side of every CO-RE relocation of one BPF object,
// worked out once per object and shared read-only by every kernel it is relocated against:
// the program each relocation patches, its parsed local spec, the essential name its
// candidates are looked up by, and an id shared by relocations with identical specs.
// Compact on purpose: the biggest objects carry tens of thousands of relocations but only a
// few thousand distinct specs, so what depends on the spec is kept once per spec.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "btfpack/bpf_object.h"

namespace btfpack {

struct CoreSpec;

// Per relocation (index i: the object's relocations()[i]).
struct LocalRelocation {
    uint32_t prog_name = 0;    // id of the program's name (equal names, equal ids)
    int32_t insn_idx = 0;      // instruction index inside the program
    uint32_t spec_id = 0;      // equal (root type, access string, kind) => equal id
    uint32_t log_key = 0;      // first relocation of the same (program name, relo #):
                               // libbpf's log names a relocation by these two only
    bool skipped = false;      // libbpf never relocates it (no program, or a "?" section)
    bool is_subprog = false;   // .text subprogram (never switched off by autoload)
};

// Per distinct spec.
struct LocalSpec {
    uint32_t first = 0;        // the first relocation with this spec
    int parse_err = 0;         // parse_local_spec's error (0: the spec is valid)
    bool bad_type = false;     // root type id or its name is invalid
    bool anonymous = false;    // root type has no name
    uint32_t name_key = 0;     // index into LocalRelocations::names() (valid if named)
};

class LocalRelocations {
public:
    explicit LocalRelocations(const BpfObject& obj);
    ~LocalRelocations();
    LocalRelocations(LocalRelocations&&) noexcept;
    LocalRelocations(const LocalRelocations&) = delete;

    const BpfObject& object() const { return *obj_; }
    const std::vector<LocalRelocation>& relocations() const { return relos_; }
    const CoreRelocation& relo(uint32_t i) const { return obj_->relocations()[i]; }
    const LocalSpec& spec_info(uint32_t spec_id) const { return spec_info_[spec_id]; }
    // The parsed local spec of a spec id (valid when its parse_err is 0).
    const CoreSpec& spec(uint32_t spec_id) const;
    size_t spec_count() const { return spec_info_.size(); }
    // Essential (flavor-stripped) names of the root types, the keys of candidate lookup.
    const std::vector<std::string>& names() const { return names_; }
    const std::vector<std::string>& program_names() const { return prog_names_; }
    // Whether a target type of this BTF kind can be a candidate of some root type here
    // (btf_kind_core_compat: the same kind, or both enums).
    bool root_kind_compatible(uint32_t kind) const { return kind < 32 && (root_kinds_ >> kind & 1); }

private:
    const BpfObject* obj_;
    std::vector<LocalRelocation> relos_;
    std::vector<LocalSpec> spec_info_;
    std::vector<std::unique_ptr<CoreSpec>> specs_;
    std::vector<std::string> names_, prog_names_;
    uint32_t root_kinds_ = 0;  // bit k: a root type of kind k (enums: both enum kinds)
};

}  // namespace btfpack
