// The local side of an object's CO-RE relocations, computed once (see local_relocations.h).
#include "btfpack/cpu_budget.h"
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
    // kind -> (type id, access string) -> spec id; the 13 kinds by index, unknown ones by map
    std::vector<std::unordered_map<uint64_t, uint32_t>> spec_ids(16);
    std::map<uint32_t, std::unordered_map<uint64_t, uint32_t>> odd_kind_spec_ids;
    std::unordered_map<std::string, uint32_t> name_ids, prog_ids;
    std::vector<uint32_t> name_of_type(btf__type_cnt(local), UINT32_MAX);   // type id -> name key
    std::vector<uint32_t> prog_of(obj.programs().size(), UINT32_MAX);        // program -> name id
    std::vector<bool> subprog(obj.programs().size());                         // program -> .text subprogram
    bool many_progs = obj.programs().size() > 1;
    relos_.reserve(obj.relocations().size());
    const BpfProgram* prog = nullptr;
    for (size_t i = 0; i < obj.relocations().size(); i++) {
        cpu_budget_check();
        const CoreRelocation& r = obj.relocations()[i];
        LocalRelocation lr;
        uint32_t insn = r.insn_off / 8;
        // relocations come in instruction order: the previous one's program usually holds it
        if (!prog || prog->section_index != r.section_index || insn < prog->insn_start ||
            insn >= prog->insn_start + prog->insn_count)
            prog = obj.program_at(r.section_index, insn);
        lr.skipped = !prog || obj.section_name(r)[0] == '?';
        if (prog) {
            lr.insn_idx = int32_t(insn - prog->insn_start);
            size_t p = size_t(prog - obj.programs().data());
            uint32_t& id = prog_of[p];
            if (id == UINT32_MAX) {
                auto [it, added] = prog_ids.emplace(prog->name, uint32_t(prog_names_.size()));
                if (added) prog_names_.push_back(prog->name);
                id = it->second;
                // libbpf: a program in .text is a subprogram when the object has more than one program
                subprog[p] = prog->section == ".text" && many_progs;
            }
            lr.prog_name = id;
            lr.is_subprog = subprog[p];
        }
        uint32_t kind = uint32_t(r.kind);
        auto& ids = kind < spec_ids.size() ? spec_ids[kind] : odd_kind_spec_ids[kind];
        auto [sit, added] = ids.try_emplace((uint64_t(r.type_id) << 32) | r.access_str_off, uint32_t(spec_info_.size()));
        if (added) {
            LocalSpec si;
            si.first = uint32_t(i);
            const struct btf_type* t = btf__type_by_id(local, r.type_id);
            const char* name = t ? btf__name_by_offset(local, t->name_off) : nullptr;
            si.bad_type = !name;
            si.anonymous = name && !*name;
            if (t) root_kinds_ |= btf_is_any_enum(t) ? (1u << BTF_KIND_ENUM | 1u << BTF_KIND_ENUM64) : 1u << btf_kind(t);
            if (name && *name) {
                uint32_t& key = name_of_type[r.type_id];
                if (key == UINT32_MAX) {
                    auto [it, fresh] = name_ids.emplace(std::string(name, essential_name_len(name)), uint32_t(names_.size()));
                    if (fresh) names_.push_back(it->first);
                    key = it->second;
                }
                si.name_key = key;
            }
            auto spec = std::make_unique<CoreSpec>();
            si.parse_err = si.bad_type ? 0 : parse_local_spec(local, r, spec.get());
            specs_.push_back(std::move(spec));
            spec_info_.push_back(si);
        }
        lr.spec_id = sit->second;
        relos_.push_back(lr);
    }
    // log keys: the first relocation of each (program name, relo #)
    std::vector<std::vector<uint32_t>> first_of(prog_names_.size());  // program name -> relo # -> relocation
    for (uint32_t i = 0; i < relos_.size(); i++) {
        if (relos_[i].skipped && relos_[i].prog_name >= first_of.size()) {  // in no program: never logged
            relos_[i].log_key = i;
            continue;
        }
        std::vector<uint32_t>& f = first_of[relos_[i].prog_name];
        uint32_t idx = relo(i).index;
        if (f.size() <= idx) f.resize(std::max(size_t(idx) + 1, f.size() * 2), UINT32_MAX);
        if (f[idx] == UINT32_MAX) f[idx] = i;
        relos_[i].log_key = f[idx];
    }
}

LocalRelocations::~LocalRelocations() = default;
LocalRelocations::LocalRelocations(LocalRelocations&&) noexcept = default;

const CoreSpec& LocalRelocations::spec(uint32_t spec_id) const { return *specs_[spec_id]; }

}  // namespace btfpack
