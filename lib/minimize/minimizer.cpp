// Minimization = observe what relocation reads (core resolver) + write it canonically, then
// prove on the spot that every object relocates against the result as against the full BTF.
#include "btfpack/minimizer.h"

#include <bpf/btf.h>

#include <cerrno>
#include <cstdint>
#include <cstring>
#include <memory>

#include "btfpack/core_resolver.h"
#include "btfpack/error.h"
#include "minimize/canonical_btf_writer.h"

namespace btfpack {

MinimizeResult minimize(const struct btf* kernel, const std::vector<const LocalRelocations*>& objects,
                        const MinimizeOptions& options) {
    CandidateIndex full_index(kernel, objects);
    MinimizeResult result;
    {
        ObservedFacts facts;  // gone before the self-check: only the output is needed there
        for (const LocalRelocations* obj : objects) {
            observe_relocations(*obj, full_index, &facts);
            result.relocations += uint32_t(obj->relocations().size());
        }
        result.btf = write_canonical_btf(kernel, facts);
    }

    std::unique_ptr<struct btf, void (*)(struct btf*)> min(btf__new(result.btf.data(), result.btf.size()), btf__free);
    if (!min) throw Error(std::string("internal error: minimized BTF does not parse: ") + std::strerror(errno));
    result.types = btf__type_cnt(min.get()) - 1;
    CandidateIndex min_index(min.get(), objects);
    for (const LocalRelocations* obj : objects) {
        if (!options.self_check) break;
        std::string diff = first_log_difference(*obj, full_index, min_index, options.relo_log);
        if (diff.empty()) continue;
        throw Error(obj->object().path(), "internal error: minimized BTF relocates differently (" + diff +
                                              ", full against minimized BTF); please report this");
    }
    return result;
}

MinimizeResult minimize(const struct btf* kernel, const std::vector<const BpfObject*>& objects,
                        const MinimizeOptions& options) {
    std::vector<LocalRelocations> locals;
    locals.reserve(objects.size());
    std::vector<const LocalRelocations*> ptrs;
    for (const BpfObject* o : objects) locals.emplace_back(*o);
    for (const auto& l : locals) ptrs.push_back(&l);
    return minimize(kernel, ptrs, options);
}

}  // namespace btfpack
