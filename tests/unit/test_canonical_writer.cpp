// The canonical writer's promise: output depends only on the content kept, not on input ids.
#include <bpf/btf.h>

#include <catch2/catch.hpp>
#include <map>
#include <memory>
#include <string>

#include "minimize/canonical_btf_writer.h"

using namespace btfpack;

namespace {

using BtfPtr = std::unique_ptr<struct btf, void (*)(struct btf*)>;

// A kernel-like BTF: task_struct with a self pointer, a typedef chain, an unrelated type.
// junk_first puts unrelated types first so every id differs.
struct Kernel {
    BtfPtr b{btf__new_empty(), btf__free};
    std::map<std::string, int> id;
    Kernel(bool junk_first, uint32_t pid_offset) {
        struct btf* p = b.get();
        auto junk = [&] {
            id["junk"] = btf__add_struct(p, "unrelated", 8);
            btf__add_field(p, "z", 0, 0, 0);
            btf__add_int(p, "short", 2, BTF_INT_SIGNED);
        };
        if (junk_first) junk();
        id["int"] = btf__add_int(p, "int", 4, BTF_INT_SIGNED);
        id["pid_t"] = btf__add_typedef(p, "pid_t", id["int"]);
        id["task"] = btf__add_struct(p, "task_struct", 128);
        btf__add_field(p, "state", id["int"], 0, 0);
        btf__add_field(p, "pid", id["pid_t"], pid_offset, 0);
        id["task_ptr"] = btf__add_ptr(p, id["task"]);
        // the pointer member refers back to task_struct (a cycle)
        btf__add_struct(p, "holder", 8);
        if (!junk_first) junk();
    }
};

ObservedFacts facts_for(Kernel& k) {
    ObservedFacts f;
    f.keep(k.id["task"]).name = true;
    f.member(k.id["task"], 1, kMemberName | kMemberType | kMemberOffset);
    f.keep(k.id["int"]).size = true;
    return f;
}

}  // namespace

TEST_CASE("canonical output does not depend on type ids or unrelated types", "[canonical]") {
    Kernel a(false, 32), b(true, 32);
    REQUIRE(a.id["task"] != b.id["task"]);
    auto out_a = write_canonical_btf(a.b.get(), facts_for(a));
    auto out_b = write_canonical_btf(b.b.get(), facts_for(b));
    CHECK(out_a == out_b);
}

TEST_CASE("canonical output changes when a kept fact changes", "[canonical]") {
    Kernel a(false, 32), c(false, 64);
    CHECK(write_canonical_btf(a.b.get(), facts_for(a)) != write_canonical_btf(c.b.get(), facts_for(c)));
}

TEST_CASE("unobserved facts are dropped: size, offsets, typedefs", "[canonical]") {
    Kernel a(false, 32);
    ObservedFacts f;
    f.keep(a.id["task"]).name = true;
    f.member(a.id["task"], 1, kMemberName);  // only existence of "pid"
    auto out = write_canonical_btf(a.b.get(), f);
    BtfPtr m(btf__new(out.data(), out.size()), btf__free);
    REQUIRE(m);
    REQUIRE(btf__type_cnt(m.get()) == 2);  // void + task_struct
    const struct btf_type* t = btf__type_by_id(m.get(), 1);
    CHECK(std::string(btf__name_by_offset(m.get(), t->name_off)) == "task_struct");
    CHECK(t->size == 0);
    REQUIRE(btf_vlen(t) == 1);
    CHECK(btf_members(t)[0].offset == 0);
    CHECK(btf_members(t)[0].type == 0);
}

TEST_CASE("typedef chains collapse to the type they name", "[canonical]") {
    Kernel a(false, 32);
    auto out = write_canonical_btf(a.b.get(), facts_for(a));
    BtfPtr m(btf__new(out.data(), out.size()), btf__free);
    REQUIRE(m);
    for (uint32_t i = 1; i < btf__type_cnt(m.get()); i++) CHECK_FALSE(btf_is_typedef(btf__type_by_id(m.get(), i)));
}

// Unnamed types that no named type references are numbered by their content (exact ranks),
// not by input ids: two kernels defining them in opposite orders give the same bytes.
TEST_CASE("unnamed unreferenced types are ordered by content", "[canonical]") {
    auto make = [](bool reversed, std::map<std::string, int>& id) {
        BtfPtr b(btf__new_empty(), btf__free);
        struct btf* p = b.get();
        id["int"] = btf__add_int(p, "int", 4, BTF_INT_SIGNED);
        auto x = [&] {
            id["x"] = btf__add_struct(p, nullptr, 8);
            btf__add_field(p, "a", id["int"], 0, 0);
            id["px"] = btf__add_ptr(p, id["x"]);  // a pointer to itself through a member: a cycle
            btf__add_struct(p, nullptr, 8);
        };
        auto y = [&] {
            id["y"] = btf__add_struct(p, nullptr, 8);
            btf__add_field(p, "b", id["int"], 32, 0);
        };
        if (reversed) y(), x();
        else x(), y();
        return b;
    };
    auto facts = [](std::map<std::string, int>& id) {
        ObservedFacts f;
        for (const char* t : {"x", "y"}) f.member(id[t], 0, kMemberName | kMemberType | kMemberOffset);
        f.keep(id["int"]).size = true;
        return f;
    };
    std::map<std::string, int> ia, ib;
    BtfPtr a = make(false, ia), b = make(true, ib);
    REQUIRE(ia["x"] != ib["x"]);
    auto out_a = write_canonical_btf(a.get(), facts(ia));
    auto out_b = write_canonical_btf(b.get(), facts(ib));
    CHECK(out_a == out_b);
    BtfPtr m(btf__new(out_a.data(), out_a.size()), btf__free);
    REQUIRE(m);
    REQUIRE(btf__type_cnt(m.get()) == 4);  // void, int, then the two structs by content: "a" < "b"
    const struct btf_type* t = btf__type_by_id(m.get(), 2);
    REQUIRE(btf_is_struct(t));
    CHECK(std::string(btf__name_by_offset(m.get(), btf_members(t)[0].name_off)) == "a");
}

// Bisimilar types (equal content, references to bisimilar types, cycles included) are told
// apart from merely similar ones exactly: references go to the first of each class only.
TEST_CASE("references go to the first of exactly bisimilar types", "[canonical]") {
    BtfPtr b(btf__new_empty(), btf__free);
    struct btf* p = b.get();
    int i = btf__add_int(p, "int", 4, BTF_INT_SIGNED);
    int l = btf__add_int(p, "long", 8, BTF_INT_SIGNED);
    // three "struct { next: pointer to itself; v }" cycles: v int, int, long
    std::vector<int> node, ptr;
    for (int v : {i, i, l}) {
        ptr.push_back(btf__add_ptr(p, int(btf__type_cnt(p)) + 1));
        node.push_back(btf__add_struct(p, "node", 16));
        btf__add_field(p, "next", ptr.back(), 0, 0);
        btf__add_field(p, "v", v, 64, 0);
    }
    int root = btf__add_struct(p, "root", 24);
    for (int k = 0; k < 3; k++) btf__add_field(p, ("n" + std::to_string(k)).c_str(), ptr[k], uint32_t(64 * k), 0);
    ObservedFacts f;
    f.keep(uint32_t(root)).name = true;
    for (uint32_t k = 0; k < 3; k++) {
        f.member(uint32_t(root), k, kMemberName | kMemberType | kMemberOffset);
        f.keep(uint32_t(ptr[k])).pointee = true;
        f.member(uint32_t(node[k]), 0, kMemberName | kMemberType | kMemberOffset);
        f.member(uint32_t(node[k]), 1, kMemberName | kMemberType | kMemberOffset);
    }
    f.keep(uint32_t(i)).size = true;
    f.keep(uint32_t(l)).size = true;
    auto out = write_canonical_btf(b.get(), f);
    BtfPtr m(btf__new(out.data(), out.size()), btf__free);
    REQUIRE(m);
    int rid = btf__find_by_name(m.get(), "root");
    REQUIRE(rid > 0);
    const struct btf_type* t = btf__type_by_id(m.get(), uint32_t(rid));
    REQUIRE(btf_vlen(t) == 3);
    const struct btf_member* mm = btf_members(t);
    CHECK(mm[0].type == mm[1].type);  // the two int cycles are one class
    CHECK(mm[0].type != mm[2].type);  // the long one is not
    // and the int cycle's own pointer leads back to the first of the class
    const struct btf_type* p0 = btf__type_by_id(m.get(), mm[0].type);
    REQUIRE(btf_is_ptr(p0));
    const struct btf_type* n0 = btf__type_by_id(m.get(), p0->type);
    REQUIRE(btf_is_struct(n0));
    CHECK(btf_members(n0)[0].type == mm[0].type);
}
