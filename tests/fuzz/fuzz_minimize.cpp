// libFuzzer target: minimize (object x target BTF). Input: a 4-byte little-endian length N,
// N bytes of BPF object, then the target BTF (raw). Whatever the target (any BTF libbpf
// accepts, vmlinux or not), minimize must return a BTF or throw btfpack::Error.
#include <bpf/btf.h>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "btfpack/bpf_object.h"
#include "btfpack/error.h"
#include "btfpack/minimizer.h"
#include "object/btf_check.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    if (size < 4) return 0;
    uint32_t n;
    std::memcpy(&n, data, 4);
    if (n > size - 4) return 0;
    const uint8_t* obj_bytes = data + 4;
    const uint8_t* btf_bytes = data + 4 + n;
    size_t btf_size = size - 4 - n;
    std::unique_ptr<struct btf, void (*)(struct btf*)> target(btf__new(btf_bytes, uint32_t(btf_size)), btf__free);
    // targets are kernel BTFs from the archive, trusted like libbpf 1.3+ would have checked them
    if (!target || !btfpack::btf_soundness_problem(target.get()).empty()) return 0;
    try {
        btfpack::BpfObject obj = btfpack::BpfObject::parse("fuzz.o", obj_bytes, n);
        btfpack::MinimizeResult r = btfpack::minimize(target.get(), {&obj});
        // the result must itself be a BTF libbpf reads
        std::unique_ptr<struct btf, void (*)(struct btf*)> back(btf__new(r.btf.data(), uint32_t(r.btf.size())), btf__free);
        if (!back) __builtin_trap();
    } catch (const btfpack::Error& e) {
        // an "internal error" from writing (a step libbpf refused, an output that does not
        // parse) is a btfpack bug; the self-check's "relocates differently" is a clear error
        // that stops a wrong BTF from going out, tolerated here unless BTFPACK_FUZZ_SELF_CHECK=1
        static const bool self_check = std::getenv("BTFPACK_FUZZ_SELF_CHECK") != nullptr;
        // (the message's start decides: the input's own strings may contain anything)
        const char* what = e.what();
        if (std::strncmp(what, "fuzz.o: ", 8) == 0) what += 8;
        bool internal = std::strncmp(what, "internal error", 14) == 0;
        bool differs = internal && std::strncmp(what, "internal error: minimized BTF relocates differently", 51) == 0;
        if (internal && (!differs || self_check)) {
            std::fprintf(stderr, "fuzz_minimize: %s\n", e.what());
            __builtin_trap();
        }
    }
    return 0;
}
