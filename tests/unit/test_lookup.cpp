// btfpack_lookup: BTFHub's layer order, memfd hand-off readable by libbpf, never-guess misses.
#include <bpf/btf.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "btfpack/lookup.h"
#include "btfpack/pack_writer.h"

using namespace btfpack;

namespace {

std::vector<uint8_t> tiny_btf(const char* int_name) {
    struct btf* b = btf__new_empty();
    btf__add_int(b, int_name, 4, BTF_INT_SIGNED);
    uint32_t n;
    const uint8_t* raw = static_cast<const uint8_t*>(btf__raw_data(b, &n));
    std::vector<uint8_t> out(raw, raw + n);
    btf__free(b);
    return out;
}

struct Fixture {
    std::vector<uint8_t> bytes;
    struct btfpack_pack* pack = nullptr;
    struct btfpack_host host {};
    Fixture() {
        PackWriter w;
        w.add_kernel({"ubuntu", "20.04", "x86_64", "5.4.0-1045-aws"}, tiny_btf("aws1045"), 0);
        w.add_kernel({"ubuntu", "20.04", "x86_64", "5.4.0-1046-aws"}, tiny_btf("aws1046"), 0);
        w.add_kernel({"ubuntu", "20.04", "x86_64", "5.15.0-1001-gcp"}, tiny_btf("gcp"), 0);
        w.add_kernel({"centos", "8", "x86_64", "4.18.0-305.el8.x86_64"}, tiny_btf("el8"), 0);
        bytes = w.serialize();
        REQUIRE(btfpack_open_memory(bytes.data(), bytes.size(), &pack, nullptr, 0) == BTFPACK_OK);
        set_host("ubuntu", "20.04", "x86_64", "5.4.0-1045-aws");
    }
    ~Fixture() { btfpack_close(pack); }
    void set_host(const char* d, const char* v, const char* a, const char* k) {
        snprintf(host.distro, sizeof(host.distro), "%s", d);
        snprintf(host.version, sizeof(host.version), "%s", v);
        snprintf(host.arch, sizeof(host.arch), "%s", a);
        snprintf(host.kernel, sizeof(host.kernel), "%s", k);
    }
};

int remote_hit(const struct btfpack_host*, void* ctx, void** data, size_t* size) {
    auto* b = static_cast<std::vector<uint8_t>*>(ctx);
    *data = malloc(b->size());
    memcpy(*data, b->data(), b->size());
    *size = b->size();
    return 0;
}

}  // namespace

TEST_CASE("lookup: explicit path first, then the kernel's own BTF", "[lookup]") {
    Fixture f;
    char tmpl[] = "/tmp/btfpack-lookup-XXXXXX";
    int fd = mkstemp(tmpl);
    REQUIRE(fd >= 0);
    close(fd);
    struct btfpack_btf out;
    char err[512];
    struct btfpack_lookup_opts o = {};
    o.explicit_path = tmpl;
    o.kernel_btf = tmpl;
    o.pack = f.pack;
    o.host = &f.host;
    REQUIRE(btfpack_lookup(&o, &out, err, sizeof(err)) == BTFPACK_OK);
    CHECK(out.layer == BTFPACK_LAYER_EXPLICIT);
    btfpack_btf_free(&out);
    o.explicit_path = nullptr;
    REQUIRE(btfpack_lookup(&o, &out, err, sizeof(err)) == BTFPACK_OK);
    CHECK(out.layer == BTFPACK_LAYER_KERNEL);
    CHECK(std::string(out.path) == tmpl);
    btfpack_btf_free(&out);
    o.explicit_path = "/nonexistent/btf";
    CHECK(btfpack_lookup(&o, &out, err, sizeof(err)) == BTFPACK_ERR_IO);
    CHECK(std::string(err).find("/nonexistent/btf") != std::string::npos);
    unlink(tmpl);
}

TEST_CASE("lookup: the pack answers through a memfd that libbpf can parse", "[lookup]") {
    Fixture f;
    struct btfpack_lookup_opts o = {};
    o.kernel_btf = "";  // skip layer 2
    o.pack = f.pack;
    o.host = &f.host;
    struct btfpack_btf out;
    char err[512];
    REQUIRE(btfpack_lookup(&o, &out, err, sizeof(err)) == BTFPACK_OK);
    CHECK(out.layer == BTFPACK_LAYER_PACK);
    REQUIRE(out.fd >= 0);
    CHECK(std::string(out.path) == "/proc/self/fd/" + std::to_string(out.fd));
    struct btf* b = btf__parse(out.path, nullptr);
    REQUIRE(b);
    CHECK(std::string(btf__name_by_offset(b, btf__type_by_id(b, 1)->name_off)) == "aws1045");
    btf__free(b);
    btfpack_btf_free(&out);
}

TEST_CASE("lookup: a miss never guesses and names the nearest kernels", "[lookup]") {
    Fixture f;
    f.set_host("ubuntu", "20.04", "x86_64", "5.4.0-1047-aws");
    struct btfpack_lookup_opts o = {};
    o.kernel_btf = "";
    o.pack = f.pack;
    o.host = &f.host;
    struct btfpack_btf out;
    char err[512];
    REQUIRE(btfpack_lookup(&o, &out, err, sizeof(err)) == BTFPACK_ERR_NOT_FOUND);
    std::string e = err;
    INFO(e);
    CHECK(e.find("ubuntu/20.04/x86_64/5.4.0-1047-aws") != std::string::npos);
    CHECK(e.find("5.4.0-1045-aws, 5.4.0-1046-aws, 5.15.0-1001-gcp") != std::string::npos);
    f.set_host("debian", "10", "x86_64", "4.19.0-20-amd64");
    REQUIRE(btfpack_lookup(&o, &out, err, sizeof(err)) == BTFPACK_ERR_NOT_FOUND);
    CHECK(std::string(err).find("no kernel for debian/10/x86_64") != std::string::npos);
}

TEST_CASE("lookup: a release BTFHub names two ways is found under either", "[lookup]") {
    PackWriter w;
    w.add_kernel({"debian", "11", "x86_64", "5.10.0-32-amd64"}, tiny_btf("deb11"), 0);
    auto bytes = w.serialize();
    struct btfpack_pack* pack = nullptr;
    REQUIRE(btfpack_open_memory(bytes.data(), bytes.size(), &pack, nullptr, 0) == BTFPACK_OK);
    struct btfpack_host host {};
    snprintf(host.distro, sizeof(host.distro), "debian");
    snprintf(host.version, sizeof(host.version), "bullseye");  // what host detection says for Debian 11
    snprintf(host.arch, sizeof(host.arch), "x86_64");
    snprintf(host.kernel, sizeof(host.kernel), "5.10.0-32-amd64");
    struct btfpack_lookup_opts o = {};
    o.kernel_btf = "";
    o.pack = pack;
    o.host = &host;
    struct btfpack_btf out;
    char err[512];
    CHECK(btfpack_lookup(&o, &out, err, sizeof(err)) == BTFPACK_OK);
    CHECK(out.layer == BTFPACK_LAYER_PACK);
    btfpack_btf_free(&out);
    btfpack_close(pack);
}

TEST_CASE("lookup: the remote callback answers what the pack lacks", "[lookup]") {
    Fixture f;
    f.set_host("fedora", "34", "x86_64", "5.11.12-300.fc34.x86_64");
    auto remote = tiny_btf("remote");
    struct btfpack_lookup_opts o = {};
    o.kernel_btf = "";
    o.pack = f.pack;
    o.host = &f.host;
    o.remote = remote_hit;
    o.remote_ctx = &remote;
    struct btfpack_btf out;
    char err[512];
    REQUIRE(btfpack_lookup(&o, &out, err, sizeof(err)) == BTFPACK_OK);
    CHECK(out.layer == BTFPACK_LAYER_REMOTE);
    CHECK(std::vector<uint8_t>(static_cast<uint8_t*>(out.data), static_cast<uint8_t*>(out.data) + out.size) == remote);
    btfpack_btf_free(&out);
}

// The lookup vectors both readers check (testdata/vectors/lookup.tsv, on packs/many-names.pack):
// which entry answers a host, or the exact miss message with the nearest kernels.
TEST_CASE("lookup: the shared lookup vectors", "[lookup]") {
    const std::string dir = std::string(BTFPACK_TESTDATA_DIR) + "/vectors";
    struct btfpack_pack* pack = nullptr;
    char err[1024];
    REQUIRE(btfpack_open_file((dir + "/packs/many-names.pack").c_str(), &pack, err, sizeof(err)) == BTFPACK_OK);
    std::ifstream in(dir + "/lookup.tsv");
    REQUIRE(in.good());
    size_t rows = 0;
    for (std::string line; std::getline(in, line);) {
        if (line.empty() || line[0] == '#') continue;
        INFO(line);
        std::vector<std::string> f;
        std::stringstream ss(line);
        for (std::string x; std::getline(ss, x, '\t');) f.push_back(x);
        REQUIRE(f.size() == 3);
        std::vector<std::string> h;
        std::stringstream hs(f[0]);
        for (std::string x; std::getline(hs, x, '/');) h.push_back(x);
        REQUIRE(h.size() == 4);
        struct btfpack_host host {};
        snprintf(host.distro, sizeof(host.distro), "%s", h[0].c_str());
        snprintf(host.version, sizeof(host.version), "%s", h[1].c_str());
        snprintf(host.arch, sizeof(host.arch), "%s", h[2].c_str());
        snprintf(host.kernel, sizeof(host.kernel), "%s", h[3].c_str());
        struct btfpack_lookup_opts o = {};
        o.kernel_btf = "";
        o.pack = pack;
        o.host = &host;
        struct btfpack_btf out;
        int rc = btfpack_lookup(&o, &out, err, sizeof(err));
        rows++;
        if (f[1] == "not_found") {
            CHECK(rc == BTFPACK_ERR_NOT_FOUND);
            CHECK(std::string(err) == f[2]);
            continue;
        }
        REQUIRE(f[1] == "pack");
        REQUIRE(rc == BTFPACK_OK);
        CHECK(out.layer == BTFPACK_LAYER_PACK);
        // the bytes are those of the expected entry
        std::vector<std::string> k;
        std::stringstream ks(f[2]);
        for (std::string x; std::getline(ks, x, '/');) k.push_back(x);
        size_t i;
        REQUIRE(btfpack_find(pack, k[0].c_str(), k[1].c_str(), k[2].c_str(), k[3].c_str(), &i) == BTFPACK_OK);
        void* want;
        size_t n;
        REQUIRE(btfpack_get_btf(pack, i, &want, &n, err, sizeof(err)) == BTFPACK_OK);
        CHECK((n == out.size && memcmp(want, out.data, n) == 0));
        free(want);
        btfpack_btf_free(&out);
    }
    CHECK(rows >= 10);
    btfpack_close(pack);
}
