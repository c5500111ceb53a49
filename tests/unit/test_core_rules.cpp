// Table-driven tests of the CO-RE matching rules, one case per rule of libbpf 1.1's relo_core.c.
// Local and target BTFs are built with libbpf's btf__add_* API.
#include <bpf/btf.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "btfpack/core_relocation.h"
#include "core/core_rules.h"
#include "test_btf.h"

using namespace btfpack;

namespace {

// Two BTFs under construction side by side.
struct Pair {
    BtfPtr local = new_btf(), targ = new_btf();
    Target target() { return Target{targ.get(), nullptr}; }
};

int add_struct(struct btf* b, const char* name, uint32_t size,
               std::initializer_list<std::tuple<const char*, int, uint32_t>> members) {
    int id = btf__add_struct(b, name, size);
    for (auto& [n, t, off] : members) btf__add_field(b, n, t, off, 0);
    return id;
}

int field_relo_match(Pair& p, int local_root, const char* access, CoreRelocKind kind, int targ_root, CoreSpec* out) {
    CoreRelocation r{};
    r.type_id = uint32_t(local_root);
    r.access_str_off = uint32_t(btf__add_str(p.local.get(), access));
    r.kind = kind;
    CoreSpec local;
    REQUIRE(parse_local_spec(p.local.get(), r, &local) == 0);
    return spec_match(local, p.target(), uint32_t(targ_root), out);
}

}  // namespace

TEST_CASE("essential names drop the last ___flavor suffix", "[names]") {
    struct Case { const char* name; size_t len; };
    auto c = GENERATE(Case{"task_struct", 11}, Case{"task_struct___v2", 11}, Case{"a___b___c", 5},
                      Case{"foo___", 6}, Case{"____x", 5}, Case{"foo____bar", 10}, Case{"x___y", 1});
    INFO(c.name);
    CHECK(essential_name_len(c.name) == c.len);
}

TEST_CASE("types_are_compat: ints compatible whatever size/sign, bitfield-like ints not", "[compat]") {
    Pair p;
    int l_int = btf__add_int(p.local.get(), "int", 4, BTF_INT_SIGNED);
    int t_u64 = btf__add_int(p.targ.get(), "long long unsigned int", 8, 0);
    CHECK(types_are_compat(p.local.get(), l_int, p.target(), t_u64) == 1);
    int t_off = btf__add_int(p.targ.get(), "weird", 4, 0);
    auto* t = const_cast<struct btf_type*>(btf__type_by_id(p.targ.get(), t_off));
    *reinterpret_cast<uint32_t*>(t + 1) |= (3u << 16);  // int offset 3
    CHECK(types_are_compat(p.local.get(), l_int, p.target(), t_off) == 0);
}

TEST_CASE("types_are_compat: pointers compare pointee kinds, not names", "[compat]") {
    Pair p;
    int ls = btf__add_struct(p.local.get(), "a", 4);
    int lp = btf__add_ptr(p.local.get(), ls);
    int ts = btf__add_struct(p.targ.get(), "b", 8);
    int tp = btf__add_ptr(p.targ.get(), ts);
    int tu = btf__add_union(p.targ.get(), "a", 8);
    int tpu = btf__add_ptr(p.targ.get(), tu);
    CHECK(types_are_compat(p.local.get(), lp, p.target(), tp) == 1);
    CHECK(types_are_compat(p.local.get(), lp, p.target(), tpu) == 0);
}

TEST_CASE("types_are_compat: func_proto arity and typedef roots", "[compat]") {
    Pair p;
    int li = btf__add_int(p.local.get(), "int", 4, BTF_INT_SIGNED);
    int lf = btf__add_func_proto(p.local.get(), li);
    btf__add_func_param(p.local.get(), "x", li);
    int ti = btf__add_int(p.targ.get(), "int", 4, BTF_INT_SIGNED);
    int tf1 = btf__add_func_proto(p.targ.get(), ti);
    btf__add_func_param(p.targ.get(), "y", ti);
    int tf2 = btf__add_func_proto(p.targ.get(), ti);
    CHECK(types_are_compat(p.local.get(), lf, p.target(), tf1) == 1);
    CHECK(types_are_compat(p.local.get(), lf, p.target(), tf2) == 0);
    int ltd = btf__add_typedef(p.local.get(), "u32", li);
    int ttd = btf__add_typedef(p.targ.get(), "u32", ti);
    CHECK(types_are_compat(p.local.get(), ltd, p.target(), ttd) == 1);
    CHECK(types_are_compat(p.local.get(), ltd, p.target(), ti) == 0);  // root kinds must agree
}

TEST_CASE("fields_are_compat: composites, enums by name, ints, arrays", "[fields]") {
    Pair p;
    int ls = btf__add_struct(p.local.get(), "s", 4);
    int tu = btf__add_union(p.targ.get(), "u", 4);
    CHECK(fields_are_compat(p.local.get(), ls, p.target(), tu) == 1);  // any composite vs composite
    int le = btf__add_enum(p.local.get(), "e___v2", 4);
    int te = btf__add_enum(p.targ.get(), "e", 4);
    int te2 = btf__add_enum(p.targ.get(), "other", 4);
    int te64 = btf__add_enum64(p.targ.get(), "e", 8, false);
    CHECK(fields_are_compat(p.local.get(), le, p.target(), te) == 1);
    CHECK(fields_are_compat(p.local.get(), le, p.target(), te2) == 0);
    CHECK(fields_are_compat(p.local.get(), le, p.target(), te64) == 1);  // enum ~ enum64
    int li = btf__add_int(p.local.get(), "int", 4, BTF_INT_SIGNED);
    int tp = btf__add_ptr(p.targ.get(), 0);
    CHECK(fields_are_compat(p.local.get(), li, p.target(), tp) == 0);
    int lc = btf__add_int(p.local.get(), "char", 1, 0);
    int la = btf__add_array(p.local.get(), li, lc, 16);
    int tc = btf__add_int(p.targ.get(), "char", 1, 0);
    int ta = btf__add_array(p.targ.get(), tc, tc, 32);
    CHECK(fields_are_compat(p.local.get(), la, p.target(), ta) == 1);  // arrays: element kinds only
}

TEST_CASE("types_match: names, int sign and size, enum values by name, arrays by length", "[match]") {
    Pair p;
    int li = btf__add_int(p.local.get(), "int", 4, BTF_INT_SIGNED);
    int ti = btf__add_int(p.targ.get(), "int", 4, BTF_INT_SIGNED);
    int tu = btf__add_int(p.targ.get(), "int", 4, 0);
    CHECK(types_match(p.local.get(), li, p.target(), ti) == 1);
    CHECK(types_match(p.local.get(), li, p.target(), tu) == 0);
    int ls = add_struct(p.local.get(), "s", 8, {{"a", li, 0}});
    int ts = add_struct(p.targ.get(), "s", 16, {{"b", ti, 0}, {"a", ti, 32}});
    int ts2 = add_struct(p.targ.get(), "s", 8, {{"b", ti, 0}});
    CHECK(types_match(p.local.get(), ls, p.target(), ts) == 1);   // size and order ignored
    CHECK(types_match(p.local.get(), ls, p.target(), ts2) == 0);  // member missing
    int le = btf__add_enum(p.local.get(), "e", 4);
    btf__add_enum_value(p.local.get(), "X", 1);
    int te = btf__add_enum(p.targ.get(), "e", 4);
    btf__add_enum_value(p.targ.get(), "Y", 0);
    btf__add_enum_value(p.targ.get(), "X", 7);
    int te8 = btf__add_enum64(p.targ.get(), "e", 8, false);
    btf__add_enum64_value(p.targ.get(), "X", 1);
    CHECK(types_match(p.local.get(), le, p.target(), te) == 1);   // values ignored
    CHECK(types_match(p.local.get(), le, p.target(), te8) == 0);  // size differs
    int la = btf__add_array(p.local.get(), li, li, 4);
    int ta4 = btf__add_array(p.targ.get(), ti, ti, 4);
    int ta5 = btf__add_array(p.targ.get(), ti, ti, 5);
    CHECK(types_match(p.local.get(), la, p.target(), ta4) == 1);
    CHECK(types_match(p.local.get(), la, p.target(), ta5) == 0);
}

TEST_CASE("types_match: behind a pointer a struct matches its forward declaration", "[match]") {
    Pair p;
    int ls = btf__add_struct(p.local.get(), "s", 4);
    int lp = btf__add_ptr(p.local.get(), ls);
    int tf = btf__add_fwd(p.targ.get(), "s", BTF_FWD_STRUCT);
    int tp = btf__add_ptr(p.targ.get(), tf);
    int tfu = btf__add_fwd(p.targ.get(), "s", BTF_FWD_UNION);
    int tpu = btf__add_ptr(p.targ.get(), tfu);
    CHECK(types_match(p.local.get(), lp, p.target(), tp) == 1);
    CHECK(types_match(p.local.get(), lp, p.target(), tpu) == 0);
    CHECK(types_match(p.local.get(), ls, p.target(), tf) == 0);  // not behind a pointer
}

TEST_CASE("spec_match: members by name, through anonymous members, offsets accumulate", "[spec]") {
    Pair p;
    int li = btf__add_int(p.local.get(), "int", 4, BTF_INT_SIGNED);
    int ls = add_struct(p.local.get(), "s", 8, {{"x", li, 0}, {"y", li, 32}});
    int ti = btf__add_int(p.targ.get(), "int", 4, BTF_INT_SIGNED);
    int anon = add_struct(p.targ.get(), nullptr, 8, {{"q", ti, 0}, {"y", ti, 32}});
    int ts = add_struct(p.targ.get(), "s", 16, {{"x", ti, 0}, {nullptr, anon, 64}});
    CoreSpec out;
    CHECK(field_relo_match(p, ls, "0:1", CoreRelocKind::FieldByteOffset, ts, &out) == 1);
    CHECK(out.bit_offset == 96);
    CHECK(std::vector<int>(out.raw_spec.begin(), out.raw_spec.end()) == std::vector<int>{0, 1, 1});
    int ts2 = add_struct(p.targ.get(), "s", 4, {{"x", ti, 0}});
    CHECK(field_relo_match(p, ls, "0:1", CoreRelocKind::FieldExists, ts2, &out) == 0);  // missing field
}

TEST_CASE("spec_match: array index bounds, flexible arrays, element size", "[spec]") {
    Pair p;
    int li = btf__add_int(p.local.get(), "int", 4, BTF_INT_SIGNED);
    int la = btf__add_array(p.local.get(), li, li, 8);
    int ls = add_struct(p.local.get(), "s", 32, {{"n", li, 0}, {"arr", la, 32}});
    int ti = btf__add_int(p.targ.get(), "int", 4, BTF_INT_SIGNED);
    int tl = btf__add_int(p.targ.get(), "long", 8, BTF_INT_SIGNED);
    int ta2 = btf__add_array(p.targ.get(), ti, tl, 2);
    int ts_small = add_struct(p.targ.get(), "s", 24, {{"n", ti, 0}, {"arr", ta2, 64}});
    int taf = btf__add_array(p.targ.get(), ti, tl, 0);
    int ts_flex = add_struct(p.targ.get(), "s", 8, {{"n", ti, 0}, {"arr", taf, 64}});
    int ts_zero_mid = add_struct(p.targ.get(), "s", 16, {{"arr", taf, 0}, {"n", ti, 0}});
    CoreSpec out;
    CHECK(field_relo_match(p, ls, "0:1:5", CoreRelocKind::FieldByteOffset, ts_small, &out) == 0);  // 5 >= 2
    CHECK(field_relo_match(p, ls, "0:1:5", CoreRelocKind::FieldByteOffset, ts_flex, &out) == 1);   // flex: any
    CHECK(out.bit_offset == 64 + 5 * 64);                                                          // long elems
    CHECK(field_relo_match(p, ls, "0:1:5", CoreRelocKind::FieldByteOffset, ts_zero_mid, &out) == 0);  // not last
}

TEST_CASE("spec_match: enumerators by essential name", "[spec]") {
    Pair p;
    int le = btf__add_enum(p.local.get(), "e", 4);
    btf__add_enum_value(p.local.get(), "B___old", 1);
    int te = btf__add_enum(p.targ.get(), "e", 4);
    btf__add_enum_value(p.targ.get(), "A", 0);
    btf__add_enum_value(p.targ.get(), "B", 9);
    int te2 = btf__add_enum(p.targ.get(), "e", 4);
    btf__add_enum_value(p.targ.get(), "C", 0);
    CoreSpec out;
    CHECK(field_relo_match(p, le, "0", CoreRelocKind::EnumValueValue, te, &out) == 1);
    CHECK(out.spec[0].idx == 1);
    CHECK(field_relo_match(p, le, "0", CoreRelocKind::EnumValueExists, te2, &out) == 0);
}

TEST_CASE("SmallVector keeps order across the inline/heap boundary", "[spec]") {
    SmallVector<int, 8> v;
    for (int i = 0; i < 20; i++) v.push_back(i);
    REQUIRE(v.size() == 20);
    SmallVector<int, 8> w = v;
    for (int i = 19; i >= 3; i--) {
        CHECK(w.back() == i);
        w.pop_back();
    }
    REQUIRE(w.size() == 3);
    CHECK(std::vector<int>(w.begin(), w.end()) == std::vector<int>{0, 1, 2});
    for (int i = 0; i < 20; i++) CHECK(v[size_t(i)] == i);
    w = v;
    CHECK(std::vector<int>(w.begin(), w.end()) == std::vector<int>(v.begin(), v.end()));
}
