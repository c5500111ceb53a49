// Scans a BTFHub-archive checkout (see archive_tree.h).
#include "btfpack/archive_tree.h"

#include <fnmatch.h>

#include <algorithm>
#include <filesystem>

#include "btfpack/error.h"

namespace fs = std::filesystem;

namespace btfpack {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool wanted(const std::vector<std::string>& list, const std::string& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

}  // namespace

std::vector<ArchiveKernel> scan_archive(const std::string& root, const ArchiveFilter& filter) {
    std::error_code ec;
    if (!fs::is_directory(root, ec)) throw Error(root, "not a directory (expected a BTFHub-archive checkout)");
    std::vector<ArchiveKernel> out;
    for (auto it = fs::recursive_directory_iterator(root, fs::directory_options::skip_permission_denied, ec);
         it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec) throw Error(root, "cannot walk the archive: " + ec.message());
        if (!it->is_regular_file(ec)) continue;
        fs::path rel = fs::relative(it->path(), root, ec);
        std::vector<std::string> parts;
        for (const auto& p : rel) parts.push_back(p.string());
        if (parts.size() != 4) continue;  // <distro>/<version>/<arch>/<file>
        std::string file = parts[3], kernel;
        if (ends_with(file, ".btf.tar.xz")) kernel = file.substr(0, file.size() - 11);
        else if (ends_with(file, ".btf")) kernel = file.substr(0, file.size() - 4);  // raw BTF or ELF
        else if (file.rfind("vmlinux-", 0) == 0) kernel = file.substr(8);          // ELF vmlinux-<kernel>
        else continue;
        if (kernel.empty() || file[0] == '.') continue;
        ArchiveKernel k{{parts[0], parts[1], parts[2], kernel}, it->path().string(), it->file_size(ec)};
        if (!wanted(filter.distros, k.key.distro) || !wanted(filter.arches, k.key.arch)) continue;
        if (!filter.kernel_glob.empty() && fnmatch(filter.kernel_glob.c_str(), kernel.c_str(), 0) != 0) continue;
        out.push_back(std::move(k));
    }
    std::sort(out.begin(), out.end(), [](const ArchiveKernel& a, const ArchiveKernel& b) { return a.key < b.key; });
    // the same kernel as .btf and .btf.tar.xz: keep one
    out.erase(std::unique(out.begin(), out.end(), [](const ArchiveKernel& a, const ArchiveKernel& b) { return a.key == b.key; }),
              out.end());
    return out;
}

KernelKey parse_kernel_key(const std::string& s) {
    std::vector<std::string> parts;
    size_t start = 0;
    for (size_t i = 0; i <= s.size(); i++)
        if (i == s.size() || s[i] == '/') {
            parts.push_back(s.substr(start, i - start));
            start = i + 1;
        }
    if (parts.size() != 4) throw Error(s, "expected distro/version/arch/kernel-release");
    for (const auto& p : parts)
        if (p.empty()) throw Error(s, "expected distro/version/arch/kernel-release (empty component)");
    return {parts[0], parts[1], parts[2], parts[3]};
}

}  // namespace btfpack
