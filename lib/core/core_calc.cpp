// Relocation values and instruction patching with libbpf 1.1's semantics (see core_calc.h).
#include "core/core_calc.h"

#include <cerrno>
#include <climits>

namespace btfpack {
namespace {

constexpr int kEuclean = -EUCLEAN;  // "poison this instruction"

// spec null: no target. obs: where target reads are recorded (null for the local spec).
int calc_field_relo(const CoreRelocation& relo, const CoreSpec* spec, const Target* obs, bool big_endian,
                    uint64_t* val, uint32_t* field_sz, uint32_t* type_id, bool* validate) {
    *field_sz = 0;
    if (relo.kind == CoreRelocKind::FieldExists) {
        *val = spec ? 1 : 0;
        return 0;
    }
    if (!spec) return kEuclean;
    Target tg{spec->btf, obs ? obs->obs : nullptr};
    const CoreAccessor& acc = spec->spec.back();
    const struct btf_type* t = btf__type_by_id(spec->btf, acc.type_id);
    if (!acc.name) {
        int64_t sz;
        if (relo.kind == CoreRelocKind::FieldByteOffset) {
            *val = spec->bit_offset / 8;
            observe_spec_offsets(*spec, tg.obs);
            sz = resolve_size(tg, acc.type_id);
            if (sz < 0) return -EINVAL;
            *field_sz = uint32_t(sz);
            *type_id = acc.type_id;
        } else if (relo.kind == CoreRelocKind::FieldByteSize) {
            sz = resolve_size(tg, acc.type_id);
            if (sz < 0) return -EINVAL;
            *val = uint64_t(sz);
        } else {
            return -EINVAL;  // "can't be applied to array access" (no "relo #" in libbpf's message)
        }
        if (validate) *validate = true;
        return 0;
    }
    const struct btf_member* m = btf_members(t) + acc.idx;
    uint32_t field_type_id;
    const struct btf_type* mt = skip_mods_and_typedefs(spec->btf, m->type, &field_type_id);
    uint32_t bit_off = spec->bit_offset;
    uint32_t bit_sz = btf_member_bitfield_size(t, acc.idx);
    if (tg.obs) {
        tg.obs->member(acc.type_id, acc.idx, kMemberBitsize | kMemberType);
        if (field_type_id) tg.obs->keep(field_type_id);
    }
    bool bitfield = bit_sz > 0;
    uint32_t byte_sz, byte_off;
    if (bitfield) {
        if (tg.obs) {
            observe_spec_offsets(*spec, tg.obs);
            tg.obs->keep(field_type_id).size = true;
        }
        byte_sz = mt->size;
        if (byte_sz == 0) return -EINVAL;  // a bitfield of a 0-byte integer: no valid BTF has one
        byte_off = bit_off / 8 / byte_sz * byte_sz;
        while (bit_off + bit_sz - byte_off * 8 > byte_sz * 8) {
            if (byte_sz >= 8) return -E2BIG;  // libbpf: "can't be satisfied for bitfield" (no "relo #")
            byte_sz *= 2;
            byte_off = bit_off / 8 / byte_sz * byte_sz;
        }
    } else {
        bool value_read = relo.kind != CoreRelocKind::FieldSigned;
        int64_t sz = resolve_size(tg, field_type_id, value_read);
        if (sz < 0) return -EINVAL;
        byte_sz = uint32_t(sz);
        byte_off = spec->bit_offset / 8;
        bit_sz = byte_sz * 8;
        if (relo.kind == CoreRelocKind::FieldByteOffset || relo.kind == CoreRelocKind::FieldLShiftU64)
            observe_spec_offsets(*spec, tg.obs);
    }
    if (validate) *validate = !bitfield;
    switch (relo.kind) {
    case CoreRelocKind::FieldByteOffset:
        *val = byte_off;
        if (!bitfield) {
            *field_sz = byte_sz;
            *type_id = field_type_id;
        }
        break;
    case CoreRelocKind::FieldByteSize:
        *val = byte_sz;
        break;
    case CoreRelocKind::FieldSigned:
        *val = (btf_is_any_enum(mt) && btf_kflag(mt)) || (btf_int_encoding(mt) & BTF_INT_SIGNED);
        if (validate) *validate = true;
        break;
    case CoreRelocKind::FieldLShiftU64:
        if (!big_endian) *val = 64 - (bit_off + bit_sz - byte_off * 8);
        else *val = (8 - byte_sz) * 8 + (bit_off - byte_off * 8);
        break;
    case CoreRelocKind::FieldRShiftU64:
        *val = 64 - bit_sz;
        if (validate) *validate = true;
        break;
    default:
        return -EOPNOTSUPP;
    }
    return 0;
}

int calc_type_relo(const CoreRelocation& relo, const CoreSpec* spec, const Target* obs, uint64_t* val, bool* validate) {
    if (validate) *validate = true;
    if (!spec) {
        *val = 0;
        return 0;
    }
    switch (relo.kind) {
    case CoreRelocKind::TypeIdTarget:
        *val = spec->root_type_id;
        if (validate) *validate = false;
        break;
    case CoreRelocKind::TypeExists:
    case CoreRelocKind::TypeMatches:
        *val = 1;
        break;
    case CoreRelocKind::TypeSize: {
        Target tg{spec->btf, obs ? obs->obs : nullptr};
        int64_t sz = resolve_size(tg, spec->root_type_id);
        if (sz < 0) return -EINVAL;
        *val = uint64_t(sz);
        break;
    }
    default:
        return -EOPNOTSUPP;
    }
    return 0;
}

int calc_enumval_relo(const CoreRelocation& relo, const CoreSpec* spec, const Target* obs, uint64_t* val) {
    switch (relo.kind) {
    case CoreRelocKind::EnumValueExists:
        *val = spec ? 1 : 0;
        break;
    case CoreRelocKind::EnumValueValue: {
        if (!spec) return kEuclean;
        const CoreAccessor& a = spec->spec[0];
        const struct btf_type* t = btf__type_by_id(spec->btf, a.type_id);
        if (obs && obs->obs) obs->obs->member(a.type_id, a.idx, kMemberName | kEnumValue);
        if (btf_is_enum(t)) *val = uint64_t(int64_t(btf_enum(t)[a.idx].val));
        else *val = btf_enum64_value(btf_enum64(t) + a.idx);
        break;
    }
    default:
        return -EOPNOTSUPP;
    }
    return 0;
}

int bpf_size_bytes(uint8_t code) {
    switch (code & 0x18) {
    case 0x18: return 8;
    case 0x00: return 4;
    case 0x08: return 2;
    case 0x10: return 1;
    }
    return -1;
}

bool is_ldimm64(const BpfInsn& i) { return i.code == 0x18; }

RelocEvent event(RelocEventKind kind, int insn, InsnClass cls = InsnClass::Alu, uint64_t a = 0, uint64_t b = 0,
                 uint64_t c = 0) {
    RelocEvent ev;
    ev.kind = kind;
    ev.insn = insn;
    ev.insn_class = cls;
    ev.a = a;
    ev.b = b;
    ev.c = c;
    return ev;
}

}  // namespace

// Rule (libbpf bpf_core_calc_relo): the relocation's value against the local spec (what the
// compiler emitted) and against the matched target spec: field byte offset/size/existence/
// signedness/shifts (bitfields loaded as the smallest aligned power-of-two chunk), type id/
// existence/size/match, enumerator existence/value; no target means 0 for "exists" kinds and a
// poisoned instruction otherwise. A load whose memory size changes is allowed only for pointers
// and unsigned ints.
// records: the bit offsets, bitfield sizes, member types and sizes, enumerator values read
// (rows "bit offset used", "bitfield size read", "btf__resolve_size value", "enum value read").
int calc_relo(const CoreRelocation& relo, const CoreSpec& local_spec, const CoreSpec* targ_spec, const Target& targ,
              bool big_endian, RelocResult* res, RelocEvents* log) {
    *res = RelocResult();
    int err = -EOPNOTSUPP;
    if (is_field_based(relo.kind)) {
        err = calc_field_relo(relo, &local_spec, nullptr, big_endian, &res->orig_val, &res->orig_sz, &res->orig_type_id,
                              &res->validate);
        if (!err)
            err = calc_field_relo(relo, targ_spec, &targ, big_endian, &res->new_val, &res->new_sz, &res->new_type_id,
                                  nullptr);
        if (!err) {
            res->fail_memsz_adjust = false;
            if (res->orig_sz != res->new_sz) {
                const struct btf_type* ot = btf__type_by_id(local_spec.btf, res->orig_type_id);
                const struct btf_type* nt = btf__type_by_id(targ_spec->btf, res->new_type_id);
                if (btf_is_ptr(ot) && btf_is_ptr(nt)) goto done;
                if (btf_is_int(ot) && btf_is_int(nt) && btf_int_encoding(ot) != BTF_INT_SIGNED &&
                    btf_int_encoding(nt) != BTF_INT_SIGNED)
                    goto done;
                res->fail_memsz_adjust = true;
            }
        }
    } else if (is_type_based(relo.kind)) {
        err = calc_type_relo(relo, &local_spec, nullptr, &res->orig_val, &res->validate);
        if (!err) err = calc_type_relo(relo, targ_spec, &targ, &res->new_val, nullptr);
    } else if (is_enumval_based(relo.kind)) {
        err = calc_enumval_relo(relo, &local_spec, nullptr, &res->orig_val);
        if (!err) err = calc_enumval_relo(relo, targ_spec, &targ, &res->new_val);
    }
done:
    if (err == kEuclean) {
        res->poison = true;
        err = 0;
    } else if (err == -EOPNOTSUPP) {
        log->push_back(event(RelocEventKind::UnrecognizedKind, 0));  // insn: the relocation's
    }
    return err;
}

// Rule (libbpf bpf_core_patch_insn): ALU immediates, LDX/ST/STX offsets (and memory size, within
// 1/2/4/8 bytes) and LDIMM64 values are replaced, after checking the instruction holds the
// expected original value; a poisoned result becomes an invalid instruction (both halves of an
// ldimm64).
// records: nothing (it reads the instruction and the result only).
int patch_insn(const CoreRelocation& relo, int insn_idx, const RelocResult& res, RelocEvents* log) {
    const BpfInsn &insn = relo.insn, &next = relo.next;
    bool have_next = relo.has_next;
    uint8_t cls = insn.code & 0x07;
    if (res.poison) {
    poison:
        if (is_ldimm64(insn)) log->push_back(event(RelocEventKind::Substituted, insn_idx + 1));
        log->push_back(event(RelocEventKind::Substituted, insn_idx));
        return 0;
    }
    uint64_t orig_val = res.orig_val, new_val = res.new_val;
    switch (cls) {
    case 0x04: case 0x07:  // ALU, ALU64
        if (insn.code & 0x08) return -EINVAL;  // BPF_X source
        if (res.validate && uint64_t(int64_t(insn.imm)) != orig_val) {
            log->push_back(event(RelocEventKind::UnexpectedInsnValue, insn_idx, InsnClass::Alu, unsigned(insn.imm),
                                 orig_val, new_val));
            return -EINVAL;
        }
        log->push_back(event(RelocEventKind::Patched, insn_idx, InsnClass::Alu, uint64_t(int64_t(insn.imm)), new_val));
        break;
    case 0x01: case 0x02: case 0x03: {  // LDX, ST, STX
        if (res.validate && uint64_t(int64_t(insn.off)) != orig_val) {
            log->push_back(event(RelocEventKind::UnexpectedInsnValue, insn_idx, InsnClass::LdxStStx,
                                 unsigned(int(insn.off)), orig_val, new_val));
            return -EINVAL;
        }
        if (new_val > SHRT_MAX) {
            log->push_back(event(RelocEventKind::ValueTooBig, insn_idx, InsnClass::LdxStStx, new_val));
            return -ERANGE;
        }
        if (res.fail_memsz_adjust) {
            log->push_back(event(RelocEventKind::AccessesFieldIncorrectly, insn_idx));
            goto poison;
        }
        log->push_back(event(RelocEventKind::Patched, insn_idx, InsnClass::LdxStStx, uint64_t(int64_t(insn.off)), new_val));
        if (res.new_sz != res.orig_sz) {
            int bytes = bpf_size_bytes(insn.code);
            if (bytes != int(res.orig_sz)) {
                log->push_back(event(RelocEventKind::UnexpectedMemSize, insn_idx, InsnClass::LdxStStx, uint64_t(int64_t(bytes)),
                                     res.orig_sz));
                return -EINVAL;
            }
            if (res.new_sz != 1 && res.new_sz != 2 && res.new_sz != 4 && res.new_sz != 8) {
                log->push_back(event(RelocEventKind::InvalidNewMemSize, insn_idx, InsnClass::LdxStStx, res.new_sz));
                return -EINVAL;
            }
            log->push_back(event(RelocEventKind::PatchedMemSize, insn_idx, InsnClass::LdxStStx, res.orig_sz, res.new_sz));
        }
        break;
    }
    case 0x00: {  // LD
        if (!is_ldimm64(insn) || insn.src_reg != 0 || insn.off != 0 || !have_next || next.code != 0 ||
            next.dst_reg != 0 || next.src_reg != 0 || next.off != 0) {
            log->push_back(event(RelocEventKind::UnexpectedLdimm64Form, insn_idx, InsnClass::Ldimm64));
            return -EINVAL;
        }
        uint64_t imm = uint64_t(uint32_t(insn.imm)) | (uint64_t(uint32_t(next.imm)) << 32);
        if (res.validate && imm != orig_val) {
            log->push_back(event(RelocEventKind::UnexpectedInsnValue, insn_idx, InsnClass::Ldimm64, imm, orig_val, new_val));
            return -EINVAL;
        }
        log->push_back(event(RelocEventKind::Patched, insn_idx, InsnClass::Ldimm64, imm, new_val));
        break;
    }
    default:
        RelocEvent ev = event(RelocEventKind::UnrecognizedInsn, insn_idx, InsnClass::Alu, insn.code, insn.src_reg,
                              insn.dst_reg);
        ev.d = unsigned(int(insn.off));
        ev.e = unsigned(insn.imm);
        log->push_back(ev);
        return -EINVAL;
    }
    return 0;
}

}  // namespace btfpack
