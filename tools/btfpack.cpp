// btfpack CLI: thin verbs over libbtfpack.
//   exit codes: 0 success, 1 bad input or failure (message names the file), 2 usage error.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <fstream>
#include <iostream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>

#include "btfpack/bpf_object.h"
#include "btfpack/core_resolver.h"
#include "btfpack/error.h"
#include "btfpack/file_io.h"
#include "btfpack/kernel_btf.h"
#include "btfpack/minimizer.h"

namespace {

using namespace btfpack;

std::string json_str(const std::string& s) {
    std::string o = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') o += '\\', o += c;
        else if (static_cast<unsigned char>(c) < 0x20) {
            char b[8];
            snprintf(b, sizeof(b), "\\u%04x", c);
            o += b;
        } else o += c;
    }
    return o + "\"";
}

std::vector<BpfObject> load_objects(const std::vector<std::string>& paths) {
    std::vector<BpfObject> objs;
    for (const auto& p : paths) objs.push_back(BpfObject::load(p));
    return objs;
}

int cmd_relocs(const std::vector<std::string>& paths, bool json, const std::string& btf_path) {
    std::vector<BpfObject> objs = load_objects(paths);
    if (!btf_path.empty()) {
        auto kernel = load_kernel_btf(btf_path);
        for (const auto& o : objs) {
            CandidateIndex index(kernel.get(), o);
            for (const auto& line : relocation_outcomes(o, index)) std::cout << line << "\n";
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
                          << ", \"section\": " << json_str(r.section) << ", \"program\": " << json_str(pname)
                          << ", \"relo\": " << r.index << ", \"insn\": " << insn
                          << ", \"kind\": " << json_str(core_reloc_kind_name(r.kind))
                          << ", \"type_id\": " << r.type_id << ", \"root\": " << json_str(root)
                          << ", \"access\": " << json_str(r.access) << ", \"spec\": " << json_str(path) << "}";
            } else {
                std::cout << o.path() << "  " << r.section << "  " << pname << " insn " << insn << "  "
                          << core_reloc_kind_name(r.kind) << "  " << root << "  " << r.access << "  " << path << "\n";
            }
            first = false;
        }
    }
    if (json) std::cout << (first ? "]\n" : "\n]\n");
    return 0;
}

int cmd_minimize(const std::string& kernel_path, const std::vector<std::string>& obj_paths, const std::string& out,
                 bool verbose) {
    std::vector<BpfObject> objs = load_objects(obj_paths);
    auto kernel = load_kernel_btf(kernel_path);
    std::vector<const BpfObject*> ptrs;
    for (const auto& o : objs) ptrs.push_back(&o);
    MinimizeResult r = minimize(kernel.get(), ptrs);
    write_file_atomically(out, r.btf);
    if (verbose)
        std::cerr << "btfpack: " << kernel_path << ": " << r.types << " types, " << r.btf.size() << " bytes for "
                  << r.relocations << " CO-RE relocations of " << objs.size() << " object(s)\n";
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{
        "btfpack: make eBPF CO-RE programs run on kernels without built-in BTF.\n"
        "Walk an object's CO-RE relocations, and cut a full kernel BTF down to exactly what\n"
        "libbpf reads while relocating them (same result, a few hundred bytes).\n\n"
        "Examples:\n"
        "  btfpack relocs prog.bpf.o\n"
        "  btfpack relocs prog.bpf.o --btf 5.10.0-21-amd64.btf.tar.xz   # what libbpf would patch\n"
        "  btfpack minimize 5.10.0-21-amd64.btf.tar.xz prog.bpf.o -o min.btf\n"};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("btfpack ") + "0.1.0");

    auto* relocs = app.add_subcommand("relocs", "List the CO-RE relocations of BPF objects (little- or big-endian).\n"
                                                "With --btf, print what libbpf 1.1 would do with each against that kernel BTF.");
    std::vector<std::string> relocs_objs;
    bool relocs_json = false, outcomes = false;
    std::string relocs_btf;
    relocs->add_option("OBJ", relocs_objs, "BPF object files (clang -target bpf -g)")->required()->check(CLI::ExistingFile);
    relocs->add_flag("--json", relocs_json, "one JSON object per relocation");
    relocs->add_option("--btf", relocs_btf, "kernel BTF (raw, vmlinux ELF or .btf.tar.xz): print each relocation's outcome");
    relocs->add_flag("--outcomes", outcomes, "with --btf: outcome lines (the default with --btf)");

    auto* min = app.add_subcommand("minimize", "Minimize one kernel BTF for the given BPF objects.\n"
                                               "The output relocates every object exactly as the full BTF does, and is\n"
                                               "canonical: kernels with the same relevant layout give identical bytes.");
    std::string min_kernel, min_out;
    std::vector<std::string> min_objs;
    bool verbose = false;
    min->add_option("KERNEL_BTF", min_kernel, "raw BTF, vmlinux ELF, or BTFHub <kernel>.btf.tar.xz")->required();
    min->add_option("OBJ", min_objs, "one or more BPF objects; their needs are merged")->required();
    min->add_option("-o,--output", min_out, "output raw BTF file, or - for stdout")->required();
    min->add_flag("-v,--verbose", verbose, "print type and byte counts to stderr");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? 0 : 2;
    }
    try {
        if (*relocs) {
            if (outcomes && relocs_btf.empty()) throw CLI::ValidationError("--outcomes needs --btf");
            return cmd_relocs(relocs_objs, relocs_json, relocs_btf);
        }
        if (*min) return cmd_minimize(min_kernel, min_objs, min_out, verbose);
    } catch (const CLI::Error& e) {
        std::cerr << "btfpack: " << e.what() << "\n";
        return 2;
    } catch (const std::exception& e) {
        std::cerr << "btfpack: error: " << e.what() << "\n";
        return 1;
    }
    return 0;
}
