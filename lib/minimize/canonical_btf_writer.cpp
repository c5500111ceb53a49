// Canonical writer (see canonical_btf_writer.h). Each kept type becomes an OutType holding only
// observed facts (unobserved names, sizes, offsets, values become empty/0; unobserved type
// references become void; typedef/modifier chains collapse to what they name). Types are
// numbered by a DFS over an order of their content alone (exact bisimulation ranks, no hashing;
// cycles allowed). docs/MINIMIZATION.md, "Canonical order", specifies the bytes.
#include "minimize/canonical_btf_writer.h"

#include <bpf/btf.h>

#include <algorithm>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "btfpack/cpu_budget.h"
#include "btfpack/error.h"
#include "core/core_rules.h"
#include "util/bisimulation.h"

namespace btfpack {
namespace {

struct OutMember {
    std::string name;
    uint32_t ref = 0;  // full-BTF id (0 = void)
    uint32_t bit_offset = 0;
    uint32_t bitfield = 0;
    uint64_t value = 0;  // enumerators
};

struct OutType {
    uint32_t id;  // full-BTF id
    int kind;
    std::string name;
    uint32_t size = 0;
    uint32_t info_word = 0;  // int encoding word, func linkage, var linkage, decl_tag component
    bool kflag = false;
    uint32_t ref = 0;  // ptr/typedef/array elem/func proto/func_proto return/var/decl_tag target
    uint32_t nelems = 0;
    std::vector<OutMember> members;  // members, enumerators, params
};

class Writer {
public:
    Writer(const struct btf* full, const ObservedFacts& facts) : full_(full), facts_(facts) {}

    std::vector<uint8_t> write() {
        for (const auto& [id, f] : facts_.types)
            if (id) types_.emplace(id, build(id, f));
        order();
        return emit();
    }

private:
    const struct btf* full_;
    const ObservedFacts& facts_;
    std::map<uint32_t, OutType> types_;
    std::vector<uint32_t> ordered_;                  // full ids in output order
    std::unordered_map<uint32_t, uint32_t> new_id_;  // full id -> output id
    std::unordered_map<uint32_t, uint32_t> ref_id_;  // full id -> output id of the first type of its class

    // A reference as libbpf follows it: through typedefs/modifiers, to a kept type or void.
    uint32_t ref(uint32_t id) const {
        uint32_t r;
        if (!skip_mods_and_typedefs(full_, id, &r)) return 0;
        return facts_.types.count(r) ? r : 0;
    }

    OutType build(uint32_t id, const TypeFacts& f) {
        const struct btf_type* t = btf__type_by_id(full_, id);
        OutType o;
        o.id = id;
        o.kind = btf_kind(t);
        const char* name = btf__name_by_offset(full_, t->name_off);
        bool always_named = o.kind == BTF_KIND_INT || o.kind == BTF_KIND_FWD || o.kind == BTF_KIND_TYPEDEF ||
                            o.kind == BTF_KIND_FUNC || o.kind == BTF_KIND_VAR || o.kind == BTF_KIND_FLOAT ||
                            o.kind == BTF_KIND_DECL_TAG || o.kind == BTF_KIND_TYPE_TAG;
        if (name && (f.name || always_named)) o.name = name;
        auto member_fact = [&](uint32_t i) -> uint8_t {
            auto it = f.members.find(i);
            uint8_t bits = it == f.members.end() ? 0 : it->second;
            return f.all_members ? uint8_t(bits | kMemberName) : bits;
        };
        switch (o.kind) {
        case BTF_KIND_INT:
            o.size = t->size;
            o.info_word = *reinterpret_cast<const uint32_t*>(t + 1);
            break;
        case BTF_KIND_FLOAT:
            o.size = t->size;
            break;
        case BTF_KIND_PTR:
        case BTF_KIND_TYPEDEF:
        case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT: case BTF_KIND_TYPE_TAG:
            if (f.pointee || o.kind == BTF_KIND_TYPEDEF) o.ref = ref(t->type);
            break;
        case BTF_KIND_ARRAY: {
            const struct btf_array* a = btf_array(t);
            if (f.elem) o.ref = ref(a->type);
            if (f.nelems) o.nelems = a->nelems;
            break;
        }
        case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
            if (f.size) o.size = t->size;
            const struct btf_member* m = btf_members(t);
            for (uint32_t i = 0; i < btf_vlen(t); i++) {
                uint8_t bits = member_fact(i);
                if (!bits) continue;
                OutMember om;
                const char* mn = btf__name_by_offset(full_, m[i].name_off);
                om.name = mn ? mn : "";
                if (bits & kMemberType) om.ref = ref(m[i].type);
                uint32_t off = btf_member_bit_offset(t, i), bsz = btf_member_bitfield_size(t, i);
                if (bits & kMemberOffset) om.bit_offset = off;
                if ((bits & kMemberBitsize) || (om.bit_offset % 8)) om.bitfield = bsz;
                o.members.push_back(om);
            }
            break;
        }
        case BTF_KIND_ENUM: case BTF_KIND_ENUM64: {
            o.size = t->size;
            o.kflag = btf_kflag(t);
            for (uint32_t i = 0; i < btf_vlen(t); i++) {
                uint8_t bits = member_fact(i);
                if (!bits) continue;
                OutMember om;
                uint32_t name_off = o.kind == BTF_KIND_ENUM ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off;
                om.name = btf__name_by_offset(full_, name_off);
                if (bits & kEnumValue)
                    om.value = o.kind == BTF_KIND_ENUM ? uint64_t(uint32_t(btf_enum(t)[i].val))
                                                       : btf_enum64_value(btf_enum64(t) + i);
                o.members.push_back(om);
            }
            break;
        }
        case BTF_KIND_FWD:
            o.kflag = btf_kflag(t);
            break;
        case BTF_KIND_FUNC:
            o.info_word = btf_vlen(t);  // linkage
            if (f.pointee) o.ref = ref(t->type);
            break;
        case BTF_KIND_FUNC_PROTO:
            if (f.proto) {
                o.ref = ref(t->type);
                const struct btf_param* p = btf_params(t);
                for (uint32_t i = 0; i < btf_vlen(t); i++) o.members.push_back({"", ref(p[i].type), 0, 0, 0});
            }
            break;
        case BTF_KIND_VAR:
            o.info_word = btf_var(t)->linkage;
            if (f.pointee) o.ref = ref(t->type);
            break;
        case BTF_KIND_DATASEC:
            if (f.size) o.size = t->size;
            break;
        case BTF_KIND_DECL_TAG:
            o.info_word = uint32_t(btf_decl_tag(t)->component_idx);
            if (f.pointee) o.ref = ref(t->type);
            break;
        default:
            break;
        }
        return o;
    }

    static std::vector<uint32_t> refs(const OutType& o) {
        std::vector<uint32_t> r;
        if (o.ref) r.push_back(o.ref);
        for (const auto& m : o.members)
            if (m.ref) r.push_back(m.ref);
        return r;
    }

    // Own content, reference targets excluded (only whether each reference is void), compared
    // field by field in this order (docs/MINIMIZATION.md, "Canonical order").
    static int compare_local(const OutType& x, const OutType& y) {
        auto cmp = [](auto a, auto b) { return a < b ? -1 : b < a ? 1 : 0; };
        int c;
        if ((c = cmp(x.kind, y.kind)) || (c = x.name.compare(y.name)) || (c = cmp(x.size, y.size)) ||
            (c = cmp(x.info_word, y.info_word)) || (c = cmp(x.kflag, y.kflag)) || (c = cmp(x.nelems, y.nelems)) ||
            (c = cmp(x.ref != 0, y.ref != 0)) || (c = cmp(x.members.size(), y.members.size())))
            return c;
        for (size_t i = 0; i < x.members.size(); i++) {
            const OutMember &a = x.members[i], &b = y.members[i];
            if ((c = a.name.compare(b.name)) || (c = cmp(a.bit_offset, b.bit_offset)) ||
                (c = cmp(a.bitfield, b.bitfield)) || (c = cmp(a.value, b.value)) || (c = cmp(a.ref != 0, b.ref != 0)))
                return c;
        }
        return 0;
    }

    // Exact bisimulation ranks (no hashing): own content first, then refined over references
    // until the partition stops growing; equal rank <=> libbpf cannot tell the types apart.
    // Then named types and a depth-first walk number them (below).
    void order() {
        std::vector<uint32_t> ids;  // node index -> full id, ascending
        std::unordered_map<uint32_t, uint32_t> node;
        for (const auto& kv : types_) {
            node[kv.first] = uint32_t(ids.size());
            ids.push_back(kv.first);
        }
        std::vector<std::vector<uint32_t>> succ(ids.size());
        for (size_t i = 0; i < ids.size(); i++)
            for (uint32_t r : refs(types_.at(ids[i]))) succ[i].push_back(node.at(r));
        std::vector<uint32_t> rank = bisimulation_ranks(
            dense_ranks(ids.size(), [&](uint32_t a, uint32_t b) {
                return compare_local(types_.at(ids[a]), types_.at(ids[b])) < 0;
            }),
            succ);
        std::unordered_map<uint32_t, uint32_t> h;  // full id -> final rank
        for (size_t i = 0; i < ids.size(); i++) h[ids[i]] = rank[i];
        // Named types first, in (name, kind) order; among types of one name and kind (several
        // candidates of one relocation) the kernel's own order is kept, because libbpf's
        // ambiguity messages print candidates in that order. Then the types they reference,
        // depth first, in reference order.
        std::vector<uint32_t> named, all;
        for (const auto& kv : types_) {
            all.push_back(kv.first);
            if (!kv.second.name.empty()) named.push_back(kv.first);
        }
        std::sort(named.begin(), named.end(), [&](uint32_t a, uint32_t b) {
            const OutType &x = types_.at(a), &y = types_.at(b);
            if (x.name != y.name) return x.name < y.name;
            if (x.kind != y.kind) return x.kind < y.kind;
            return a < b;
        });
        std::sort(all.begin(), all.end(), [&](uint32_t a, uint32_t b) { return h[a] != h[b] ? h[a] < h[b] : a < b; });
        auto number = [&](uint32_t id) {
            if (new_id_.count(id)) return false;
            new_id_[id] = uint32_t(ordered_.size() + 1);
            ordered_.push_back(id);
            return true;
        };
        for (uint32_t id : named) number(id);
        std::function<void(uint32_t)> visit = [&](uint32_t id) {
            for (uint32_t r : refs(types_.at(id)))
                if (number(r)) visit(r);
        };
        for (size_t i = 0; i < ordered_.size(); i++) visit(ordered_[i]);
        for (uint32_t id : all)
            if (number(id)) visit(id);
        // References go to the first of structurally identical (bisimilar) types: libbpf cannot
        // tell them apart, and a pack can then rebuild this BTF exactly from a shared type table.
        std::unordered_map<uint32_t, uint32_t> first;
        for (uint32_t id : ordered_) first.emplace(h[id], new_id_.at(id));
        for (uint32_t id : ordered_) ref_id_[id] = first.at(h[id]);
    }

    uint32_t out_ref(uint32_t full_id) const { return full_id ? ref_id_.at(full_id) : 0; }

    // libbpf's writer refuses only what is no valid BTF (a forward declaration or variable
    // without a name, a bad integer size or encoding...): the kernel BTF's fault, not btfpack's
    static void check(int r, const OutType& o) {
        if (r < 0)
            throw Error("kernel BTF type [" + std::to_string(o.id) + "] (kind " + std::to_string(o.kind) + ", name '" +
                        o.name + "') is not valid BTF: libbpf refuses to write it (error " + std::to_string(r) + ")");
    }

    std::vector<uint8_t> emit() {
        std::unique_ptr<struct btf, void (*)(struct btf*)> out(btf__new_empty(), btf__free);
        if (!out) throw Error("internal error: btf__new_empty failed");
        btf__set_endianness(out.get(), btf__endianness(full_));
        struct btf* b = out.get();
        auto name_or_null = [](const std::string& s) { return s.empty() ? nullptr : s.c_str(); };
        for (uint32_t id : ordered_) {
            cpu_budget_check();
            const OutType& o = types_.at(id);
            int r = 0;
            switch (o.kind) {
            case BTF_KIND_INT:
                r = btf__add_int(b, o.name.c_str(), o.size, BTF_INT_ENCODING(o.info_word));
                if (r > 0) *reinterpret_cast<uint32_t*>(const_cast<struct btf_type*>(btf__type_by_id(b, r)) + 1) = o.info_word;
                break;
            case BTF_KIND_FLOAT: r = btf__add_float(b, o.name.c_str(), o.size); break;
            case BTF_KIND_PTR: r = btf__add_ptr(b, int(out_ref(o.ref))); break;
            case BTF_KIND_TYPEDEF: r = btf__add_typedef(b, o.name.c_str(), int(out_ref(o.ref))); break;
            case BTF_KIND_VOLATILE: r = btf__add_volatile(b, int(out_ref(o.ref))); break;
            case BTF_KIND_CONST: r = btf__add_const(b, int(out_ref(o.ref))); break;
            case BTF_KIND_RESTRICT: r = btf__add_restrict(b, int(out_ref(o.ref))); break;
            case BTF_KIND_TYPE_TAG: r = btf__add_type_tag(b, o.name.c_str(), int(out_ref(o.ref))); break;
            case BTF_KIND_ARRAY: r = btf__add_array(b, 0, int(out_ref(o.ref)), o.nelems); break;
            case BTF_KIND_STRUCT: case BTF_KIND_UNION:
                r = o.kind == BTF_KIND_STRUCT ? btf__add_struct(b, name_or_null(o.name), o.size)
                                              : btf__add_union(b, name_or_null(o.name), o.size);
                for (const auto& m : o.members) {
                    if (r < 0) break;
                    int e = btf__add_field(b, name_or_null(m.name), int(out_ref(m.ref)), m.bit_offset, m.bitfield);
                    check(e, o);
                }
                break;
            case BTF_KIND_ENUM:
                r = btf__add_enum(b, name_or_null(o.name), o.size);
                for (const auto& m : o.members) {
                    if (r < 0) break;
                    int64_t v = o.kflag ? int64_t(int32_t(uint32_t(m.value))) : int64_t(uint32_t(m.value));
                    check(btf__add_enum_value(b, m.name.c_str(), v), o);
                }
                if (r > 0) {  // signedness as in the kernel, whatever the kept values are
                    auto* t = const_cast<struct btf_type*>(btf__type_by_id(b, r));
                    t->info = (t->info & ~(1u << 31)) | (o.kflag ? 1u << 31 : 0);
                }
                break;
            case BTF_KIND_ENUM64:
                r = btf__add_enum64(b, name_or_null(o.name), o.size, o.kflag);
                for (const auto& m : o.members) {
                    if (r < 0) break;
                    check(btf__add_enum64_value(b, m.name.c_str(), m.value), o);
                }
                break;
            case BTF_KIND_FWD:
                r = btf__add_fwd(b, o.name.c_str(), o.kflag ? BTF_FWD_UNION : BTF_FWD_STRUCT);
                break;
            case BTF_KIND_FUNC:
                r = btf__add_func(b, o.name.c_str(), static_cast<enum btf_func_linkage>(o.info_word), int(out_ref(o.ref)));
                break;
            case BTF_KIND_FUNC_PROTO:
                r = btf__add_func_proto(b, int(out_ref(o.ref)));
                for (const auto& m : o.members) {
                    if (r < 0) break;
                    check(btf__add_func_param(b, nullptr, int(out_ref(m.ref))), o);
                }
                break;
            case BTF_KIND_VAR: r = btf__add_var(b, o.name.c_str(), int(o.info_word), int(out_ref(o.ref))); break;
            case BTF_KIND_DATASEC: r = btf__add_datasec(b, o.name.c_str(), o.size); break;
            case BTF_KIND_DECL_TAG:
                r = btf__add_decl_tag(b, o.name.c_str(), int(out_ref(o.ref)), int(int32_t(o.info_word)));
                break;
            default:
                r = -1;
            }
            check(r, o);
        }
        size_t full_ptr = btf__pointer_size(full_);
        if (facts_.pointer_size && full_ptr != 0 && full_ptr != 8) {
            // libbpf guesses the pointer size from a "long" integer, else assumes the host's (8);
            // a target with no such integer (0 here: not a vmlinux) is 8 for libbpf as well
            int r = btf__add_int(b, "long", btf__pointer_size(full_), BTF_INT_SIGNED);
            if (r < 0) throw Error("internal error: cannot add pointer-size integer");
        }
        uint32_t size = 0;
        const void* raw = btf__raw_data(b, &size);
        if (!raw) throw Error("internal error: btf__raw_data failed");
        const uint8_t* p = static_cast<const uint8_t*>(raw);
        return std::vector<uint8_t>(p, p + size);
    }
};

}  // namespace

std::vector<uint8_t> write_canonical_btf(const struct btf* full, const ObservedFacts& facts) {
    return Writer(full, facts).write();
}

}  // namespace btfpack
