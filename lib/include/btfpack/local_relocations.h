// LocalRelocations: the local (object) side of every CO-RE relocation of one BPF object,
// worked out once per object and shared read-only by every kernel it is relocated against:
// the program each relocation patches, its parsed local spec, the essential name its
// candidates are looked up by, and an id shared by relocations with identical specs.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "btfpack/bpf_object.h"

namespace btfpack {

struct CoreSpec;

struct LocalRelocation {
    const CoreRelocation* relo = nullptr;
    const BpfProgram* prog = nullptr;  // null: in no program (eliminated weak subprogram)
    uint32_t prog_name = 0;            // id of the program's name (equal names, equal ids)
    int insn_idx = 0;                  // instruction index inside the program
    bool skipped = false;              // libbpf never relocates it (no program, or a "?" section)
    bool is_subprog = false;           // .text subprogram (never switched off by autoload)
    bool bad_type = false;             // root type id or its name is invalid
    bool anonymous = false;            // root type has no name
    int parse_err = 0;                 // parse_local_spec's error (0: spec is valid)
    uint32_t spec_id = 0;              // equal (root type, access string, kind) => equal id
    uint32_t name_key = 0;             // index into LocalRelocations::names() (valid if named)
    uint32_t log_key = 0;              // first relocation of the same (program name, relo #):
                                       // libbpf's log names a relocation by these two only
};

class LocalRelocations {
public:
    explicit LocalRelocations(const BpfObject& obj);
    ~LocalRelocations();
    LocalRelocations(LocalRelocations&&) noexcept;
    LocalRelocations(const LocalRelocations&) = delete;

    const BpfObject& object() const { return *obj_; }
    const std::vector<LocalRelocation>& relocations() const { return relos_; }
    // The parsed local spec of a spec id (valid when the relocation's parse_err is 0).
    const CoreSpec& spec(uint32_t spec_id) const;
    size_t spec_count() const;
    // One relocation per spec id, the first of the object that has it.
    const std::vector<uint32_t>& spec_representatives() const { return spec_first_; }
    // Essential (flavor-stripped) names of the root types, the keys of candidate lookup.
    const std::vector<std::string>& names() const { return names_; }
    const std::vector<std::string>& program_names() const { return prog_names_; }

private:
    const BpfObject* obj_;
    std::vector<LocalRelocation> relos_;
    std::vector<std::unique_ptr<CoreSpec>> specs_;
    std::vector<uint32_t> spec_first_;
    std::vector<std::string> names_, prog_names_;
};

}  // namespace btfpack
