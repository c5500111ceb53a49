// Loading a full kernel BTF: raw BTF, an ELF with a .BTF section (vmlinux), or a BTFHub
// <kernel>.btf.tar.xz read in memory with libarchive (no temporary files).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

struct btf;

namespace btfpack {

// Throws Error naming the file: missing, truncated or corrupt archive, no BTF inside, corrupt BTF.
std::shared_ptr<struct btf> load_kernel_btf(const std::string& path);
// The same from bytes already in memory (name is used in messages).
std::shared_ptr<struct btf> parse_kernel_btf(const std::string& name, std::vector<uint8_t> bytes);

}  // namespace btfpack
