// libbpf 1.1's CO-RE matching rules (relo_core.c semantics), written for btfpack, with every
// read of the target BTF reported to an optional ObservedFacts so the minimizer can keep it.
#pragma once
#include <bpf/btf.h>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <new>
#include <string>
#include <string_view>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "btfpack/core_relocation.h"
#include "btfpack/observed_facts.h"

namespace btfpack {

constexpr int kCoreSpecMaxLen = 64;

struct CoreAccessor {
    uint32_t type_id = 0;
    uint32_t idx = 0;
    const char* name = nullptr;  // null for array / root accessors
};

// A vector whose first N elements are stored inline: specs are made and copied for every
// candidate of every relocation and are short (a few accessors), so they rarely
// allocate. libbpf's bound on their length (kCoreSpecMaxLen) is checked by the callers.
template <class T, size_t N>
class SmallVector {
    static_assert(std::is_trivially_copyable<T>::value, "elements are copied as bytes");

public:
    SmallVector() = default;
    SmallVector(const SmallVector& o) { *this = o; }
    SmallVector& operator=(const SmallVector& o) {
        if (this == &o) return *this;
        n_ = o.n_;
        if (n_ > N) heap_.assign(o.data(), o.data() + n_);
        else std::memcpy(buf_, o.data(), n_ * sizeof(T));
        return *this;
    }
    size_t size() const { return n_; }
    bool empty() const { return n_ == 0; }
    void push_back(const T& x) {
        if (n_ == N) heap_.assign(inline_data(), inline_data() + N);  // spill
        if (n_ >= N) heap_.push_back(x);
        else std::memcpy(&buf_[n_], &x, sizeof(T));
        n_++;
    }
    void pop_back() {
        if (n_ > N) heap_.pop_back();
        if (--n_ == N) std::memcpy(buf_, heap_.data(), N * sizeof(T));  // back inline
    }
    T& operator[](size_t i) { return const_cast<T*>(data())[i]; }
    const T& operator[](size_t i) const { return data()[i]; }
    T& back() { return (*this)[n_ - 1]; }
    const T& back() const { return (*this)[n_ - 1]; }
    const T* data() const { return n_ > N ? heap_.data() : inline_data(); }
    const T* begin() const { return data(); }
    const T* end() const { return data() + n_; }

private:
    const T* inline_data() const { return std::launder(reinterpret_cast<const T*>(buf_)); }
    uint32_t n_ = 0;
    typename std::aligned_storage<sizeof(T), alignof(T)>::type buf_[N];  // elements 0..N-1 when n_ <= N
    std::vector<T> heap_;                                                // all elements when n_ > N
};

struct CoreSpec {
    const struct btf* btf = nullptr;
    uint32_t root_type_id = 0;
    CoreRelocKind kind = CoreRelocKind::FieldByteOffset;
    SmallVector<CoreAccessor, 4> spec;  // high-level accessors
    SmallVector<int, 6> raw_spec;       // raw indices, incl. anonymous members
    uint32_t bit_offset = 0;
};

// The members of a target BTF's structs and unions by exact name, built per type on first use,
// so that finding a member of a struct with hundreds of them is not a scan.
class MemberNameIndex {
public:
    struct Members {
        std::unordered_map<std::string_view, int> first;  // name -> index of the first member so named
        std::vector<int> anonymous;                        // indices of unnamed members, in order
    };
    explicit MemberNameIndex(const struct btf* btf) : btf_(btf) {}
    const Members& of(uint32_t type_id, const struct btf_type* t);
    // An enum's enumerators by essential (flavor-stripped) name -> index of the first so named.
    const std::unordered_map<std::string_view, int>& enumerators(uint32_t type_id, const struct btf_type* t);

private:
    const struct btf* btf_;
    std::unordered_map<uint32_t, Members> by_type_;
    std::unordered_map<uint32_t, std::unordered_map<std::string_view, int>> enums_;
};

// A target BTF plus where to record what is read of it (obs may be null) and, optionally, its
// member index (names must index the same btf).
struct Target {
    const struct btf* btf;
    ObservedFacts* obs;
    MemberNameIndex* names = nullptr;
};

size_t essential_name_len(const char* name);
const struct btf_type* skip_mods_and_typedefs(const struct btf* btf, uint32_t id, uint32_t* res_id);
// btf__resolve_size, reporting what it read; value_read=false when only success matters.
int64_t resolve_size(const Target& t, uint32_t id, bool value_read = true);
// Marks the bit offsets along a matched target spec as read.
void observe_spec_offsets(const CoreSpec& targ_spec, ObservedFacts* obs);
const char* btf_kind_name(const struct btf_type* t);

int parse_local_spec(const struct btf* local, const CoreRelocation& relo, CoreSpec* spec);
std::string format_spec(const CoreSpec& spec);

int types_are_compat(const struct btf* local, uint32_t local_id, const Target& targ, uint32_t targ_id, int level = 32);
int types_match(const struct btf* local, uint32_t local_id, const Target& targ, uint32_t targ_id,
                bool behind_ptr = false, int level = 32);
int fields_are_compat(const struct btf* local, uint32_t local_id, const Target& targ, uint32_t targ_id);
// 1 match, 0 no match, <0 error; fills targ_spec.
int spec_match(const CoreSpec& local_spec, const Target& targ, uint32_t targ_id, CoreSpec* targ_spec);

}  // namespace btfpack
