// Object-level verbs: relocs, minimize.
#include <bpf/btf.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "btfpack/bpf_object.h"
#include "btfpack/core_resolver.h"
#include "btfpack/error.h"
#include "btfpack/file_io.h"
#include "btfpack/kernel_btf.h"
#include "btfpack/minimizer.h"
#include "commands.h"
#include "util/json_text.h"

namespace btfpack::cli {

std::string json_str(const std::string& s) { return json_quote(s); }

MinimizeOptions minimize_options_from_env() {
    MinimizeOptions o;
    if (std::getenv("BTFPACK_RELO_LOG")) o.relo_log = stderr;
    const char* skip = std::getenv("BTFPACK_SKIP_SELF_CHECK");
    o.self_check = !(skip && std::string(skip) == "1");
    return o;
}

namespace {

std::vector<BpfObject> load_objects(const std::vector<std::string>& paths) {
    std::vector<BpfObject> objs;
    for (const auto& p : paths) objs.push_back(BpfObject::load(p));
    return objs;
}

}  // namespace

int relocs(const std::vector<std::string>& paths, bool json, const std::string& btf_path) {
    std::vector<BpfObject> objs = load_objects(paths);
    if (!btf_path.empty()) {
        auto kernel = load_kernel_btf(btf_path);
        for (const auto& o : objs) {
            LocalRelocations local(o);
            CandidateIndex index(kernel.get(), local);
            for (const auto& line : outcome_lines(local, relocate_object(local, index, minimize_options_from_env().relo_log))) std::cout << line << "\n";
        }
        return 0;
    }
    if (json) std::cout << "[";
    bool first = true;
    for (const auto& o : objs) {
        for (const auto& r : o.relocations()) {
            const BpfProgram* prog = o.program_at(r.section_index, r.insn_off / 8);
            std::string pname = prog ? prog->name : "";
            uint32_t insn = r.insn_off / 8 - (prog ? prog->insn_start : 0);
            std::string path = describe_access(o, r);
            std::string root = root_type_name(o, r);
            if (json) {
                std::cout << (first ? "\n  " : ",\n  ") << "{\"object\": " << json_str(o.path())
                          << ", \"section\": " << json_str(o.section_name(r)) << ", \"program\": " << json_str(pname)
                          << ", \"relo\": " << r.index << ", \"insn\": " << insn
                          << ", \"kind\": " << json_str(core_reloc_kind_name(r.kind))
                          << ", \"type_id\": " << r.type_id << ", \"root\": " << json_str(root)
                          << ", \"access\": " << json_str(o.access_string(r)) << ", \"spec\": " << json_str(path) << "}";
            } else {
                std::cout << o.path() << "  " << o.section_name(r) << "  " << pname << " insn " << insn << "  "
                          << core_reloc_kind_name(r.kind) << "  " << root << "  " << o.access_string(r) << "  " << path << "\n";
            }
            first = false;
        }
    }
    if (json) std::cout << (first ? "]\n" : "\n]\n");
    return 0;
}

int minimize(const std::string& kernel_path, const std::vector<std::string>& obj_paths, const std::string& out,
                 bool verbose) {
    // the kernel first: its file and libbpf's copy of it are both in memory only while it loads
    auto kernel = load_kernel_btf(kernel_path);
    std::vector<BpfObject> objs = load_objects(obj_paths);
    std::vector<const BpfObject*> ptrs;
    for (const auto& o : objs) ptrs.push_back(&o);
    MinimizeResult r = minimize(kernel.get(), ptrs, minimize_options_from_env());
    write_file_atomically(out, r.btf);
    if (verbose)
        std::cerr << "btfpack: " << kernel_path << ": " << r.types << " types, " << r.btf.size() << " bytes for "
                  << r.relocations << " CO-RE relocations of " << objs.size() << " object(s)\n";
    return 0;
}

}  // namespace btfpack::cli
