// KernelIndex: an immutable snapshot of the archive's kernels, looked up by the four names a
// client sends (distribution, distribution_version, arch, kernel_version). Names are only
// ever compared with the scanned keys, never joined into a path.
#pragma once
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "btfpack/archive_tree.h"

namespace btfpack {

class KernelIndex {
public:
    // Scans root (throws Error if it is not a directory); problems of single entries are skipped.
    static std::shared_ptr<const KernelIndex> scan(const std::string& root);

    const ArchiveKernel* find(const KernelKey& key) const;
    size_t size() const { return kernels_.size(); }
    std::vector<const ArchiveKernel*> all() const;  // in key order
    // GET /api/v1/list's body, built once per scan.
    const std::string& list_json() const { return list_json_; }
    // What a client's request names, and the nearest keys (same distro/version/arch) for errors.
    std::string nearest(const KernelKey& key, size_t max = 3) const;

private:
    std::map<std::string, ArchiveKernel> kernels_;  // by KernelKey::str()
    std::string list_json_;
};

}  // namespace btfpack
