// String offsets and type references of a BTF, checked (btf_check.h).
#include "object/btf_check.h"

#include <bpf/btf.h>

#include "btfpack/cpu_budget.h"

namespace btfpack {

std::string btf_soundness_problem(const struct btf* b) {
    const uint32_t n = btf__type_cnt(b);
    auto bad_name = [&](uint32_t off) { return btf__name_by_offset(b, off) == nullptr; };
    auto bad_ref = [&](uint32_t id) { return id >= n; };
    for (uint32_t id = 1; id < n; id++) {
        cpu_budget_check();
        const struct btf_type* t = btf__type_by_id(b, id);
        std::string at = "type [" + std::to_string(id) + "]: ";
        if (bad_name(t->name_off)) return at + "name offset " + std::to_string(t->name_off) + " out of range";
        uint16_t vlen = btf_vlen(t);
        switch (btf_kind(t)) {
        case BTF_KIND_STRUCT: case BTF_KIND_UNION: {
            const struct btf_member* m = btf_members(t);
            for (uint16_t i = 0; i < vlen; i++) {
                if (bad_name(m[i].name_off)) return at + "member " + std::to_string(i) + " name offset out of range";
                if (bad_ref(m[i].type)) return at + "member " + std::to_string(i) + " refers to no type";
            }
            break;
        }
        case BTF_KIND_ENUM:
            for (uint16_t i = 0; i < vlen; i++)
                if (bad_name(btf_enum(t)[i].name_off)) return at + "enum value " + std::to_string(i) + " name offset out of range";
            break;
        case BTF_KIND_ENUM64:
            for (uint16_t i = 0; i < vlen; i++)
                if (bad_name(btf_enum64(t)[i].name_off)) return at + "enum value " + std::to_string(i) + " name offset out of range";
            break;
        case BTF_KIND_FUNC_PROTO: {
            if (bad_ref(t->type)) return at + "return type refers to no type";
            const struct btf_param* p = btf_params(t);
            for (uint16_t i = 0; i < vlen; i++) {
                if (bad_name(p[i].name_off)) return at + "parameter " + std::to_string(i) + " name offset out of range";
                if (bad_ref(p[i].type)) return at + "parameter " + std::to_string(i) + " refers to no type";
            }
            break;
        }
        case BTF_KIND_ARRAY:
            if (bad_ref(btf_array(t)->type) || bad_ref(btf_array(t)->index_type)) return at + "array refers to no type";
            break;
        case BTF_KIND_DATASEC: {
            const struct btf_var_secinfo* v = btf_var_secinfos(t);
            for (uint16_t i = 0; i < vlen; i++)
                if (bad_ref(v[i].type)) return at + "section variable " + std::to_string(i) + " refers to no type";
            break;
        }
        case BTF_KIND_PTR: case BTF_KIND_TYPEDEF: case BTF_KIND_VOLATILE: case BTF_KIND_CONST: case BTF_KIND_RESTRICT:
        case BTF_KIND_FUNC: case BTF_KIND_VAR: case BTF_KIND_DECL_TAG: case BTF_KIND_TYPE_TAG:
            if (bad_ref(t->type)) return at + "refers to no type (" + std::to_string(t->type) + ")";
            break;
        default:
            break;
        }
    }
    return "";
}

}  // namespace btfpack
