// The one hash btfpack uses to index content: XXH3-64 (seed 0) of a byte string. It is only
// ever an index: every hash match is confirmed by comparing the content itself, so no output
// byte depends on it (docs/MINIMIZATION.md). Building with -DBTFPACK_HASH_BITS=n (CMake option
// of the same name; tests/CMakeLists.txt builds such a binary with n = 4) keeps only the low n
// bits, so that collisions are everywhere and the tests can prove that outputs do not change.
#pragma once
#include <cstddef>
#include <cstdint>

#ifndef XXH_INLINE_ALL
#define XXH_INLINE_ALL
#endif
#include <xxhash.h>

#ifndef BTFPACK_HASH_BITS
#define BTFPACK_HASH_BITS 64
#endif
#if BTFPACK_HASH_BITS < 1 || BTFPACK_HASH_BITS > 64
#error "BTFPACK_HASH_BITS must be 1..64"
#endif

namespace btfpack {

// The low BTFPACK_HASH_BITS bits of h (all of them by default).
inline uint64_t hash_bits(uint64_t h) {
#if BTFPACK_HASH_BITS < 64
    h &= (uint64_t(1) << BTFPACK_HASH_BITS) - 1;
#endif
    return h;
}

inline uint64_t content_hash(const void* data, size_t size) { return hash_bits(XXH3_64bits(data, size)); }

// The hash of a hash followed by n hashes (rest[index[0]], ..., rest[index[n-1]]), without
// gathering them into a buffer: each mixed in turn (multiply-xorshift), then the splitmix64
// finalizer. Order matters; masked as content_hash.
inline uint64_t content_hash_words(uint64_t first, const uint64_t* rest, const uint32_t* index, size_t n) {
    uint64_t h = first ^ 0x9E3779B97F4A7C15ull;
    for (size_t k = 0; k < n; k++) {
        h = (h ^ rest[index[k]]) * 0xBF58476D1CE4E5B9ull;
        h ^= h >> 29;
    }
    h ^= n;
    h ^= h >> 30;
    h *= 0xBF58476D1CE4E5B9ull;
    h ^= h >> 27;
    h *= 0x94D049BB133111EBull;
    h ^= h >> 31;
    return hash_bits(h);
}

}  // namespace btfpack
