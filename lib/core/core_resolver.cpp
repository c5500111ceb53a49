// Relocation of a whole object against a target BTF with libbpf 1.1's control flow
// (bpf_object__relocate_core + bpf_core_resolve_relo + bpf_core_calc_relo_insn), and the
// normalization of its log into outcome lines done by the relo_oracle test tool.
#include "btfpack/cpu_budget.h"
#include "btfpack/core_resolver.h"

#include <bpf/btf.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <string_view>
#include <utility>

#include "core/core_calc.h"
#include "core/core_rules.h"

namespace btfpack {

// One local spec against one candidate: libbpf's bpf_core_spec_match, then (on a match)
// bpf_core_calc_relo. Depends on nothing else, so it is computed once per target.
struct CandidateMatch {
    int match = 0;             // spec_match: 1 match, 0 none, < 0 error
    uint32_t bit_offset = 0;   // of the candidate spec
    std::unique_ptr<std::string> error_spec;  // the candidate spec as far as matched, when match < 0
    int calc_err = 0;          // calc_relo's error (on a match)
    RelocResult res;           // calc_relo's result (on a match)
    std::unique_ptr<RelocEvents> calc_events;  // what calc_relo logged, if anything (rarely)
};

struct CandidateMatches {
    std::unordered_map<const LocalRelocations*, std::unordered_map<uint64_t, CandidateMatch>> by_object;
};

namespace {

// Matches spec `spec_id` (of relocation relo) against candidate `cand` into m, recording reads
// into targ.obs.
void match_candidate(const LocalRelocations& local, const CoreRelocation& relo, uint32_t spec_id, uint32_t cand,
                     const Target& targ, CandidateMatch* m) {
    const CoreSpec& local_spec = local.spec(spec_id);
    CoreSpec cand_spec;
    m->match = spec_match(local_spec, targ, cand, &cand_spec);
    m->bit_offset = cand_spec.bit_offset;
    if (m->match < 0) m->error_spec = std::make_unique<std::string>(format_spec(cand_spec));
    if (m->match > 0) {
        RelocEvents log;
        m->calc_err = calc_relo(relo, local_spec, &cand_spec, targ, local.object().big_endian(), &m->res, &log);
        if (!log.empty()) m->calc_events = std::make_unique<RelocEvents>(std::move(log));
    }
}

}  // namespace

CandidateIndex::CandidateIndex(const struct btf* target, const std::vector<const LocalRelocations*>& objects)
    : target_(target), names_(std::make_shared<MemberNameIndex>(target)),
      matches_(std::make_shared<CandidateMatches>()) {
    std::unordered_map<std::string_view, std::vector<uint32_t>*> wanted;
    for (const LocalRelocations* obj : objects)
        for (const std::string& name : obj->names()) by_name_.emplace(name, std::vector<uint32_t>());
    // cheap rejection of most target names before hashing: their first two characters
    std::vector<bool> prefix(1 << 16);
    auto prefix_of = [](const char* n) { return size_t(uint8_t(n[0])) << 8 | uint8_t(n[0] ? n[1] : 0); };
    for (auto& kv : by_name_) {
        wanted.emplace(kv.first, &kv.second);
        prefix[prefix_of(kv.first.c_str())] = true;
        if (kv.first.size() == 1) prefix[prefix_of((kv.first + "_").c_str())] = true;  // "a" is "a___x"'s too
    }
    // and of most target types by their kind: find() keeps only kinds compatible with the
    // local root (btf_kind_core_compat), so a kind no root has is never a candidate (a kernel's
    // ~60,000 FUNCs, for one)
    bool kind_wanted[32] = {};
    for (uint32_t k = 0; k < 32; k++)
        for (const LocalRelocations* obj : objects) kind_wanted[k] |= obj->root_kind_compatible(k);
    uint32_t n = btf__type_cnt(target);
    for (uint32_t i = 1; i < n; i++) {
        cpu_budget_check();
        const struct btf_type* t = btf__type_by_id(target, i);
        if (!t->name_off || !kind_wanted[btf_kind(t)]) continue;
        const char* name = btf__name_by_offset(target, t->name_off);
        if (!name || !*name || !prefix[prefix_of(name)]) continue;
        auto it = wanted.find(std::string_view(name, essential_name_len(name)));
        if (it != wanted.end()) it->second->push_back(i);
    }
}

std::vector<uint32_t> CandidateIndex::find(const std::string& name, const struct btf* local, uint32_t local_id) const {
    std::vector<uint32_t> out;
    auto it = by_name_.find(name);
    if (it == by_name_.end()) return out;  // not a root of the indexed objects: none indexed
    const struct btf_type* lt = btf__type_by_id(local, local_id);
    for (uint32_t id : it->second)
        if (btf_kind_core_compat(btf__type_by_id(target_, id), lt)) out.push_back(id);
    return out;
}

namespace {

constexpr uint32_t kNoList = UINT32_MAX;

RelocEvent event(RelocEventKind kind, long err = 0, uint64_t a = 0) {
    RelocEvent ev;
    ev.kind = kind;
    ev.err = err;
    ev.a = a;
    return ev;
}

// Matching one local spec against one state of the candidate list, and its result: what
// bpf_core_calc_relo_insn does before the instruction is patched. A pure function of
// (spec, candidate list), so it is computed once per target for each such pair.
struct Resolution {
    RelocEvents events;
    int err = 0;
    RelocResult res;
    uint32_t in_list = kNoList;   // the candidate list it was computed for
    uint32_t out_list = kNoList;  // the candidate list after libbpf pruned it
    // first_log_difference: the other side's resolution this one was found equal to
    mutable const Resolution* agreed = nullptr;
};

// Candidate lists, the candidate cache and the resolutions of one object against one target.
class Resolver {
public:
    Resolver(const LocalRelocations& local, const CandidateIndex& index) : local_(local), index_(index) {
        initial_.assign(btf__type_cnt(local.object().btf()), kNoList);
        last_.assign(local.spec_count(), {kNoList, nullptr});
    }

    void new_pass() { cache_.assign(initial_.size(), kNoList); }

    // What relocate(i) would do when its spec meets r's candidate list again, r a resolution
    // of this resolver (of relocation i's spec): it uses r, and the list becomes r's pruned
    // one. False, and nothing done, when the list is another one now.
    bool replay(uint32_t i, const Resolution& r) {
        uint32_t& list = cache_[local_.relo(i).type_id];
        if (list != r.in_list) return false;
        list = r.out_list;
        return true;
    }

    // One relocation, as bpf_core_resolve_relo + bpf_core_calc_relo_insn + bpf_core_patch_insn;
    // events go to emit(const RelocEvent&); returns libbpf's error.
    // used: set to the resolution the relocation used (null for none); patch = false stops
    // before the instruction is patched (the caller compares resolutions, not instructions).
    template <class Emit>
    int relocate(uint32_t i, Emit&& emit, const Resolution** used = nullptr, bool patch = true) {
        if (used) *used = nullptr;
        const LocalRelocation& lr = local_.relocations()[i];
        const CoreRelocation& relo = local_.relo(i);
        const LocalSpec& si = local_.spec_info(lr.spec_id);
        auto failed = [&](int err) {
            emit(event(RelocEventKind::RelocateFailed, err));
            return err;
        };
        if (si.bad_type) return failed(-EINVAL);

        uint32_t list = kNoList;
        if (relo.kind != CoreRelocKind::TypeIdLocal) {
            list = cache_[relo.type_id];
            if (list == kNoList) {
                if (si.anonymous) {
                    emit(event(RelocEventKind::CandidateSearchFailed, -EINVAL, relo.type_id));
                    return failed(-EINVAL);
                }
                list = cache_[relo.type_id] = initial_list(relo, si);
            }
        }
        if (si.parse_err) {
            emit(event(RelocEventKind::ParseFailed, si.parse_err));
            return failed(-EINVAL);
        }
        emit(event(RelocEventKind::LocalSpec));

        const CoreSpec& local_spec = local_.spec(lr.spec_id);
        RelocResult res;
        if (relo.kind == CoreRelocKind::TypeIdLocal) {
            res.validate = false;
            res.orig_val = res.new_val = local_spec.root_type_id;
        } else if (si.anonymous) {
            emit(event(RelocEventKind::AnonymousUnsupported));
            return failed(-EOPNOTSUPP);
        } else {
            const Resolution& r = resolution(relo, lr.spec_id, local_spec, list);
            if (used) *used = &r;
            for (const RelocEvent& ev : r.events) emit(ev);
            if (r.err) return r.err;
            cache_[relo.type_id] = r.out_list;
            res = r.res;
        }
        if (!patch) return 0;
        patch_.clear();
        int err = patch_insn(relo, lr.insn_idx, res, &patch_);
        for (const RelocEvent& ev : patch_) emit(ev);
        if (err) {
            RelocEvent ev = event(RelocEventKind::PatchFailed, err);
            ev.insn = lr.insn_idx;
            emit(ev);
        }
        return err;
    }

private:
    uint32_t initial_list(const CoreRelocation& relo, const LocalSpec& si) {
        uint32_t& id = initial_[relo.type_id];
        if (id == kNoList) {
            id = uint32_t(lists_.size());
            lists_.push_back(index_.find(local_.names()[si.name_key], local_.object().btf(), relo.type_id));
        }
        return id;
    }

    const Resolution& resolution(const CoreRelocation& relo, uint32_t spec_id, const CoreSpec& local_spec,
                                 uint32_t list) {
        auto& last = last_[spec_id];  // a spec mostly meets the same list again
        if (last.first == list) return *last.second;
        uint64_t key = (uint64_t(spec_id) << 32) | list;
        auto [it, added] = memo_.try_emplace(key);
        if (added) {
            it->second.in_list = list;
            compute(relo, spec_id, local_spec, list, &it->second);
        }
        last = {list, &it->second};
        return it->second;
    }

    void compute(const CoreRelocation& relo, uint32_t spec_id, const CoreSpec& local_spec, uint32_t list,
                 Resolution* out) {
        bool big_endian = local_.object().big_endian();
        Target targ{index_.target(), nullptr, index_.member_names()};
        RelocEvents& log = out->events;
        auto failed = [&](int err) {
            log.push_back(event(RelocEventKind::RelocateFailed, err));
            out->err = err;
        };
        const size_t n = lists_[list].size();
        std::vector<uint32_t> kept;  // the matching candidates in order: libbpf compacts the list to them
        RelocResult& res = out->res;
        uint32_t targ_bit_offset = 0;
        size_t j = 0;
        for (size_t i = 0; i < n; i++) {
            uint32_t cand = lists_[list][i];
            const CandidateMatch& m = candidate(relo, spec_id, cand, targ);
            if (m.match < 0) {
                RelocEvent ev = event(RelocEventKind::CandidateMatchError, m.match, i);
                texts_.push_back(*m.error_spec);
                ev.text = uint32_t(texts_.size());
                log.push_back(ev);
                return failed(m.match);
            }
            if (m.match == 0) continue;
            if (m.calc_events) log.insert(log.end(), m.calc_events->begin(), m.calc_events->end());
            if (m.calc_err) return failed(m.calc_err);
            const RelocResult& cand_res = m.res;
            if (j == 0) {
                res = cand_res;
                targ_bit_offset = m.bit_offset;
            } else if (m.bit_offset != targ_bit_offset) {
                RelocEvent ev = event(RelocEventKind::FieldOffsetAmbiguity, 0, m.bit_offset);
                ev.b = targ_bit_offset;
                log.push_back(ev);
                return failed(-EINVAL);
            } else if (cand_res.poison != res.poison || cand_res.new_val != res.new_val) {
                RelocEvent ev = event(RelocEventKind::DecisionAmbiguity, 0, cand_res.poison);
                ev.b = cand_res.new_val;
                ev.c = res.poison;
                ev.d = res.new_val;
                log.push_back(ev);
                return failed(-EINVAL);
            }
            j++;
            if (n > 1) kept.push_back(cand);  // a list of one is never pruned
        }
        out->out_list = list;
        if (j > 0 && j < n) {  // pruned to the matching candidates
            out->out_list = uint32_t(lists_.size());
            lists_.push_back(std::move(kept));
        }
        if (j == 0) {
            log.push_back(event(RelocEventKind::NoMatchingTargets));
            int err = calc_relo(relo, local_spec, nullptr, targ, big_endian, &res, &log);
            if (err) return failed(err);
        }
    }

    // The candidate's match, from the target's cache when observe_relocations or an earlier
    // pass matched it already.
    const CandidateMatch& candidate(const CoreRelocation& relo, uint32_t spec_id, uint32_t cand, const Target& targ) {
        auto& cache = index_.matches()->by_object[&local_];
        auto [it, added] = cache.try_emplace((uint64_t(spec_id) << 32) | cand);
        if (added) match_candidate(local_, relo, spec_id, cand, targ, &it->second);
        return it->second;
    }

    const LocalRelocations& local_;
    const CandidateIndex& index_;
    std::vector<uint32_t> initial_;  // local type id -> its first candidate list
    std::vector<uint32_t> cache_;    // local type id -> candidate list now (libbpf's cand cache)
    std::vector<std::vector<uint32_t>> lists_;
    std::unordered_map<uint64_t, Resolution> memo_;  // (spec id, list) -> resolution
    std::vector<std::pair<uint32_t, const Resolution*>> last_;  // spec id -> the last (list, resolution)
    RelocEvents patch_;                              // patch_insn's events, reused
    std::vector<std::string> texts_;                 // RelocEvent::text

public:
    const std::vector<std::string>& texts() const { return texts_; }
    std::vector<std::string> take_texts() { return std::move(texts_); }
};

}  // namespace

namespace {

// libbpf's relocation passes as relo_oracle drives them: relocations in object order, the
// pass stopping at the first error; a program whose relocation failed is switched off and the
// object loaded again, until a pass fails no new program. relocate(i) relocates relocation i
// and returns {libbpf's error, whether it logged a failure}; it returns false to stop early.
template <class Relocate>
std::vector<uint32_t> run_passes(const LocalRelocations& local, std::vector<Resolver*> resolvers, Relocate&& relocate) {
    const auto& relos = local.relocations();
    std::vector<bool> failed(local.program_names().size(), false);
    std::vector<uint32_t> failed_order;
    for (int pass = 0; pass < 4096; pass++) {
        long new_failure = -1;
        for (Resolver* r : resolvers) r->new_pass();
        for (uint32_t i = 0; i < relos.size(); i++) {
            cpu_budget_check();
            const LocalRelocation& lr = relos[i];
            if (lr.skipped) continue;
            if (!lr.is_subprog && failed[lr.prog_name]) continue;  // autoload off
            int err = 0;
            bool failure = false;
            if (!relocate(i, &err, &failure)) return failed_order;
            if (failure && new_failure < 0 && !failed[lr.prog_name]) new_failure = lr.prog_name;
            if (err) break;  // libbpf stops relocating the object at the first error
        }
        if (new_failure < 0) break;
        failed[size_t(new_failure)] = true;
        failed_order.push_back(uint32_t(new_failure));
    }
    return failed_order;
}

void echo_event(std::FILE* log, const LocalRelocations& local, uint32_t i, const RelocEvent& ev,
                const std::vector<std::string>& texts) {
    const LocalRelocation& lr = local.relocations()[i];
    fprintf(log, "prog '%s': relo #%u: %s\n", local.program_names()[lr.prog_name].c_str(), local.relo(i).index,
            event_text(local, i, ev, texts).c_str());
}

}  // namespace

RelocationOutcomes relocate_object(const LocalRelocations& local, const CandidateIndex& index, std::FILE* log) {
    const auto& relos = local.relocations();
    Resolver resolver(local, index);
    // relo_oracle's reading of libbpf's log: one outcome per (program, relo #) in the order
    // first logged, the first deciding event wins; undecided ones (kind LocalSpec) are dropped.
    RelocationOutcomes out;
    out.outcomes.reserve(relos.size());                  // at most one per log key: never moves
    std::vector<uint32_t> pos(relos.size(), UINT32_MAX);  // log key -> index in out.outcomes
    auto undecided = [](const RelocOutcome& o) { return o.decided.kind == RelocEventKind::LocalSpec; };
    std::vector<uint32_t> failed_order = run_passes(local, {&resolver}, [&](uint32_t i, int* err, bool* failure) {
        const LocalRelocation& lr = relos[i];
        RelocOutcome* o = nullptr;
        *err = resolver.relocate(i, [&](const RelocEvent& ev) {
            if (log) echo_event(log, local, i, ev, resolver.texts());
            if (!o) {
                uint32_t& p = pos[lr.log_key];
                if (p == UINT32_MAX) {
                    p = uint32_t(out.outcomes.size());
                    out.outcomes.emplace_back().relocation = i;
                }
                o = &out.outcomes[p];
            }
            switch (ev.kind) {
            case RelocEventKind::LocalSpec: o->has_spec = true; return;
            case RelocEventKind::NoMatchingTargets: o->no_match = true; return;
            case RelocEventKind::Patched: case RelocEventKind::PatchedMemSize: case RelocEventKind::Substituted:
                if (undecided(*o)) o->decided = ev;
                return;
            default:  // a failure
                if (undecided(*o)) o->decided = ev;
                *failure = true;
            }
        });
        return true;
    });
    out.outcomes.erase(std::remove_if(out.outcomes.begin(), out.outcomes.end(), undecided), out.outcomes.end());
    out.outcomes.shrink_to_fit();
    std::vector<int> last(local.program_names().size(), -1);
    for (const RelocOutcome& o : out.outcomes) {
        const LocalRelocation& lr = relos[o.relocation];
        last[lr.prog_name] = std::max(last[lr.prog_name], int(local.relo(o.relocation).index));
    }
    for (uint32_t p : failed_order) out.aborted.push_back({p, last[p]});
    out.texts = resolver.take_texts();
    return out;
}

namespace {

// What patch_insn and the pass logic read of a result, equal (target type ids masked).
bool same_result(const RelocResult& x, const RelocResult& y, bool target_ids_differ) {
    return x.orig_val == y.orig_val && (target_ids_differ || x.new_val == y.new_val) && x.poison == y.poison &&
           x.validate == y.validate && x.fail_memsz_adjust == y.fail_memsz_adjust && x.orig_sz == y.orig_sz &&
           x.new_sz == y.new_sz;
}

}  // namespace

std::string first_log_difference(const LocalRelocations& local, const CandidateIndex& a, const CandidateIndex& b,
                                 std::FILE* log) {
    // Both sides run libbpf's passes in lockstep. What a relocation logs is its local part
    // (the same on both sides by construction), the resolution of its spec against the
    // candidate list it meets, and its instruction patched with that resolution's result. So
    // each pair of resolutions met together is compared once, events and results; equal
    // results patch equally, except type ids (masked), whose patching is compared too.
    Resolver ra(local, a), rb(local, b);
    RelocEvents pa, pb;
    std::string difference;
    run_passes(local, {&ra, &rb}, [&](uint32_t i, int* err, bool* failure) {
        const Resolution *fa = nullptr, *fb = nullptr;
        *err = ra.relocate(i, [&](const RelocEvent& ev) {
            if (log) echo_event(log, local, i, ev, ra.texts());
            *failure |= ev.is_failure();
        }, &fa);
        // a pair that agreed before, met again in the same list on the other side: relocating
        // there would give that very resolution (memoized on spec and list)
        if (fa && fa->agreed && rb.replay(i, *fa->agreed)) return true;
        rb.relocate(i, [](const RelocEvent&) {}, &fb, false);
        const CoreRelocation& relo = local.relo(i);
        bool ids = relo.kind == CoreRelocKind::TypeIdTarget;
        std::string why;
        auto text = [&](const RelocEvents& evs, size_t k, const std::vector<std::string>& texts) {
            return k < evs.size() ? event_text(local, i, evs[k], texts) : std::string("<nothing>");
        };
        if (!fa != !fb) {
            why = "one side resolved, the other did not";
        } else if (fa) {
            if (fa->agreed == fb) return true;  // this pair agreed before
            size_t k = 0;
            while (k < fa->events.size() && k < fb->events.size() && fa->events[k].same_as(fb->events[k], ids)) k++;
            if (k < fa->events.size() || k < fb->events.size()) {
                why = "'" + text(fa->events, k, ra.texts()) + "' against '" + text(fb->events, k, rb.texts()) + "'";
            } else if (fa->err != fb->err || !same_result(fa->res, fb->res, ids)) {
                why = "results differ (" + std::to_string(fa->res.new_val) + " against " + std::to_string(fb->res.new_val) + ")";
            } else if (ids && !fa->err) {  // the patched type ids: the patch itself must agree
                pa.clear();
                pb.clear();
                int ea = patch_insn(relo, local.relocations()[i].insn_idx, fa->res, &pa);
                int eb = patch_insn(relo, local.relocations()[i].insn_idx, fb->res, &pb);
                size_t j = 0;
                while (j < pa.size() && j < pb.size() && pa[j].same_as(pb[j], true)) j++;
                if (ea != eb || j < pa.size() || j < pb.size())
                    why = "'" + text(pa, j, ra.texts()) + "' against '" + text(pb, j, rb.texts()) + "'";
            }
            if (why.empty()) {
                fa->agreed = fb;
                return true;
            }
        } else {
            return true;  // local outcome: the same on both sides
        }
        const LocalRelocation& lr = local.relocations()[i];
        difference = "prog '" + local.program_names()[lr.prog_name] + "': relo #" + std::to_string(relo.index) + ": " + why;
        return false;
    });
    return difference;
}

void observe_relocations(const LocalRelocations& local, const CandidateIndex& index, ObservedFacts* facts) {
    const struct btf* lbtf = local.object().btf();
    Target targ{index.target(), facts, index.member_names()};
    std::unordered_map<uint32_t, std::vector<uint32_t>> cands_of;  // local type id -> candidates
    for (uint32_t spec_id = 0; spec_id < local.spec_count(); spec_id++) {
        const LocalSpec& si = local.spec_info(spec_id);
        const CoreRelocation& relo = local.relo(si.first);
        if (relo.kind == CoreRelocKind::TypeIdLocal || si.bad_type || si.anonymous || si.parse_err) continue;
        const CoreSpec& local_spec = local.spec(spec_id);
        auto [it, added] = cands_of.try_emplace(relo.type_id);
        if (added) it->second = index.find(local.names()[si.name_key], lbtf, relo.type_id);
        auto& cache = index.matches()->by_object[&local];
        std::vector<uint32_t> matched;
        for (uint32_t id : it->second) {
            cpu_budget_check();
            facts->keep(id).name = true;  // found by name and kind
            CandidateMatch& m = cache[(uint64_t(spec_id) << 32) | id];
            m = CandidateMatch{};
            match_candidate(local, relo, spec_id, id, targ, &m);  // always run: it records what it reads
            if (m.match > 0) matched.push_back(id);
        }
        // several matches: libbpf compares their bit offsets
        if (matched.size() > 1)
            for (uint32_t id : matched) {
                CoreSpec cand_spec;
                spec_match(local_spec, targ, id, &cand_spec);
                observe_spec_offsets(cand_spec, facts);
            }
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
    if (parse_local_spec(b, relo, &spec)) return root_name + " <unparsable access " + std::string(obj.access_string(relo)) + ">";
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
