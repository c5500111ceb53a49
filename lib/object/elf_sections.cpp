// ELF section headers (see elf_sections.h).
#include "object/elf_sections.h"

#include <elf.h>

#include "btfpack/error.h"

namespace btfpack {

std::vector<ElfSection> read_elf_sections(const std::string& name, const ByteReader& r) {
    if (!r.has(0, sizeof(Elf64_Ehdr))) throw Error(name, "truncated ELF header");
    uint64_t shoff = r.u64(0x28);
    uint16_t shentsize = r.u16(0x3a), shnum = r.u16(0x3c), shstrndx = r.u16(0x3e);
    if (shnum == 0) throw Error(name, "ELF file has no sections");
    if (shentsize < sizeof(Elf64_Shdr) || !r.has(shoff, uint64_t(shentsize) * shnum))
        throw Error(name, "truncated or corrupt ELF section header table");
    std::vector<ElfSection> secs(shnum);
    std::vector<uint32_t> name_offs(shnum);
    for (uint32_t i = 0; i < shnum; i++) {
        uint64_t p = shoff + uint64_t(i) * shentsize;
        ElfSection& s = secs[i];
        s.index = i;
        name_offs[i] = r.u32(p);
        s.type = r.u32(p + 4);
        s.flags = r.u64(p + 8);
        s.offset = r.u64(p + 24);
        s.size = r.u64(p + 32);
        s.link = r.u32(p + 40);
        s.entsize = r.u64(p + 56);
        if (s.type == SHT_NOBITS || s.type == SHT_NULL) s.offset = s.size = 0;  // no contents in the file
        else if (!r.has(s.offset, s.size))
            throw Error(name, "ELF section " + std::to_string(i) + " lies outside the file (truncated?)");
    }
    if (shstrndx >= shnum) throw Error(name, "corrupt ELF: bad section name table index");
    const ElfSection& strs = secs[shstrndx];
    // names may share bytes (suffix merging), but not without bound: 65535 sections naming one
    // long string would cost time and memory quadratic in the file's size
    uint64_t name_bytes = 0, name_limit = 2 * strs.size + 65536;
    for (uint32_t i = 0; i < shnum; i++) {
        if (name_offs[i] >= strs.size) throw Error(name, "corrupt ELF: section name outside the name table");
        for (uint64_t c = strs.offset + name_offs[i]; c < strs.offset + strs.size && r.uint(c, 1); c++)
            secs[i].name.push_back(char(r.uint(c, 1)));
        if ((name_bytes += secs[i].name.size()) > name_limit)
            throw Error(name, "corrupt ELF: section names overlap beyond reason (" + std::to_string(name_bytes) +
                                  " bytes of names from a " + std::to_string(strs.size) + "-byte name table)");
    }
    return secs;
}

}  // namespace btfpack
