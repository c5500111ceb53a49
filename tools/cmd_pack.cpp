// Pack verbs: build, ls, info, get, verify.
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>

#include "btfpack/archive_tree.h"
#include "btfpack/bpf_object.h"
#include "btfpack/core_resolver.h"
#include "btfpack/error.h"
#include "btfpack/file_io.h"
#include "btfpack/kernel_btf.h"
#include "btfpack/pack_embed.h"
#include "btfpack/reader.h"
#include "commands.h"
#include "report_output.h"

namespace btfpack::cli {
namespace {

struct PackCloser {
    void operator()(struct btfpack_pack* p) const { btfpack_close(p); }
};
using PackPtr = std::unique_ptr<struct btfpack_pack, PackCloser>;

PackPtr open_pack(const std::string& path) {
    struct btfpack_pack* p = nullptr;
    char err[512];
    if (btfpack_open_file(path.c_str(), &p, err, sizeof(err)) != BTFPACK_OK) throw Error(err);
    return PackPtr(p);
}

std::vector<uint8_t> pack_btf(const struct btfpack_pack* p, size_t i, const std::string& pack_path) {
    void* data;
    size_t len;
    char err[512];
    if (btfpack_get_btf(p, i, &data, &len, err, sizeof(err)) != BTFPACK_OK) throw Error(pack_path, err);
    std::vector<uint8_t> out(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + len);
    free(data);
    return out;
}

std::string fmt_duration(double s) {
    char b[32];
    if (s < 60) snprintf(b, sizeof(b), "%.0fs", s);
    else snprintf(b, sizeof(b), "%dm%02ds", int(s) / 60, int(s) % 60);
    return b;
}

}  // namespace

int build(BuildOptions opt, const std::string& out, bool json, bool strict, const std::string& report_file) {
    bool tty = isatty(STDERR_FILENO);
    auto t0 = std::chrono::steady_clock::now();
    if (tty) {
        opt.progress = [t0](size_t done, size_t total) {
            double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
            double rate = s > 0 ? done / s : 0;
            int width = 30, fill = total ? int(width * done / total) : width;
            fprintf(stderr, "\r[%s%s] %zu/%zu kernels  %.1f/s  ETA %s   ", std::string(size_t(fill), '=').c_str(),
                    std::string(size_t(width - fill), ' ').c_str(), done, total, rate,
                    rate > 0 ? fmt_duration((total - done) / rate).c_str() : "?");
            if (done == total) fprintf(stderr, "\n");
        };
    }
    opt.strict = strict;
    opt.minimize = minimize_options_from_env();
    opt.report = !report_file.empty();
    BuildResult r = build_pack(opt, out);
    if (opt.report) write_report_file(report_file, r.report, {"pack", out}, r.failures);
    for (const auto& f : r.failures) fprintf(stderr, "btfpack: skipped %s\n", f.message.c_str());
    for (const auto& a : r.no_object) fprintf(stderr, "btfpack: note: no object for arch %s; its kernels are not packed\n", a.c_str());
    if (!r.update_note.empty()) fprintf(stderr, "btfpack: %s\n", r.update_note.c_str());
    if (json) {
        std::cout << "{\"output\": " << json_str(out) << ", \"kernels\": " << r.stats.kernels
                  << ", \"blobs\": " << r.stats.blobs << ", \"bytes\": " << r.stats.bytes
                  << ", \"minimized\": " << r.minimized << ", \"reused\": " << r.reused
                  << ", \"linked\": " << r.linked << ", \"skipped\": " << r.failures.size() << ", \"skipped_paths\": [";
        for (size_t i = 0; i < r.failures.size(); i++)
            std::cout << (i ? ", " : "") << "{\"path\": " << json_str(r.failures[i].path)
                      << ", \"message\": " << json_str(r.failures[i].message) << "}";
        std::cout << "], \"seconds\": " << r.seconds << ", \"peak_rss_bytes\": " << r.peak_rss_bytes
                  << ", \"storage\": " << json_str(r.stats.storage) << "}\n";
    } else {
        printf("%s: %llu kernels (%zu minimized, %zu reused, %zu linked), %llu distinct BTF blobs, %llu bytes "
               "(%.0f bytes/kernel), %zu skipped, %.1fs\n",
               out.c_str(), (unsigned long long)r.stats.kernels, r.minimized, r.reused, r.linked,
               (unsigned long long)r.stats.blobs, (unsigned long long)r.stats.bytes,
               r.stats.kernels ? double(r.stats.bytes) / r.stats.kernels : 0.0, r.failures.size(), r.seconds);
    }
    if (!r.failures.empty()) return strict ? kExitError : kExitPartial;
    return kExitOk;
}

int ls(const std::string& path, bool json) {
    PackPtr p = open_pack(path);
    size_t n = btfpack_count(p.get());
    if (json) std::cout << "[";
    for (size_t i = 0; i < n; i++) {
        struct btfpack_entry e;
        if (btfpack_entry_at(p.get(), i, &e) != BTFPACK_OK) throw Error(path, "corrupt index");
        if (json) {
            KernelKey k = parse_kernel_key(e.key);
            std::cout << (i ? ",\n  " : "\n  ") << "{\"distro\": " << json_str(k.distro) << ", \"version\": "
                      << json_str(k.version) << ", \"arch\": " << json_str(k.arch) << ", \"kernel\": "
                      << json_str(k.kernel) << ", \"blob\": " << e.blob_id << "}";
        } else {
            std::cout << e.key << "\tblob " << e.blob_id << "\n";
        }
    }
    if (json) std::cout << (n ? "\n]\n" : "]\n");
    return kExitOk;
}

int info(const std::string& path) {
    PackPtr p = open_pack(path);
    std::vector<uint8_t> bytes = read_whole_file(path);
    printf("pack: %s\nsize: %zu bytes\nkernels: %zu\ndistinct blobs: %zu\n", path.c_str(), bytes.size(),
           btfpack_count(p.get()), btfpack_blob_count(p.get()));
    std::istringstream meta(btfpack_meta(p.get()));
    for (std::string line; std::getline(meta, line);) {
        size_t eq = line.find('=');
        if (eq == std::string::npos) continue;
        std::string k = line.substr(0, eq), v = line.substr(eq + 1);
        for (auto& c : v)
            if (c == '\t') c = ' ';
        printf("%s: %s\n", k.c_str(), v.c_str());
    }
    return kExitOk;
}

int get(const std::string& path, const std::string& key_str, const std::string& out) {
    PackPtr p = open_pack(path);
    KernelKey k = parse_kernel_key(key_str);
    size_t i;
    int rc = btfpack_find(p.get(), k.distro.c_str(), k.version.c_str(), k.arch.c_str(), k.kernel.c_str(), &i);
    if (rc == BTFPACK_ERR_NOT_FOUND) throw Error(path, "no kernel " + key_str + " in the pack (see btfpack ls)");
    if (rc != BTFPACK_OK) throw Error(path, "corrupt index");
    write_file_atomically(out, pack_btf(p.get(), i, path));
    return kExitOk;
}

int verify(const std::string& path, const std::string& archive, const std::vector<std::string>& object_specs, size_t sample) {
    PackPtr p = open_pack(path);  // header, section and file checksums
    size_t n = btfpack_count(p.get());
    for (size_t i = 0; i < n; i++) pack_btf(p.get(), i, path);  // every blob decompresses, checksum matches
    printf("%s: checksums ok, %zu kernels, %zu blobs decompress\n", path.c_str(), n, btfpack_blob_count(p.get()));
    if (archive.empty()) return kExitOk;

    // Fidelity against the archive: btfpack's resolver (identical to libbpf 1.1, see tests)
    // relocates every object against the full and the packed BTF; outcomes must be equal.
    std::vector<ObjectSpec> specs;
    std::vector<BpfObject> objs;  // of specs[i]
    for (const auto& s : object_specs) {
        specs.push_back(parse_object_spec(s));
        objs.push_back(BpfObject::load(specs.back().path));
    }
    if (objs.empty()) throw Error("verify --against needs --objs");
    std::vector<LocalRelocations> locals;  // the local side, once per object for every kernel
    locals.reserve(objs.size());
    for (const auto& o : objs) locals.emplace_back(o);
    std::map<std::string, std::string> files;
    std::vector<ArchiveProblem> problems;
    for (const auto& k : scan_archive(archive, {}, &problems)) files[k.key.str()] = k.path;
    for (const auto& pr : problems) fprintf(stderr, "btfpack: skipped %s\n", pr.str().c_str());
    std::vector<size_t> which(n);
    for (size_t i = 0; i < n; i++) which[i] = i;
    if (sample && sample < n) {
        std::mt19937 rng(12345);
        std::shuffle(which.begin(), which.end(), rng);
        which.resize(sample);
        std::sort(which.begin(), which.end());
    }
    size_t ok = 0, bad = 0;
    for (size_t i : which) {
        struct btfpack_entry e;
        btfpack_entry_at(p.get(), i, &e);
        auto f = files.find(e.key);
        if (f == files.end()) {
            printf("MISSING %s: not in %s\n", e.key, archive.c_str());
            bad++;
            continue;
        }
        std::string arch = parse_kernel_key(e.key).arch;
        std::vector<uint8_t> mb = pack_btf(p.get(), i, path);
        auto full = load_kernel_btf(f->second);
        auto min = parse_kernel_btf(std::string(e.key) + " (from pack)", mb);
        bool same = true;
        size_t lines = 0;
        std::vector<size_t> use = objects_for_arch(specs, arch);
        for (size_t oi : use) {
            const BpfObject& obj = objs[oi];
            const LocalRelocations& local = locals[oi];
            lines += local.relocations().size();
            std::string diff = first_log_difference(local, CandidateIndex(full.get(), local), CandidateIndex(min.get(), local),
                                                    minimize_options_from_env().relo_log);
            if (!diff.empty()) {
                same = false;
                printf("DIFFERS %s: %s: %s\n", e.key, obj.path().c_str(), diff.c_str());
            }
        }
        if (use.empty()) {
            printf("NO OBJECT %s\n", e.key);
            bad++;
        } else if (same) {
            ok++;
        } else {
            bad++;
        }
    }
    printf("fidelity: %zu/%zu kernels relocate identically against the pack and the archive\n", ok, ok + bad);
    return bad ? kExitError : kExitOk;
}

int embed(const std::string& pack, const std::string& out, const std::string& symbol) {
    std::string src = embed_assembly(pack, symbol);
    bool object = out.size() > 2 && out.compare(out.size() - 2, 2, ".o") == 0;
    if (!object) {
        write_file_atomically(out, std::vector<uint8_t>(src.begin(), src.end()));
        return kExitOk;
    }
    // assemble with the C compiler ($CC, default cc): the object is for the host's arch
    std::string tmp = out + ".tmp." + std::to_string(getpid()) + ".S";
    write_file_atomically(tmp, std::vector<uint8_t>(src.begin(), src.end()));
    const char* cc = getenv("CC");
    std::string cmd = std::string(cc && *cc ? cc : "cc") + " -c '" + tmp + "' -o '" + out + ".tmp.o' && mv '" + out +
                      ".tmp.o' '" + out + "'";
    int rc = system(cmd.c_str());
    std::remove(tmp.c_str());
    if (rc != 0) {
        std::remove((out + ".tmp.o").c_str());
        throw Error(out, "assembling the pack failed (command: " + cmd + ")");
    }
    return kExitOk;
}

}  // namespace btfpack::cli
