// ObjectSet: the BPF objects of one run (build, report), each parsed once, with its local
// relocation side worked out once for all kernels; shared read-only by the workers.
#pragma once
#include <memory>
#include <string>
#include <vector>

#include "btfpack/bpf_object.h"
#include "btfpack/compat_report.h"
#include "btfpack/local_relocations.h"
#include "btfpack/pack_builder.h"

namespace btfpack {

struct ObjectSet {
    std::vector<ObjectSpec> specs;
    std::vector<std::unique_ptr<BpfObject>> objects;
    std::vector<std::unique_ptr<LocalRelocations>> locals;  // of objects[i]
    std::vector<std::string> record;                        // per object: "arch\tname\tsize\thash"
    std::vector<std::string> meta_lines;                    // the records, sorted: the pack's "object=" lines

    std::vector<const LocalRelocations*> for_arch(const std::string& arch) const {
        std::vector<const LocalRelocations*> out;
        for (size_t i : objects_for_arch(specs, arch)) out.push_back(locals[i].get());
        return out;
    }
    // A checker for the compatibility report of these objects (they must outlive it).
    CompatChecker checker() const;
};

// specs: "obj.o" or "ARCH=obj.o" (parse_object_spec). Throws Error naming a bad object.
ObjectSet load_objects(const std::vector<std::string>& specs);

}  // namespace btfpack
