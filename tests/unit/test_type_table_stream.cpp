// The type table compressed while it grows (FrameStream, TypeTableCompressor, SerialWorker,
// PackWriter): the same bytes as compressed at the end, standard zstd frames with their
// content size, and packs that read back whatever order and timing kernels come in.
#include <catch2/catch.hpp>
#include <zstd.h>

#include <atomic>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <bpf/btf.h>

#include "btfpack/pack_writer.h"
#include "btfpack/reader.h"
#include "pack/frame_stream.h"
#include "pack/type_table_builder.h"
#include "pack/type_table_compressor.h"
#include "util/serial_worker.h"

using namespace btfpack;

namespace {

// A BTF of n structs (n > 0) with `variant` in their member offsets; n = 0: no types at all.
std::vector<uint8_t> struct_btf(int n, int variant) {
    struct btf* b = btf__new_empty();
    int i = n ? btf__add_int(b, "int", 4, BTF_INT_SIGNED) : 0;
    for (int k = 0; k < n; k++) {
        btf__add_struct(b, ("s" + std::to_string(k)).c_str(), 64);
        btf__add_field(b, "a", i, 32 * uint32_t((k + variant) % 7), 0);
        btf__add_field(b, ("f" + std::to_string(variant)).c_str(), i, 0, 0);
    }
    uint32_t sz;
    const uint8_t* raw = static_cast<const uint8_t*>(btf__raw_data(b, &sz));
    std::vector<uint8_t> out(raw, raw + sz);
    btf__free(b);
    return out;
}

std::vector<uint8_t> decompress(const std::vector<uint8_t>& frame) {
    unsigned long long n = ZSTD_getFrameContentSize(frame.data(), frame.size());
    REQUIRE(n != ZSTD_CONTENTSIZE_UNKNOWN);
    REQUIRE(n != ZSTD_CONTENTSIZE_ERROR);
    std::vector<uint8_t> out(n + 1);
    size_t got = ZSTD_decompress(out.data(), out.size(), frame.data(), frame.size());
    REQUIRE(!ZSTD_isError(got));
    out.resize(got);
    return out;
}

std::vector<uint8_t> btf_of(const struct btfpack_pack* p, size_t i) {
    void* d = nullptr;
    size_t n = 0;
    char err[256] = "";
    int rc = btfpack_get_btf(p, i, &d, &n, err, sizeof(err));
    INFO(err);
    REQUIRE(rc == BTFPACK_OK);
    std::vector<uint8_t> out(static_cast<uint8_t*>(d), static_cast<uint8_t*>(d) + n);
    free(d);
    return out;
}

}  // namespace

TEST_CASE("FrameStream: one standard frame naming its content size, whatever the appends and flushes", "[pack][stream]") {
    std::mt19937 rng(7);
    std::vector<uint8_t> data;
    std::vector<std::string> words;  // compressible, not trivially
    for (int w = 0; w < 500; w++) words.push_back(std::to_string(rng()) + (w % 3 ? "_struct" : "_field"));
    while (data.size() < 300000) {
        const std::string& w = words[rng() % words.size()];
        data.insert(data.end(), w.begin(), w.end());
    }
    for (size_t chunk : {size_t(1) << 20, size_t(5000), size_t(777)}) {
        FrameStream z("test data", 16, 8 << 10);
        for (size_t o = 0; o < data.size(); o += chunk) z.append(data.data() + o, std::min(chunk, data.size() - o));
        CHECK(z.raw_size() == data.size());
        std::vector<uint8_t> frame = z.finish();
        CHECK(frame.size() < data.size() / 2);
        CHECK(decompress(frame) == data);
    }
    FrameStream empty("nothing", 14, 4096);
    std::vector<uint8_t> frame = empty.finish();
    CHECK(ZSTD_getFrameContentSize(frame.data(), frame.size()) == 0);
    CHECK(decompress(frame).empty());
}

TEST_CASE("the type table compressed in the background is the table compressed at the end", "[pack][stream]") {
    TypeTableBuilder tt;
    TypeTableCompressor background(true);
    for (int v = 0; v < 30; v++) {
        size_t before = tt.segments();
        tt.add(struct_btf(40 + v, v));
        if (tt.segments() > before) background.append(tt.segment(before));
    }
    CHECK(tt.segments() > 10);
    CHECK(background.segments() == tt.segments());
    size_t raw = 0;
    for (size_t i = 0; i < tt.segments(); i++)
        for (const auto& part : tt.segment(i)) raw += part.size();
    CHECK(tt.raw_bytes() == raw);
    CHECK(background.finish() == tt.section());
}

TEST_CASE("SerialWorker runs tasks in order and reports the first error at wait", "[pack][stream]") {
    std::vector<int> seen;
    {
        SerialWorker w;
        for (int i = 0; i < 100; i++) w.post([&seen, i] { seen.push_back(i); });
        w.wait();
        CHECK(seen.size() == 100);
        for (int i = 0; i < 100; i++) CHECK(seen[size_t(i)] == i);
        w.post([] { throw std::runtime_error("first"); });
        w.post([] { throw std::runtime_error("second"); });
        w.post([&seen] { seen.push_back(-1); });  // skipped after the error
        CHECK_THROWS_WITH(w.wait(), "first");
    }
    CHECK(seen.size() == 100);
    std::atomic<int> ran{0};
    {
        SerialWorker w;  // destroyed with tasks queued: no hang, no crash
        for (int i = 0; i < 1000; i++) w.post([&ran] { ran++; });
    }
    CHECK(ran <= 1000);
}

TEST_CASE("packs read back in any add order, with kernels added after a serialize, and without types", "[pack][stream]") {
    auto key = [](int i) { return KernelKey{"debian", "12", "x86_64", "6.1.0-" + std::to_string(10 + i) + "-amd64"}; };
    std::vector<std::vector<uint8_t>> btfs;
    for (int i = 0; i < 12; i++) btfs.push_back(struct_btf(20 + i % 5, i % 4));
    PackWriter in_order, reversed;
    for (int i = 0; i < 12; i++) in_order.add_kernel(key(i), btfs[size_t(i)], 1);
    for (int i = 12; i-- > 0;) reversed.add_kernel(key(i), btfs[size_t(i)], 1);
    std::vector<uint8_t> a = in_order.serialize();
    CHECK(reversed.serialize() == a);  // any order gives the same bytes
    CHECK(in_order.serialize() == a);  // serialize twice: the finished stream is kept

    // more kernels after a serialize: compressed afresh, the new ones included
    in_order.add_kernel(key(12), struct_btf(60, 9), 1);
    std::vector<uint8_t> b = in_order.serialize();
    struct btfpack_pack* p = nullptr;
    char err[256] = "";
    REQUIRE(btfpack_open_memory(b.data(), b.size(), &p, err, sizeof(err)) == BTFPACK_OK);
    REQUIRE(btfpack_count(p) == 13);
    CHECK(btf_of(p, 12) == struct_btf(60, 9));
    CHECK(btf_of(p, 3) == btfs[3]);
    btfpack_close(p);

    // a BTF without any type: four empty parts
    PackWriter none;
    none.add_kernel(key(0), struct_btf(0, 0), 1);
    std::vector<uint8_t> c = none.serialize();
    REQUIRE(btfpack_open_memory(c.data(), c.size(), &p, err, sizeof(err)) == BTFPACK_OK);
    CHECK(btf_of(p, 0) == struct_btf(0, 0));
    btfpack_close(p);
}
