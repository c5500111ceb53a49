// Names and classes of CO-RE relocation kinds, as libbpf spells them.
#include "btfpack/core_relocation.h"

namespace btfpack {

const char* core_reloc_kind_name(CoreRelocKind kind) {
    switch (kind) {
    case CoreRelocKind::FieldByteOffset: return "byte_off";
    case CoreRelocKind::FieldByteSize: return "byte_sz";
    case CoreRelocKind::FieldExists: return "field_exists";
    case CoreRelocKind::FieldSigned: return "signed";
    case CoreRelocKind::FieldLShiftU64: return "lshift_u64";
    case CoreRelocKind::FieldRShiftU64: return "rshift_u64";
    case CoreRelocKind::TypeIdLocal: return "local_type_id";
    case CoreRelocKind::TypeIdTarget: return "target_type_id";
    case CoreRelocKind::TypeExists: return "type_exists";
    case CoreRelocKind::TypeMatches: return "type_matches";
    case CoreRelocKind::TypeSize: return "type_size";
    case CoreRelocKind::EnumValueExists: return "enumval_exists";
    case CoreRelocKind::EnumValueValue: return "enumval_value";
    }
    return "unknown";
}

bool is_field_based(CoreRelocKind k) { return uint32_t(k) <= uint32_t(CoreRelocKind::FieldRShiftU64); }
bool is_type_based(CoreRelocKind k) {
    return (k >= CoreRelocKind::TypeIdLocal && k <= CoreRelocKind::TypeSize) || k == CoreRelocKind::TypeMatches;
}
bool is_enumval_based(CoreRelocKind k) {
    return k == CoreRelocKind::EnumValueExists || k == CoreRelocKind::EnumValueValue;
}

}  // namespace btfpack
