// Minimizer: cuts a full kernel BTF down to exactly what libbpf can read while relocating the
// given objects, as canonical raw BTF (same relevant layout => byte-identical output).
#pragma once
#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "btfpack/bpf_object.h"
#include "btfpack/local_relocations.h"

struct btf;

namespace btfpack {

struct MinimizeResult {
    std::vector<uint8_t> btf;  // raw BTF, in the kernel BTF's byte order
    uint32_t types = 0;        // types in the output (without void)
    uint32_t relocations = 0;  // CO-RE relocations considered
};

struct MinimizeOptions {
    bool self_check = true;          // prove the output relocates like the full BTF (off: debugging only)
    std::FILE* relo_log = nullptr;   // libbpf-style log of the relocation against the full BTF
};

// Throws Error if the result would not relocate every object exactly as the full BTF does
// (checked with btfpack's own resolver on both, event by event), which would be a btfpack bug.
MinimizeResult minimize(const struct btf* kernel, const std::vector<const LocalRelocations*>& objects,
                        const MinimizeOptions& options = {});
// The same, working out the objects' local side first (for one kernel; reuse LocalRelocations
// across kernels instead).
MinimizeResult minimize(const struct btf* kernel, const std::vector<const BpfObject*>& objects,
                        const MinimizeOptions& options = {});

}  // namespace btfpack
