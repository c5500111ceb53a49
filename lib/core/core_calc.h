// libbpf 1.1's relocation value computation (bpf_core_calc_relo) and instruction patching
// (bpf_core_patch_insn), as btfpack's own code. What libbpf would log is recorded as events.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "btfpack/bpf_object.h"
#include "btfpack/core_outcome.h"
#include "core/core_rules.h"

namespace btfpack {

struct RelocResult {
    uint64_t orig_val = 0, new_val = 0;
    bool poison = false, validate = true, fail_memsz_adjust = false;
    uint32_t orig_sz = 0, new_sz = 0, orig_type_id = 0, new_type_id = 0;
};


// targ_spec null: no candidate matched. Observation of the target goes to targ's obs.
int calc_relo(const CoreRelocation& relo, const CoreSpec& local_spec, const CoreSpec* targ_spec, const Target& targ,
              bool big_endian, RelocResult* res, RelocEvents* log);

// Applies res to (a copy of) the relocation's instruction, #insn_idx of its program, logging like libbpf.
int patch_insn(const CoreRelocation& relo, int insn_idx, const RelocResult& res, RelocEvents* log);

}  // namespace btfpack
