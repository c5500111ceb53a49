// ByteReader: bounds-checked reads of integers in a given byte order from a byte span.
#pragma once
#include <cstddef>
#include <cstdint>
#include <cstring>

namespace btfpack {

class ByteReader {
public:
    ByteReader(const uint8_t* data, size_t size, bool big_endian)
        : data_(data), size_(size), big_endian_(big_endian) {}

    size_t size() const { return size_; }
    bool has(uint64_t off, uint64_t len) const { return off <= size_ && len <= size_ - off; }

    // Callers check has() first; these read without checking.
    uint64_t uint(uint64_t off, int bytes) const {
        switch (bytes) {
        case 1: return data_[off];
        case 2: return u16(off);
        case 4: return u32(off);
        case 8: return u64(off);
        }
        uint64_t v = 0;
        for (int i = 0; i < bytes; i++) {
            int shift = big_endian_ ? 8 * (bytes - 1 - i) : 8 * i;
            v |= uint64_t(data_[off + i]) << shift;
        }
        return v;
    }
    uint16_t u16(uint64_t off) const { return load<uint16_t>(off); }
    uint32_t u32(uint64_t off) const { return load<uint32_t>(off); }
    uint64_t u64(uint64_t off) const { return load<uint64_t>(off); }

private:
    template <class T>
    T load(uint64_t off) const {
        T v;
        std::memcpy(&v, data_ + off, sizeof(T));
        bool swap = big_endian_ != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__);
        if (!swap) return v;
        if constexpr (sizeof(T) == 2) return T(__builtin_bswap16(v));
        else if constexpr (sizeof(T) == 4) return T(__builtin_bswap32(v));
        else return T(__builtin_bswap64(v));
    }

    const uint8_t* data_;
    size_t size_;
    bool big_endian_;
};

}  // namespace btfpack
