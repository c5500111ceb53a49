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
