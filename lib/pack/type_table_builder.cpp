// Type table building (see type_table_builder.h). Types are identified across BTFs by a content
// hash refined over their references (Weisfeiler-Lehman, cycles allowed), so equal types of
// different kernels share one record.
#include "pack/type_table_builder.h"

#include <bpf/btf.h>

#include <memory>

#include "btfpack/error.h"
#include "pack/compressed_section.h"
#include "reader/pack_format.h"
#include "reader/type_table.h"

// The reader spells BTF itself (it needs no kernel headers); it must agree with linux/btf.h.
static_assert(BTFPACK_BTF_MAGIC == BTF_MAGIC && BTFPACK_BTF_VERSION == BTF_VERSION &&
              BTFPACK_BTF_HEADER_SIZE == sizeof(struct btf_header) &&
              BTFPACK_BTF_TYPE_WORDS * sizeof(uint32_t) == sizeof(struct btf_type));
static_assert(BTFPACK_BTF_KIND_INT == BTF_KIND_INT && BTFPACK_BTF_KIND_PTR == BTF_KIND_PTR &&
              BTFPACK_BTF_KIND_ARRAY == BTF_KIND_ARRAY && BTFPACK_BTF_KIND_STRUCT == BTF_KIND_STRUCT &&
              BTFPACK_BTF_KIND_UNION == BTF_KIND_UNION && BTFPACK_BTF_KIND_ENUM == BTF_KIND_ENUM &&
              BTFPACK_BTF_KIND_FWD == BTF_KIND_FWD && BTFPACK_BTF_KIND_TYPEDEF == BTF_KIND_TYPEDEF &&
              BTFPACK_BTF_KIND_VOLATILE == BTF_KIND_VOLATILE && BTFPACK_BTF_KIND_CONST == BTF_KIND_CONST &&
              BTFPACK_BTF_KIND_RESTRICT == BTF_KIND_RESTRICT && BTFPACK_BTF_KIND_FUNC == BTF_KIND_FUNC &&
              BTFPACK_BTF_KIND_FUNC_PROTO == BTF_KIND_FUNC_PROTO && BTFPACK_BTF_KIND_VAR == BTF_KIND_VAR &&
              BTFPACK_BTF_KIND_DATASEC == BTF_KIND_DATASEC && BTFPACK_BTF_KIND_FLOAT == BTF_KIND_FLOAT &&
              BTFPACK_BTF_KIND_DECL_TAG == BTF_KIND_DECL_TAG && BTFPACK_BTF_KIND_TYPE_TAG == BTF_KIND_TYPE_TAG &&
              BTFPACK_BTF_KIND_ENUM64 == BTF_KIND_ENUM64);
static_assert(BTFPACK_BTF_ARRAY_WORDS * sizeof(uint32_t) == sizeof(struct btf_array) &&
              BTFPACK_BTF_MEMBER_WORDS * sizeof(uint32_t) == sizeof(struct btf_member) &&
              BTFPACK_BTF_ENUM_WORDS * sizeof(uint32_t) == sizeof(struct btf_enum) &&
              BTFPACK_BTF_PARAM_WORDS * sizeof(uint32_t) == sizeof(struct btf_param) &&
              BTFPACK_BTF_VAR_WORDS * sizeof(uint32_t) == sizeof(struct btf_var) &&
              BTFPACK_BTF_VAR_SECINFO_WORDS * sizeof(uint32_t) == sizeof(struct btf_var_secinfo) &&
              BTFPACK_BTF_DECL_TAG_WORDS * sizeof(uint32_t) == sizeof(struct btf_decl_tag) &&
              BTFPACK_BTF_ENUM64_WORDS * sizeof(uint32_t) == sizeof(struct btf_enum64));

namespace btfpack {
namespace {

uint64_t mix(uint64_t h, uint64_t v) {
    h ^= v + 0x9e3779b97f4a7c15ull + (h << 6) + (h >> 2);
    return h * 0xff51afd7ed558ccdull;
}

}  // namespace

TypeTableBuilder::Entry TypeTableBuilder::add(const std::vector<uint8_t>& bytes) {
    std::unique_ptr<struct btf, void (*)(struct btf*)> b(btf__new(bytes.data(), bytes.size()), btf__free);
    if (!b) throw Error("internal error: a minimized BTF does not parse");
    uint32_t n = btf__type_cnt(b.get());
    std::hash<std::string> hs;
    // each type's words (native order), local content hash (names by content, refs excluded)
    std::vector<const uint32_t*> rec(n);
    std::vector<uint32_t> words(n), kind(n);
    std::vector<uint64_t> local(n), h(n);
    for (uint32_t i = 1; i < n; i++) {
        const struct btf_type* t = btf__type_by_id(b.get(), i);
        rec[i] = reinterpret_cast<const uint32_t*>(t);
        kind[i] = btf_kind(t);
        words[i] = tt_record_words(kind[i], btf_vlen(t));
        if (!words[i]) throw Error("internal error: unsupported BTF kind in a minimized BTF");
        uint64_t x = mix(words[i], kind[i]);
        for (uint32_t w = 0; w < words[i]; w++) {
            enum tt_role role = tt_word_role(kind[i], w);
            if (role == TT_NAME) x = mix(x, hs(btf__name_by_offset(b.get(), rec[i][w])));
            else if (role == TT_DATA) x = mix(x, rec[i][w]);
            else x = mix(x, rec[i][w] == 0);
        }
        local[i] = h[i] = x;
    }
    for (int round = 0; round < 64; round++) {
        std::vector<uint64_t> next(h);
        for (uint32_t i = 1; i < n; i++) {
            uint64_t x = local[i];
            for (uint32_t w = 0; w < words[i]; w++)
                if (tt_word_role(kind[i], w) == TT_REF && rec[i][w] && rec[i][w] < n) x = mix(x, h[rec[i][w]]);
            next[i] = x;
        }
        if (next == h) break;
        h.swap(next);
    }
    // table index of every type, then records of the new ones (references need all indexes)
    std::vector<uint32_t> index(n);
    std::vector<bool> is_new(n);
    for (uint32_t i = 1; i < n; i++) {
        auto it = by_hash_.find(h[i]);
        if (it == by_hash_.end()) {
            it = by_hash_.emplace(h[i], uint32_t(records_.size())).first;
            records_.emplace_back();
            is_new[i] = true;
        }
        index[i] = it->second;
    }
    for (uint32_t i = 1; i < n; i++) {
        if (!is_new[i]) continue;
        std::vector<uint32_t>& r = records_[index[i]];
        for (uint32_t w = 0; w < words[i]; w++) {
            uint32_t v = rec[i][w];
            enum tt_role role = tt_word_role(kind[i], w);
            if (role == TT_NAME && v) {
                std::string s = btf__name_by_offset(b.get(), v);
                auto sit = string_ids_.find(s);
                if (sit == string_ids_.end()) {
                    sit = string_ids_.emplace(s, uint32_t(strings_.size())).first;
                    strings_.push_back(s);
                }
                v = s.empty() ? 0 : sit->second + 1;
            } else if (role == TT_REF && v) {
                if (v >= n) throw Error("internal error: dangling type reference in a minimized BTF");
                v = index[v] + 1;
            }
            r.push_back(v);
        }
    }
    Entry e{btf__endianness(b.get()) == BTF_BIG_ENDIAN, std::vector<uint32_t>(index.begin() + 1, index.end())};
    return e;
}

// Counts, record lengths, string lengths, string bytes, record words: lengths rather than
// offsets and strings before words compress best (measured: 6.1 KB -> 5.0 KB on a real archive).
std::vector<uint8_t> TypeTableBuilder::raw() const {
    using pf::put32;
    std::vector<uint8_t> out(BTFPACK_TT_LENGTHS);
    pf_wr32(&out[BTFPACK_TT_TYPE_COUNT], uint32_t(records_.size()));
    pf_wr32(&out[BTFPACK_TT_STRING_COUNT], uint32_t(strings_.size()));
    for (const auto& r : records_) put32(out, uint32_t(r.size()));
    for (const auto& s : strings_) put32(out, uint32_t(s.size()));
    for (const auto& s : strings_) out.insert(out.end(), s.begin(), s.end());
    for (const auto& r : records_)
        for (uint32_t w : r) put32(out, w);
    return out;
}

size_t TypeTableBuilder::raw_bytes() const { return raw().size(); }

std::vector<uint8_t> TypeTableBuilder::section() const { return compressed_section(raw(), "the type table"); }

}  // namespace btfpack
