// Embedding a pack into an app binary: an assembler source (.incbin) that defines
// <symbol> and <symbol>_end around the pack's bytes; open it with btfpack_open_memory.
#pragma once
#include <string>

namespace btfpack {

// Assembler source for any GNU as target; throws Error if the pack is not a valid pack.
std::string embed_assembly(const std::string& pack_path, const std::string& symbol = "btfpack_embedded_pack");

}  // namespace btfpack
