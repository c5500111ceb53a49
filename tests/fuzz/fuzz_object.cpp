// libFuzzer target: the BPF object reader (ELF sections, symbols, .BTF via libbpf, .BTF.ext
// CO-RE records; either byte order) and the local side of every relocation (access strings,
// specs). Any input must give an object or a btfpack::Error: never a crash, a hang or an
// allocation without bound.
#include <cstddef>
#include <cstdint>

#include "btfpack/bpf_object.h"
#include "btfpack/core_resolver.h"
#include "btfpack/error.h"
#include "btfpack/local_relocations.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    try {
        btfpack::BpfObject obj = btfpack::BpfObject::parse("fuzz.o", data, size);
        btfpack::LocalRelocations local(obj);
        size_t n = 0;
        for (const auto& r : obj.relocations()) {
            if (n++ == 256) break;
            (void)btfpack::describe_access(obj, r);
            (void)btfpack::root_type_name(obj, r);
            (void)obj.program_at(r.section_index, r.insn_off / 8);
        }
    } catch (const btfpack::Error&) {
    }
    return 0;
}
