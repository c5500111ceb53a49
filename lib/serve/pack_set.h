// PackSet: the packs a server answers GET /api/v1/pack from, each named by its file name
// without ".pack" (the `pack` query parameter matches that name, never a path).
#pragma once
#include <memory>
#include <string>
#include <vector>

struct btfpack_pack;

namespace btfpack {

class PackSet {
public:
    struct Pack {
        std::string name;
        struct btfpack_pack* pack = nullptr;
        std::string json;  // {"name":..,"kernels":N,"meta":{..}} for GET /api/v1/packs
    };
    // Opens every pack (throws Error naming the file that does not open, or a repeated name).
    static std::shared_ptr<const PackSet> open(const std::vector<std::string>& paths);
    ~PackSet();

    // The pack called name; with name "" the only pack, if there is exactly one.
    const Pack* find(const std::string& name) const;
    size_t size() const { return packs_.size(); }
    const std::string& list_json() const { return list_json_; }

private:
    std::vector<Pack> packs_;
    std::string list_json_;
};

}  // namespace btfpack
