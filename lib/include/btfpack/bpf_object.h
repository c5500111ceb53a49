// BpfObject: a BPF ELF object (either byte order) with its .BTF, programs, instructions and
// CO-RE relocations, read without libbpf's object loader so big-endian objects work too.
#pragma once
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "btfpack/core_relocation.h"

struct btf;

namespace btfpack {

// A BPF program or subprogram: an STT_FUNC symbol inside an executable section.
struct BpfProgram {
    std::string name;
    std::string section;  // ELF section name
    uint32_t section_index;
    uint32_t insn_start;  // first instruction (index in the section)
    uint32_t insn_count;
};

class BpfObject {
public:
    // Reads and validates the object; throws Error naming the file on any problem.
    static BpfObject load(const std::string& path);
    static BpfObject parse(const std::string& name, const std::vector<uint8_t>& bytes);
    // release, if given, is told which byte ranges the parse is done with.
    static BpfObject parse(const std::string& name, const uint8_t* data, size_t size,
                           const std::function<void(uint64_t off, uint64_t len)>& release = {});

    const std::string& path() const { return path_; }
    bool big_endian() const { return big_endian_; }
    const struct btf* btf() const { return btf_.get(); }
    const std::vector<CoreRelocation>& relocations() const { return relocs_; }
    // A relocation's section name ("kprobe/do_exit") and access string ("0:1:2"), from the
    // object's .BTF strings ("" if out of range).
    const char* section_name(const CoreRelocation& r) const;
    const char* access_string(const CoreRelocation& r) const;
    const std::vector<BpfProgram>& programs() const { return programs_; }  // by (section, start)
    // Program holding instruction insn_idx of a section, as libbpf finds it; null if none.
    const BpfProgram* program_at(uint32_t section_index, uint32_t insn_idx) const;

private:
    std::string path_;
    bool big_endian_ = false;
    std::shared_ptr<struct btf> btf_;
    std::vector<CoreRelocation> relocs_;
    std::vector<BpfProgram> programs_;
    bool programs_overlap_ = false;  // two programs of a section share instructions
};

}  // namespace btfpack
