// CoreRelocation: one CO-RE relocation record of a BPF object's .BTF.ext, as clang emitted it.
#pragma once
#include <cstdint>
#include <string>

namespace btfpack {

// Relocation kinds, numbered as in libbpf's enum bpf_core_relo_kind.
enum class CoreRelocKind : uint32_t {
    FieldByteOffset = 0,
    FieldByteSize = 1,
    FieldExists = 2,
    FieldSigned = 3,
    FieldLShiftU64 = 4,
    FieldRShiftU64 = 5,
    TypeIdLocal = 6,
    TypeIdTarget = 7,
    TypeExists = 8,
    TypeSize = 9,
    EnumValueExists = 10,
    EnumValueValue = 11,
    TypeMatches = 12,
};

// libbpf's short name of a kind ("byte_off", "type_matches", ...); "unknown" when out of range.
const char* core_reloc_kind_name(CoreRelocKind kind);
bool is_field_based(CoreRelocKind kind);
bool is_type_based(CoreRelocKind kind);
bool is_enumval_based(CoreRelocKind kind);

// One BPF instruction, decoded from the object's byte order (8 bytes, as in the object).
struct BpfInsn {
    uint8_t code;
    uint8_t dst_reg : 4;
    uint8_t src_reg : 4;
    int16_t off;
    int32_t imm;
};

struct CoreRelocation {
    uint32_t section_name_off;  // the section's name in the object's .BTF strings (BpfObject::section_name)
    uint32_t section_index;   // ELF section index of that section
    uint32_t index;           // position among the section's CO-RE records (libbpf's "relo #N")
    uint32_t insn_off;        // byte offset of the instruction in the section
    uint32_t type_id;         // root type id in the object's .BTF
    uint32_t access_str_off;  // the access string ("0:1:2") in the object's .BTF strings
    CoreRelocKind kind;
    BpfInsn insn{};         // the instruction it patches (zero if outside the section)
    BpfInsn next{};         // the one after it (an ldimm64's second half)
    bool has_next = false;  // next is inside the section
};

}  // namespace btfpack
