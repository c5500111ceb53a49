// ByteReader: bounds-checked reads of integers in a given byte order from a byte span.
#pragma once
#include <cstddef>
#include <cstdint>

namespace btfpack {

class ByteReader {
public:
    ByteReader(const uint8_t* data, size_t size, bool big_endian)
        : data_(data), size_(size), big_endian_(big_endian) {}

    size_t size() const { return size_; }
    bool has(uint64_t off, uint64_t len) const { return off <= size_ && len <= size_ - off; }

    // Callers check has() first; these read without checking.
    uint64_t uint(uint64_t off, int bytes) const {
        uint64_t v = 0;
        for (int i = 0; i < bytes; i++) {
            int shift = big_endian_ ? 8 * (bytes - 1 - i) : 8 * i;
            v |= uint64_t(data_[off + i]) << shift;
        }
        return v;
    }
    uint16_t u16(uint64_t off) const { return uint16_t(uint(off, 2)); }
    uint32_t u32(uint64_t off) const { return uint32_t(uint(off, 4)); }
    uint64_t u64(uint64_t off) const { return uint(off, 8); }

private:
    const uint8_t* data_;
    size_t size_;
    bool big_endian_;
};

}  // namespace btfpack
