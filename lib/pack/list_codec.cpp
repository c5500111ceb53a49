// List coding (see list_codec.h). The delta is a greedy alignment: for each run of the target,
// the nearest later occurrence of its first item in the base (within a small window) is copied
// from; items with no such occurrence are inserted.
#include "pack/list_codec.h"

#include <algorithm>
#include <unordered_map>

#include "reader/pack_format.h"

namespace btfpack {
namespace {

constexpr size_t kWindow = 64;       // how far ahead in the base a match may be
constexpr size_t kCandidates = 16;   // how many previous lists are tried as base

using pf::put_varint;

uint8_t flags(bool big_endian, bool delta) {
    return uint8_t((big_endian ? BTFPACK_LIST_BIG_ENDIAN : 0) | (delta ? BTFPACK_LIST_DELTA : 0));
}

}  // namespace

std::vector<uint8_t> encode_plain_list(bool big_endian, const std::vector<uint32_t>& ids) {
    std::vector<uint8_t> out{flags(big_endian, false)};
    put_varint(out, uint32_t(ids.size()));
    for (uint32_t id : ids) put_varint(out, id);
    return out;
}

std::vector<uint8_t> encode_delta_list(bool big_endian, uint32_t base_blob, const std::vector<uint32_t>& base,
                                       const std::vector<uint32_t>& ids) {
    std::unordered_map<uint32_t, std::vector<size_t>> where;
    for (size_t k = 0; k < base.size(); k++) where[base[k]].push_back(k);
    auto find = [&](uint32_t v, size_t from) -> long {
        auto it = where.find(v);
        if (it == where.end()) return -1;
        auto p = std::lower_bound(it->second.begin(), it->second.end(), from);
        return p != it->second.end() && *p - from <= kWindow ? long(*p) : -1;
    };
    std::vector<uint8_t> out{flags(big_endian, true)};
    put_varint(out, base_blob);
    put_varint(out, uint32_t(ids.size()));
    size_t cursor = 0, i = 0;
    while (i < ids.size()) {
        uint32_t skip = 0, copy = 0;
        long p = find(ids[i], cursor);
        if (p >= 0) {
            skip = uint32_t(size_t(p) - cursor);
            cursor = size_t(p);
            while (cursor < base.size() && i < ids.size() && base[cursor] == ids[i]) cursor++, i++, copy++;
        }
        std::vector<uint32_t> ins;
        while (i < ids.size() && find(ids[i], cursor) < 0) ins.push_back(ids[i++]);
        put_varint(out, skip);
        put_varint(out, copy);
        put_varint(out, uint32_t(ins.size()));
        for (uint32_t v : ins) put_varint(out, v);
    }
    return out;
}

std::vector<std::vector<uint8_t>> encode_lists(const std::vector<bool>& big_endian,
                                               const std::vector<std::vector<uint32_t>>& ids) {
    std::vector<std::vector<uint8_t>> out(ids.size());
    std::vector<int> depth(ids.size(), 0);
    for (size_t b = 0; b < ids.size(); b++) {
        out[b] = encode_plain_list(big_endian[b], ids[b]);
        for (size_t j = b > kCandidates ? b - kCandidates : 0; j < b; j++) {
            if (depth[j] + 1 >= BTFPACK_MAX_DELTA_DEPTH) continue;
            std::vector<uint8_t> d = encode_delta_list(big_endian[b], uint32_t(j), ids[j], ids[b]);
            if (d.size() < out[b].size()) {
                out[b] = std::move(d);
                depth[b] = depth[j] + 1;
            }
        }
    }
    return out;
}

}  // namespace btfpack
