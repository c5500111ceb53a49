// The packs of a server (pack_set.h).
#include "serve/pack_set.h"

#include "btfpack/error.h"
#include "btfpack/reader.h"
#include "util/json_text.h"

namespace btfpack {

std::shared_ptr<const PackSet> PackSet::open(const std::vector<std::string>& paths) {
    auto set = std::make_shared<PackSet>();
    for (const std::string& path : paths) {
        Pack p;
        std::string base = path.substr(path.find_last_of('/') + 1);
        p.name = base.size() > 5 && base.compare(base.size() - 5, 5, ".pack") == 0 ? base.substr(0, base.size() - 5) : base;
        if (set->find(p.name)) throw Error(path, "a second pack named '" + p.name + "' (packs are named by file name)");
        char err[512];
        if (btfpack_open_file(path.c_str(), &p.pack, err, sizeof(err)) != BTFPACK_OK) throw Error(path, err);
        std::string meta = "{";
        std::string text = btfpack_meta(p.pack);
        for (size_t at = 0; at < text.size();) {
            size_t nl = text.find('\n', at);
            std::string line = text.substr(at, nl == std::string::npos ? std::string::npos : nl - at);
            at = nl == std::string::npos ? text.size() : nl + 1;
            size_t eq = line.find('=');
            if (eq == std::string::npos) continue;
            meta += (meta.size() > 1 ? "," : "") + json_quote(line.substr(0, eq)) + ":" + json_quote(line.substr(eq + 1));
        }
        p.json = "{\"name\":" + json_quote(p.name) + ",\"kernels\":" + std::to_string(btfpack_count(p.pack)) +
                 ",\"meta\":" + meta + "}}";
        set->packs_.push_back(std::move(p));
    }
    set->list_json_ = "[";
    for (const Pack& p : set->packs_) set->list_json_ += (set->list_json_.size() > 1 ? "," : "") + p.json;
    set->list_json_ += "]";
    return set;
}

PackSet::~PackSet() {
    for (Pack& p : packs_) btfpack_close(p.pack);
}

const PackSet::Pack* PackSet::find(const std::string& name) const {
    if (name.empty()) return packs_.size() == 1 ? &packs_[0] : nullptr;
    for (const Pack& p : packs_)
        if (p.name == name) return &p;
    return nullptr;
}

}  // namespace btfpack
