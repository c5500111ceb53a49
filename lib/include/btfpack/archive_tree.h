// ArchiveTree: the kernels of a BTFHub-archive checkout,
// <distro>/<distro-version>/<arch>/<kernel-release>.btf.tar.xz, or <kernel-release>.btf (raw BTF
// or ELF), or vmlinux-<kernel-release> (ELF with .BTF) in the same layout.
//
// Symbolic links are followed wherever they point (inside or outside the root): a link's own
// path names the kernel (distro/version/arch/kernel), not its target's. A directory link (e.g.
// an Ubuntu codename -> its numbered release) contributes its kernels under its own name too.
// Entries reached by different paths that are the same file (same device + inode) share an
// identity, so a builder can minimize that file once. Dangling links and link loops are
// reported as problems and skipped.
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

struct FileIdentity {
    uint64_t dev = 0, ino = 0;
    bool operator<(const FileIdentity& o) const { return dev != o.dev ? dev < o.dev : ino < o.ino; }
    bool operator==(const FileIdentity& o) const { return dev == o.dev && ino == o.ino; }
};

struct ArchiveKernel {
    KernelKey key;
    std::string path;       // file in the archive, as named under the root (may go through links)
    std::string real_path;  // canonical path of the file it resolves to
    FileIdentity id;        // device + inode of that file: equal ids = the same file
    uint64_t size = 0;      // of the resolved file
    bool via_link = false;  // path goes through at least one symbolic link
};

// A path of the tree that looked like part of the layout but could not be used (dangling
// symbolic link, link loop, unreadable link).
struct ArchiveProblem {
    std::string path, problem;
    std::string str() const { return path + ": " + problem; }
};

struct ArchiveFilter {
    std::vector<std::string> distros, arches;  // empty = all
    std::string kernel_glob;                   // fnmatch on kernel-release; empty = all

    bool wants_distro(const std::string& d) const;
    bool wants_arch(const std::string& a) const;
    bool wants_kernel(const std::string& k) const;
    bool wants(const KernelKey& k) const { return wants_distro(k.distro) && wants_arch(k.arch) && wants_kernel(k.kernel); }
};

// Kernels under root, sorted by key; throws Error if root is not a directory. Problems (in
// path order) go to *problems when given; the paths concerned are skipped either way.
std::vector<ArchiveKernel> scan_archive(const std::string& root, const ArchiveFilter& filter = {},
                                        std::vector<ArchiveProblem>* problems = nullptr);

// Parses "distro/version/arch/kernel" (throws Error on a malformed key).
KernelKey parse_kernel_key(const std::string& s);

}  // namespace btfpack
