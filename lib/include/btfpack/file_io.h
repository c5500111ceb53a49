// Whole-file reads and atomic writes (temp file + rename: no partial output on failure).
#pragma once
#include <cstdint>
#include <string>
#include <vector>

namespace btfpack {

// A file's bytes, mapped read-only (only the pages touched are read in); files that cannot be
// mapped (pipes, /proc) are read instead. Throws Error naming the file.
class MappedFile {
public:
    explicit MappedFile(const std::string& path);
    ~MappedFile();
    MappedFile(const MappedFile&) = delete;
    MappedFile& operator=(const MappedFile&) = delete;
    const uint8_t* data() const { return map_ ? static_cast<const uint8_t*>(map_) : copy_.data(); }
    size_t size() const { return size_; }
    // Done with bytes [off, off + len): their pages leave memory (read again if touched again).
    void release(uint64_t off, uint64_t len) const;

private:
    void* map_ = nullptr;
    size_t size_ = 0;
    std::vector<uint8_t> copy_;
};

// Throws Error naming the file when it cannot be opened or read.
std::vector<uint8_t> read_whole_file(const std::string& path);
// Writes to path via a temporary file in the same directory (renamed into place: no partial
// file on failure); "-" writes stdout; an existing device or pipe (/dev/null) is written in place.
void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes);

}  // namespace btfpack
