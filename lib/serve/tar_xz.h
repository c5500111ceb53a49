// One file as a BTFHub-style .tar.xz (what BTFHub online's clients unpack): a ustar archive
// of one regular file `name` (mode 0644, mtime 0, owner 0), compressed with liblzma at preset
// 1 (~9 MB of encoder state while it runs), with a CRC64 check like xz(1).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace btfpack {

// Throws Error if name does not fit a ustar header (100 bytes) or compression fails.
std::vector<uint8_t> single_file_tar_xz(const std::string& name, const std::vector<uint8_t>& data);

}  // namespace btfpack
