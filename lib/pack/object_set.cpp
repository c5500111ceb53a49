// ObjectSet loading (see object_set.h).
#include "pack/object_set.h"

#include <algorithm>
#include <cstdio>

#include "btfpack/error.h"
#include "btfpack/pack_writer.h"

namespace btfpack {
namespace {

std::string hex64(uint64_t v) {
    char b[17];
    snprintf(b, sizeof(b), "%016llx", (unsigned long long)v);
    return b;
}

}  // namespace

CompatChecker ObjectSet::checker() const {
    std::vector<const LocalRelocations*> sides;
    std::vector<ReportObject> info;
    for (size_t i = 0; i < locals.size(); i++) {
        sides.push_back(locals[i].get());
        info.push_back({specs[i].path, specs[i].arch});
    }
    return CompatChecker(std::move(sides), std::move(info));
}

ObjectSet load_objects(const std::vector<std::string>& specs) {
    ObjectSet set;
    if (specs.empty()) throw Error("no BPF object given");
    for (const auto& s : specs) {
        ObjectSpec spec = parse_object_spec(s);
        const std::string& path = spec.path;
        auto obj = std::make_unique<BpfObject>(BpfObject::load(path));
        std::string name = path.substr(path.find_last_of('/') + 1);
        uint64_t size, hash = hash64_file(path, &size);
        set.record.push_back(spec.arch + "\t" + name + "\t" + std::to_string(size) + "\t" + hex64(hash));
        set.locals.push_back(std::make_unique<LocalRelocations>(*obj));
        set.objects.push_back(std::move(obj));
        set.specs.push_back(std::move(spec));
    }
    set.meta_lines = set.record;
    std::sort(set.meta_lines.begin(), set.meta_lines.end());
    return set;
}

}  // namespace btfpack
