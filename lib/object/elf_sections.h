// ElfSections: the section headers of a 64-bit ELF file of either byte order, with names,
// read once for BPF objects and for vmlinux files alike.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "object/byte_reader.h"

namespace btfpack {

struct ElfSection {
    uint32_t index;
    std::string name;
    uint32_t type;
    uint64_t flags;
    uint64_t offset;
    uint64_t size;
    uint32_t link;
    uint64_t entsize;
};

// The sections of the ELF file r reads (its header checked by the caller); every section with
// contents lies inside the file; SHT_NOBITS and SHT_NULL sections have offset and size 0. Throws Error naming the file on a truncated or corrupt table.
std::vector<ElfSection> read_elf_sections(const std::string& name, const ByteReader& r);

}  // namespace btfpack
