// Pack writer + C reader: round trip, dedup, lookup, and robustness against every kind of
// corruption (this file is also built with ASan+UBSan: see tests/unit/CMakeLists.txt).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include <bpf/btf.h>

#include "btfpack/pack_writer.h"
#include "btfpack/reader.h"

using namespace btfpack;

namespace {

// A small real BTF: a struct with a self pointer and some members; variants differ in an offset,
// and odd variants are big-endian (as s390x kernels' are).
std::vector<uint8_t> fake_btf(int variant) {
    struct btf* b = btf__new_empty();
    int i = btf__add_int(b, "int", 4, BTF_INT_SIGNED);
    int s = btf__add_struct(b, "task_struct", 64);
    int p = btf__add_ptr(b, s);
    btf__add_field(b, "pid", i, 32 * uint32_t(variant), 0);
    btf__add_field(b, "parent", p, 256, 0);
    btf__add_enum(b, "pid_type", 4);
    btf__add_enum_value(b, "PIDTYPE_PID", variant);
    if (variant % 2) btf__set_endianness(b, BTF_BIG_ENDIAN);
    uint32_t n;
    const uint8_t* raw = static_cast<const uint8_t*>(btf__raw_data(b, &n));
    std::vector<uint8_t> out(raw, raw + n);
    btf__free(b);
    return out;
}

// Kernel i of sample_pack (its BTF: fake_btf(i % 5)).
KernelKey sample_key(int i) {
    return {i % 2 ? "ubuntu" : "debian", std::to_string(10 + i % 3), i % 4 ? "x86_64" : "arm64",
            "5." + std::to_string(i) + ".0-" + std::to_string(i * 3) + "-generic"};
}

// The index of kernel i of sample_pack in p, or BTFPACK_ERR_*.
int find_sample(const struct btfpack_pack* p, int i, size_t* idx) {
    KernelKey k = sample_key(i);
    return btfpack_find(p, k.distro.c_str(), k.version.c_str(), k.arch.c_str(), k.kernel.c_str(), idx);
}

std::vector<uint8_t> sample_pack(PackStats* stats = nullptr) {
    PackWriter w;
    // 40 kernels, 5 distinct BTFs: enough for several index blocks and a trained dictionary
    for (int i = 0; i < 40; i++) w.add_kernel(sample_key(i), fake_btf(i % 5), 77 + i);
    w.add_meta("btfpack_version", "test");
    return w.serialize(stats);
}

struct Opened {
    struct btfpack_pack* p = nullptr;
    int rc;
    char err[256] = "";
    explicit Opened(const std::vector<uint8_t>& b) { rc = btfpack_open_memory(b.data(), b.size(), &p, err, sizeof(err)); }
    ~Opened() { btfpack_close(p); }
};

// Every lookup of every entry either works or fails cleanly.
void exercise(struct btfpack_pack* p) {
    for (size_t i = 0; i < btfpack_count(p); i++) {
        struct btfpack_entry e;
        if (btfpack_entry_at(p, i, &e)) continue;
        void* d = nullptr;
        size_t n = 0;
        char err[128];
        if (btfpack_get_btf(p, i, &d, &n, err, sizeof(err)) == 0) free(d);
        size_t idx;
        btfpack_find(p, "debian", "10", "arm64", "5.0.0-0-generic", &idx);
    }
}

}  // namespace

TEST_CASE("pack round trip: every kernel found, identical BTFs stored once", "[pack]") {
    PackStats st;
    auto bytes = sample_pack(&st);
    CHECK(st.kernels == 40);
    CHECK(st.blobs == 5);
    Opened o(bytes);
    REQUIRE(o.rc == BTFPACK_OK);
    REQUIRE(btfpack_count(o.p) == 40);
    CHECK(btfpack_blob_count(o.p) == 5);
    CHECK(std::string(btfpack_meta(o.p)).find("btfpack_version=test") != std::string::npos);
    for (int i = 0; i < 40; i++) {
        size_t idx;
        REQUIRE(find_sample(o.p, i, &idx) == BTFPACK_OK);
        void* d;
        size_t n;
        REQUIRE(btfpack_get_btf(o.p, idx, &d, &n, nullptr, 0) == BTFPACK_OK);
        CHECK(std::vector<uint8_t>(static_cast<uint8_t*>(d), static_cast<uint8_t*>(d) + n) == fake_btf(i % 5));
        free(d);
        uint64_t hash;
        REQUIRE(btfpack_source_at(o.p, idx, &hash) == BTFPACK_OK);
        CHECK(hash == uint64_t(77 + i));
    }
    size_t idx;
    CHECK(btfpack_find(o.p, "debian", "10", "x86_64", "no-such", &idx) == BTFPACK_ERR_NOT_FOUND);
    CHECK(btfpack_find(o.p, "", "", "", "", &idx) == BTFPACK_ERR_NOT_FOUND);
}

TEST_CASE("pack bytes are deterministic", "[pack]") { CHECK(sample_pack() == sample_pack()); }

TEST_CASE("truncated packs are rejected at open, at every length", "[pack][corrupt]") {
    auto bytes = sample_pack();
    for (size_t len = 0; len < bytes.size(); len++) {
        std::vector<uint8_t> t(bytes.begin(), bytes.begin() + long(len));
        Opened o(t);
        INFO("length " << len);
        REQUIRE(o.rc != BTFPACK_OK);
        REQUIRE(o.err[0] != 0);
    }
}

TEST_CASE("every flipped byte is caught by a checksum or a bounds check", "[pack][corrupt]") {
    auto bytes = sample_pack();
    for (size_t i = 0; i < bytes.size(); i++) {
        auto c = bytes;
        c[i] ^= 0x5a;
        Opened o(c);
        INFO("byte " << i);
        REQUIRE(o.rc != BTFPACK_OK);  // the whole-file checksum covers every byte
    }
}

// Corruption behind valid checksums (a crafted file): recompute checksums after the damage,
// so the structural checks themselves are exercised.
#define XXH_INLINE_ALL
#include <xxhash.h>

#include "reader/pack_format.h"
namespace {
void fix_checksums(std::vector<uint8_t>& b) {
    uint32_t nsec = pf_rd32(&b[BTFPACK_HDR_SECTION_COUNT]);
    uint64_t st = pf_rd64(&b[BTFPACK_HDR_SECTION_TABLE]);
    if (nsec <= BTFPACK_MAX_SECTIONS && st + uint64_t(BTFPACK_SECTION_ENTRY_SIZE) * nsec <= b.size())
        for (uint32_t s = 0; s < nsec; s++) {
            uint8_t* e = &b[st + BTFPACK_SECTION_ENTRY_SIZE * s];
            uint64_t off = pf_rd64(e + BTFPACK_SE_OFFSET), len = pf_rd64(e + BTFPACK_SE_LENGTH);
            if (off <= b.size() && len <= b.size() - off) pf_wr64(e + BTFPACK_SE_CHECKSUM, XXH3_64bits(&b[off], len));
        }
    pf_wr64(&b[BTFPACK_HDR_CHECKSUM], XXH3_64bits(b.data(), BTFPACK_HDR_CHECKSUM));
    size_t footer = b.size() - BTFPACK_FOOTER_SIZE;
    pf_wr64(&b[footer + BTFPACK_FT_CHECKSUM], XXH3_64bits(b.data(), footer));
}
}  // namespace

TEST_CASE("crafted corruption with valid checksums never crashes", "[pack][corrupt]") {
    auto bytes = sample_pack();
    size_t opened = 0, rejected = 0;
    for (size_t i = 0; i + BTFPACK_FOOTER_SIZE < bytes.size(); i++) {
        for (uint8_t v : {uint8_t(0x00), uint8_t(0xff), uint8_t(bytes[i] ^ 0x01), uint8_t(bytes[i] + 0x80)}) {
            auto c = bytes;
            if (c[i] == v) continue;
            c[i] = v;
            fix_checksums(c);
            Opened o(c);
            if (o.rc == BTFPACK_OK) {
                opened++;
                exercise(o.p);  // must not crash or read out of bounds (ASan build)
            } else {
                rejected++;
            }
        }
    }
    CHECK(rejected > 0);
    CHECK(opened > 0);
}

TEST_CASE("reader rejects wrong magic, version and empty input with a message", "[pack]") {
    auto bytes = sample_pack();
    {
        std::vector<uint8_t> empty;
        Opened o(empty);
        CHECK(o.rc == BTFPACK_ERR_FORMAT);
    }
    {
        auto c = bytes;
        pf_wr16(&c[BTFPACK_HDR_VERSION_MAJOR], BTFPACK_VERSION_MAJOR + 1);
        fix_checksums(c);
        Opened o(c);
        CHECK(o.rc == BTFPACK_ERR_FORMAT);
        CHECK(std::string(o.err).find("version") != std::string::npos);
    }
    struct btfpack_pack* p = nullptr;
    char err[256];
    CHECK(btfpack_open_file("/nonexistent/x.pack", &p, err, sizeof(err)) == BTFPACK_ERR_IO);
    CHECK(std::string(err).find("/nonexistent/x.pack") != std::string::npos);
}

TEST_CASE("a type table that does not load: the pack opens and lists, btfpack_get_btf says why", "[pack][corrupt]") {
    auto c = sample_pack();
    uint64_t st = pf_rd64(&c[BTFPACK_HDR_SECTION_TABLE]);
    bool found = false;
    for (uint32_t s = 0; s < pf_rd32(&c[BTFPACK_HDR_SECTION_COUNT]); s++) {
        const uint8_t* e = &c[st + BTFPACK_SECTION_ENTRY_SIZE * s];
        if (pf_rd32(e + BTFPACK_SE_TYPE) != BTFPACK_SECTION_TYPES) continue;
        pf_wr64(&c[pf_rd64(e + BTFPACK_SE_OFFSET) + BTFPACK_TP_RAW_SIZE], 1);  // the first part: not the frame's size
        found = true;
    }
    REQUIRE(found);
    fix_checksums(c);
    Opened o(c);
    REQUIRE(o.rc == BTFPACK_OK);
    CHECK(btfpack_count(o.p) == 40);
    size_t idx;
    REQUIRE(find_sample(o.p, 0, &idx) == BTFPACK_OK);
    void* d = nullptr;
    size_t n = 0;
    char err[256] = "";
    CHECK(btfpack_get_btf(o.p, idx, &d, &n, err, sizeof(err)) == BTFPACK_ERR_FORMAT);
    CHECK(std::string(err).find("type table") != std::string::npos);
}

// The threading contract of reader.h: after open, a handle is read-only, so many threads may
// use one handle at once, and the reader keeps nothing per thread (threads that come and go
// leave no allocation behind: LeakSanitizer checks that in the ASan build).
TEST_CASE("one pack handle, many threads at once", "[pack][threads]") {
    auto bytes = sample_pack();
    Opened o(bytes);
    REQUIRE(o.rc == BTFPACK_OK);
    std::vector<std::vector<uint8_t>> want;
    for (int v = 0; v < 5; v++) want.push_back(fake_btf(v));
    auto work = [&](int rounds) {
        size_t bad = 0;
        for (int r = 0; r < rounds; r++)
            for (int i = 0; i < 40; i++) {
                size_t idx;
                void* d;
                size_t n;
                if (find_sample(o.p, i, &idx) != BTFPACK_OK ||
                    btfpack_get_btf(o.p, idx, &d, &n, nullptr, 0) != BTFPACK_OK) {
                    bad++;
                    continue;
                }
                if (std::vector<uint8_t>(static_cast<uint8_t*>(d), static_cast<uint8_t*>(d) + n) != want[size_t(i % 5)]) bad++;
                free(d);
                if (std::string(btfpack_meta(o.p)).find("btfpack_version=test") == std::string::npos) bad++;
            }
        return bad;
    };
    std::vector<size_t> bad(8);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < bad.size(); t++) threads.emplace_back([&, t] { bad[t] = work(20); });
    for (auto& t : threads) t.join();
    for (int k = 0; k < 4; k++) std::thread([&] { bad[0] += work(1); }).join();  // one after another
    for (size_t b : bad) CHECK(b == 0);
}
