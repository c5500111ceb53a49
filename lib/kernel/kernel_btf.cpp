// Kernel BTF loading (see kernel_btf.h): sniff the format, unpack a tar(.xz) member in
// memory, cut .BTF out of an ELF, then let libbpf parse and validate the BTF (either byte order).
#include "btfpack/kernel_btf.h"

#include <archive.h>
#include <archive_entry.h>
#include <bpf/btf.h>
#include <elf.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <new>
#include <utility>

#include "btfpack/error.h"
#include "btfpack/file_io.h"
#include "object/byte_reader.h"
#include "object/elf_sections.h"

namespace btfpack {
namespace {

// A byte buffer whose growth does not zero what is about to be overwritten (a decompressed
// kernel BTF is ~5 MB, written once).
template <class T>
struct UninitializedAllocator : std::allocator<T> {
    template <class U>
    struct rebind {
        using other = UninitializedAllocator<U>;
    };
    template <class U, class... Args>
    void construct(U* p, Args&&... args) {
        if constexpr (sizeof...(Args) == 0) ::new (static_cast<void*>(p)) U;
        else ::new (static_cast<void*>(p)) U(std::forward<Args>(args)...);
    }
};
using Buffer = std::vector<uint8_t, UninitializedAllocator<uint8_t>>;

bool starts_with(const std::vector<uint8_t>& b, const char* magic, size_t n) {
    return b.size() >= n && std::memcmp(b.data(), magic, n) == 0;
}

bool is_raw_btf(const uint8_t* b, size_t n) {
    return n >= 4 && ((b[0] == 0x9f && b[1] == 0xeb) || (b[0] == 0xeb && b[1] == 0x9f)) && b[2] == 1;
}

bool is_archive(const std::vector<uint8_t>& b) {
    static const char xz[] = {'\xfd', '7', 'z', 'X', 'Z', '\0'};
    return starts_with(b, xz, 6) || starts_with(b, "\x1f\x8b", 2) || starts_with(b, "\x28\xb5\x2f\xfd", 4) ||
           starts_with(b, "BZh", 3) || (b.size() > 262 && std::memcmp(b.data() + 257, "ustar", 5) == 0);
}

Buffer unpack_archive(const std::string& name, const std::vector<uint8_t>& bytes) {
    struct archive* a = archive_read_new();
    archive_read_support_filter_all(a);
    archive_read_support_format_tar(a);
    archive_read_support_format_raw(a);  // a bare .xz of a .btf
    Buffer out;
    std::string problem;
    if (archive_read_open_memory(a, bytes.data(), bytes.size()) != ARCHIVE_OK) {
        problem = std::string("cannot read archive: ") + archive_error_string(a);
    } else {
        struct archive_entry* e;
        int r;
        bool found = false;
        while ((r = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
            if (archive_entry_filetype(e) != AE_IFREG) continue;
            const char* p = archive_entry_pathname(e);
            std::string path = p ? p : "";
            bool raw = archive_format(a) == ARCHIVE_FORMAT_RAW;
            if (!raw && path.size() < 4) continue;
            if (!raw && path.compare(path.size() - 4, 4, ".btf") != 0 && path.find("vmlinux") == std::string::npos)
                continue;
            // decompressed straight into the buffer, sized once from the tar header when it has one
            size_t want = archive_entry_size_is_set(e) && archive_entry_size(e) > 0 &&
                                  archive_entry_size(e) < (int64_t(1) << 32)
                              ? size_t(archive_entry_size(e)) + 1  // + 1: room to see the end
                              : size_t(1) << 20;
            la_ssize_t n;
            size_t used = 0;
            for (;;) {
                if (used == out.size()) out.resize(std::max(want, out.size() * 2));  // full: grow
                if ((n = archive_read_data(a, out.data() + used, out.size() - used)) <= 0) break;
                used += size_t(n);
            }
            out.resize(used);
            if (n < 0) problem = std::string("truncated or corrupt archive: ") + archive_error_string(a);
            found = true;
            break;
        }
        if (r == ARCHIVE_FATAL || r == ARCHIVE_WARN)
            problem = std::string("truncated or corrupt archive: ") + archive_error_string(a);
        else if (!found && problem.empty())
            problem = "archive holds no *.btf file";
    }
    archive_read_free(a);
    if (!problem.empty()) throw Error(name, problem);
    return out;
}

// The .BTF section of an ELF file (vmlinux), copied out.
std::vector<uint8_t> elf_btf_section(const std::string& name, const uint8_t* b, size_t size) {
    if (size < sizeof(Elf64_Ehdr) || b[EI_CLASS] != ELFCLASS64) throw Error(name, "unsupported ELF (not 64-bit)");
    ByteReader r(b, size, b[EI_DATA] == ELFDATA2MSB);
    if (r.u16(0x12) == 247) throw Error(name, "is a BPF object, not a kernel BTF (give the kernel first, objects after it)");
    for (const ElfSection& s : read_elf_sections(name, r))
        if (s.name == ".BTF" && s.type != SHT_NOBITS) return std::vector<uint8_t>(b + s.offset, b + s.offset + s.size);
    throw Error(name, "ELF file has no .BTF section (kernel built without CONFIG_DEBUG_INFO_BTF?)");
}

}  // namespace

std::shared_ptr<struct btf> parse_kernel_btf(const std::string& name, std::vector<uint8_t> bytes) {
    Buffer unpacked;  // a .tar.xz's member, parsed from where it was decompressed
    const uint8_t* data = bytes.data();
    size_t size = bytes.size();
    if (is_archive(bytes)) {
        unpacked = unpack_archive(name, bytes);
        bytes = std::vector<uint8_t>();
        data = unpacked.data();
        size = unpacked.size();
    }
    if (size >= SELFMAG && std::memcmp(data, ELFMAG, SELFMAG) == 0) {
        bytes = elf_btf_section(name, data, size);
        unpacked = Buffer();
        data = bytes.data();
        size = bytes.size();
    }
    if (!is_raw_btf(data, size))
        throw Error(name, size == 0 ? "empty file" : "not a kernel BTF (no BTF magic; expected raw BTF, vmlinux ELF or .btf.tar.xz)");
    errno = 0;
    struct btf* b = btf__new(data, size);
    if (!b) throw Error(name, std::string("corrupt or truncated BTF (libbpf: ") + std::strerror(errno ? errno : EINVAL) + ")");
    return std::shared_ptr<struct btf>(b, btf__free);
}

std::shared_ptr<struct btf> load_kernel_btf(const std::string& path) {
    return parse_kernel_btf(path, read_whole_file(path));
}

}  // namespace btfpack
