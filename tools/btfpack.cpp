// btfpack CLI: thin verbs over libbtfpack (commands.h).
//   exit codes: 0 success; 1 error (message names the file); 2 usage error;
//   3 build wrote a pack but skipped some kernels (see --strict).
#include <CLI/CLI.hpp>
#include <unistd.h>

#include <climits>
#include <cstring>

#include <iostream>
#include <string>
#include <vector>

#include "btfpack/error.h"
#include "commands.h"

using namespace btfpack;

#ifndef BTFPACK_VERSION  // the project's version, from CMake (tools/CMakeLists.txt)
#define BTFPACK_VERSION "unknown"
#endif
namespace {

// `btfpack serve ...` is the btfpack-serve binary beside this one (the HTTP stack stays out of
// every other btfpack process); returns only if it cannot be run.
int exec_serve(char** argv) {
    char self[PATH_MAX];
    ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);
    std::string dir = n > 0 ? std::string(self, size_t(n)) : std::string(argv[0]);
    dir = dir.substr(0, dir.find_last_of('/') + 1);
    std::string serve = dir + "btfpack-serve";
    argv[1] = const_cast<char*>("btfpack serve");
    execv(serve.c_str(), argv + 1);
    std::cerr << "btfpack: cannot run " << serve << ": " << std::strerror(errno) << "\n";
    return cli::kExitError;
}

// --distro, --arch, --kernel: which kernels of an archive or a pack a verb takes.
void add_kernel_filter(CLI::App* verb, ArchiveFilter* f) {
    verb->add_option("--distro", f->distros, "only this distro (repeat the option for more)")->allow_extra_args(false);
    verb->add_option("--arch", f->arches, "only this arch (repeat the option for more)")->allow_extra_args(false);
    verb->add_option("--kernel", f->kernel_glob, "only kernel releases matching this glob, e.g. '5.4.*'");
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1 && std::string(argv[1]) == "serve") return exec_serve(argv);
    CLI::App app{
        "btfpack: make eBPF CO-RE programs run on kernels without built-in BTF.\n"
        "Walk an object's CO-RE relocations, cut full kernel BTFs down to exactly what libbpf\n"
        "reads while relocating them, and pack thousands of them into one indexed file.\n\n"
        "Examples:\n"
        "  btfpack relocs prog.bpf.o                                   # what the object touches\n"
        "  btfpack relocs prog.bpf.o --btf 5.10.0-26-amd64.btf.tar.xz   # what libbpf would patch\n"
        "  btfpack minimize 5.10.0-26-amd64.btf.tar.xz prog.bpf.o -o min.btf\n"
        "  btfpack build btfhub-archive/ x86_64=prog.x86.o arm64=prog.arm64.o -o btfs.pack\n"
        "  btfpack get btfs.pack ubuntu/20.04/x86_64/5.4.0-1045-aws -o min.btf\n"
        "  btfpack report btfs.pack prog.bpf.o --html report.html     # which kernels each program runs on\n"
        "  btfpack serve --archive btfhub-archive/ --listen 127.0.0.1:8080   # BTFHub online API (serve --help)\n\n"
        "Exit codes: 0 ok, 1 error, 2 usage error, 3 build skipped some kernels,\n"
        "4 report --fail-on / diff --fail-on-regression found such kernels."};
    app.require_subcommand(1);
    app.set_version_flag("--version", std::string("btfpack " BTFPACK_VERSION));

    auto* relocs = app.add_subcommand("relocs", "List the CO-RE relocations of BPF objects (little- or big-endian).\n"
                                                "With --btf, print what libbpf 1.1 would do with each against that kernel BTF.");
    std::vector<std::string> relocs_objs;
    bool relocs_json = false, outcomes = false;
    std::string relocs_btf;
    relocs->add_option("OBJ", relocs_objs, "BPF object files (clang -target bpf -g)")->required();
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

    auto* build = app.add_subcommand("build", "Minimize every kernel of a BTFHub-archive checkout and write one pack.\n"
                                              "ARCHIVE/<distro>/<version>/<arch>/<kernel>.btf.tar.xz (or .btf) files are\n"
                                              "each decompressed once, in parallel; identical results are stored once.");
    BuildOptions bo;
    std::string build_out, glob;
    bool build_json = false, strict = false;
    build->add_option("ARCHIVE", bo.archive, "BTFHub-archive checkout (directory)")->required();
    build->add_option("OBJ", bo.objects,
                      "BPF objects: obj.o for every arch, or ARCH=obj.o (ARCH as in the archive: x86_64, arm64, s390x)")
        ->required();
    build->add_option("-o,--output", build_out, "pack file to write (atomically: temp file + rename)")->required();
    add_kernel_filter(build, &bo.filter);
    build->add_option("-j,--jobs", bo.jobs, "parallel workers (default: all cores; ~25 MB each)");
    build->add_option("--update", bo.update_from,
                      "previous pack: kernels whose archive file is unchanged are copied, not recomputed");
    build->add_flag("--json", build_json, "print the summary as JSON");
    build->add_flag("--strict", strict, "a bad kernel file is fatal (exit 1) instead of skipped (exit 3)");
    std::string build_report;
    build->add_option("--report", build_report,
                      "also write the compatibility report of every packed kernel: FILE.json, or FILE.html (the page)");

    auto* ls = app.add_subcommand("ls", "List the kernels of a pack.");
    std::string pack_path;
    bool ls_json = false;
    ls->add_option("PACK", pack_path, "pack file")->required();
    ls->add_flag("--json", ls_json, "JSON array");

    auto* info = app.add_subcommand("info", "Show what a pack holds and what it was built from.");
    info->add_option("PACK", pack_path, "pack file")->required();

    auto* get = app.add_subcommand("get", "Extract one kernel's BTF from a pack (raw BTF, for btf_custom_path).");
    std::string get_key, get_out;
    get->add_option("PACK", pack_path, "pack file")->required();
    get->add_option("KERNEL", get_key, "distro/version/arch/kernel-release, as `btfpack ls` prints")->required();
    get->add_option("-o,--output", get_out, "output file, or - for stdout")->required();

    auto* verify = app.add_subcommand("verify", "Check a pack's checksums; with --against, check that every kernel's\n"
                                                "packed BTF relocates the objects exactly as the archive's full BTF.");
    std::string against;
    std::vector<std::string> verify_objs;
    size_t sample = 0;
    verify->add_option("PACK", pack_path, "pack file")->required();
    verify->add_option("--against", against, "BTFHub-archive checkout the pack was built from");
    verify->add_option("--objs", verify_objs, "the objects (obj.o or ARCH=obj.o) the pack was built for");
    verify->add_option("--sample", sample, "check only N random kernels");

    auto* embed = app.add_subcommand("embed", "Make a pack linkable into an app: an assembler source (-o x.S) or an object\n"
                                              "(-o x.o, assembled with $CC) defining SYMBOL and SYMBOL_end around the pack;\n"
                                              "open it with btfpack_open_memory(SYMBOL, SYMBOL_end - SYMBOL).");
    std::string embed_out, symbol = "btfpack_embedded_pack";
    embed->add_option("PACK", pack_path, "pack file")->required();
    embed->add_option("-o,--output", embed_out, "x.S (assembler source) or x.o (object)")->required();
    embed->add_option("--symbol", symbol, "symbol name (default btfpack_embedded_pack)");

    auto* report = app.add_subcommand(
        "report", "Which kernels each program relocates on, and what is missing on the others.\n"
                  "Over a pack (no archive, no root: a packed BTF relocates exactly like the full one;\n"
                  "give the objects the pack was built from) or over an archive (--against).\n"
                  "  btfpack report btfs.pack prog.o                     # terminal summary\n"
                  "  btfpack report btfs.pack prog.o --html report.html  # heatmap page\n"
                  "  btfpack report --against btfhub-archive/ prog.o --json\n"
                  "Verdicts per kernel: clean (every program relocates), poisoned (some instructions\n"
                  "poisoned: the verifier rejects a program if it reaches them), fails (libbpf refuses a program).");
    cli::ReportRequest rq;
    std::vector<std::string> report_args;
    report->add_option("ARGS", report_args, "PACK OBJ... (or OBJ... with --against); OBJ: obj.o or ARCH=obj.o")->required();
    report->add_option("--against", rq.against, "BTFHub-archive checkout: relocate against its full BTFs instead");
    report->add_flag("--json", rq.json, "the whole report as JSON on stdout (schema: docs/REPORT.md)");
    report->add_option("--html", rq.html, "also write the report as one self-contained HTML page");
    report->add_flag("-v,--verbose", rq.verbose, "list every kernel's non-clean programs and what each misses");
    report->add_option("--fail-on", rq.fail_on, "poisoned|fails: exit 4 if some kernel is that or worse");
    add_kernel_filter(report, &rq.options.filter);
    report->add_option("-j,--jobs", rq.options.jobs, "parallel workers (default: all cores)");

    auto* diff = app.add_subcommand("diff", "What changed between two packs: kernels added and removed, and kernels whose\n"
                                            "verdict changed (with what is now missing). Give the objects they were built from.\n"
                                            "  btfpack diff yesterday.pack today.pack prog.o --fail-on-regression");
    cli::DiffRequest dq;
    std::vector<std::string> diff_args;
    diff->add_option("ARGS", diff_args, "OLD.pack NEW.pack OBJ...")->required();
    diff->add_option("--old-objs", dq.old_objects, "the old pack's objects, if not the same as the new one's");
    diff->add_flag("--json", dq.json, "the differences as JSON");
    diff->add_flag("--fail-on-regression", dq.fail_on_regression,
                   "exit 4 if a kernel's verdict got worse or a new kernel fails");
    diff->add_option("-j,--jobs", dq.options.jobs, "parallel workers (default: all cores)");

    // listed here for --help; `btfpack serve ...` runs btfpack-serve before any parsing (above)
    app.add_subcommand("serve", "Serve BTFHub online's API (list, download, customize) from an archive and packs;\n"
                                "the reader's layer 4. See btfpack serve --help.");

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int rc = app.exit(e);
        return rc == 0 ? cli::kExitOk : cli::kExitUsage;
    }
    try {
        if (*relocs) {
            if (outcomes && relocs_btf.empty()) throw CLI::ValidationError("--outcomes needs --btf");
            return cli::relocs(relocs_objs, relocs_json, relocs_btf);
        }
        if (*min) return cli::minimize(min_kernel, min_objs, min_out, verbose);
        if (*build) return cli::build(bo, build_out, build_json, strict, build_report);
        if (*report) {
            if (rq.against.empty()) {
                rq.pack = report_args[0];
                report_args.erase(report_args.begin());
            }
            if (report_args.empty()) throw CLI::ValidationError("report", "no BPF object given");
            rq.options.objects = report_args;
            return cli::report(rq);
        }
        if (*diff) {
            if (diff_args.size() < 3) throw CLI::ValidationError("diff", "needs OLD.pack NEW.pack OBJ...");
            dq.old_pack = diff_args[0];
            dq.new_pack = diff_args[1];
            dq.options.objects.assign(diff_args.begin() + 2, diff_args.end());
            return cli::diff(dq);
        }
        if (*ls) return cli::ls(pack_path, ls_json);
        if (*info) return cli::info(pack_path);
        if (*get) return cli::get(pack_path, get_key, get_out);
        if (*embed) return cli::embed(pack_path, embed_out, symbol);
        if (*verify) return cli::verify(pack_path, against, verify_objs, sample);
    } catch (const CLI::Error& e) {
        std::cerr << "btfpack: " << e.what() << "\n";
        return cli::kExitUsage;
    } catch (const std::exception& e) {
        std::cerr << "btfpack: error: " << e.what() << "\n";
        return cli::kExitError;
    }
    return cli::kExitOk;
}
