// Relocation of a whole object against a target BTF with libbpf 1.1's control flow
// (bpf_object__relocate_core + bpf_core_resolve_relo + bpf_core_calc_relo_insn), and the
// normalization of its log into outcome lines done by the relo_oracle test tool.
#include "btfpack/core_resolver.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <string_view>

#include "core/core_calc.h"
#include "core/core_rules.h"

namespace btfpack {

CandidateIndex::CandidateIndex(const struct btf* target, const std::vector<const BpfObject*>& objects)
    : target_(target) {
    std::unordered_map<std::string_view, std::vector<uint32_t>*> wanted;
    for (const BpfObject* obj : objects)
        for (const auto& r : obj->relocations()) {
            const struct btf_type* t = btf__type_by_id(obj->btf(), r.type_id);
            const char* name = t ? btf__name_by_offset(obj->btf(), t->name_off) : nullptr;
            if (!name || !*name) continue;
            std::string key(name, essential_name_len(name));
            by_name_.emplace(key, std::vector<uint32_t>());
        }
    for (auto& kv : by_name_) wanted.emplace(kv.first, &kv.second);
    uint32_t n = btf__type_cnt(target);
    for (uint32_t i = 1; i < n; i++) {
        const struct btf_type* t = btf__type_by_id(target, i);
        if (!t->name_off) continue;
        const char* name = btf__name_by_offset(target, t->name_off);
        if (!name || !*name) continue;
        auto it = wanted.find(std::string_view(name, essential_name_len(name)));
        if (it != wanted.end()) it->second->push_back(i);
    }
}

std::vector<uint32_t> CandidateIndex::find(const struct btf* local, uint32_t local_id) const {
    std::vector<uint32_t> out;
    const struct btf_type* lt = btf__type_by_id(local, local_id);
    const char* name = btf__name_by_offset(local, lt->name_off);
    auto it = by_name_.find(std::string(name, essential_name_len(name)));
    if (it == by_name_.end()) return out;  // not a root of the indexed objects: none indexed
    for (uint32_t id : it->second)
        if (btf_kind_core_compat(btf__type_by_id(target_, id), lt)) out.push_back(id);
    return out;
}

namespace {

std::string fmt_err(const char* what, long err) { return std::string(what) + std::to_string(err); }

using CandCache = std::map<uint32_t, std::vector<uint32_t>>;

// One relocation, as bpf_core_resolve_relo + bpf_core_patch_insn; returns libbpf's error.
int relocate_one(const BpfObject& obj, const CoreRelocation& relo, const BpfProgram& prog, const CandidateIndex& index,
                 CandCache& cache, RelocMessages* log) {
    const struct btf* local = obj.btf();
    const struct btf_type* local_type = btf__type_by_id(local, relo.type_id);
    int insn_idx = int(relo.insn_off / 8 - prog.insn_start);
    auto failed = [&](int err) {
        log->push_back(fmt_err("failed to relocate: ", err));
        return err;
    };
    if (!local_type) return failed(-EINVAL);
    const char* local_name = btf__name_by_offset(local, local_type->name_off);
    if (!local_name) return failed(-EINVAL);

    std::vector<uint32_t>* cands = nullptr;
    if (relo.kind != CoreRelocKind::TypeIdLocal) {
        auto it = cache.find(relo.type_id);
        if (it == cache.end()) {
            if (!*local_name) {
                char buf[512];
                snprintf(buf, sizeof(buf), "target candidate search failed for [%u] %s %s: %ld", relo.type_id,
                         btf_kind_name(local_type), local_name, long(-EINVAL));
                log->push_back(buf);
                return failed(-EINVAL);
            }
            it = cache.emplace(relo.type_id, index.find(local, relo.type_id)).first;
        }
        cands = &it->second;
    }

    CoreSpec local_spec;
    int err = parse_local_spec(local, relo, &local_spec);
    if (err) {
        char buf[512];
        snprintf(buf, sizeof(buf), "parsing [%u] %s %s + %s failed: %d", relo.type_id, btf_kind_name(local_type),
                 *local_name ? local_name : "<anon>", relo.access.empty() ? "<?>" : relo.access.c_str(), err);
        log->push_back(buf);
        return failed(-EINVAL);
    }
    log->push_back(format_spec(local_spec));

    RelocResult res;
    Target targ{index.target(), nullptr};
    if (relo.kind == CoreRelocKind::TypeIdLocal) {
        res.validate = false;
        res.orig_val = res.new_val = local_spec.root_type_id;
    } else {
        if (!*local_name) {
            log->push_back(std::string("<") + core_reloc_kind_name(relo.kind) + "> (" + std::to_string(int(relo.kind)) +
                           ") relocation doesn't support anonymous types");
            return failed(-EOPNOTSUPP);
        }
        CoreSpec cand_spec, targ_spec;
        size_t j = 0;
        for (size_t i = 0; i < cands->size(); i++) {
            err = spec_match(local_spec, targ, (*cands)[i], &cand_spec);
            if (err < 0) {
                log->push_back("error matching candidate #" + std::to_string(i) + " " + format_spec(cand_spec) + ": " +
                               std::to_string(err));
                return failed(err);
            }
            if (err == 0) continue;
            RelocResult cand_res;
            err = calc_relo(relo, local_spec, &cand_spec, targ, obj.big_endian(), &cand_res, log);
            if (err) return failed(err);
            if (j == 0) {
                res = cand_res;
                targ_spec = cand_spec;
            } else if (cand_spec.bit_offset != targ_spec.bit_offset) {
                log->push_back("field offset ambiguity: " + std::to_string(cand_spec.bit_offset) +
                               " != " + std::to_string(targ_spec.bit_offset));
                return failed(-EINVAL);
            } else if (cand_res.poison != res.poison || cand_res.new_val != res.new_val) {
                char buf[256];
                snprintf(buf, sizeof(buf), "relocation decision ambiguity: %s %llu != %s %llu",
                         cand_res.poison ? "failure" : "success", (unsigned long long)cand_res.new_val,
                         res.poison ? "failure" : "success", (unsigned long long)res.new_val);
                log->push_back(buf);
                return failed(-EINVAL);
            }
            (*cands)[j++] = (*cands)[i];
        }
        if (j > 0) cands->resize(j);
        if (j == 0) {
            log->push_back("no matching targets found");
            err = calc_relo(relo, local_spec, nullptr, targ, obj.big_endian(), &res, log);
            if (err) return failed(err);
        }
    }
    err = patch_insn(obj, relo, prog, insn_idx, res, log);
    if (err) {
        log->push_back("failed to patch insn #" + std::to_string(insn_idx) + ": " + std::to_string(err));
        return err;
    }
    return 0;
}

// The relo_oracle's bookkeeping of one relocation across passes.
struct OracleRelo {
    std::string prog;
    uint32_t idx;
    std::string spec, outcome;
    bool no_match = false;
};

bool is_subprog(const BpfObject& obj, const BpfProgram& p) {
    // libbpf: a program in .text is a subprogram when the object has more than one program
    return p.section == ".text" && obj.programs().size() > 1;
}

}  // namespace

std::vector<std::string> relocation_outcomes(const BpfObject& obj, const CandidateIndex& index) {
    std::vector<OracleRelo> relos;
    std::set<std::string> failed_progs;
    std::vector<std::string> failed_order;
    auto get = [&](const std::string& prog, uint32_t idx) -> OracleRelo& {
        for (auto it = relos.rbegin(); it != relos.rend(); ++it)
            if (it->idx == idx && it->prog == prog) return *it;
        relos.push_back({prog, idx, "", "", false});
        return relos.back();
    };
    for (int pass = 0; pass < 4096; pass++) {
        std::string new_failure;
        CandCache cache;
        for (const auto& relo : obj.relocations()) {
            const BpfProgram* prog = obj.program_at(relo.section_index, relo.insn_off / 8);
            if (!prog) continue;  // eliminated weak subprogram
            if (relo.section[0] == '?') continue;
            if (!is_subprog(obj, *prog) && failed_progs.count(prog->name)) continue;  // autoload off
            RelocMessages log;
            int err = relocate_one(obj, relo, *prog, index, cache, &log);
            static const bool echo = std::getenv("BTFPACK_RELO_LOG") != nullptr;  // libbpf-style log
            for (const std::string& msg : log) {
                if (echo) fprintf(stderr, "prog '%s': relo #%u: %s\n", prog->name.c_str(), relo.index, msg.c_str());
                OracleRelo& r = get(prog->name, relo.index);
                if (msg[0] == '<' && msg.find("relocation doesn't support") == std::string::npos) {
                    if (r.spec.empty()) r.spec = msg;
                } else if (msg == "no matching targets found") {
                    r.no_match = true;
                } else if (msg.compare(0, 12, "patched insn") == 0) {
                    if (r.outcome.empty()) r.outcome = msg;
                } else if (msg.compare(0, 17, "substituting insn") == 0) {
                    int insn = -1;
                    sscanf(msg.c_str(), "substituting insn #%d", &insn);
                    if (r.outcome.empty())
                        r.outcome = "poison insn #" + std::to_string(insn) + (r.no_match ? " [no matching targets]" : "");
                } else {
                    if (r.outcome.empty()) r.outcome = "FAILED " + msg;
                    if (new_failure.empty() && !failed_progs.count(prog->name)) new_failure = prog->name;
                }
            }
            if (err) break;  // libbpf stops relocating the object at the first error
        }
        if (new_failure.empty()) break;
        failed_progs.insert(new_failure);
        failed_order.push_back(new_failure);
    }
    std::vector<std::string> lines;
    for (const auto& r : relos)
        if (!r.outcome.empty())
            lines.push_back(r.prog + " #" + std::to_string(r.idx) + " " + (r.spec.empty() ? "<?>" : r.spec) + " => " +
                            r.outcome);
    for (const auto& p : failed_order) {
        int last = -1;
        for (const auto& r : relos)
            if (r.prog == p && !r.outcome.empty() && int(r.idx) > last) last = int(r.idx);
        lines.push_back(p + " #* => ABORTED after relo #" + std::to_string(last));
    }
    return lines;
}

std::vector<std::string> comparable_outcomes(std::vector<std::string> lines) {
    static const std::regex id_value(R"(\b(imm|imm64) \d+ -> \d+)");
    for (auto& l : lines)
        if (l.find("<target_type_id>") != std::string::npos) l = std::regex_replace(l, id_value, "$1 X -> Y");
    return lines;
}

void observe_relocations(const BpfObject& obj, const CandidateIndex& index, ObservedFacts* facts) {
    const struct btf* local = obj.btf();
    Target targ{index.target(), facts};
    for (const auto& relo : obj.relocations()) {
        if (relo.kind == CoreRelocKind::TypeIdLocal) continue;
        const struct btf_type* lt = btf__type_by_id(local, relo.type_id);
        if (!lt) continue;
        const char* name = btf__name_by_offset(local, lt->name_off);
        if (!name || !*name) continue;
        CoreSpec local_spec;
        if (parse_local_spec(local, relo, &local_spec)) continue;
        std::vector<uint32_t> cands = index.find(local, relo.type_id);
        std::vector<CoreSpec> matched;
        for (uint32_t id : cands) {
            facts->keep(id).name = true;  // found by name and kind
            CoreSpec cand_spec;
            if (spec_match(local_spec, targ, id, &cand_spec) <= 0) continue;
            RelocResult res;
            RelocMessages log;
            calc_relo(relo, local_spec, &cand_spec, targ, obj.big_endian(), &res, &log);
            matched.push_back(cand_spec);
        }
        // several matches: libbpf compares their bit offsets
        if (matched.size() > 1)
            for (const auto& s : matched) observe_spec_offsets(s, facts);
    }
}

std::string root_type_name(const BpfObject& obj, const CoreRelocation& relo) {
    const struct btf_type* root = btf__type_by_id(obj.btf(), relo.type_id);
    if (!root) return "<bad type id " + std::to_string(relo.type_id) + ">";
    const char* rn = btf__name_by_offset(obj.btf(), root->name_off);
    return std::string(btf_kind_name(root)) + " " + (rn && *rn ? rn : "<anon>");
}

std::string describe_access(const BpfObject& obj, const CoreRelocation& relo) {
    CoreSpec spec;
    const struct btf* b = obj.btf();
    const struct btf_type* root = btf__type_by_id(b, relo.type_id);
    if (!root) return "<bad type id " + std::to_string(relo.type_id) + ">";
    const char* rn = btf__name_by_offset(b, root->name_off);
    std::string root_name = std::string(btf_kind_name(root)) + " " + (rn && *rn ? rn : "<anon>");
    if (parse_local_spec(b, relo, &spec)) return root_name + " <unparsable access " + relo.access + ">";
    if (is_type_based(relo.kind)) return root_name;
    if (is_enumval_based(relo.kind)) return root_name + "::" + (spec.spec[0].name ? spec.spec[0].name : "?");
    std::string out = rn && *rn ? rn : "<anon>";
    for (size_t i = 0; i < spec.spec.size(); i++) {
        if (spec.spec[i].name) out += std::string(".") + spec.spec[i].name;
        else if (i > 0 || spec.spec[i].idx > 0) out += "[" + std::to_string(spec.spec[i].idx) + "]";
    }
    return out;
}

}  // namespace btfpack
