// scan_archive (btfpack/archive_tree.h) on small trees of empty files: symbolic and hard links
// name kernels by their own path and share the target's identity; loops and dangling links
// are problems, not crashes; filters apply before anything is reported.
#include <catch2/catch.hpp>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "btfpack/archive_tree.h"
#include "btfpack/error.h"

using namespace btfpack;
namespace fs = std::filesystem;

namespace {

struct TempDir {
    fs::path dir;
    TempDir() {
        char tmpl[] = "/tmp/btfpack-scan-XXXXXX";
        REQUIRE(mkdtemp(tmpl));
        dir = tmpl;
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(dir, ec);
    }
    fs::path file(const std::string& rel, const std::string& bytes = "x") const {
        fs::path p = dir / rel;
        fs::create_directories(p.parent_path());
        std::ofstream(p) << bytes;
        return p;
    }
    void link(const std::string& target, const std::string& rel) const {
        fs::create_directories((dir / rel).parent_path());
        fs::create_symlink(target, dir / rel);
    }
};

std::vector<std::string> keys(const std::vector<ArchiveKernel>& ks) {
    std::vector<std::string> out;
    for (const auto& k : ks) out.push_back(k.key.str());
    return out;
}

const ArchiveKernel& find(const std::vector<ArchiveKernel>& ks, const std::string& key) {
    for (const auto& k : ks)
        if (k.key.str() == key) return k;
    FAIL("no kernel " << key);
    throw;
}

}  // namespace

TEST_CASE("scan: file links into a cache outside the root are kernels named by the link", "[archive]") {
    TempDir t;
    fs::path a = t.file("cache/aaaa", "first"), b = t.file("cache/bbbb", "second kernel");
    t.link(a.string(), "root/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz");               // absolute
    t.link("../../../../cache/bbbb", "root/debian/11/x86_64/5.10.0-32-amd64.btf.tar.xz"); // relative
    t.link("6.1.0-50-amd64.btf.tar.xz", "root/debian/12/x86_64/6.1.0-49-amd64.btf.tar.xz"); // link to a link
    t.file("root/debian/12/x86_64/6.1.0-51-amd64.btf", "raw");                             // a plain file
    std::vector<ArchiveProblem> problems;
    auto ks = scan_archive((t.dir / "root").string(), {}, &problems);
    CHECK(problems.empty());
    CHECK(keys(ks) == std::vector<std::string>{"debian/11/x86_64/5.10.0-32-amd64", "debian/12/x86_64/6.1.0-49-amd64",
                                               "debian/12/x86_64/6.1.0-50-amd64", "debian/12/x86_64/6.1.0-51-amd64"});
    const auto &k49 = find(ks, "debian/12/x86_64/6.1.0-49-amd64"), &k50 = find(ks, "debian/12/x86_64/6.1.0-50-amd64");
    const auto &k510 = find(ks, "debian/11/x86_64/5.10.0-32-amd64"), &k51 = find(ks, "debian/12/x86_64/6.1.0-51-amd64");
    CHECK(k50.path == (t.dir / "root/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz").string());
    CHECK(k50.real_path == fs::canonical(a).string());
    CHECK(k49.real_path == k50.real_path);
    CHECK(k49.id == k50.id);
    CHECK(k50.size == 5);
    CHECK(k510.real_path == fs::canonical(b).string());
    CHECK(k510.size == 13);
    CHECK_FALSE(k510.id == k50.id);
    CHECK(k49.via_link);
    CHECK(k50.via_link);
    CHECK_FALSE(k51.via_link);
    CHECK_FALSE(k51.id == k50.id);
}

TEST_CASE("scan: a codename directory link lists its kernels under its own name, same files", "[archive]") {
    TempDir t;
    t.file("root/ubuntu/22.04/x86_64/5.15.0-1-generic.btf.tar.xz");
    t.file("root/ubuntu/22.04/arm64/5.15.0-1-generic.btf.tar.xz");
    t.link("22.04", "root/ubuntu/jammy");
    fs::create_hard_link(t.dir / "root/ubuntu/22.04/x86_64/5.15.0-1-generic.btf.tar.xz",
                         t.dir / "root/ubuntu/22.04/x86_64/5.15.0-2-generic.btf.tar.xz");
    std::vector<ArchiveProblem> problems;
    auto ks = scan_archive((t.dir / "root").string(), {}, &problems);
    CHECK(problems.empty());
    CHECK(keys(ks) == std::vector<std::string>{"ubuntu/22.04/arm64/5.15.0-1-generic", "ubuntu/22.04/x86_64/5.15.0-1-generic",
                                               "ubuntu/22.04/x86_64/5.15.0-2-generic", "ubuntu/jammy/arm64/5.15.0-1-generic",
                                               "ubuntu/jammy/x86_64/5.15.0-1-generic", "ubuntu/jammy/x86_64/5.15.0-2-generic"});
    const auto& num = find(ks, "ubuntu/22.04/x86_64/5.15.0-1-generic");
    const auto& code = find(ks, "ubuntu/jammy/x86_64/5.15.0-1-generic");
    const auto& hard = find(ks, "ubuntu/22.04/x86_64/5.15.0-2-generic");
    CHECK(code.id == num.id);
    CHECK(hard.id == num.id);  // a hard link is the same file too
    CHECK(code.real_path == num.real_path);
    CHECK(code.path == (t.dir / "root/ubuntu/jammy/x86_64/5.15.0-1-generic.btf.tar.xz").string());
    CHECK(code.via_link);
    CHECK_FALSE(num.via_link);
    CHECK_FALSE(find(ks, "ubuntu/jammy/arm64/5.15.0-1-generic").id == num.id);

    // filters see the link's name
    ArchiveFilter f;
    f.distros = {"ubuntu"};
    f.arches = {"arm64"};
    CHECK(keys(scan_archive((t.dir / "root").string(), f)) ==
          std::vector<std::string>{"ubuntu/22.04/arm64/5.15.0-1-generic", "ubuntu/jammy/arm64/5.15.0-1-generic"});
}

TEST_CASE("scan: dangling links and loops are reported and skipped", "[archive]") {
    TempDir t;
    t.file("root/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz");
    t.link((t.dir / "nowhere").string(), "root/debian/12/x86_64/9.9.9-gone.btf.tar.xz");
    t.link("9.9.8-self.btf.tar.xz", "root/debian/12/x86_64/9.9.8-self.btf.tar.xz");
    t.link("..", "root/debian/12/loop");        // arch dir -> the distro dir above it
    t.link("..", "root/debian/again");          // version dir -> the root
    t.link("/no/such/dir", "root/fedora");      // dangling distro dir
    t.link("/no/such/file", "root/debian/12/x86_64/notes.txt");  // not a kernel name: ignored
    std::vector<ArchiveProblem> problems;
    auto ks = scan_archive((t.dir / "root").string(), {}, &problems);
    CHECK(keys(ks) == std::vector<std::string>{"debian/12/x86_64/6.1.0-50-amd64"});
    std::string r = (t.dir / "root").string();
    REQUIRE(problems.size() == 5);
    CHECK(problems[0].path == r + "/debian/12/loop");
    CHECK(problems[0].problem == "directory link loop (leads back to " + r + "/debian)");
    CHECK(problems[1].path == r + "/debian/12/x86_64/9.9.8-self.btf.tar.xz");
    CHECK(problems[1].problem == "symbolic link loop (-> 9.9.8-self.btf.tar.xz)");
    CHECK(problems[2].path == r + "/debian/12/x86_64/9.9.9-gone.btf.tar.xz");
    CHECK(problems[2].problem == "dangling symbolic link (-> " + (t.dir / "nowhere").string() + ")");
    CHECK(problems[3].path == r + "/debian/again");
    CHECK(problems[3].problem == "directory link loop (leads back to " + r + ")");
    CHECK(problems[4].path == r + "/fedora");
    CHECK(problems[4].str() == r + "/fedora: dangling symbolic link (-> /no/such/dir)");

    // a filtered-out distro or kernel is not looked at, so not reported
    ArchiveFilter f;
    f.distros = {"debian"};
    f.kernel_glob = "6.*";
    problems.clear();
    CHECK(keys(scan_archive(r, f, &problems)) == std::vector<std::string>{"debian/12/x86_64/6.1.0-50-amd64"});
    REQUIRE(problems.size() == 2);
    CHECK(problems[0].path == r + "/debian/12/loop");
    CHECK(problems[1].path == r + "/debian/again");

    CHECK_THROWS_AS(scan_archive(r + "/debian/12/x86_64/6.1.0-50-amd64.btf.tar.xz"), Error);
    CHECK_THROWS_AS(scan_archive((t.dir / "nowhere").string()), Error);
}
