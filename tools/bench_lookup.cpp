// bench_lookup: how fast an app finds its kernel's BTF, three ways, same BTFs, one run:
//   pack      btfpack_open_file + btfpack_find + btfpack_get_btf (+ close)
//   dir       open + read <dir>/<distro>/<version>/<arch>/<kernel>.btf (a tree of min BTFs)
//   tar.xz    libarchive over a bundle.tar.xz until the member, then read it (what apps that
//             embed a BTFHub bundle do)
// usage: bench_lookup make SOURCE_PACK N OUTDIR     (pack of N kernels: real blobs of SOURCE_PACK,
//                                                   synthetic names; plus the dir tree and tar.xz)
//        bench_lookup warm OUTDIR ITERS             (one process, many lookups; p50/p99 in us)
//        bench_lookup one OUTDIR METHOD KEY         (one lookup in a new process; prints us)
#include <archive.h>
#include <archive_entry.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "btfpack/archive_tree.h"
#include "btfpack/file_io.h"
#include "btfpack/pack_writer.h"
#include "btfpack/reader.h"

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;
using namespace btfpack;

namespace {

std::vector<std::string> read_keys(const std::string& dir) {
    std::vector<std::string> keys;
    FILE* f = fopen((dir + "/keys.txt").c_str(), "r");
    if (!f) throw std::runtime_error("no keys.txt in " + dir + " (run make first)");
    char line[600];
    while (fgets(line, sizeof(line), f)) {
        line[strcspn(line, "\n")] = 0;
        keys.push_back(line);
    }
    fclose(f);
    return keys;
}

size_t lookup_pack(const std::string& dir, const std::string& key) {
    struct btfpack_pack* p;
    char err[256];
    if (btfpack_open_file((dir + "/btfs.pack").c_str(), &p, err, sizeof(err))) throw std::runtime_error(err);
    KernelKey k = parse_kernel_key(key);
    size_t i, n = 0;
    void* data;
    if (btfpack_find(p, k.distro.c_str(), k.version.c_str(), k.arch.c_str(), k.kernel.c_str(), &i) == 0 &&
        btfpack_get_btf(p, i, &data, &n, err, sizeof(err)) == 0)
        free(data);
    btfpack_close(p);
    return n;
}

size_t lookup_dir(const std::string& dir, const std::string& key) {
    return read_whole_file(dir + "/tree/" + key + ".btf").size();
}

size_t lookup_tarxz(const std::string& dir, const std::string& key) {
    struct archive* a = archive_read_new();
    archive_read_support_filter_xz(a);
    archive_read_support_format_tar(a);
    size_t n = 0;
    std::string want = key + ".btf";
    if (archive_read_open_filename(a, (dir + "/bundle.tar.xz").c_str(), 1 << 16) == ARCHIVE_OK) {
        struct archive_entry* e;
        while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
            if (want != archive_entry_pathname(e)) continue;
            std::vector<char> buf(size_t(archive_entry_size(e)));
            n = size_t(archive_read_data(a, buf.data(), buf.size()));
            break;
        }
    }
    archive_read_free(a);
    return n;
}

size_t lookup(const std::string& method, const std::string& dir, const std::string& key) {
    if (method == "pack") return lookup_pack(dir, key);
    if (method == "dir") return lookup_dir(dir, key);
    return lookup_tarxz(dir, key);
}

int make(const std::string& source, size_t n, const std::string& dir) {
    struct btfpack_pack* p;
    char err[256];
    if (btfpack_open_file(source.c_str(), &p, err, sizeof(err))) throw std::runtime_error(err);
    std::vector<std::vector<uint8_t>> blobs;
    for (size_t i = 0; i < btfpack_count(p); i++) {
        void* d;
        size_t len;
        if (btfpack_get_btf(p, i, &d, &len, err, sizeof(err))) throw std::runtime_error(err);
        blobs.emplace_back(static_cast<uint8_t*>(d), static_cast<uint8_t*>(d) + len);
        free(d);
    }
    btfpack_close(p);
    // BTFHub-like names: 6 distros x versions x 2 arches x many kernel releases
    const char* distros[] = {"amzn", "centos", "debian", "fedora", "ol", "ubuntu"};
    PackWriter w;
    fs::remove_all(dir + "/tree");
    fs::create_directories(dir);
    FILE* keys = fopen((dir + "/keys.txt").c_str(), "w");
    if (!keys) throw std::runtime_error("cannot write " + dir + "/keys.txt");
    for (size_t i = 0; i < n; i++) {
        KernelKey k{distros[i % 6], std::to_string(7 + (i / 6) % 5), (i / 30) % 2 ? "arm64" : "x86_64",
                    "5." + std::to_string(4 + i % 11) + "." + std::to_string(i) + "-" + std::to_string(1000 + i) + "-generic"};
        const auto& b = blobs[i % blobs.size()];
        w.add_kernel(k, b, 0);
        fs::create_directories(dir + "/tree/" + k.distro + "/" + k.version + "/" + k.arch);
        write_file_atomically(dir + "/tree/" + k.str() + ".btf", b);
        fprintf(keys, "%s\n", k.str().c_str());
    }
    fclose(keys);
    PackStats st = w.write(dir + "/btfs.pack");
    printf("made %zu kernels from %zu real blobs: pack %llu bytes (%llu distinct blobs)\n", n, blobs.size(),
           (unsigned long long)st.bytes, (unsigned long long)st.blobs);
    return 0;
}

double pct(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    return v[std::min(v.size() - 1, size_t(p * double(v.size())))];
}

int warm(const std::string& dir, size_t iters) {
    auto keys = read_keys(dir);
    std::mt19937 rng(42);
    printf("| method (warm: one process, file in page cache) | lookups | p50 us | p99 us |\n|---|---:|---:|---:|\n");
    double p50_pack = 0, p99_pack = 0, p50_tar = 0, p99_tar = 0;
    for (std::string m : {"pack", "dir", "tar.xz"}) {
        size_t its = m == "tar.xz" ? std::max<size_t>(20, iters / 100) : iters;
        std::vector<double> us;
        for (size_t i = 0; i < its; i++) {
            const std::string& key = keys[rng() % keys.size()];
            auto t0 = Clock::now();
            size_t n = lookup(m, dir, key);
            us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            if (!n) throw std::runtime_error(m + ": lookup of " + key + " failed");
        }
        printf("| %s | %zu | %.1f | %.1f |\n", m.c_str(), its, pct(us, 0.5), pct(us, 0.99));
        if (m == "pack") p50_pack = pct(us, 0.5), p99_pack = pct(us, 0.99);
        if (m == "tar.xz") p50_tar = pct(us, 0.5), p99_tar = pct(us, 0.99);
    }
    printf("\npack p99 %.1f us (target < 100 us); tar.xz vs pack: %.0fx at p50, %.0fx at p99 (target >= 100x)\n",
           p99_pack, p50_tar / p50_pack, p99_tar / p99_pack);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto t0 = Clock::now();
    try {
        std::string cmd = argc > 1 ? argv[1] : "";
        if (cmd == "make" && argc == 5) return make(argv[2], std::stoul(argv[3]), argv[4]);
        if (cmd == "warm" && argc == 4) return warm(argv[2], std::stoul(argv[3]));
        if (cmd == "one" && argc == 5) {
            size_t n = lookup(argv[3], argv[2], argv[4]);
            printf("%.1f\n", std::chrono::duration<double, std::micro>(Clock::now() - t0).count());
            return n ? 0 : 1;
        }
    } catch (const std::exception& e) {
        fprintf(stderr, "bench_lookup: %s\n", e.what());
        return 1;
    }
    fprintf(stderr, "usage: bench_lookup make SOURCE_PACK N OUTDIR | warm OUTDIR ITERS | one OUTDIR METHOD KEY\n");
    return 2;
}
