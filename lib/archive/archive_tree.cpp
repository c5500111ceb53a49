// Scans a BTFHub-archive checkout (see archive_tree.h).
#include "btfpack/archive_tree.h"

#include <fnmatch.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "btfpack/error.h"

namespace fs = std::filesystem;

namespace btfpack {
namespace {

bool ends_with(const std::string& s, const std::string& suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

bool listed(const std::vector<std::string>& list, const std::string& v) {
    return list.empty() || std::find(list.begin(), list.end(), v) != list.end();
}

// The kernel release a file name stands for, or "" if it is not a kernel file.
std::string kernel_of(const std::string& file) {
    if (file.empty() || file[0] == '.') return "";
    if (ends_with(file, ".btf.tar.xz")) return file.substr(0, file.size() - 11);
    if (ends_with(file, ".btf")) return file.substr(0, file.size() - 4);  // raw BTF or ELF
    if (file.rfind("vmlinux-", 0) == 0) return file.substr(8);          // ELF vmlinux-<kernel>
    return "";
}

// Walks <distro>/<version>/<arch>/<file>, three directory levels and no deeper, following
// symbolic links. A directory whose identity is already on the path from the root to it is a
// loop; the same directory reached by two different names (a codename link) is walked twice,
// once per name, so its kernels appear under both.
struct Walker {
    const ArchiveFilter& filter;
    std::vector<ArchiveKernel>& out;
    std::vector<ArchiveProblem>& problems;
    std::vector<std::pair<FileIdentity, std::string>> chain;  // directories from the root down
    std::vector<std::string> parts;                           // names from the root down

    void problem(const fs::path& p, const std::string& what) { problems.push_back({p.string(), what}); }

    void walk(const fs::path& dir, bool via_link) {
        size_t depth = parts.size();  // 0 = root
        std::error_code ec;
        std::vector<std::string> names;
        for (fs::directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec), end; !ec && it != end;
             it.increment(ec))
            names.push_back(it->path().filename().string());
        if (ec) {
            if (depth == 0) throw Error(dir.string(), "cannot walk the archive: " + ec.message());
            problem(dir, "cannot read the directory: " + ec.message());
            return;
        }
        std::sort(names.begin(), names.end());
        for (const auto& name : names) {
            if (name.empty() || name[0] == '.') continue;
            std::string kernel;
            if (depth == 0 && !filter.wants_distro(name)) continue;
            if (depth == 2 && !filter.wants_arch(name)) continue;
            if (depth == 3) {
                kernel = kernel_of(name);
                if (kernel.empty()) continue;
                if (!filter.wants_kernel(kernel)) continue;
            }
            fs::path child = dir / name;
            struct stat lst, st;
            if (lstat(child.c_str(), &lst) != 0) continue;  // vanished meanwhile
            bool is_link = S_ISLNK(lst.st_mode);
            if (stat(child.c_str(), &st) != 0) {
                if (!is_link) continue;
                int err = errno;
                std::string target = fs::read_symlink(child, ec).string();
                if (err == ELOOP) problem(child, "symbolic link loop (-> " + target + ")");
                else if (err == ENOENT || err == ENOTDIR) problem(child, "dangling symbolic link (-> " + target + ")");
                else problem(child, "cannot follow the symbolic link (-> " + target + "): " + std::strerror(err));
                continue;
            }
            FileIdentity id{uint64_t(st.st_dev), uint64_t(st.st_ino)};
            if (depth < 3) {
                if (!S_ISDIR(st.st_mode)) continue;
                auto loop = std::find_if(chain.begin(), chain.end(), [&](const auto& c) { return c.first == id; });
                if (loop != chain.end()) {
                    problem(child, std::string(is_link ? "directory link" : "directory") + " loop (leads back to " +
                                       loop->second + ")");
                    continue;
                }
                chain.emplace_back(id, child.string());
                parts.push_back(name);
                walk(child, via_link || is_link);
                parts.pop_back();
                chain.pop_back();
                continue;
            }
            if (!S_ISREG(st.st_mode)) continue;
            ArchiveKernel k;
            k.key = {parts[0], parts[1], parts[2], kernel};
            k.path = child.string();
            char real[PATH_MAX];
            k.real_path = realpath(child.c_str(), real) ? real : k.path;
            k.id = id;
            k.size = uint64_t(st.st_size);
            k.via_link = via_link || is_link;
            out.push_back(std::move(k));
        }
    }
};

}  // namespace

bool ArchiveFilter::wants_distro(const std::string& d) const { return listed(distros, d); }
bool ArchiveFilter::wants_arch(const std::string& a) const { return listed(arches, a); }
bool ArchiveFilter::wants_kernel(const std::string& k) const {
    return kernel_glob.empty() || fnmatch(kernel_glob.c_str(), k.c_str(), 0) == 0;
}

std::vector<ArchiveKernel> scan_archive(const std::string& root, const ArchiveFilter& filter,
                                        std::vector<ArchiveProblem>* problems) {
    std::error_code ec;
    struct stat st;
    if (!fs::is_directory(root, ec) || stat(root.c_str(), &st) != 0)
        throw Error(root, "not a directory (expected a BTFHub-archive checkout)");
    std::vector<ArchiveKernel> out;
    std::vector<ArchiveProblem> local;
    Walker w{filter, out, problems ? *problems : local, {}, {}};
    w.chain.emplace_back(FileIdentity{uint64_t(st.st_dev), uint64_t(st.st_ino)}, root);
    w.walk(root, false);
    // walk order is sorted by path, so among equal keys the order is deterministic
    std::stable_sort(out.begin(), out.end(), [](const ArchiveKernel& a, const ArchiveKernel& b) { return a.key < b.key; });
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
