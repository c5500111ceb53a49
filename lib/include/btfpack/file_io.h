// Whole-file reads and atomic writes (temp file + rename: no partial output on failure).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace btfpack {

// Throws Error naming the file when it cannot be opened or read.
std::vector<uint8_t> read_whole_file(const std::string& path);
// Writes to path via a temporary file in the same directory; "-" writes stdout.
void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace btfpack
