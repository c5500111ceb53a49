// Host detection (btfpack/host.h): os-release fixtures of each distro family mapped to
// BTFHub-archive names, root prefixes, env overrides, the pure mapping, and bad input.
// Also built with ASan+UBSan (see tests/unit/CMakeLists.txt).
#include <catch2/catch.hpp>

#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "btfpack/host.h"

#ifndef BTFPACK_TESTDATA_DIR
#error "BTFPACK_TESTDATA_DIR must point at testdata/"
#endif

namespace {

std::string fixture(const std::string& name) { return std::string(BTFPACK_TESTDATA_DIR) + "/os-release/" + name; }

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    REQUIRE(in.good());
    std::stringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

void spit(const std::string& path, const std::string& bytes) {
    std::ofstream out(path, std::ios::binary);
    REQUIRE(out.good());
    out << bytes;
}

// Sets (or, with nullptr, unsets) an environment variable for the scope, then restores it.
struct EnvVar {
    std::string name, old;
    bool had;
    EnvVar(const char* n, const char* value) : name(n) {
        const char* o = getenv(n);
        had = o != nullptr;
        if (had) old = o;
        if (value) setenv(n, value, 1);
        else unsetenv(n);
    }
    ~EnvVar() {
        if (had) setenv(name.c_str(), old.c_str(), 1);
        else unsetenv(name.c_str());
    }
};

// No override from the caller's environment leaks into a test.
struct CleanEnv {
    EnvVar a{"BTFPACK_OS_RELEASE", nullptr}, b{"BTFPACK_KERNEL_RELEASE", nullptr}, c{"BTFPACK_ARCH", nullptr};
};

// A fake host root under /tmp; files and dirs are removed in reverse order of creation.
struct TempRoot {
    std::string dir;
    std::vector<std::string> made;
    TempRoot() {
        char tmpl[] = "/tmp/btfpack-host-XXXXXX";
        REQUIRE(mkdtemp(tmpl) != nullptr);
        dir = tmpl;
    }
    std::string mkdir(const std::string& rel) {
        std::string p = dir + "/" + rel;
        REQUIRE(::mkdir(p.c_str(), 0755) == 0);
        made.push_back(p);
        return p;
    }
    std::string file(const std::string& rel, const std::string& bytes) {
        std::string p = dir + "/" + rel;
        spit(p, bytes);
        made.push_back(p);
        return p;
    }
    std::string symlink(const std::string& rel, const std::string& target) {
        std::string p = dir + "/" + rel;
        REQUIRE(::symlink(target.c_str(), p.c_str()) == 0);
        made.push_back(p);
        return p;
    }
    ~TempRoot() {
        for (auto it = made.rbegin(); it != made.rend(); ++it) ::remove(it->c_str());
        ::rmdir(dir.c_str());
    }
};

struct Detected {
    struct btfpack_host h;
    char err[512];
    int rc;
    explicit Detected(const char* root) {
        memset(err, 0, sizeof(err));
        rc = btfpack_host_detect(root, &h, err, sizeof(err));
    }
};

struct Mapped {
    struct btfpack_host h;
    char err[256];
    int rc;
    Mapped(const char* id, const char* ver, const char* machine, const char* release) {
        memset(err, 0, sizeof(err));
        rc = btfpack_host_from(id, ver, machine, release, &h, err, sizeof(err));
    }
};

bool all_zero(const struct btfpack_host& h) {
    const unsigned char* p = reinterpret_cast<const unsigned char*>(&h);
    for (size_t i = 0; i < sizeof(h); i++)
        if (p[i]) return false;
    return true;
}

struct DistroCase {
    const char* file;
    const char* distro;
    const char* version;
};

// One fixture per distro family, with the BTFHub-archive directory names it must map to.
const std::vector<DistroCase> kDistros = {
    {"ubuntu-20.04", "ubuntu", "20.04"},
    {"ubuntu-22.04", "ubuntu", "22.04"},
    {"debian-10", "debian", "10"},
    {"debian-11", "debian", "bullseye"},  // btfhub-archive/debian/bullseye (btfhub cmd/btfhub/main.go)
    {"debian-12", "debian", "12"},
    {"centos-7", "centos", "7"},
    {"centos-8", "centos", "8"},
    {"fedora-34", "fedora", "34"},
    {"amzn-2", "amzn", "2"},
    {"amzn-2018.03", "amzn", "1"},
    {"ol-7.9", "ol", "7"},
    {"ol-8.6", "ol", "8"},
    {"rhel-8.4", "rhel", "8"},
    {"sles-15.3", "sles", "15.3"},
    {"opensuse-leap-15.4", "opensuse-leap", "15.4"},
    {"unknown-alpine-3.19", "alpine", "3.19.1"},
    {"malformed-recoverable", "recoverable", ""},
    {"quoted-mix", "mixed-os", "4.2"},
};

}  // namespace

TEST_CASE("detect: each distro's os-release via BTFPACK_OS_RELEASE", "[host]") {
    CleanEnv clean;
    EnvVar kr("BTFPACK_KERNEL_RELEASE", "5.4.0-1059-aws");
    EnvVar ar("BTFPACK_ARCH", "x86_64");
    for (const auto& c : kDistros) {
        SECTION(c.file) {
            EnvVar osr("BTFPACK_OS_RELEASE", fixture(c.file).c_str());
            Detected d("/nonexistent-root-is-ignored-with-the-override");
            INFO(c.file << ": " << d.err);
            REQUIRE(d.rc == 0);
            CHECK(std::string(d.h.distro) == c.distro);
            CHECK(std::string(d.h.version) == c.version);
            CHECK(std::string(d.h.arch) == "x86_64");
            CHECK(std::string(d.h.kernel) == "5.4.0-1059-aws");
        }
    }
}

TEST_CASE("detect: each distro's os-release under a root prefix", "[host]") {
    CleanEnv clean;
    EnvVar kr("BTFPACK_KERNEL_RELEASE", "4.14.101-91.76.amzn2.aarch64");
    EnvVar ar("BTFPACK_ARCH", "aarch64");
    for (const auto& c : kDistros) {
        SECTION(c.file) {
            TempRoot root;
            root.mkdir("etc");
            root.file("etc/os-release", slurp(fixture(c.file)));
            for (std::string prefix : {root.dir, root.dir + "/", root.dir + "//"}) {
                Detected d(prefix.c_str());
                INFO(c.file << " under " << prefix << ": " << d.err);
                REQUIRE(d.rc == 0);
                CHECK(std::string(d.h.distro) == c.distro);
                CHECK(std::string(d.h.version) == c.version);
                CHECK(std::string(d.h.arch) == "arm64");
                CHECK(std::string(d.h.kernel) == "4.14.101-91.76.amzn2.aarch64");
            }
        }
    }
}

TEST_CASE("detect: root prefix file lookup (fallback, symlinks, missing files)", "[host]") {
    CleanEnv clean;
    EnvVar kr("BTFPACK_KERNEL_RELEASE", "3.10.0-1160.el7.x86_64");
    EnvVar ar("BTFPACK_ARCH", "x86_64");
    TempRoot root;

    SECTION("only usr/lib/os-release: the fallback is read") {
        root.mkdir("usr");
        root.mkdir("usr/lib");
        root.file("usr/lib/os-release", slurp(fixture("centos-7")));
        Detected d(root.dir.c_str());
        INFO(d.err);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "centos");
        CHECK(std::string(d.h.version) == "7");
    }
    SECTION("etc/os-release wins over usr/lib/os-release") {
        root.mkdir("etc");
        root.mkdir("usr");
        root.mkdir("usr/lib");
        root.file("etc/os-release", slurp(fixture("rhel-8.4")));
        root.file("usr/lib/os-release", slurp(fixture("centos-7")));
        Detected d(root.dir.c_str());
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "rhel");
    }
    SECTION("absolute symlink etc/os-release -> /usr/lib/os-release resolves inside the root") {
        root.mkdir("etc");
        root.mkdir("usr");
        root.mkdir("usr/lib");
        root.file("usr/lib/os-release", slurp(fixture("sles-15.3")));
        root.symlink("etc/os-release", "/usr/lib/os-release");
        Detected d(root.dir.c_str());
        INFO(d.err);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "sles");
        CHECK(std::string(d.h.version) == "15.3");
    }
    SECTION("relative symlink etc/os-release -> ../usr/lib/os-release") {
        root.mkdir("etc");
        root.mkdir("usr");
        root.mkdir("usr/lib");
        root.file("usr/lib/os-release", slurp(fixture("fedora-34")));
        root.symlink("etc/os-release", "../usr/lib/os-release");
        Detected d(root.dir.c_str());
        INFO(d.err);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "fedora");
    }
    SECTION("dangling symlink falls back to usr/lib/os-release") {
        root.mkdir("etc");
        root.mkdir("usr");
        root.mkdir("usr/lib");
        root.file("usr/lib/os-release", slurp(fixture("ol-7.9")));
        root.symlink("etc/os-release", "/nowhere/os-release");
        Detected d(root.dir.c_str());
        INFO(d.err);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "ol");
    }
    SECTION("no os-release at all: error names both paths, output zeroed") {
        Detected d(root.dir.c_str());
        REQUIRE(d.rc == -1);
        std::string e = d.err;
        CHECK(e.find(root.dir + "/etc/os-release") != std::string::npos);
        CHECK(e.find(root.dir + "/usr/lib/os-release") != std::string::npos);
        CHECK(all_zero(d.h));
    }
    SECTION("etc/os-release is a directory: read error names it") {
        root.mkdir("etc");
        root.mkdir("etc/os-release");
        Detected d(root.dir.c_str());
        REQUIRE(d.rc == -1);
        CHECK(std::string(d.err).find(root.dir + "/etc/os-release") != std::string::npos);
    }
}

TEST_CASE("detect: NULL, \"\" and \"/\" all mean the real root", "[host]") {
    CleanEnv clean;
    bool has = access("/etc/os-release", R_OK) == 0 || access("/usr/lib/os-release", R_OK) == 0;
    Detected a(nullptr), b(""), c("/");
    INFO(a.err);
    REQUIRE(a.rc == (has ? 0 : -1));
    CHECK(b.rc == a.rc);
    CHECK(c.rc == a.rc);
    if (a.rc == 0) {
        CHECK(std::string(a.h.distro) == b.h.distro);
        CHECK(std::string(a.h.version) == c.h.version);
        CHECK(std::string(a.h.kernel) == c.h.kernel);
    } else {
        CHECK(std::string(a.err).find("/etc/os-release") != std::string::npos);
    }
}

TEST_CASE("detect: kernel and arch from uname unless overridden", "[host]") {
    CleanEnv clean;
    struct utsname u;
    REQUIRE(uname(&u) == 0);
    Mapped expect("x", "1", u.machine, u.release);
    REQUIRE(expect.rc == 0);
    EnvVar osr("BTFPACK_OS_RELEASE", fixture("ubuntu-20.04").c_str());

    SECTION("no overrides") {
        Detected d(nullptr);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.kernel) == u.release);
        CHECK(std::string(d.h.arch) == expect.h.arch);
    }
    SECTION("empty overrides count as unset") {
        EnvVar kr("BTFPACK_KERNEL_RELEASE", "");
        EnvVar ar("BTFPACK_ARCH", "");
        Detected d(nullptr);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.kernel) == u.release);
        CHECK(std::string(d.h.arch) == expect.h.arch);
    }
    SECTION("only the kernel overridden") {
        EnvVar kr("BTFPACK_KERNEL_RELEASE", "5.8.0-63-generic");
        Detected d(nullptr);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.kernel) == "5.8.0-63-generic");
        CHECK(std::string(d.h.arch) == expect.h.arch);
    }
    SECTION("only the arch overridden, raw uname name mapped") {
        EnvVar ar("BTFPACK_ARCH", "aarch64");
        Detected d(nullptr);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.kernel) == u.release);
        CHECK(std::string(d.h.arch) == "arm64");
    }
    SECTION("s390x passes through") {
        EnvVar ar("BTFPACK_ARCH", "s390x");
        Detected d(nullptr);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.arch) == "s390x");
    }
    SECTION("a bad override is reported by its variable name") {
        EnvVar ar("BTFPACK_ARCH", "x86 64");
        Detected d(nullptr);
        REQUIRE(d.rc == -1);
        CHECK(std::string(d.err).find("BTFPACK_ARCH") != std::string::npos);
        EnvVar kr("BTFPACK_KERNEL_RELEASE", "../../etc/passwd");
        EnvVar ar2("BTFPACK_ARCH", "x86_64");
        Detected d2(nullptr);
        REQUIRE(d2.rc == -1);
        CHECK(std::string(d2.err).find("BTFPACK_KERNEL_RELEASE") != std::string::npos);
    }
}

TEST_CASE("detect: os-release errors name the file", "[host]") {
    CleanEnv clean;
    EnvVar kr("BTFPACK_KERNEL_RELEASE", "5.10.0-9-amd64");
    EnvVar ar("BTFPACK_ARCH", "x86_64");

    SECTION("malformed file without a usable ID") {
        std::string path = fixture("malformed-no-id");
        EnvVar osr("BTFPACK_OS_RELEASE", path.c_str());
        Detected d(nullptr);
        REQUIRE(d.rc == -1);
        CHECK(std::string(d.err).find(path) != std::string::npos);
        CHECK(std::string(d.err).find("ID") != std::string::npos);
        CHECK(all_zero(d.h));
    }
    SECTION("missing override file: no fallback to the real os-release") {
        EnvVar osr("BTFPACK_OS_RELEASE", "/nonexistent/os-release");
        Detected d(nullptr);
        REQUIRE(d.rc == -1);
        CHECK(std::string(d.err).find("/nonexistent/os-release") != std::string::npos);
        CHECK(std::string(d.err).find("BTFPACK_OS_RELEASE") != std::string::npos);
    }
    SECTION("an ID with a '/' is rejected, naming the file") {
        TempRoot root;
        std::string p = root.file("os-release", "ID=\"../../x\"\nVERSION_ID=1\n");
        EnvVar osr("BTFPACK_OS_RELEASE", p.c_str());
        Detected d(nullptr);
        REQUIRE(d.rc == -1);
        CHECK(std::string(d.err).find(p) != std::string::npos);
    }
    SECTION("a bad VERSION_ID is rejected, naming the file") {
        TempRoot root;
        std::string p = root.file("os-release", "ID=ubuntu\nVERSION_ID=\"20.04 LTS\"\n");
        EnvVar osr("BTFPACK_OS_RELEASE", p.c_str());
        Detected d(nullptr);
        REQUIRE(d.rc == -1);
        CHECK(std::string(d.err).find("VERSION_ID in " + p) != std::string::npos);
    }
    SECTION("last ID= is empty") {
        TempRoot root;
        std::string p = root.file("os-release", "ID=debian\nID=\n");
        EnvVar osr("BTFPACK_OS_RELEASE", p.c_str());
        Detected d(nullptr);
        REQUIRE(d.rc == -1);
        CHECK(std::string(d.err).find(p) != std::string::npos);
    }
    SECTION("a tiny err buffer is truncated, NUL-terminated") {
        EnvVar osr("BTFPACK_OS_RELEASE", "/nonexistent/os-release");
        struct btfpack_host h;
        char err[8];
        memset(err, 'x', sizeof(err));
        REQUIRE(btfpack_host_detect(nullptr, &h, err, sizeof(err)) == -1);
        CHECK(strlen(err) == sizeof(err) - 1);
        REQUIRE(btfpack_host_detect(nullptr, &h, nullptr, 0) == -1);
        REQUIRE(btfpack_host_detect(nullptr, &h, err, 0) == -1);
        REQUIRE(btfpack_host_detect(nullptr, nullptr, err, sizeof(err)) == -1);
    }
}

TEST_CASE("detect: os-release parsing edge cases", "[host]") {
    CleanEnv clean;
    EnvVar kr("BTFPACK_KERNEL_RELEASE", "5.4.0-26-generic");
    EnvVar ar("BTFPACK_ARCH", "x86_64");
    TempRoot root;
    auto detect_text = [&](const std::string& text) {
        std::string p = root.dir + "/os-release";
        spit(p, text);
        EnvVar osr("BTFPACK_OS_RELEASE", p.c_str());
        Detected d(nullptr);
        ::remove(p.c_str());
        return d;
    };

    SECTION("CRLF line ends, no final newline") {
        Detected d = detect_text("NAME=\"Ubuntu\"\r\nID=ubuntu\r\nVERSION_ID=\"20.04\"");
        INFO(d.err);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "ubuntu");
        CHECK(std::string(d.h.version) == "20.04");
    }
    SECTION("no VERSION_ID (Debian sid, Arch): version is empty") {
        Detected d = detect_text("PRETTY_NAME=\"Debian GNU/Linux trixie/sid\"\nID=debian\n");
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "debian");
        CHECK(std::string(d.h.version).empty());
    }
    SECTION("empty file") {
        Detected d = detect_text("");
        REQUIRE(d.rc == -1);
        CHECK(std::string(d.err).find("ID") != std::string::npos);
    }
    SECTION("escapes in double quotes and backslashes outside quotes") {
        Detected d = detect_text("ID=\"my\\\"distro\"\n");  // my"distro: a quote is a valid char here
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "my\"distro");
        Detected e = detect_text("ID=a\\ b\n");  // "a b": whitespace, rejected
        REQUIRE(e.rc == -1);
    }
    SECTION("a line with a NUL byte is ignored") {
        std::string text = "ID=ubuntu\nID=deb";
        text += '\0';
        text += "ian\nVERSION_ID=20.04\n";
        Detected d = detect_text(text);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "ubuntu");
    }
    SECTION("an overlong line is ignored, the rest is read") {
        std::string text = "PRETTY_NAME=\"" + std::string(5000, 'x') + "\"\nID=" + std::string(2000, 'y') +
                           "\nID=fedora\nVERSION_ID=34\n";
        Detected d = detect_text(text);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "fedora");
    }
    SECTION("long values are truncated to the field sizes") {
        std::string id(300, 'a'), ver(300, '7');
        Detected d = detect_text("ID=" + id + "\nVERSION_ID=" + ver + "\n");
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == std::string(sizeof(d.h.distro) - 1, 'a'));
        CHECK(std::string(d.h.version) == std::string(sizeof(d.h.version) - 1, '7'));
    }
    SECTION("only the first 64 KiB are read") {
        std::string filler;
        while (filler.size() < 70 * 1024) filler += "# padding padding padding padding padding padding\n";
        Detected late = detect_text(filler + "ID=ubuntu\n");
        CHECK(late.rc == -1);
        Detected early = detect_text("ID=ubuntu\n" + filler);
        CHECK(early.rc == 0);
    }
    SECTION("the fixture with every kind of quoting") {
        EnvVar osr("BTFPACK_OS_RELEASE", fixture("quoted-mix").c_str());
        Detected d(nullptr);
        REQUIRE(d.rc == 0);
        CHECK(std::string(d.h.distro) == "mixed-os");
        CHECK(std::string(d.h.version) == "4.2");
    }
}

TEST_CASE("detect: random os-release bytes never crash", "[host]") {
    CleanEnv clean;
    EnvVar kr("BTFPACK_KERNEL_RELEASE", "6.1.0-50-amd64");
    EnvVar ar("BTFPACK_ARCH", "x86_64");
    TempRoot root;
    std::string p = root.file("os-release", "");
    EnvVar osr("BTFPACK_OS_RELEASE", p.c_str());
    const char alphabet[] = "ID=VERSION_\"'\\#\n\r\t .ab/19-\0";
    uint64_t seed = 12345;
    auto rnd = [&]() {  // 31-bit LCG in 64-bit arithmetic: nothing wraps, for -fsanitize=integer too
        seed = (seed * 1103515245u + 12345u) & 0x7fffffffu;
        return size_t(seed >> 8);
    };
    for (int iter = 0; iter < 300; iter++) {
        std::string text;
        size_t n = rnd() % 400;
        if (iter % 3 == 0) text = "ID=";
        for (size_t i = 0; i < n; i++) text += alphabet[rnd() % (sizeof(alphabet) - 1)];
        spit(p, text);
        Detected d(nullptr);
        REQUIRE((d.rc == 0 || d.rc == -1));
        REQUIRE(memchr(d.h.distro, 0, sizeof(d.h.distro)) != nullptr);
        REQUIRE(memchr(d.h.version, 0, sizeof(d.h.version)) != nullptr);
        REQUIRE(memchr(d.err, 0, sizeof(d.err)) != nullptr);
        if (d.rc == 0) REQUIRE(strchr(d.h.distro, '/') == nullptr);
    }
}

TEST_CASE("from: uname machine -> BTFHub arch directory", "[host]") {
    struct {
        const char* machine;
        const char* arch;
    } cases[] = {
        {"x86_64", "x86_64"},   {"amd64", "x86_64"},     {"aarch64", "arm64"},
        {"arm64", "arm64"},     {"s390x", "s390x"},      {"ppc64le", "ppc64le"},
        {"riscv64", "riscv64"}, {"\"aarch64\"", "arm64"}, {" x86_64\n", "x86_64"},
    };
    for (auto& c : cases) {
        Mapped m("ubuntu", "20.04", c.machine, "5.4.0-26-generic");
        INFO(c.machine << ": " << m.err);
        REQUIRE(m.rc == 0);
        CHECK(std::string(m.h.arch) == c.arch);
        CHECK(std::string(m.h.kernel) == "5.4.0-26-generic");
    }
}

TEST_CASE("from: os-release ID and VERSION_ID -> BTFHub distro/version", "[host]") {
    struct {
        const char *id, *ver, *distro, *version;
    } cases[] = {
        {"ubuntu", "20.04", "ubuntu", "20.04"},
        {"\"ubuntu\"", "\"18.04\"", "ubuntu", "18.04"},
        {"'ubuntu'", "'16.04'", "ubuntu", "16.04"},
        {"Ubuntu", "22.04", "ubuntu", "22.04"},
        {"debian", "9", "debian", "9"},
        {"debian", "10", "debian", "10"},
        {"debian", "\"11\"", "debian", "bullseye"},
        {"debian", "12", "debian", "12"},
        {"debian", "13", "debian", "13"},
        {"centos", "7", "centos", "7"},
        {"centos", "8", "centos", "8"},
        {"centos", "7.9.2009", "centos", "7"},
        {"fedora", "34", "fedora", "34"},
        {"fedora", "24", "fedora", "24"},
        {"amzn", "2", "amzn", "2"},
        {"amzn", "2018.03", "amzn", "1"},
        {"amzn", "2017.09", "amzn", "1"},
        {"amzn", "2011.09", "amzn", "1"},
        {"amzn", "2023", "amzn", "2023"},
        {"ol", "7.9", "ol", "7"},
        {"ol", "8.6", "ol", "8"},
        {"rhel", "8.4", "rhel", "8"},
        {"rhel", "7.9", "rhel", "7"},
        {"rhel", "9", "rhel", "9"},
        {"sles", "15.3", "sles", "15.3"},
        {"sles", "12.5", "sles", "12.5"},
        {"sles", "12.3", "sles", "12.3"},
        {"sles_sap", "15.3", "sles", "15.3"},
        {"opensuse-leap", "15.3", "opensuse-leap", "15.3"},
        {"opensuse", "42.3", "opensuse-leap", "42.3"},
        {"alpine", "3.19.1", "alpine", "3.19.1"},
        {"Rocky", "8.9", "rocky", "8.9"},
        {"arch", nullptr, "arch", ""},
        {"arch", "", "arch", ""},
        {"debian", nullptr, "debian", ""},
        {"amzn", "", "amzn", ""},
    };
    for (auto& c : cases) {
        Mapped m(c.id, c.ver, "x86_64", "5.10.0-9-amd64");
        INFO(c.id << " / " << (c.ver ? c.ver : "(null)") << ": " << m.err);
        REQUIRE(m.rc == 0);
        CHECK(std::string(m.h.distro) == c.distro);
        CHECK(std::string(m.h.version) == c.version);
        CHECK(std::string(m.h.arch) == "x86_64");
    }
}

TEST_CASE("from: bad input is an error naming the field, never a crash", "[host]") {
    struct {
        const char *id, *ver, *machine, *release, *needle;
    } cases[] = {
        {nullptr, "1", "x86_64", "5.4.0", "ID"},
        {"", "1", "x86_64", "5.4.0", "ID"},
        {"  ", "1", "x86_64", "5.4.0", "ID"},
        {"\"\"", "1", "x86_64", "5.4.0", "ID"},
        {"ubuntu", "1", nullptr, "5.4.0", "machine"},
        {"ubuntu", "1", "", "5.4.0", "machine"},
        {"ubuntu", "1", "x86_64", nullptr, "release"},
        {"ubuntu", "1", "x86_64", "", "release"},
        {"a/b", "1", "x86_64", "5.4.0", "ID"},
        {"..", "1", "x86_64", "5.4.0", "ID"},
        {"ubuntu", "..", "x86_64", "5.4.0", "VERSION_ID"},
        {"ubuntu", "20.04/../x", "x86_64", "5.4.0", "VERSION_ID"},
        {"ubuntu", "20 04", "x86_64", "5.4.0", "VERSION_ID"},
        {"ubuntu", "20.04\x01", "x86_64", "5.4.0", "VERSION_ID"},
        {"ubuntu", "1", "x86/64", "5.4.0", "machine"},
        {"ubuntu", "1", "x86_64", "5.4.0/evil", "release"},
        {"ubuntu", "1", "x86_64", ".", "release"},
    };
    for (auto& c : cases) {
        Mapped m(c.id, c.ver, c.machine, c.release);
        INFO((c.id ? c.id : "(null)") << " " << (c.ver ? c.ver : "(null)") << " "
                                       << (c.machine ? c.machine : "(null)") << " "
                                       << (c.release ? c.release : "(null)") << ": " << m.err);
        REQUIRE(m.rc == -1);
        CHECK(std::string(m.err).find(c.needle) != std::string::npos);
        CHECK(all_zero(m.h));
    }
    struct btfpack_host h;
    CHECK(btfpack_host_from("ubuntu", "1", "x86_64", "5.4.0", nullptr, nullptr, 0) == -1);
    CHECK(btfpack_host_from(nullptr, nullptr, nullptr, nullptr, &h, nullptr, 0) == -1);
}

TEST_CASE("from: long values are truncated to the field sizes", "[host]") {
    std::string id(500, 'z'), ver(500, '1'), machine(500, 'm'), release(1000, 'r');
    Mapped m(id.c_str(), ver.c_str(), machine.c_str(), release.c_str());
    REQUIRE(m.rc == 0);
    CHECK(strlen(m.h.distro) == sizeof(m.h.distro) - 1);
    CHECK(strlen(m.h.version) == sizeof(m.h.version) - 1);
    CHECK(strlen(m.h.arch) == sizeof(m.h.arch) - 1);
    CHECK(strlen(m.h.kernel) == sizeof(m.h.kernel) - 1);
    // A long amzn / debian version still maps by its major part.
    std::string amzn1 = "2018." + std::string(300, '0');
    Mapped a("amzn", amzn1.c_str(), "x86_64", "4.14.0");
    REQUIRE(a.rc == 0);
    CHECK(std::string(a.h.version) == "1");
}

TEST_CASE("host.h is a C API", "[host]") {
    // The struct layout and the two entry points are what C apps link against.
    CHECK(sizeof(btfpack_host::distro) == 64);
    CHECK(sizeof(btfpack_host::version) == 64);
    CHECK(sizeof(btfpack_host::arch) == 32);
    CHECK(sizeof(btfpack_host::kernel) == 256);
    int (*detect)(const char*, struct btfpack_host*, char*, size_t) = btfpack_host_detect;
    int (*from)(const char*, const char*, const char*, const char*, struct btfpack_host*, char*, size_t) =
        btfpack_host_from;
    CHECK(detect != nullptr);
    CHECK(from != nullptr);
}
