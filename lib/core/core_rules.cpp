// CO-RE matching rules with libbpf 1.1's semantics (see core_rules.h). Names follow libbpf's
// relo_core.c so the two can be read side by side; the code is btfpack's own.
#include "core/core_rules.h"

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

namespace btfpack {
namespace {

bool str_is_empty(const char* s) { return !s || !s[0]; }

bool is_flavor_sep(const char* s) { return s[0] != '_' && s[1] == '_' && s[2] == '_' && s[3] == '_' && s[4] != '_'; }

// Whether s holds "___" (names are short: a plain scan beats strstr's setup).
bool has_triple_underscore(const char* s) {
    for (; *s; s++)
        if (s[0] == '_' && s[1] == '_' && s[2] == '_') return true;
    return false;
}

// The kind of a target type is read: keep the type.
const struct btf_type* targ_type(const Target& t, uint32_t id) {
    const struct btf_type* bt = btf__type_by_id(t.btf, id);
    if (bt && id && t.obs) t.obs->keep(id);
    return bt;
}

const struct btf_type* targ_skip(const Target& t, uint32_t id, uint32_t* res_id) {
    uint32_t rid;
    const struct btf_type* bt = skip_mods_and_typedefs(t.btf, id, &rid);
    if (bt && rid && t.obs) t.obs->keep(rid);
    if (res_id) *res_id = rid;
    return bt;
}

void observe_name(const Target& t, uint32_t id) {
    if (t.obs && id) t.obs->keep(id).name = true;
}

bool is_flex_arr(const struct btf* btf, const CoreAccessor* acc, const struct btf_array* arr, const Target* obs_targ) {
    if (!acc->name || arr->nelems > 0) return false;
    const struct btf_type* t = btf__type_by_id(btf, acc->type_id);
    bool last = acc->idx == uint32_t(btf_vlen(t) - 1);
    // vlen is read: keep the true last member so that "is it last" reads the same
    if (obs_targ && obs_targ->obs && !last) obs_targ->obs->member(acc->type_id, btf_vlen(t) - 1, kMemberName);
    return last;
}

// Keeps the matched members; if fewer distinct ones than the local type has (two local
// members matched one target member), keeps them all so the vlen comparison reads the same.
void keep_matched(ObservedFacts* obs, uint32_t targ_id, std::vector<int> idx, uint16_t local_vlen, uint8_t facts) {
    for (int j : idx) obs->member(targ_id, uint32_t(j), facts);
    std::sort(idx.begin(), idx.end());
    if (size_t(std::unique(idx.begin(), idx.end()) - idx.begin()) < local_vlen) obs->keep(targ_id).all_members = true;
}

bool names_match(const struct btf* local, uint32_t local_off, const Target& targ, uint32_t targ_off) {
    const char* ln = btf__name_by_offset(local, local_off);
    const char* tn = btf__name_by_offset(targ.btf, targ_off);
    if (str_is_empty(tn)) return str_is_empty(ln);
    if (str_is_empty(ln) || ln[0] != tn[0]) return false;  // essential names keep the first character
    size_t k = 0;
    while (ln[k] && ln[k] == tn[k]) k++;
    if (!ln[k] && !tn[k]) return true;                             // identical
    if (!strstr(ln + 1, "___") && !strstr(tn + 1, "___")) return false;  // different, and no flavor
    size_t tl = essential_name_len(tn), ll = essential_name_len(ln);
    return tl == ll && strncmp(ln, tn, ll) == 0;
}

// Rule (libbpf bpf_core_enums_match, part of types_match): two enums match when their sizes
// are equal, the target has at least as many enumerators, and every local enumerator has a
// target enumerator of the same essential name; values are not compared.
// records: the enum's size; on a match, the matched enumerators' names, or all of them when
// fewer distinct ones matched than the local has (MINIMIZATION.md, row "bpf_core_types_match").
// Only a match needs its enumerators kept: with fewer enumerators a "vlen too small" or
// "name not found" answer stays the same.
int enums_match(const struct btf* local, const struct btf_type* lt, const Target& targ, uint32_t targ_id,
                const struct btf_type* tt) {
    if (targ.obs) targ.obs->keep(targ_id).size = true;
    if (lt->size != tt->size) return 0;
    uint16_t lv = btf_vlen(lt), tv = btf_vlen(tt);
    if (lv > tv) return 0;
    std::vector<int> matched_idx;
    if (targ.names && tv > 8) {  // the first target enumerator of the same essential name, by index
        const auto& by_name = targ.names->enumerators(targ_id, tt);
        for (int i = 0; i < lv; i++) {
            const char* ln = btf__name_by_offset(local, btf_is_enum(lt) ? btf_enum(lt)[i].name_off : btf_enum64(lt)[i].name_off);
            if (!ln) ln = "";
            auto it = by_name.find(std::string_view(ln, essential_name_len(ln)));
            if (it == by_name.end()) return 0;
            matched_idx.push_back(it->second);
        }
        if (targ.obs) keep_matched(targ.obs, targ_id, matched_idx, lv, kMemberName);
        return 1;
    }
    for (int i = 0; i < lv; i++) {
        uint32_t ln = btf_is_enum(lt) ? btf_enum(lt)[i].name_off : btf_enum64(lt)[i].name_off;
        bool matched = false;
        for (int j = 0; j < tv; j++) {
            uint32_t tn = btf_is_enum(tt) ? btf_enum(tt)[j].name_off : btf_enum64(tt)[j].name_off;
            if (names_match(local, ln, targ, tn)) {
                matched = true;
                matched_idx.push_back(j);
                break;
            }
        }
        if (!matched) return 0;
    }
    if (targ.obs) keep_matched(targ.obs, targ_id, matched_idx, lv, kMemberName);
    return 1;
}

// Rule (libbpf bpf_core_composites_match): structs/unions match when the target has at least as
// many members and every local member has a same-named target member whose type matches
// (types_match, one level deeper).
// records: on a match, the matched members with names and types (all members if fewer distinct
// ones matched), plus what the member matches recorded (row "bpf_core_types_match"). As for
// enums, only a match needs members kept.
int composites_match(const struct btf* local, const struct btf_type* lt, const Target& targ, uint32_t targ_id,
                     const struct btf_type* tt, bool behind_ptr, int level) {
    const struct btf_member* lm = btf_members(lt);
    uint16_t lv = btf_vlen(lt), tv = btf_vlen(tt);
    if (lv > tv) return 0;
    ObservedFacts pending;
    std::vector<int> matched_idx;
    for (int i = 0; i < lv; i++, lm++) {
        const struct btf_member* tm = btf_members(tt);
        bool matched = false;
        for (int j = 0; j < tv; j++, tm++) {
            if (!names_match(local, lm->name_off, targ, tm->name_off)) continue;
            ObservedFacts scratch;
            Target st{targ.btf, targ.obs ? &scratch : nullptr};
            int err = types_match(local, lm->type, st, tm->type, behind_ptr, level - 1);
            if (err < 0) {
                if (targ.obs) {
                    targ.obs->merge(pending);
                    targ.obs->merge(scratch);
                    targ.obs->keep(targ_id).all_members = true;
                }
                return err;
            }
            if (err > 0) {
                pending.merge(scratch);
                matched_idx.push_back(j);
                matched = true;
                break;
            }
        }
        if (!matched) return 0;
    }
    if (targ.obs) {
        targ.obs->merge(pending);
        keep_matched(targ.obs, targ_id, matched_idx, lv, kMemberName | kMemberType);
    }
    return 1;
}

// Rule (libbpf bpf_core_match_member): the first target member, in order, whose name equals the
// local member's; anonymous members are searched recursively where they stand, so an earlier
// anonymous struct/union holding the name wins. The member's type must then be field-compatible.
// records: the matched member (name, type) and every anonymous member on the path to it (rows
// "member found by name", "member type checked"); members searched in vain are not kept, so
// "absent" and "first match" read the same in the output.
int match_member(const struct btf* local, const CoreAccessor& local_acc, const Target& targ, uint32_t targ_id,
                 CoreSpec* spec, uint32_t* next_targ_id) {
    // not observed here: an anonymous member searched in vain is not kept (callers keep the root)
    const struct btf_type* tt = skip_mods_and_typedefs(targ.btf, targ_id, &targ_id);
    if (!tt) return -EINVAL;
    if (!btf_is_composite(tt)) return 0;
    const struct btf_type* lt = btf__type_by_id(local, local_acc.type_id);
    const struct btf_member* lm = btf_members(lt) + local_acc.idx;
    const char* local_name = btf__name_by_offset(local, lm->name_off);
    int n = btf_vlen(tt);
    const struct btf_member* members = btf_members(tt);
    // Member i, as libbpf's scan meets it: 1/<0 decides, 0 goes on to the next member.
    auto visit = [&](int i, bool anonymous) -> int {
        const struct btf_member* m = members + i;
        uint32_t bit_offset = btf_member_bit_offset(tt, i);
        spec->bit_offset += bit_offset;
        spec->raw_spec.push_back(i);
        if (anonymous) {
            int found = match_member(local, local_acc, targ, m->type, spec, next_targ_id);
            if (found) {
                // the anonymous member is on the path: kept
                if (targ.obs && found > 0) {
                    targ.obs->member(targ_id, i, kMemberName | kMemberType);
                    uint32_t anon_id;
                    skip_mods_and_typedefs(targ.btf, m->type, &anon_id);
                    targ.obs->keep(anon_id);
                }
                return found;
            }
        } else {
            const char* targ_name = btf__name_by_offset(targ.btf, m->name_off);
            spec->spec.push_back({targ_id, uint32_t(i), targ_name});
            if (targ.obs) targ.obs->member(targ_id, i, kMemberName | kMemberType);
            int found = fields_are_compat(local, lm->type, targ, m->type);
            if (!found) spec->spec.pop_back();
            *next_targ_id = m->type;
            return found;
        }
        spec->bit_offset -= bit_offset;
        spec->raw_spec.pop_back();
        return 0;
    };
    if (n > 0 && spec->raw_spec.size() == kCoreSpecMaxLen) return -E2BIG;  // checked at every member
    if (targ.names && n > 8) {
        // the same order through the index: unnamed members before the first so named, then it
        const MemberNameIndex::Members& idx = targ.names->of(targ_id, tt);
        auto it = idx.first.find(local_name);
        int named = it == idx.first.end() ? n : it->second;
        for (int i : idx.anonymous) {
            if (i > named) break;
            if (int found = visit(i, true)) return found;
        }
        return named < n ? visit(named, false) : 0;
    }
    for (int i = 0; i < n; i++) {
        const char* targ_name = btf__name_by_offset(targ.btf, members[i].name_off);
        if (str_is_empty(targ_name)) {
            if (int found = visit(i, true)) return found;
        } else if (strcmp(local_name, targ_name) == 0) {
            return visit(i, false);
        }
    }
    return 0;
}

// libbpf's sscanf("%d%n"): plain digits (what clang emits) are parsed here, anything else
// (sign, blanks, very long numbers) by sscanf itself.
bool parse_access_index(const char* s, int* value, int* len) {
    int n = 0, v = 0;
    while (s[n] >= '0' && s[n] <= '9' && n < 9) v = v * 10 + (s[n++] - '0');
    if (n > 0 && !(s[n] >= '0' && s[n] <= '9')) {
        *value = v;
        *len = n;
        return true;
    }
    return sscanf(s, "%d%n", value, len) == 1;
}

}  // namespace

const std::unordered_map<std::string_view, int>& MemberNameIndex::enumerators(uint32_t type_id,
                                                                              const struct btf_type* t) {
    auto [it, added] = enums_.try_emplace(type_id);
    if (added)
        for (int i = 0; i < btf_vlen(t); i++) {
            const char* name = btf__name_by_offset(btf_, btf_is_enum(t) ? btf_enum(t)[i].name_off : btf_enum64(t)[i].name_off);
            if (!name) name = "";
            it->second.emplace(std::string_view(name, essential_name_len(name)), i);  // keeps the first
        }
    return it->second;
}

const MemberNameIndex::Members& MemberNameIndex::of(uint32_t type_id, const struct btf_type* t) {
    auto [it, added] = by_type_.try_emplace(type_id);
    if (added) {
        const struct btf_member* m = btf_members(t);
        for (int i = 0; i < btf_vlen(t); i++, m++) {
            const char* name = btf__name_by_offset(btf_, m->name_off);
            if (str_is_empty(name)) it->second.anonymous.push_back(i);
            else it->second.first.emplace(name, i);  // keeps the first of equal names
        }
    }
    return it->second;
}

size_t essential_name_len(const char* name) {
    if (!has_triple_underscore(name)) return strlen(name);  // the common case: no flavor
    size_t n = strlen(name);
    for (long i = long(n) - 5; i >= 0; i--)
        if (is_flavor_sep(name + i)) return size_t(i) + 1;
    return n;
}

const struct btf_type* skip_mods_and_typedefs(const struct btf* btf, uint32_t id, uint32_t* res_id) {
    const struct btf_type* t = btf__type_by_id(btf, id);
    if (res_id) *res_id = id;
    // more steps than types: a cycle of modifiers/typedefs (no valid BTF has one; libbpf 1.1
    // would loop forever): no type
    for (uint32_t steps = btf__type_cnt(btf); t && (btf_is_mod(t) || btf_is_typedef(t)); steps--) {
        if (steps == 0) return nullptr;
        if (res_id) *res_id = t->type;
        t = btf__type_by_id(btf, t->type);
    }
    return t;
}

const char* btf_kind_name(const struct btf_type* t) {
    static const char* names[] = {"void", "int", "ptr", "array", "struct", "union", "enum", "fwd", "typedef",
                                  "volatile", "const", "restrict", "func", "func_proto", "var", "datasec",
                                  "float", "decl_tag", "type_tag", "enum64"};
    unsigned k = btf_kind(t);
    return k < sizeof(names) / sizeof(names[0]) ? names[k] : "unknown";
}

// Rule (libbpf btf__resolve_size): follow modifiers, typedefs, vars and decl tags to a sized
// type, multiplying array lengths on the way; pointers have the target's pointer size.
// records: the sizes and array lengths read (only as "kept" when value_read is false, where just
// success counts), the chain's types; typedef/modifier links collapse (rows "btf__resolve_size
// value", "resolve_size only for success", "pointer size").
int64_t resolve_size(const Target& tg, uint32_t type_id, bool value_read) {
    uint32_t nelems = 1;
    int64_t size = -1;
    const struct btf_type* t = btf__type_by_id(tg.btf, type_id);
    for (int i = 0; i < 32 && t && !(btf_kind(t) == BTF_KIND_UNKN); i++) {
        switch (btf_kind(t)) {
        case BTF_KIND_INT: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
        case BTF_KIND_ENUM64: case BTF_KIND_DATASEC: case BTF_KIND_FLOAT:
            if (tg.obs) tg.obs->keep(type_id).size |= value_read;
            size = t->size;
            goto done;
        case BTF_KIND_PTR:
            if (tg.obs) { tg.obs->keep(type_id); tg.obs->pointer_size |= value_read; }
            // libbpf's internal btf_ptr_sz(): guessed from a "long" int, else the host's pointer size
            size = btf__pointer_size(tg.btf) ? int64_t(btf__pointer_size(tg.btf)) : int64_t(sizeof(void*));
            goto done;
        case BTF_KIND_VAR: case BTF_KIND_DECL_TAG:
            if (tg.obs) tg.obs->keep(type_id).pointee = true;
            type_id = t->type;
            break;
        case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
        case BTF_KIND_TYPE_TAG:
            type_id = t->type;  // collapsed in minimized output: not kept
            break;
        case BTF_KIND_ARRAY: {
            const struct btf_array* a = btf_array(t);
            if (tg.obs) { TypeFacts& f = tg.obs->keep(type_id); f.elem = true; f.nelems |= value_read; }
            if (nelems && a->nelems > UINT32_MAX / nelems) return -E2BIG;
            nelems *= a->nelems;
            type_id = a->type;
            break;
        }
        default:
            if (tg.obs && type_id) tg.obs->keep(type_id);
            return -EINVAL;
        }
        t = btf__type_by_id(tg.btf, type_id);
    }
done:
    if (size < 0) return -EINVAL;
    if (nelems && size > int64_t(UINT32_MAX / nelems)) return -E2BIG;
    return int64_t(nelems) * size;
}

void observe_spec_offsets(const CoreSpec& spec, ObservedFacts* obs) {
    if (!obs) return;
    uint32_t id = spec.root_type_id;
    for (size_t i = 1; i < spec.raw_spec.size(); i++) {
        const struct btf_type* t = skip_mods_and_typedefs(spec.btf, id, &id);
        if (!t) return;
        if (btf_is_composite(t)) {
            if (spec.raw_spec[i] >= btf_vlen(t)) return;
            obs->member(id, spec.raw_spec[i], kMemberOffset);
            id = btf_members(t)[spec.raw_spec[i]].type;
        } else if (btf_is_array(t)) {
            id = btf_array(t)->type;
        } else {
            return;
        }
    }
}

// Rule (libbpf bpf_core_parse_spec): the access string "0:1:2" is a first array index into the
// root type, then member indices (composites) and array indices along the path; anonymous
// members appear in the raw spec only. Type-based relocations must use "0".
// records: nothing (it reads the local BTF only).
int parse_local_spec(const struct btf* btf, const CoreRelocation& relo, CoreSpec* spec) {
    const char* spec_str = btf__name_by_offset(btf, relo.access_str_off);
    if (str_is_empty(spec_str) || *spec_str == ':') return -EINVAL;
    *spec = CoreSpec();
    spec->btf = btf;
    spec->root_type_id = relo.type_id;
    spec->kind = relo.kind;
    if (is_type_based(relo.kind)) return strcmp(spec_str, "0") ? -EINVAL : 0;

    while (*spec_str) {
        int access_idx, parsed_len;
        if (*spec_str == ':') ++spec_str;
        if (!parse_access_index(spec_str, &access_idx, &parsed_len)) return -EINVAL;
        // a negative index ("0:-9" through sscanf) would index before a type's members; clang
        // never writes one, and libbpf 1.1 would read out of bounds with it
        if (access_idx < 0) return -EINVAL;
        if (spec->raw_spec.size() == kCoreSpecMaxLen) return -E2BIG;
        spec_str += parsed_len;
        spec->raw_spec.push_back(access_idx);
    }
    if (spec->raw_spec.empty()) return -EINVAL;

    uint32_t id;
    const struct btf_type* t = skip_mods_and_typedefs(btf, relo.type_id, &id);
    if (!t) return -EINVAL;
    int access_idx = spec->raw_spec[0];
    spec->spec.push_back({id, uint32_t(access_idx), nullptr});

    if (is_enumval_based(relo.kind)) {
        if (!btf_is_any_enum(t) || spec->raw_spec.size() > 1 || access_idx >= btf_vlen(t)) return -EINVAL;
        uint32_t name_off = btf_is_enum(t) ? btf_enum(t)[access_idx].name_off : btf_enum64(t)[access_idx].name_off;
        spec->spec[0].name = btf__name_by_offset(btf, name_off);
        return 0;
    }
    if (!is_field_based(relo.kind)) return -EINVAL;

    Target local{btf, nullptr};
    int64_t sz = resolve_size(local, id);
    if (sz < 0) return int(sz);
    spec->bit_offset = uint32_t(access_idx * sz * 8);

    for (size_t i = 1; i < spec->raw_spec.size(); i++) {
        t = skip_mods_and_typedefs(btf, id, &id);
        if (!t) return -EINVAL;
        access_idx = spec->raw_spec[i];
        if (btf_is_composite(t)) {
            if (access_idx >= btf_vlen(t)) return -EINVAL;
            spec->bit_offset += btf_member_bit_offset(t, access_idx);
            const struct btf_member* m = btf_members(t) + access_idx;
            if (m->name_off) {
                const char* name = btf__name_by_offset(btf, m->name_off);
                if (str_is_empty(name)) return -EINVAL;
                spec->spec.push_back({id, uint32_t(access_idx), name});
            }
            id = m->type;
        } else if (btf_is_array(t)) {
            const struct btf_array* a = btf_array(t);
            t = skip_mods_and_typedefs(btf, a->type, &id);
            if (!t) return -EINVAL;
            bool flex = is_flex_arr(btf, &spec->spec.back(), a, nullptr);
            if (!flex && uint32_t(access_idx) >= a->nelems) return -EINVAL;
            spec->spec.push_back({id, uint32_t(access_idx), nullptr});
            sz = resolve_size(local, id);
            if (sz < 0) return int(sz);
            spec->bit_offset += uint32_t(access_idx * sz * 8);
        } else {
            return -EINVAL;  // libbpf warns "captures type of unexpected kind"
        }
    }
    return 0;
}

std::string format_spec(const CoreSpec& spec) {
    char buf[512];
    std::string out;
    const struct btf_type* t = btf__type_by_id(spec.btf, spec.root_type_id);
    const char* s = btf__name_by_offset(spec.btf, t->name_off);
    snprintf(buf, sizeof(buf), "<%s> [%u] %s %s", core_reloc_kind_name(spec.kind), spec.root_type_id,
             btf_kind_name(t), str_is_empty(s) ? "<anon>" : s);
    out = buf;
    if (is_type_based(spec.kind)) return out;
    if (is_enumval_based(spec.kind)) {
        t = skip_mods_and_typedefs(spec.btf, spec.root_type_id, nullptr);
        bool sgn = btf_kflag(t);
        if (btf_is_enum(t)) {
            const struct btf_enum* e = btf_enum(t) + spec.raw_spec[0];
            snprintf(buf, sizeof(buf), sgn ? "::%s = %d" : "::%s = %u", btf__name_by_offset(spec.btf, e->name_off), e->val);
        } else {
            const struct btf_enum64* e = btf_enum64(t) + spec.raw_spec[0];
            unsigned long long v = btf_enum64_value(e);
            if (sgn) snprintf(buf, sizeof(buf), "::%s = %lld", btf__name_by_offset(spec.btf, e->name_off), (long long)v);
            else snprintf(buf, sizeof(buf), "::%s = %llu", btf__name_by_offset(spec.btf, e->name_off), v);
        }
        return out + buf;
    }
    if (is_field_based(spec.kind)) {
        for (size_t i = 0; i < spec.spec.size(); i++) {
            if (spec.spec[i].name) out += std::string(".") + spec.spec[i].name;
            else if (i > 0 || spec.spec[i].idx > 0) out += "[" + std::to_string(spec.spec[i].idx) + "]";
        }
        out += " (";
        for (size_t i = 0; i < spec.raw_spec.size(); i++) out += (i ? ":" : "") + std::to_string(spec.raw_spec[i]);
        if (spec.bit_offset % 8) snprintf(buf, sizeof(buf), " @ offset %u.%u)", spec.bit_offset / 8, spec.bit_offset % 8);
        else snprintf(buf, sizeof(buf), " @ offset %u)", spec.bit_offset / 8);
        out += buf;
    }
    return out;
}

// Rule (libbpf bpf_core_types_are_compat, for type_exists/type_size/type_id_target): kinds must
// be CO-RE compatible; composites, enums and fwds are compatible by kind alone, ints unless they
// are bitfield-like (non-zero offset); pointers, arrays and function prototypes compare what they
// point to / hold / take, recursively.
// records: the types' kinds along the comparison, pointees, array element types, prototypes'
// return and parameter types (rows "candidate search", "pointer followed").
int types_are_compat(const struct btf* local, uint32_t local_id, const Target& targ, uint32_t targ_id, int level) {
    int depth = 32;
    const struct btf_type* lt = btf__type_by_id(local, local_id);
    const struct btf_type* tt = targ_type(targ, targ_id);
    if (!btf_kind_core_compat(lt, tt)) return 0;
recur:
    if (--depth < 0) return -EINVAL;
    lt = skip_mods_and_typedefs(local, local_id, &local_id);
    tt = targ_skip(targ, targ_id, &targ_id);
    if (!lt || !tt) return -EINVAL;
    if (!btf_kind_core_compat(lt, tt)) return 0;
    switch (btf_kind(lt)) {
    case BTF_KIND_UNKN: case BTF_KIND_STRUCT: case BTF_KIND_UNION: case BTF_KIND_ENUM:
    case BTF_KIND_FWD: case BTF_KIND_ENUM64:
        return 1;
    case BTF_KIND_INT:
        return btf_int_offset(lt) == 0 && btf_int_offset(tt) == 0;
    case BTF_KIND_PTR:
        if (targ.obs) targ.obs->keep(targ_id).pointee = true;
        local_id = lt->type;
        targ_id = tt->type;
        goto recur;
    case BTF_KIND_ARRAY:
        if (targ.obs) targ.obs->keep(targ_id).elem = true;
        local_id = btf_array(lt)->type;
        targ_id = btf_array(tt)->type;
        goto recur;
    case BTF_KIND_FUNC_PROTO: {
        if (targ.obs) targ.obs->keep(targ_id).proto = true;
        const struct btf_param* lp = btf_params(lt);
        const struct btf_param* tp = btf_params(tt);
        uint16_t lv = btf_vlen(lt), tv = btf_vlen(tt);
        if (lv != tv) return 0;
        for (int i = 0; i < lv; i++, lp++, tp++) {
            if (level <= 0) return -EINVAL;
            uint32_t lid, tid;
            skip_mods_and_typedefs(local, lp->type, &lid);
            targ_skip(targ, tp->type, &tid);
            int err = types_are_compat(local, lid, targ, tid, level - 1);
            if (err <= 0) return err;
        }
        skip_mods_and_typedefs(local, lt->type, &local_id);
        targ_skip(targ, tt->type, &targ_id);
        goto recur;
    }
    default:
        return 0;
    }
}

// Rule (libbpf bpf_core_fields_are_compat): a field's local and target types are compatible
// when both are composites, or of compatible kinds where pointers and floats always are, enums
// and fwds need equal essential names (or one anonymous), ints must not be bitfield-like, and
// arrays compare element types.
// records: the field type's kind, an enum/fwd name, array element types (row "member type
// checked for compatibility").
int fields_are_compat(const struct btf* local, uint32_t local_id, const Target& targ, uint32_t targ_id) {
recur:
    const struct btf_type* lt = skip_mods_and_typedefs(local, local_id, &local_id);
    const struct btf_type* tt = targ_skip(targ, targ_id, &targ_id);
    if (!lt || !tt) return -EINVAL;
    if (btf_is_composite(lt) && btf_is_composite(tt)) return 1;
    if (!btf_kind_core_compat(lt, tt)) return 0;
    switch (btf_kind(lt)) {
    case BTF_KIND_PTR: case BTF_KIND_FLOAT:
        return 1;
    case BTF_KIND_FWD: case BTF_KIND_ENUM64: case BTF_KIND_ENUM: {
        observe_name(targ, targ_id);
        const char* ln = btf__name_by_offset(local, lt->name_off);
        const char* tn = btf__name_by_offset(targ.btf, tt->name_off);
        size_t ll = essential_name_len(ln), tl = essential_name_len(tn);
        return ll == 0 || tl == 0 || (ll == tl && strncmp(ln, tn, ll) == 0);
    }
    case BTF_KIND_INT:
        return btf_int_offset(lt) == 0 && btf_int_offset(tt) == 0;
    case BTF_KIND_ARRAY:
        if (targ.obs) targ.obs->keep(targ_id).elem = true;
        local_id = btf_array(lt)->type;
        targ_id = btf_array(tt)->type;
        goto recur;
    default:
        return 0;
    }
}

// Rule (libbpf bpf_core_types_match, for type_matches): names must match (essential names);
// then by kind: ints by size and signedness, enums by enums_match, composites by
// composites_match (behind a pointer, a struct also matches a fwd of the same flavor), pointers
// and arrays (length too) and function prototypes recursively.
// records: the names compared, int sizes, pointees, array lengths and element types,
// prototypes, and what enums_match/composites_match record (row "bpf_core_types_match").
int types_match(const struct btf* local, uint32_t local_id, const Target& targ, uint32_t targ_id, bool behind_ptr,
                int level) {
    int depth = 32;
    if (level <= 0) return -EINVAL;
recur:
    if (--depth < 0) return -EINVAL;
    const struct btf_type* lt = skip_mods_and_typedefs(local, local_id, &local_id);
    const struct btf_type* tt = targ_skip(targ, targ_id, &targ_id);
    if (!lt || !tt) return -EINVAL;
    observe_name(targ, targ_id);
    if (!names_match(local, lt->name_off, targ, tt->name_off)) return 0;
    uint16_t lk = btf_kind(lt), tk = btf_kind(tt);
    switch (lk) {
    case BTF_KIND_UNKN:
        return lk == tk;
    case BTF_KIND_FWD: {
        bool lf = btf_kflag(lt);
        if (behind_ptr) {
            if (lk == tk) return lf == btf_kflag(tt);
            return (tk == BTF_KIND_STRUCT && !lf) || (tk == BTF_KIND_UNION && lf);
        }
        if (lk != tk) return 0;
        return lf == btf_kflag(tt);
    }
    case BTF_KIND_ENUM: case BTF_KIND_ENUM64:
        if (!btf_is_any_enum(tt)) return 0;
        return enums_match(local, lt, targ, targ_id, tt);
    case BTF_KIND_STRUCT: case BTF_KIND_UNION:
        if (behind_ptr) {
            bool tf = btf_kflag(tt);
            if (lk == tk) return 1;
            if (tk != BTF_KIND_FWD) return 0;
            return (lk == BTF_KIND_UNION) == tf;
        }
        if (lk != tk) return 0;
        return composites_match(local, lt, targ, targ_id, tt, behind_ptr, level);
    case BTF_KIND_INT: {
        if (lk != tk) return 0;
        if (targ.obs) targ.obs->keep(targ_id).size = true;
        uint8_t ls = btf_int_encoding(lt) & BTF_INT_SIGNED, ts = btf_int_encoding(tt) & BTF_INT_SIGNED;
        return lt->size == tt->size && ls == ts;
    }
    case BTF_KIND_PTR:
        if (lk != tk) return 0;
        if (targ.obs) targ.obs->keep(targ_id).pointee = true;
        behind_ptr = true;
        local_id = lt->type;
        targ_id = tt->type;
        goto recur;
    case BTF_KIND_ARRAY: {
        if (lk != tk) return 0;
        if (targ.obs) { TypeFacts& f = targ.obs->keep(targ_id); f.nelems = f.elem = true; }
        const struct btf_array* la = btf_array(lt);
        const struct btf_array* ta = btf_array(tt);
        if (la->nelems != ta->nelems) return 0;
        local_id = la->type;
        targ_id = ta->type;
        goto recur;
    }
    case BTF_KIND_FUNC_PROTO: {
        if (lk != tk) return 0;
        if (targ.obs) targ.obs->keep(targ_id).proto = true;
        const struct btf_param* lp = btf_params(lt);
        const struct btf_param* tp = btf_params(tt);
        uint16_t lv = btf_vlen(lt), tv = btf_vlen(tt);
        if (lv != tv) return 0;
        for (int i = 0; i < lv; i++, lp++, tp++) {
            int err = types_match(local, lp->type, targ, tp->type, behind_ptr, level - 1);
            if (err <= 0) return err;
        }
        local_id = lt->type;
        targ_id = tt->type;
        goto recur;
    }
    default:
        return 0;
    }
}

// Rule (libbpf bpf_core_spec_match): a candidate matches a local spec when, for type-based
// relocations, types_match/types_are_compat says so; for enum values, when it has an enumerator
// of the same essential name; for fields, when every accessor of the local spec finds its member
// (match_member) or its array index is within the target array (flexible last arrays always),
// accumulating the target's bit offset.
// records: what those rules record, array lengths and elements along the path, and the sizes
// behind non-zero array indices (rows "member found by name", "btf__resolve_size value",
// "flexible-array test").
int spec_match(const CoreSpec& local_spec, const Target& targ, uint32_t targ_id, CoreSpec* targ_spec) {
    *targ_spec = CoreSpec();
    targ_spec->btf = targ.btf;
    targ_spec->root_type_id = targ_id;
    targ_spec->kind = local_spec.kind;

    if (is_type_based(local_spec.kind)) {
        if (local_spec.kind == CoreRelocKind::TypeMatches)
            return types_match(local_spec.btf, local_spec.root_type_id, targ, targ_id);
        return types_are_compat(local_spec.btf, local_spec.root_type_id, targ, targ_id);
    }

    const CoreAccessor* local_acc = local_spec.spec.data();
    if (is_enumval_based(local_spec.kind)) {
        const struct btf_type* tt = targ_skip(targ, targ_id, &targ_id);
        if (!btf_is_any_enum(tt)) return 0;
        size_t local_len = essential_name_len(local_acc->name);
        if (targ.names && btf_vlen(tt) > 8) {  // the first enumerator of the same essential name
            const auto& by_name = targ.names->enumerators(targ_id, tt);
            auto it = by_name.find(std::string_view(local_acc->name, local_len));
            if (it == by_name.end()) return 0;
            int i = it->second;
            const char* targ_name =
                btf__name_by_offset(targ.btf, btf_is_enum(tt) ? btf_enum(tt)[i].name_off : btf_enum64(tt)[i].name_off);
            if (targ.obs) targ.obs->member(targ_id, i, kMemberName);
            targ_spec->spec.push_back({targ_id, uint32_t(i), targ_name});
            targ_spec->raw_spec.push_back(i);
            return 1;
        }
        for (int i = 0; i < btf_vlen(tt); i++) {
            uint32_t name_off = btf_is_enum(tt) ? btf_enum(tt)[i].name_off : btf_enum64(tt)[i].name_off;
            const char* targ_name = btf__name_by_offset(targ.btf, name_off);
            if (essential_name_len(targ_name) != local_len) continue;
            if (strncmp(local_acc->name, targ_name, local_len) == 0) {
                if (targ.obs) targ.obs->member(targ_id, i, kMemberName);
                targ_spec->spec.push_back({targ_id, uint32_t(i), targ_name});
                targ_spec->raw_spec.push_back(i);
                return 1;
            }
        }
        return 0;
    }
    if (!is_field_based(local_spec.kind)) return -EINVAL;

    for (size_t i = 0; i < local_spec.spec.size(); i++, local_acc++) {
        const struct btf_type* tt = targ_skip(targ, targ_id, &targ_id);
        if (!tt) return -EINVAL;
        if (local_acc->name) {
            int matched = match_member(local_spec.btf, *local_acc, targ, targ_id, targ_spec, &targ_id);
            if (matched <= 0) return matched;
        } else {
            if (i > 0) {
                if (!btf_is_array(tt)) return 0;
                const struct btf_array* a = btf_array(tt);
                bool flex = is_flex_arr(targ.btf, &targ_spec->spec.back(), a, &targ);
                if (targ.obs) { TypeFacts& f = targ.obs->keep(targ_id); f.nelems = f.elem = true; }
                if (!flex && local_acc->idx >= a->nelems) return 0;
                if (!targ_skip(targ, a->type, &targ_id)) return -EINVAL;
            }
            if (targ_spec->raw_spec.size() == kCoreSpecMaxLen) return -E2BIG;
            targ_spec->spec.push_back({targ_id, local_acc->idx, nullptr});
            targ_spec->raw_spec.push_back(int(local_acc->idx));
            // the size value matters only for a non-zero index; success always does
            int64_t sz = resolve_size(targ, targ_id, local_acc->idx != 0);
            if (sz < 0) return int(sz);
            targ_spec->bit_offset += uint32_t(local_acc->idx * sz * 8);
        }
    }
    return 1;
}

}  // namespace btfpack
