// Tables beside the rules, root-free: (relocation, local BTF, target BTF) -> value and what
// the minimizer is told to keep; field values for both byte orders, bitfield shifts included;
// instruction patching per instruction class. BTFs are built with libbpf's btf__add_*.
#include <bpf/btf.h>

#include <catch2/catch.hpp>
#include <memory>
#include <string>

#include "core/core_calc.h"
#include "core/core_rules.h"
#include "test_btf.h"

using namespace btfpack;

namespace {

// local: struct s { int a; u8 b:3; u8 c:5; long d; }  (a at bit 0, b at 32, c at 35, d at 64)
// target: struct s { u64 x; int a; u8 b:3; u8 c:5; long d; }  (a at 64, b at 96, c at 99, d at 128)
struct Pair {
    BtfPtr local = new_btf(), targ = new_btf();
    int ls = 0, ts = 0;
    Pair() {
        int li = btf__add_int(local.get(), "int", 4, BTF_INT_SIGNED);
        int lu8 = btf__add_int(local.get(), "unsigned char", 1, 0);
        int ll = btf__add_int(local.get(), "long", 8, BTF_INT_SIGNED);
        ls = btf__add_struct(local.get(), "s", 16);
        btf__add_field(local.get(), "a", li, 0, 0);
        btf__add_field(local.get(), "b", lu8, 32, 3);
        btf__add_field(local.get(), "c", lu8, 35, 5);
        btf__add_field(local.get(), "d", ll, 64, 0);
        int ti = btf__add_int(targ.get(), "int", 4, BTF_INT_SIGNED);
        int tu8 = btf__add_int(targ.get(), "unsigned char", 1, 0);
        int tl = btf__add_int(targ.get(), "long", 8, BTF_INT_SIGNED);
        int tx = btf__add_int(targ.get(), "long long unsigned int", 8, 0);
        ts = btf__add_struct(targ.get(), "s", 24);
        btf__add_field(targ.get(), "x", tx, 0, 0);
        btf__add_field(targ.get(), "a", ti, 64, 0);
        btf__add_field(targ.get(), "b", tu8, 96, 3);
        btf__add_field(targ.get(), "c", tu8, 99, 5);
        btf__add_field(targ.get(), "d", tl, 128, 0);
    }
    // The target value of relocation kind on local access "0:member", facts recorded into obs.
    uint64_t value(const char* access, CoreRelocKind kind, bool big_endian, ObservedFacts* obs, int* err) {
        CoreRelocation r{};
        r.type_id = uint32_t(ls);
        r.access_str_off = uint32_t(btf__add_str(local.get(), access));
        r.kind = kind;
        CoreSpec lspec, tspec;
        REQUIRE(parse_local_spec(local.get(), r, &lspec) == 0);
        Target t{targ.get(), obs};
        REQUIRE(spec_match(lspec, t, uint32_t(ts), &tspec) == 1);
        RelocResult res;
        RelocEvents log;
        *err = calc_relo(r, lspec, &tspec, t, big_endian, &res, &log);
        return res.new_val;
    }
};

}  // namespace

TEST_CASE("field values against a moved target, both byte orders, bitfields included", "[table]") {
    struct Row {
        const char* member;
        const char* access;
        CoreRelocKind kind;
        uint64_t little, big;
    };
    // libbpf's bpf_core_calc_field_relo: a bitfield is read as the smallest aligned chunk that
    // holds it; lshift = 64 - (bit_off + bit_sz - byte_off*8) little-endian, (8 - byte_sz)*8 +
    // (bit_off - byte_off*8) big-endian; rshift = 64 - bit_sz.
    auto row = GENERATE(
        Row{"a", "0:0", CoreRelocKind::FieldByteOffset, 8, 8}, Row{"a", "0:0", CoreRelocKind::FieldByteSize, 4, 4},
        Row{"a", "0:0", CoreRelocKind::FieldExists, 1, 1}, Row{"a", "0:0", CoreRelocKind::FieldSigned, 1, 1},
        Row{"a", "0:0", CoreRelocKind::FieldLShiftU64, 32, 32}, Row{"a", "0:0", CoreRelocKind::FieldRShiftU64, 32, 32},
        Row{"b", "0:1", CoreRelocKind::FieldByteOffset, 12, 12}, Row{"b", "0:1", CoreRelocKind::FieldByteSize, 1, 1},
        Row{"b", "0:1", CoreRelocKind::FieldSigned, 0, 0}, Row{"b", "0:1", CoreRelocKind::FieldLShiftU64, 61, 56},
        Row{"b", "0:1", CoreRelocKind::FieldRShiftU64, 61, 61}, Row{"c", "0:2", CoreRelocKind::FieldByteOffset, 12, 12},
        Row{"c", "0:2", CoreRelocKind::FieldLShiftU64, 56, 59}, Row{"c", "0:2", CoreRelocKind::FieldRShiftU64, 59, 59},
        Row{"d", "0:3", CoreRelocKind::FieldByteOffset, 16, 16}, Row{"d", "0:3", CoreRelocKind::FieldByteSize, 8, 8},
        Row{"d", "0:3", CoreRelocKind::FieldLShiftU64, 0, 0});
    INFO(row.member << " " << core_reloc_kind_name(row.kind));
    Pair p;
    int err = -1;
    CHECK(p.value(row.access, row.kind, false, nullptr, &err) == row.little);
    CHECK(err == 0);
    CHECK(p.value(row.access, row.kind, true, nullptr, &err) == row.big);
    CHECK(err == 0);
}

TEST_CASE("what a field relocation tells the minimizer to keep", "[table]") {
    Pair p;
    int err;
    auto facts_of = [&](const char* access, CoreRelocKind kind) {
        ObservedFacts obs;
        p.value(access, kind, false, &obs, &err);
        REQUIRE(obs.types.count(uint32_t(p.ts)));
        return obs;
    };
    // the member read by name, its type; its offset only where the value depends on it
    ObservedFacts off = facts_of("0:1", CoreRelocKind::FieldByteOffset);
    uint8_t b = off.types[uint32_t(p.ts)].members[2];  // target member 2 is "b"
    CHECK((b & kMemberName));
    CHECK((b & kMemberOffset));
    CHECK((b & kMemberBitsize));
    CHECK(off.types[uint32_t(p.ts)].members.count(0) == 0);  // "x" is not read: dropped
    ObservedFacts sz = facts_of("0:3", CoreRelocKind::FieldByteSize);
    uint8_t d = sz.types[uint32_t(p.ts)].members[4];  // "d"
    CHECK((d & kMemberName));
    CHECK_FALSE((d & kMemberOffset));  // a size does not depend on where the field is
    ObservedFacts ex = facts_of("0:0", CoreRelocKind::FieldExists);
    CHECK_FALSE((ex.types[uint32_t(p.ts)].members[1] & kMemberOffset));  // existence: no offset
}

TEST_CASE("instruction patching per instruction class", "[table]") {
    CoreRelocation r{};
    RelocResult res;
    res.orig_val = 4;
    res.new_val = 12;
    RelocEvents log;
    SECTION("ALU immediate") {
        r.insn = {0x07, 1, 0, 0, 4};  // r1 += 4
        CHECK(patch_insn(r, 3, res, &log) == 0);
        REQUIRE(log.size() == 1);
        CHECK((log[0].kind == RelocEventKind::Patched && log[0].insn_class == InsnClass::Alu && log[0].a == 4 &&
               log[0].b == 12 && log[0].insn == 3));
    }
    SECTION("ALU immediate not the expected value: an error") {
        r.insn = {0x07, 1, 0, 0, 5};
        CHECK(patch_insn(r, 3, res, &log) != 0);
        REQUIRE(log.size() == 1);
        CHECK(log[0].kind == RelocEventKind::UnexpectedInsnValue);
    }
    SECTION("LDX offset, and a memory size change within 1/2/4/8") {
        r.insn = {0x61, 1, 2, 4, 0};  // r1 = *(u32 *)(r2 + 4)
        res.orig_sz = 4;
        res.new_sz = 8;
        CHECK(patch_insn(r, 0, res, &log) == 0);
        REQUIRE(log.size() == 2);
        CHECK((log[0].kind == RelocEventKind::Patched && log[0].insn_class == InsnClass::LdxStStx));
        CHECK((log[1].kind == RelocEventKind::PatchedMemSize && log[1].a == 4 && log[1].b == 8));
    }
    SECTION("LDX offset too big for the instruction") {
        r.insn = {0x61, 1, 2, 4, 0};
        res.new_val = 40000;
        CHECK(patch_insn(r, 0, res, &log) != 0);
        CHECK(log.back().kind == RelocEventKind::ValueTooBig);
    }
    SECTION("LDIMM64 value; a poisoned one invalidates both halves") {
        r.insn = {0x18, 1, 0, 0, 4};
        r.next = {0, 0, 0, 0, 0};
        r.has_next = true;
        CHECK(patch_insn(r, 7, res, &log) == 0);
        REQUIRE(log.size() == 1);
        CHECK((log[0].kind == RelocEventKind::Patched && log[0].insn_class == InsnClass::Ldimm64 && log[0].b == 12));
        log.clear();
        res.poison = true;
        CHECK(patch_insn(r, 7, res, &log) == 0);
        REQUIRE(log.size() == 2);
        CHECK((log[0].kind == RelocEventKind::Substituted && log[0].insn == 8 && log[1].insn == 7));
    }
}
