// ArchiveTree: the kernels of a BTFHub-archive checkout,
// <distro>/<distro-version>/<arch>/<kernel-release>.btf.tar.xz, or <kernel-release>.btf (raw BTF
// or ELF), or vmlinux-<kernel-release> (ELF with .BTF) in the same layout.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace btfpack {

struct KernelKey {
    std::string distro, version, arch, kernel;
    std::string str() const { return distro + "/" + version + "/" + arch + "/" + kernel; }
    bool operator<(const KernelKey& o) const { return str() < o.str(); }
    bool operator==(const KernelKey& o) const { return str() == o.str(); }
};

struct ArchiveKernel {
    KernelKey key;
    std::string path;  // file in the archive
    uint64_t size = 0;
};

struct ArchiveFilter {
    std::vector<std::string> distros, arches;  // empty = all
    std::string kernel_glob;                   // fnmatch on kernel-release; empty = all
};

// Kernels under root, sorted by key; throws Error if root is not a directory.
std::vector<ArchiveKernel> scan_archive(const std::string& root, const ArchiveFilter& filter = {});

// Parses "distro/version/arch/kernel" (throws Error on a malformed key).
KernelKey parse_kernel_key(const std::string& s);

}  // namespace btfpack
