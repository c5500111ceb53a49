// Whole-file reads and atomic writes (see file_io.h).
#include "btfpack/file_io.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdio>
#include <cstring>

#include "btfpack/error.h"

namespace btfpack {

std::vector<uint8_t> read_whole_file(const std::string& path) {
    FILE* f = std::fopen(path.c_str(), "rb");
    if (!f) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) != 0 || S_ISDIR(st.st_mode)) {
        std::fclose(f);
        throw Error(path, "not a regular file");
    }
    std::vector<uint8_t> bytes(size_t(st.st_size));
    size_t n = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), f);
    bool bad = std::ferror(f);
    std::fclose(f);
    if (bad || n != bytes.size()) throw Error(path, "read error");
    return bytes;
}

MappedFile::MappedFile(const std::string& path) {
    int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) throw Error(path, std::string("cannot open: ") + std::strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || S_ISDIR(st.st_mode)) {
        ::close(fd);
        throw Error(path, "not a regular file");
    }
    if (S_ISREG(st.st_mode) && st.st_size > 0) {
        void* m = mmap(nullptr, size_t(st.st_size), PROT_READ, MAP_PRIVATE, fd, 0);
        if (m != MAP_FAILED) {
            map_ = m;
            size_ = size_t(st.st_size);
        }
    }
    ::close(fd);
    if (!map_) {
        copy_ = read_whole_file(path);
        size_ = copy_.size();
    }
}

void MappedFile::release(uint64_t off, uint64_t len) const {
    if (!map_ || off >= size_) return;
    uint64_t page = uint64_t(sysconf(_SC_PAGESIZE));
    uint64_t begin = (off + page - 1) / page * page, end = std::min<uint64_t>(off + len, size_) / page * page;
    if (end > begin) madvise(static_cast<uint8_t*>(map_) + begin, end - begin, MADV_DONTNEED);
}

MappedFile::~MappedFile() {
    if (map_) munmap(map_, size_);
}

void write_file_atomically(const std::string& path, const std::vector<uint8_t>& bytes) {
    if (path == "-") {
        if (std::fwrite(bytes.data(), 1, bytes.size(), stdout) != bytes.size() || std::fflush(stdout) != 0)
            throw Error("<stdout>", "write failed");
        return;
    }
    struct stat st;
    if (stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode)) {
        // a device or pipe (/dev/null, /dev/stdout, a FIFO): written in place, never replaced
        FILE* f = std::fopen(path.c_str(), "wb");
        if (!f) throw Error(path, std::string("cannot open output: ") + std::strerror(errno));
        bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
        if (!(std::fclose(f) == 0 && ok)) throw Error(path, "write failed");
        return;
    }
    std::string tmp = path + ".tmp." + std::to_string(getpid());
    FILE* f = std::fopen(tmp.c_str(), "wb");
    if (!f) throw Error(path, std::string("cannot create output file: ") + std::strerror(errno));
    bool ok = std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
    ok = (std::fclose(f) == 0) && ok;
    if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
        int e = errno;
        std::remove(tmp.c_str());
        throw Error(path, std::string("cannot write output file: ") + std::strerror(e));
    }
}

}  // namespace btfpack
