// Type table building (see type_table_builder.h). Equal types of different kernels (same
// content, same types referenced, cycles allowed) share one record; a content hash only
// finds the candidates, the records themselves are compared (see add()).
#include "pack/type_table_builder.h"

#include <bpf/btf.h>

#include <algorithm>
#include <memory>
#include <string_view>

#include "btfpack/error.h"
#include "pack/type_table_compressor.h"
#include "reader/pack_format.h"
#include "reader/type_table.h"
#include "util/bisimulation.h"
#include "util/content_hash.h"

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

using pf::put32;

// A type's table record is found in two steps: its content hash (XXH3-64 refined over its
// references: equal for types that are the same, whatever BTF they come from) gives the
// candidates, and a comparison of the records themselves, walking their references in step
// (cycles allowed), decides. So a hash collision costs a comparison, never a wrong record:
// the table holds each distinct type once, and the result does not depend on the hash.
TypeTableBuilder::Entry TypeTableBuilder::add(const std::vector<uint8_t>& bytes) {
    std::unique_ptr<struct btf, void (*)(struct btf*)> b(btf__new(bytes.data(), bytes.size()), btf__free);
    if (!b) throw Error("internal error: a minimized BTF does not parse");
    const uint32_t n = btf__type_cnt(b.get());
    // each type's words (native order), kind, names
    std::vector<const uint32_t*> rec(n);
    std::vector<uint32_t> words(n), kind(n);
    auto name_of = [&](uint32_t off) -> std::string_view {
        const char* s = btf__name_by_offset(b.get(), off);
        return s ? std::string_view(s) : std::string_view();
    };
    for (uint32_t i = 1; i < n; i++) {
        const struct btf_type* t = btf__type_by_id(b.get(), i);
        rec[i] = reinterpret_cast<const uint32_t*>(t);
        kind[i] = btf_kind(t);
        words[i] = tt_record_words(kind[i], btf_vlen(t));
        if (!words[i]) throw Error("internal error: unsupported BTF kind in a minimized BTF");
        for (uint32_t w = 0; w < words[i]; w++)
            if (tt_word_role(kind[i], w) == TT_REF && rec[i][w] >= n)
                throw Error("internal error: dangling type reference in a minimized BTF");
    }
    // Own content (names by content, references only void or not): an exact key for the
    // classes of this BTF, and the bytes of the local hash.
    std::unordered_map<std::string_view, uint32_t> local_names;
    std::vector<std::vector<uint64_t>> key(n);
    std::vector<uint64_t> local(n), h(n);
    std::vector<uint8_t> buf;
    for (uint32_t i = 1; i < n; i++) {
        buf.clear();
        put32(buf, kind[i]);
        put32(buf, words[i]);
        key[i] = {kind[i], words[i]};
        for (uint32_t w = 0; w < words[i]; w++) {
            uint32_t v = rec[i][w];
            switch (tt_word_role(kind[i], w)) {
            case TT_NAME: {
                std::string_view s = name_of(v);
                put32(buf, uint32_t(s.size()));
                buf.insert(buf.end(), s.begin(), s.end());
                key[i].push_back(local_names.emplace(s, uint32_t(local_names.size())).first->second);
                break;
            }
            case TT_DATA: put32(buf, v), key[i].push_back(v); break;
            case TT_REF: put32(buf, v != 0), key[i].push_back(v != 0); break;
            }
        }
        local[i] = h[i] = content_hash(buf.data(), buf.size());
    }
    // content hash: refined over references until it stops changing (at most 64 rounds), a
    // function of the type's 64-deep unrolling only, so equal for the same type in any BTF.
    // Each type's non-void references are listed once; a round mixes (own hash, the
    // references' hashes) word by word (content_hash_words).
    std::vector<uint32_t> ref_begin(n + 1, 0), refs;
    for (uint32_t i = 1; i < n; i++) {
        ref_begin[i] = uint32_t(refs.size());
        for (uint32_t w = 0; w < words[i]; w++)
            if (tt_word_role(kind[i], w) == TT_REF && rec[i][w]) refs.push_back(rec[i][w]);
    }
    ref_begin[n] = uint32_t(refs.size());
    {
        std::vector<uint64_t> next(n);
        for (int round = 0; round < 64; round++) {
            bool changed = false;
            for (uint32_t i = 1; i < n; i++) {
                next[i] = content_hash_words(local[i], h.data(), refs.data() + ref_begin[i], ref_begin[i + 1] - ref_begin[i]);
                changed |= next[i] != h[i];
            }
            if (!changed) break;
            h.swap(next);
        }
    }
    // the exact classes of this BTF (bisimilar types: same record), no hash involved
    std::vector<uint32_t> cls(n, 0);
    if (n > 1) {
        std::vector<std::vector<uint32_t>> succ(n - 1);
        for (uint32_t i = 1; i < n; i++)
            for (uint32_t k = ref_begin[i]; k < ref_begin[i + 1]; k++) succ[i - 1].push_back(refs[k] - 1);
        std::vector<uint32_t> r = bisimulation_ranks(
            dense_ranks(n - 1, [&](uint32_t a, uint32_t c) { return key[a + 1] < key[c + 1]; }), succ);
        for (uint32_t i = 1; i < n; i++) cls[i] = r[i - 1];
    }
    uint32_t nclasses = 0;
    for (uint32_t i = 1; i < n; i++) nclasses = std::max(nclasses, cls[i] + 1);
    std::vector<uint32_t> rep(nclasses, 0);
    for (uint32_t i = n; i-- > 1;) rep[cls[i]] = i;  // first type of each class

    // A class and a table record are the same type if their records agree word for word
    // (names by content) and every pair of references reached in step does too. The table
    // holds each type once, so a class is the same as one record at most.
    constexpr uint32_t kNone = UINT32_MAX;
    std::vector<uint32_t> class_rec(nclasses, kNone);
    const uint32_t old_records = uint32_t(records_.size());
    auto same = [&](uint32_t c0, uint32_t r0) {
        std::vector<std::pair<uint32_t, uint32_t>> todo{{c0, r0}};
        std::unordered_map<uint32_t, uint32_t> assumed;  // class -> record, while walking
        while (!todo.empty()) {
            auto [c, r] = todo.back();
            todo.pop_back();
            if (class_rec[c] != kNone) {
                if (class_rec[c] != r) return false;
                continue;
            }
            auto [it, fresh] = assumed.emplace(c, r);
            if (!fresh) {
                if (it->second != r) return false;
                continue;
            }
            const uint32_t i = rep[c];
            const std::vector<uint32_t>& R = records_[r];
            if (R.size() != words[i]) return false;
            for (uint32_t w = 0; w < words[i]; w++) {
                uint32_t v = rec[i][w], x = R[w];
                switch (tt_word_role(kind[i], w)) {
                case TT_NAME:  // by content; the empty name is 0
                    if (name_of(v) != (x ? std::string_view(strings_[x - 1]) : std::string_view())) return false;
                    break;
                case TT_DATA:
                    if (v != x) return false;
                    break;
                case TT_REF:
                    if ((v == 0) != (x == 0)) return false;
                    if (v) {
                        if (x - 1 >= old_records) return false;
                        todo.emplace_back(cls[v], x - 1);
                    }
                    break;
                }
            }
        }
        for (const auto& [c, r] : assumed) class_rec[c] = r;  // all proven: a bisimulation
        return true;
    };
    // table index of every type (a new record for a class no record matches), then the
    // records of the new classes (references need all indexes)
    std::vector<uint32_t> index(n), new_classes;
    for (uint32_t i = 1; i < n; i++) {
        uint32_t c = cls[i];
        if (class_rec[c] == kNone) {
            auto range = by_hash_.equal_range(h[i]);
            bool found = false;
            for (auto it = range.first; it != range.second && !found; ++it) found = same(c, it->second);
            if (!found) {
                class_rec[c] = uint32_t(records_.size());
                records_.emplace_back();
                new_classes.push_back(c);
            }
        }
        index[i] = class_rec[c];
    }
    for (uint32_t c : new_classes) {
        const uint32_t i = rep[c];
        std::vector<uint32_t>& r = records_[class_rec[c]];
        for (uint32_t w = 0; w < words[i]; w++) {
            uint32_t v = rec[i][w];
            enum tt_role role = tt_word_role(kind[i], w);
            if (role == TT_NAME && !name_of(v).empty()) {
                std::string s(name_of(v));
                auto sit = string_ids_.find(s);
                if (sit == string_ids_.end()) {
                    sit = string_ids_.emplace(s, uint32_t(strings_.size())).first;
                    strings_.push_back(s);
                }
                v = sit->second + 1;
            } else if (role == TT_NAME) {
                v = 0;
            } else if (role == TT_REF && v) {
                v = index[v] + 1;
            }
            r.push_back(v);
        }
        by_hash_.emplace(h[i], class_rec[c]);
    }
    if (!new_classes.empty()) segment_ends_.emplace_back(uint32_t(records_.size()), uint32_t(strings_.size()));
    Entry e{btf__endianness(b.get()) == BTF_BIG_ENDIAN, std::vector<uint32_t>(index.begin() + 1, index.end())};
    return e;
}

// Four parts rather than records one after the other: lengths rather than offsets, strings
// apart from words compress best (measured: 6.1 KB -> 5.0 KB on a real archive); each part
// grows at its end, so it can be compressed while the table grows.
TypeTableBuilder::Parts TypeTableBuilder::segment(size_t i) const {
    uint32_t r0 = i ? segment_ends_[i - 1].first : 0, s0 = i ? segment_ends_[i - 1].second : 0;
    auto [r1, s1] = segment_ends_.at(i);
    Parts p;
    for (uint32_t r = r0; r < r1; r++) put32(p[BTFPACK_TT_PART_TYPE_WORDS], uint32_t(records_[r].size()));
    for (uint32_t k = s0; k < s1; k++) put32(p[BTFPACK_TT_PART_STRING_BYTES], uint32_t(strings_[k].size()));
    for (uint32_t k = s0; k < s1; k++) p[BTFPACK_TT_PART_CHARS].insert(p[BTFPACK_TT_PART_CHARS].end(), strings_[k].begin(), strings_[k].end());
    for (uint32_t r = r0; r < r1; r++)
        for (uint32_t w : records_[r]) put32(p[BTFPACK_TT_PART_RECORDS], w);
    return p;
}

size_t TypeTableBuilder::raw_bytes() const {  // the four parts' sizes, without making them
    size_t n = BTFPACK_TT_LENGTH_SIZE * (records_.size() + strings_.size());
    for (const auto& s : strings_) n += s.size();
    for (const auto& r : records_) n += BTFPACK_TT_WORD_SIZE * r.size();
    return n;
}

std::vector<uint8_t> TypeTableBuilder::section() const {
    TypeTableCompressor z(false);
    for (size_t i = 0; i < segments(); i++) z.append(segment(i));
    return z.finish();
}

}  // namespace btfpack
