// The shared reader test vectors (testdata/vectors, scripts/update-vectors), which the Go reader's
// tests (go/btfpack/vectors_test.go) read too: every corrupt variant of MANIFEST.tsv fails at
// its stage with its class and message (or, stage "ok", reads exactly as the base pack), and
// libxxhash gives the XXH3-64 values of xxh3.tsv. (The reference packs' ls output and sha256
// sums are checked through the CLI by tests/cli/vectors.sh.)
#include <catch2/catch.hpp>

#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "btfpack/reader.h"

#define XXH_INLINE_ALL
#include <xxhash.h>

#ifndef BTFPACK_TESTDATA_DIR
#error "BTFPACK_TESTDATA_DIR must point at testdata/"
#endif

namespace {

const std::string kVectors = std::string(BTFPACK_TESTDATA_DIR) + "/vectors";

std::vector<uint8_t> slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    return std::vector<uint8_t>((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<std::string> split_tabs(const std::string& line) {
    std::vector<std::string> out;
    std::stringstream ss(line);
    for (std::string f; std::getline(ss, f, '\t');) out.push_back(f);
    return out;
}

struct Pack {
    std::vector<uint8_t> bytes;  // the pack reads from these
    struct btfpack_pack* p = nullptr;
    int rc;
    char err[512] = "";
    explicit Pack(std::vector<uint8_t> b) : bytes(std::move(b)) {
        // an empty vector has no data(): open a valid address with size 0
        static const uint8_t none = 0;
        rc = btfpack_open_memory(bytes.empty() ? &none : bytes.data(), bytes.size(), &p, err, sizeof(err));
    }
    ~Pack() { btfpack_close(p); }
    std::vector<uint8_t> get(size_t i, int* rc_out, std::string* msg) {
        void* data = nullptr;
        size_t n = 0;
        char e[512] = "";
        *rc_out = btfpack_get_btf(p, i, &data, &n, e, sizeof(e));
        *msg = e;
        std::vector<uint8_t> out;
        if (*rc_out == BTFPACK_OK) out.assign(static_cast<uint8_t*>(data), static_cast<uint8_t*>(data) + n);
        free(data);
        return out;
    }
};

int status_of(const std::string& cls) {
    if (cls == "format") return BTFPACK_ERR_FORMAT;
    if (cls == "checksum") return BTFPACK_ERR_CHECKSUM;
    if (cls == "io") return BTFPACK_ERR_IO;
    if (cls == "not_found") return BTFPACK_ERR_NOT_FOUND;
    FAIL("MANIFEST.tsv: unknown class " << cls);
    return 0;
}

}  // namespace

TEST_CASE("vectors: every corrupt variant fails where and how MANIFEST.tsv says", "[vectors]") {
    Pack base(slurp(kVectors + "/packs/four-arches.pack"));
    REQUIRE(base.rc == BTFPACK_OK);
    std::ifstream manifest(kVectors + "/corrupt/MANIFEST.tsv");
    REQUIRE(manifest.good());
    size_t cases = 0;
    for (std::string line; std::getline(manifest, line);) {
        if (line.empty() || line[0] == '#') continue;
        auto c = split_tabs(line);
        REQUIRE(c.size() == 6);
        const std::string &file = c[0], &stage = c[1], &msg = c[4] == "-" ? std::string() : c[4];
        size_t entry = std::stoul(c[2]);
        INFO(file << " (" << c[5] << ")");
        cases++;
        Pack v(slurp(kVectors + "/corrupt/" + file));
        if (stage == "open") {
            CHECK(v.rc == status_of(c[3]));
            CHECK(std::string(v.err).find(msg) != std::string::npos);
            CHECK(v.p == nullptr);
            continue;
        }
        REQUIRE(v.rc == BTFPACK_OK);
        struct btfpack_entry e;
        if (stage == "index") {
            for (size_t i = 0; i < entry; i++) CHECK(btfpack_entry_at(v.p, i, &e) == BTFPACK_OK);
            CHECK(btfpack_entry_at(v.p, entry, &e) == status_of(c[3]));
        } else if (stage == "get") {
            for (size_t i = 0; i < btfpack_count(v.p); i++) CHECK(btfpack_entry_at(v.p, i, &e) == BTFPACK_OK);
            int rc;
            std::string err;
            v.get(entry, &rc, &err);
            CHECK(rc == status_of(c[3]));
            CHECK(err.find(msg) != std::string::npos);
            INFO(err);
        } else {
            REQUIRE(stage == "ok");
            REQUIRE(btfpack_count(v.p) == btfpack_count(base.p));
            for (size_t i = 0; i < btfpack_count(v.p); i++) {
                int rc, brc;
                std::string err, berr;
                auto got = v.get(i, &rc, &err), want = base.get(i, &brc, &berr);
                INFO("entry " << i << ": " << err);
                CHECK(rc == BTFPACK_OK);
                CHECK(got == want);
            }
        }
    }
    CHECK(cases >= 40);
}

TEST_CASE("vectors: libxxhash gives xxh3.tsv's XXH3-64 values", "[vectors]") {
    std::vector<uint8_t> buf(1 << 16);
    for (size_t i = 0; i < buf.size(); i++) buf[i] = uint8_t(i * 131 + 7);
    std::ifstream in(kVectors + "/xxh3.tsv");
    REQUIRE(in.good());
    size_t n = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        auto c = split_tabs(line);
        REQUIRE(c.size() == 2);
        size_t len = std::stoul(c[0]);
        REQUIRE(len <= buf.size());
        CHECK(XXH3_64bits(buf.data(), len) == std::stoull(c[1], nullptr, 16));
        n++;
    }
    CHECK(n >= 20);
}
