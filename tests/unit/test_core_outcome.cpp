// Relocation outcomes as values: the local side computed once (spec ids shared by identical
// specs), and the structured comparison the minimizer's self-check relies on.
#include <catch2/catch.hpp>
#include <cstdint>
#include <map>
#include <tuple>

#include "btfpack/core_resolver.h"
#include "btfpack/kernel_btf.h"

using namespace btfpack;

namespace {

const char* kKernel = BTFPACK_TESTDATA_DIR "/kernels/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz";

}  // namespace

TEST_CASE("LocalRelocations: one spec id per (root type, access string, kind)", "[outcome]") {
    BpfObject obj = BpfObject::load(BTFPACK_BPF_DIR "/task.o");
    LocalRelocations local(obj);
    REQUIRE(local.relocations().size() == obj.relocations().size());
    std::map<std::tuple<uint32_t, uint32_t, uint32_t>, uint32_t> seen;
    for (uint32_t i = 0; i < local.relocations().size(); i++) {
        const LocalRelocation& lr = local.relocations()[i];
        const CoreRelocation& r = local.relo(i);
        auto key = std::make_tuple(r.type_id, r.access_str_off, uint32_t(r.kind));
        auto [it, added] = seen.emplace(key, lr.spec_id);
        CHECK(it->second == lr.spec_id);  // same spec, same id
        if (added) CHECK(local.spec_info(lr.spec_id).first == i);
    }
    CHECK(seen.size() == local.spec_count());
    CHECK(local.spec_count() < local.relocations().size());  // task.o reads some fields twice
}

TEST_CASE("events compare by value, masking only target type ids", "[outcome]") {
    BpfObject obj = BpfObject::load(BTFPACK_BPF_DIR "/types.o");
    LocalRelocations local(obj);
    auto kernel = load_kernel_btf(kKernel);
    RelocationOutcomes a = relocate_object(local, CandidateIndex(kernel.get(), local));
    REQUIRE(!a.outcomes.empty());
    bool saw_target_id = false, saw_other = false;
    for (const RelocOutcome& o : a.outcomes) {
        if (o.decided.kind != RelocEventKind::Patched) continue;
        bool target_id = local.relo(o.relocation).kind == CoreRelocKind::TypeIdTarget;
        CHECK(o.decided.same_as(o.decided, target_id));
        RelocEvent other = o.decided;
        other.b += 1;  // another patched value: a target type id may differ, nothing else
        CHECK(o.decided.same_as(other, target_id) == target_id);
        CHECK_FALSE(o.decided.same_as(other, false));
        other = o.decided;
        other.a += 1;  // the instruction's old value never may
        CHECK_FALSE(o.decided.same_as(other, target_id));
        other = o.decided;
        other.kind = RelocEventKind::Substituted;  // poisoned instead
        CHECK_FALSE(o.decided.same_as(other, target_id));
        (target_id ? saw_target_id : saw_other) = true;
    }
    CHECK(saw_target_id);
    CHECK(saw_other);
}

TEST_CASE("outcome lines are relo_oracle's, text made from the values", "[outcome]") {
    BpfObject obj = BpfObject::load(BTFPACK_BPF_DIR "/minimal.o");
    LocalRelocations local(obj);
    auto kernel = load_kernel_btf(kKernel);
    auto lines = outcome_lines(local, relocate_object(local, CandidateIndex(kernel.get(), local)));
    REQUIRE(lines.size() == 3);
    CHECK(lines[0] == "minimal_exec #0 <field_exists> [5] struct task_struct.real_parent (0:1 @ offset 8) => "
                      "patched insn #1 (ALU/ALU64) imm 1 -> 1");
    CHECK(lines[2].rfind("minimal_exec #2 <byte_off> [5] struct task_struct.tgid (0:0 @ offset 0) => patched insn "
                         "#10 (ALU/ALU64) imm 0 -> ", 0) == 0);
}

TEST_CASE("first_log_difference: empty on the same target, names the first event on another", "[outcome]") {
    BpfObject obj = BpfObject::load(BTFPACK_BPF_DIR "/task.o");
    LocalRelocations local(obj);
    auto k61 = load_kernel_btf(kKernel);
    auto k510 = load_kernel_btf(BTFPACK_TESTDATA_DIR "/kernels/debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz");
    CandidateIndex a(k61.get(), local), a2(k61.get(), local), b(k510.get(), local);
    CHECK(first_log_difference(local, a, a2) == "");
    std::string d = first_log_difference(local, a, b);
    INFO(d);
    CHECK(d.rfind("prog '", 0) == 0);
    CHECK((d.find("' against '") != std::string::npos || d.find("results differ (") != std::string::npos));
    // the relocation it names is the first whose outcome differs between the two kernels
    auto la = outcome_lines(local, relocate_object(local, a)), lb = outcome_lines(local, relocate_object(local, b));
    size_t i = 0;
    while (i < la.size() && i < lb.size() && la[i] == lb[i]) i++;
    REQUIRE(i < la.size());
    std::string prog = la[i].substr(0, la[i].find(' ')), relo = la[i].substr(la[i].find('#') + 1);
    relo = relo.substr(0, relo.find(' '));
    CHECK(d.rfind("prog '" + prog + "': relo #" + relo + ":", 0) == 0);
}
