// libbpf 1.1's relocation value computation (bpf_core_calc_relo) and instruction patching
// (bpf_core_patch_insn), as btfpack's own code. Messages are libbpf's, word for word.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "btfpack/bpf_object.h"
#include "core/core_rules.h"

namespace btfpack {

struct RelocResult {
    uint64_t orig_val = 0, new_val = 0;
    bool poison = false, validate = true, fail_memsz_adjust = false;
    uint32_t orig_sz = 0, new_sz = 0, orig_type_id = 0, new_type_id = 0;
};

// libbpf log lines of one relocation, the text after "prog 'P': relo #N: ".
using RelocMessages = std::vector<std::string>;

// targ_spec null: no candidate matched. Observation of the target goes to targ's obs.
int calc_relo(const CoreRelocation& relo, const CoreSpec& local_spec, const CoreSpec* targ_spec, const Target& targ,
              bool big_endian, RelocResult* res, RelocMessages* log);

// Applies res to the instruction (copy) at insn_idx of the program, logging like libbpf.
int patch_insn(const BpfObject& obj, const CoreRelocation& relo, const BpfProgram& prog, int insn_idx,
               const RelocResult& res, RelocMessages* log);

}  // namespace btfpack
