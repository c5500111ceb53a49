// The local side of an object's CO-RE relocations, computed once (see local_relocations.h).
#include "btfpack/local_relocations.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <unordered_map>

#include "core/core_rules.h"

namespace btfpack {

LocalRelocations::LocalRelocations(const BpfObject& obj) : obj_(&obj) {
    const struct btf* local = obj.btf();
    std::map<uint32_t, std::unordered_map<uint64_t, uint32_t>> spec_ids;  // kind -> (type, access) -> id
    std::unordered_map<std::string, uint32_t> name_ids, prog_ids;
    std::vector<uint32_t> name_of_type(btf__type_cnt(local), UINT32_MAX);   // type id -> name key
    std::vector<uint32_t> prog_of(obj.programs().size(), UINT32_MAX);        // program -> name id
    bool many_progs = obj.programs().size() > 1;
    relos_.reserve(obj.relocations().size());
    for (size_t i = 0; i < obj.relocations().size(); i++) {
        const CoreRelocation& r = obj.relocations()[i];
        LocalRelocation lr;
        lr.relo = &r;
        lr.prog = obj.program_at(r.section_index, r.insn_off / 8);
        lr.skipped = !lr.prog || r.section[0] == '?';
        if (lr.prog) {
            lr.insn_idx = int(r.insn_off / 8 - lr.prog->insn_start);
            // libbpf: a program in .text is a subprogram when the object has more than one program
            lr.is_subprog = lr.prog->section == ".text" && many_progs;
            uint32_t& id = prog_of[size_t(lr.prog - obj.programs().data())];
            if (id == UINT32_MAX) {
                auto [it, added] = prog_ids.emplace(lr.prog->name, uint32_t(prog_names_.size()));
                if (added) prog_names_.push_back(lr.prog->name);
                id = it->second;
            }
            lr.prog_name = id;
        }
        const struct btf_type* t = btf__type_by_id(local, r.type_id);
        const char* name = t ? btf__name_by_offset(local, t->name_off) : nullptr;
        lr.bad_type = !name;
        lr.anonymous = name && !*name;
        if (name && *name) {
            uint32_t& key = name_of_type[r.type_id];
            if (key == UINT32_MAX) {
                auto [it, added] = name_ids.emplace(std::string(name, essential_name_len(name)), uint32_t(names_.size()));
                if (added) names_.push_back(it->first);
                key = it->second;
            }
            lr.name_key = key;
        }
        auto [sit, added] = spec_ids[uint32_t(r.kind)].try_emplace((uint64_t(r.type_id) << 32) | r.access_str_off,
                                                               uint32_t(specs_.size()));
        if (added) {
            auto spec = std::make_unique<CoreSpec>();
            int err = lr.bad_type ? 0 : parse_local_spec(local, r, spec.get());
            spec->parse_err = err;
            specs_.push_back(std::move(spec));
            spec_first_.push_back(uint32_t(i));
        }
        lr.spec_id = sit->second;
        lr.parse_err = specs_[lr.spec_id]->parse_err;
        relos_.push_back(lr);
    }
    // log keys: the first relocation of each (program name, relo #), found by sorting
    std::vector<std::pair<uint64_t, uint32_t>> keys(relos_.size());
    for (uint32_t i = 0; i < relos_.size(); i++) keys[i] = {(uint64_t(relos_[i].prog_name) << 32) | relos_[i].relo->index, i};
    std::sort(keys.begin(), keys.end());
    for (size_t k = 0; k < keys.size(); k++)
        relos_[keys[k].second].log_key = k > 0 && keys[k].first == keys[k - 1].first ? relos_[keys[k - 1].second].log_key
                                                                                     : keys[k].second;
}

LocalRelocations::~LocalRelocations() = default;
LocalRelocations::LocalRelocations(LocalRelocations&&) noexcept = default;

const CoreSpec& LocalRelocations::spec(uint32_t spec_id) const { return *specs_[spec_id]; }
size_t LocalRelocations::spec_count() const { return specs_.size(); }

}  // namespace btfpack
