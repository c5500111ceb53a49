// The btfpack CLI verbs; each returns the process exit code (see btfpack.cpp).
#pragma once
#include <string>
#include <vector>

#include "btfpack/pack_builder.h"

namespace btfpack::cli {

constexpr int kExitOk = 0, kExitError = 1, kExitUsage = 2, kExitPartial = 3;

int relocs(const std::vector<std::string>& objects, bool json, const std::string& btf);
int minimize(const std::string& kernel, const std::vector<std::string>& objects, const std::string& out, bool verbose);
int build(BuildOptions options, const std::string& out, bool json, bool strict);
int ls(const std::string& pack, bool json);
int info(const std::string& pack);
int get(const std::string& pack, const std::string& key, const std::string& out);
int verify(const std::string& pack, const std::string& archive, const std::vector<std::string>& objects, size_t sample);

int embed(const std::string& pack, const std::string& out, const std::string& symbol);

std::string json_str(const std::string& s);
// What the environment asks of the engine: BTFPACK_RELO_LOG (libbpf-style relocation log on
// stderr), BTFPACK_SKIP_SELF_CHECK=1 (no self-check: for debugging btfpack itself only).
MinimizeOptions minimize_options_from_env();

}  // namespace btfpack::cli
