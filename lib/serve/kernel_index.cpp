// The archive snapshot a server answers from (kernel_index.h).
#include "serve/kernel_index.h"

#include <algorithm>

#include "util/json_text.h"

namespace btfpack {

std::shared_ptr<const KernelIndex> KernelIndex::scan(const std::string& root) {
    auto index = std::make_shared<KernelIndex>();
    std::vector<ArchiveProblem> problems;
    for (ArchiveKernel& k : scan_archive(root, {}, &problems)) index->kernels_.emplace(k.key.str(), std::move(k));
    std::string& j = index->list_json_;
    j = "[";
    for (const auto& [name, k] : index->kernels_) {
        if (j.size() > 1) j += ",";
        j += "{\"distribution\":" + json_quote(k.key.distro) + ",\"distribution_version\":" + json_quote(k.key.version) +
             ",\"kernel_version\":" + json_quote(k.key.kernel) + ",\"arch\":" + json_quote(k.key.arch) + "}";
    }
    j += "]";
    return index;
}

const ArchiveKernel* KernelIndex::find(const KernelKey& key) const {
    auto it = kernels_.find(key.str());
    if (it == kernels_.end()) return nullptr;
    const KernelKey& k = it->second.key;  // field by field: a '/' inside a name cannot alias another key
    bool same = k.distro == key.distro && k.version == key.version && k.arch == key.arch && k.kernel == key.kernel;
    return same ? &it->second : nullptr;
}

std::vector<const ArchiveKernel*> KernelIndex::all() const {
    std::vector<const ArchiveKernel*> v;
    for (const auto& kv : kernels_) v.push_back(&kv.second);
    return v;
}

std::string KernelIndex::nearest(const KernelKey& key, size_t max) const {
    // keys of the same distro/version/arch sharing the longest prefix with the kernel release
    KernelKey lo{key.distro, key.version, key.arch, ""};
    std::vector<std::pair<size_t, std::string>> scored;
    for (auto it = kernels_.lower_bound(lo.str()); it != kernels_.end(); ++it) {
        const KernelKey& k = it->second.key;
        if (k.distro != key.distro || k.version != key.version || k.arch != key.arch) break;
        size_t n = 0;
        while (n < k.kernel.size() && n < key.kernel.size() && k.kernel[n] == key.kernel[n]) n++;
        scored.emplace_back(n, k.kernel);
    }
    std::stable_sort(scored.begin(), scored.end(), [](const auto& a, const auto& b) { return a.first > b.first; });
    std::string out;
    for (size_t i = 0; i < scored.size() && i < max; i++) out += (i ? ", " : "") + scored[i].second;
    return out;
}

}  // namespace btfpack
