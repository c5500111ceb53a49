// Compatibility report: what libbpf does with every program of every object on each kernel
// (relocations patched, poisoned, failed), as values. A packed BTF relocates exactly like the
// full one (the minimizer proves it for every kernel), so a report made from a pack equals
// one made from the archive, and needs neither root nor the archive. Text is made by the
// printers (docs/REPORT.md says what each output holds).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "btfpack/archive_tree.h"
#include "btfpack/local_relocations.h"

struct btf;

namespace btfpack {

// Per program, and per kernel (its programs' worst).
enum class Verdict : uint8_t {
    Clean = 0,     // every relocation patched
    Poisoned = 1,  // some instructions poisoned: the verifier rejects the program if they are reachable
    Fails = 2,     // some relocation failed: libbpf refuses to load the object with this program
};
const char* verdict_name(Verdict v);  // "clean", "poisoned", "fails"

// A relocation that did not patch: which one (its object and local spec: the access in
// names, see ReportColumns) and why.
struct RelocProblem {
    uint32_t object = 0;         // index into ReportColumns::objects
    uint32_t spec_id = 0;        // the relocation's local spec in that object
    bool failed = false;         // true: failed (libbpf's reason in detail); false: poisoned
    bool no_candidates = false;  // poisoned and the kernel has no type of the root's name at all
    std::string detail;          // failed: libbpf's message, e.g. "relocation decision ambiguity: ..."
    bool operator==(const RelocProblem& o) const {
        return object == o.object && spec_id == o.spec_id && failed == o.failed && no_candidates == o.no_candidates &&
               detail == o.detail;
    }
};

// One program on one kernel: the outcome lines libbpf's log gives it, counted.
struct ProgramResult {
    uint32_t column = 0;  // index into ReportColumns::programs
    uint32_t patched = 0, poisoned = 0, failed = 0;
    bool aborted = false;               // its failure stopped the object's load (libbpf reloads without it)
    std::vector<RelocProblem> problems; // poisoned and failed relocations, in log order, each spec once
    Verdict verdict() const;
    bool operator==(const ProgramResult& o) const {
        return column == o.column && patched == o.patched && poisoned == o.poisoned && failed == o.failed &&
               aborted == o.aborted && problems == o.problems;
    }
};

// One kernel: the programs of the objects for its arch, in column order.
struct KernelReport {
    KernelKey key;
    std::vector<ProgramResult> programs;
    Verdict verdict() const;  // the worst of its programs (Clean if it has none)
};

struct ReportProgram {
    uint32_t object = 0;
    std::string name;  // program (section) name as libbpf logs it
};
struct ReportObject {
    std::string path, arch;  // arch: ObjectSpec's ("*": every arch)
};

// What a report's rows refer to: the objects, every program of every object (the columns),
// and the words for each relocation's access. A value: it needs no object to stay alive.
struct ReportColumns {
    std::vector<ReportObject> objects;
    std::vector<ReportProgram> programs;
    // per object, per local spec id: the access in the words `btfpack relocs` uses
    // ("task_struct.__state", "enum pid_type::PIDTYPE_TGID", "struct foo"), the kind of thing
    // asked about ("field", "field existence", "type size", "enum value", ...), and the root
    // type by the essential name candidates are found by ("struct task_struct" for a local
    // "struct task_struct___o")
    std::vector<std::vector<std::string>> access, thing, root;
};

// A whole report: one row per kernel, in key order.
struct CompatReport {
    ReportColumns columns;
    std::vector<KernelReport> kernels;
};

// Relocates objects against kernels and tallies the outcomes. Thread-safe after construction:
// check() may run on many threads at once. The objects must outlive the checker.
class CompatChecker {
public:
    // objects: the local side of each object; info: its path and arch (as in ObjectSpec).
    CompatChecker(std::vector<const LocalRelocations*> objects, std::vector<ReportObject> info);

    const ReportColumns& columns() const { return columns_; }
    // The objects given by index (those for the kernel's arch) relocated against target.
    KernelReport check(const KernelKey& key, const struct btf* target, const std::vector<size_t>& objects) const;

private:
    std::vector<const LocalRelocations*> locals_;
    ReportColumns columns_;
    std::vector<std::vector<uint32_t>> column_of_;  // [object][prog name id] -> column
};

// "task_struct.__state (field): not in debian/11/x86_64/5.10.0-46-amd64" (and "no struct
// task_struct in the kernel" when no type has the root's name), or for a failure
// "disklabel (type size): relocation decision ambiguity: success 512 != success 436".
std::string problem_text(const ReportColumns& columns, const RelocProblem& p, const std::string& kernel);
inline std::string problem_text(const ReportColumns& columns, const RelocProblem& p, const KernelKey& kernel) {
    return problem_text(columns, p, kernel.str());
}

}  // namespace btfpack
