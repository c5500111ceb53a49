// A one-file ustar archive, xz-compressed in memory with liblzma (tar_xz.h).
#include "serve/tar_xz.h"

#include <lzma.h>

#include <cstdio>
#include <algorithm>
#include <cstring>

#include "btfpack/error.h"

namespace btfpack {

namespace {

std::vector<uint8_t> ustar_one_file(const std::string& name, const std::vector<uint8_t>& data) {
    if (name.empty() || name.size() > 100) throw Error("cannot write .tar.xz: file name '" + name + "' does not fit ustar");
    std::vector<uint8_t> tar(512, 0);
    uint8_t* h = tar.data();
    auto field = [&](size_t off, size_t len, const std::string& s) { std::memcpy(h + off, s.data(), std::min(len, s.size())); };
    auto octal = [&](size_t off, size_t len, unsigned long long v) {
        char buf[32];
        std::snprintf(buf, sizeof(buf), "%0*llo", int(len - 1), v);
        std::memcpy(h + off, buf, len - 1);
    };
    field(0, 100, name);
    octal(100, 8, 0644);
    octal(108, 8, 0);
    octal(116, 8, 0);
    octal(124, 12, data.size());
    octal(136, 12, 0);
    h[156] = '0';
    field(257, 6, std::string("ustar\0", 6));
    field(263, 2, "00");
    std::memset(h + 148, ' ', 8);
    unsigned sum = 0;
    for (size_t i = 0; i < 512; i++) sum += h[i];
    char chk[8];
    std::snprintf(chk, sizeof(chk), "%06o", sum);
    std::memcpy(h + 148, chk, 7);  // six digits, NUL, then the space already there
    tar.insert(tar.end(), data.begin(), data.end());
    tar.resize(tar.size() + (512 - data.size() % 512) % 512 + 1024, 0);  // padding + two zero blocks
    return tar;
}

}  // namespace

std::vector<uint8_t> single_file_tar_xz(const std::string& name, const std::vector<uint8_t>& data) {
    std::vector<uint8_t> tar = ustar_one_file(name, data);
    std::vector<uint8_t> out(lzma_stream_buffer_bound(tar.size()));
    size_t pos = 0;
    lzma_ret r = lzma_easy_buffer_encode(1, LZMA_CHECK_CRC64, nullptr, tar.data(), tar.size(), out.data(), &pos, out.size());
    if (r != LZMA_OK) throw Error("cannot write .tar.xz: liblzma error " + std::to_string(int(r)));
    out.resize(pos);
    return out;
}

}  // namespace btfpack
