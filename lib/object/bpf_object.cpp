// Reads a BPF ELF object: sections, symbols, .BTF (via libbpf, either byte order) and the
// CO-RE records of .BTF.ext (parsed here, because libbpf's btf_ext API is not public).
#include "btfpack/cpu_budget.h"
#include "btfpack/bpf_object.h"

#include <bpf/btf.h>
#include <elf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <map>

#include "btfpack/error.h"
#include "btfpack/file_io.h"
#include "object/btf_check.h"
#include "object/byte_reader.h"
#include "object/elf_sections.h"

#ifndef EM_BPF
#define EM_BPF 247
#endif

namespace btfpack {
namespace {

void read_core_relocations(const std::string& name, const ByteReader& x, const struct btf* b,
                           const std::map<std::string, uint32_t>& section_by_name, std::vector<CoreRelocation>* out);

}  // namespace

BpfObject BpfObject::load(const std::string& path) {
    // Only the pages parsed are read in (not DWARF, line info, ...), and each part leaves memory
    // once parsed: a big object never sits in memory whole.
    MappedFile file(path);
    return parse(path, file.data(), file.size(), [&](uint64_t off, uint64_t len) { file.release(off, len); });
}

BpfObject BpfObject::parse(const std::string& name, const std::vector<uint8_t>& bytes) {
    return parse(name, bytes.data(), bytes.size());
}

BpfObject BpfObject::parse(const std::string& name, const uint8_t* data, size_t size,
                           const std::function<void(uint64_t, uint64_t)>& release_fn) {
    auto release = [&](uint64_t off, uint64_t len) {
        if (release_fn) release_fn(off, len);
    };
    struct {
        const uint8_t* p;
        size_t n;
        size_t size() const { return n; }
        const uint8_t* data() const { return p; }
        uint8_t operator[](size_t i) const { return p[i]; }
    } bytes{data, size};
    BpfObject obj;
    obj.path_ = name;
    if (bytes.size() < 4 || std::memcmp(bytes.data(), ELFMAG, SELFMAG) != 0)
        throw Error(name, "not an ELF file");
    if (bytes.size() < sizeof(Elf64_Ehdr)) throw Error(name, "truncated ELF header");
    if (bytes[EI_CLASS] != ELFCLASS64) throw Error(name, "not a BPF object (32-bit ELF)");
    if (bytes[EI_DATA] != ELFDATA2LSB && bytes[EI_DATA] != ELFDATA2MSB)
        throw Error(name, "corrupt ELF header (unknown byte order)");
    obj.big_endian_ = bytes[EI_DATA] == ELFDATA2MSB;
    ByteReader r(bytes.data(), bytes.size(), obj.big_endian_);
    uint16_t machine = r.u16(0x12);
    if (machine != EM_BPF)
        throw Error(name, "not a BPF object (ELF machine " + std::to_string(machine) +
                              ", expected EM_BPF 247; build it with clang -target bpf)");
    std::vector<ElfSection> secs = read_elf_sections(name, r);

    const ElfSection *btf_sec = nullptr, *ext_sec = nullptr, *symtab = nullptr;
    std::map<std::string, uint32_t> section_by_name;
    for (const auto& s : secs) {
        if (s.name == ".BTF") btf_sec = &s;
        else if (s.name == ".BTF.ext") ext_sec = &s;
        else if (s.type == SHT_SYMTAB) symtab = &s;
        if (s.type == SHT_PROGBITS && (s.flags & SHF_EXECINSTR)) section_by_name.emplace(s.name, s.index);
    }
    if (!btf_sec) throw Error(name, "BPF object has no .BTF section (compile with clang -g)");
    struct btf* b = btf__new(bytes.data() + btf_sec->offset, btf_sec->size);
    if (!b) throw Error(name, "corrupt .BTF section (libbpf: " + std::string(std::strerror(errno)) + ")");
    obj.btf_.reset(b, btf__free);
    if (std::string problem = btf_soundness_problem(b); !problem.empty())
        throw Error(name, "corrupt .BTF section (" + problem + ")");
    release(btf_sec->offset, btf_sec->size);  // libbpf has its own copy
    if (!ext_sec)
        throw Error(name, "BPF object has no .BTF.ext section, so it carries no CO-RE relocations "
                          "(compile with clang -g -O2 -target bpf)");

    // Programs: STT_FUNC symbols in executable sections, sorted like libbpf's program list.
    if (symtab && symtab->entsize >= sizeof(Elf64_Sym) && symtab->link < secs.size()) {
        const ElfSection& strs = secs[symtab->link];
        uint64_t name_bytes = 0, name_limit = 2 * strs.size + 65536;
        // by count, not by adding entsize (a huge entsize would wrap the offset around)
        uint64_t nsyms = symtab->size < sizeof(Elf64_Sym) ? 0 : (symtab->size - sizeof(Elf64_Sym)) / symtab->entsize + 1;
        for (uint64_t k = 0; k < nsyms; k++) {
            uint64_t p = symtab->offset + k * symtab->entsize;
            cpu_budget_check();
            uint32_t name_off = r.u32(p);
            uint8_t info = uint8_t(r.uint(p + 4, 1));
            uint16_t shndx = r.u16(p + 6);
            uint64_t value = r.u64(p + 8), size = r.u64(p + 16);
            if (ELF64_ST_TYPE(info) != STT_FUNC || shndx >= secs.size()) continue;
            const ElfSection& code = secs[shndx];
            if (code.type != SHT_PROGBITS || !(code.flags & SHF_EXECINSTR)) continue;
            if (value % 8 || size % 8 || value + size > code.size || name_off >= strs.size) continue;
            std::string pname;
            for (uint64_t i = strs.offset + name_off; i < strs.offset + strs.size && r.uint(i, 1); i++)
                pname.push_back(char(r.uint(i, 1)));
            if ((name_bytes += pname.size()) > name_limit)  // (see read_elf_sections)
                throw Error(name, "corrupt symbol table: program names overlap beyond reason (" +
                                      std::to_string(name_bytes) + " bytes from a " + std::to_string(strs.size) +
                                      "-byte string table)");
            obj.programs_.push_back({pname, code.name, shndx, uint32_t(value / 8), uint32_t(size / 8)});
        }
        std::sort(obj.programs_.begin(), obj.programs_.end(), [](const BpfProgram& a, const BpfProgram& b) {
            return a.section_index != b.section_index ? a.section_index < b.section_index : a.insn_start < b.insn_start;
        });
        for (size_t i = 1; i < obj.programs_.size(); i++) {
            const BpfProgram &a = obj.programs_[i - 1], &b = obj.programs_[i];
            obj.programs_overlap_ |= a.section_index == b.section_index && b.insn_start < a.insn_start + a.insn_count;
        }
        release(symtab->offset, symtab->size);
        release(strs.offset, strs.size);
    }

    read_core_relocations(name, ByteReader(data + ext_sec->offset, ext_sec->size, obj.big_endian_), b, section_by_name,
                          &obj.relocs_);
    release(ext_sec->offset, ext_sec->size);

    // The instructions relocations patch (and the one after each, the second half of an
    // ldimm64): all the resolver reads of the code, kept with the relocation.
    const ElfSection* prev = nullptr;
    for (CoreRelocation& rel : obj.relocs_) {
        const ElfSection& code = secs[rel.section_index];
        if (prev && prev != &code) release(prev->offset, prev->size);
        prev = &code;
        ByteReader c(data + code.offset, code.size, obj.big_endian_);
        auto decode = [&](uint64_t off, BpfInsn* in) {
            if (off % 8 || !c.has(off, 8)) return false;
            uint8_t regs = uint8_t(c.uint(off + 1, 1));
            in->code = uint8_t(c.uint(off, 1));
            in->dst_reg = uint8_t(obj.big_endian_ ? regs >> 4 : regs & 0xf);
            in->src_reg = uint8_t(obj.big_endian_ ? regs & 0xf : regs >> 4);
            in->off = int16_t(c.u16(off + 2));
            in->imm = int32_t(c.u32(off + 4));
            return true;
        };
        decode(rel.insn_off, &rel.insn);
        rel.has_next = decode(uint64_t(rel.insn_off) + 8, &rel.next);
    }
    if (prev) release(prev->offset, prev->size);
    return obj;
}

namespace {

void read_core_relocations(const std::string& name, const ByteReader& x, const struct btf* b,
                           const std::map<std::string, uint32_t>& section_by_name, std::vector<CoreRelocation>* out) {
    // .BTF.ext header, then the CO-RE relocation info block.
    if (!x.has(0, 8) || x.u16(0) != 0xeb9f) throw Error(name, "corrupt .BTF.ext section (bad magic)");
    uint32_t hdr_len = x.u32(4);
    if (hdr_len < 24 || !x.has(0, hdr_len)) throw Error(name, "corrupt .BTF.ext section (bad header length)");
    if (hdr_len < 32) return;  // an old .BTF.ext without CO-RE relocation info
    uint32_t core_off = x.u32(24), core_len = x.u32(28);
    if (core_len == 0) return;
    uint64_t base = uint64_t(hdr_len) + core_off;
    if (!x.has(base, core_len) || core_len < 4) throw Error(name, "corrupt .BTF.ext section (CO-RE info outside the section)");
    uint32_t rec_size = x.u32(base);
    if (rec_size < 16) throw Error(name, "corrupt .BTF.ext section (CO-RE record size " + std::to_string(rec_size) + ")");
    uint64_t p = base + 4, end = base + core_len;
    size_t total = 0;  // records, counted first so that the vector is allocated once
    for (uint64_t q = p; q + 8 <= end;) {
        uint64_t num = x.u32(q + 4);
        if (num == 0 || num * rec_size > end - q - 8) break;  // reported below
        total += num;
        q += 8 + num * rec_size;
    }
    out->reserve(out->size() + total);
    while (p < end) {
        if (p + 8 > end) throw Error(name, "corrupt .BTF.ext section (truncated CO-RE section header)");
        uint32_t sec_name_off = x.u32(p), num = x.u32(p + 4);
        p += 8;
        if (num == 0 || uint64_t(num) * rec_size > end - p)
            throw Error(name, "corrupt .BTF.ext section (bad CO-RE record count " + std::to_string(num) + ")");
        const char* sec_name = btf__name_by_offset(b, sec_name_off);
        if (!sec_name || !*sec_name) throw Error(name, "corrupt .BTF.ext section (bad section name offset)");
        auto it = section_by_name.find(sec_name);
        if (it == section_by_name.end())
            throw Error(name, std::string("corrupt .BTF.ext section (CO-RE records for unknown code section '") + sec_name + "')");
        for (uint32_t i = 0; i < num; i++, p += rec_size) {
            cpu_budget_check();
            CoreRelocation rel;
            rel.section_name_off = sec_name_off;
            rel.section_index = it->second;
            rel.index = i;
            rel.insn_off = x.u32(p);
            rel.type_id = x.u32(p + 4);
            rel.access_str_off = x.u32(p + 8);
            rel.kind = CoreRelocKind(x.u32(p + 12));
            out->push_back(rel);
        }
    }
}

}  // namespace

const char* BpfObject::section_name(const CoreRelocation& r) const {
    const char* s = btf__name_by_offset(btf_.get(), r.section_name_off);
    return s ? s : "";
}

const char* BpfObject::access_string(const CoreRelocation& r) const {
    const char* s = btf__name_by_offset(btf_.get(), r.access_str_off);
    return s ? s : "";
}

const BpfProgram* BpfObject::program_at(uint32_t section_index, uint32_t insn_idx) const {
    // programs_ is sorted by (section, start); libbpf takes the first that contains insn_idx
    auto key = std::make_pair(section_index, insn_idx);
    auto begin = std::lower_bound(programs_.begin(), programs_.end(), key, [](const BpfProgram& p, const auto& k) {
        return p.section_index < k.first;
    });
    auto end = std::upper_bound(begin, programs_.end(), key, [](const auto& k, const BpfProgram& p) {
        return k.first != p.section_index ? k.first < p.section_index : k.second < p.insn_start;
    });
    auto contains = [&](const BpfProgram& p) { return insn_idx < p.insn_start + p.insn_count; };
    if (begin == end) return nullptr;
    if (programs_overlap_) {  // rare (symbol aliases): the first in order that contains it
        for (auto it = begin; it != end; ++it)
            if (contains(*it)) return &*it;
        return nullptr;
    }
    return contains(*std::prev(end)) ? &*std::prev(end) : nullptr;
}

}  // namespace btfpack
