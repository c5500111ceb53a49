// Host detection (btfpack/host.h): the shared fixture table (testdata/os-release/fixtures.tsv,
// also read by the Go reader's tests) of os-release files, texts and values mapped to
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

// One row of testdata/os-release/fixtures.tsv, the fixture table the Go reader's tests read too.
struct Fixture {
    std::string source, input, version, machine, release;
    bool version_null = false, machine_null = false, release_null = false, input_null = false;
    bool error = false;
    std::string distro, ver, arch, kernel, needle;  // expected names, or the error's needle
    std::string line;                                // for messages
};

// C escapes of the table: \n \r \t \\ \xHH.
std::string unescape(const std::string& s) {
    std::string o;
    for (size_t i = 0; i < s.size(); i++) {
        if (s[i] != '\\' || i + 1 == s.size()) {
            o += s[i];
            continue;
        }
        char c = s[++i];
        if (c == 'n') o += '\n';
        else if (c == 'r') o += '\r';
        else if (c == 't') o += '\t';
        else if (c == 'x' && i + 2 < s.size()) {
            o += char(std::stoi(s.substr(i + 1, 2), nullptr, 16));
            i += 2;
        } else o += c;
    }
    return o;
}

const std::vector<Fixture>& fixtures() {
    static std::vector<Fixture> rows = [] {
        std::vector<Fixture> out;
        std::ifstream in(fixture("fixtures.tsv"));
        REQUIRE(in.good());
        for (std::string line; std::getline(in, line);) {
            if (line.empty() || line[0] == '#') continue;
            std::vector<std::string> f;
            std::stringstream ss(line);
            for (std::string x; std::getline(ss, x, '\t');) f.push_back(x);
            if (!line.empty() && line.back() == '\t') f.push_back("");
            INFO(line);
            REQUIRE(f.size() >= 7);
            Fixture r;
            r.line = line;
            r.source = f[0];
            r.input_null = f[1] == "(null)";
            r.version_null = f[2] == "(null)";
            r.machine_null = f[3] == "(null)";
            r.release_null = f[4] == "(null)";
            r.input = unescape(f[1]);
            r.version = unescape(f[2]);
            r.machine = unescape(f[3]);
            r.release = unescape(f[4]);
            r.error = f[5] == "error";
            if (r.error) {
                REQUIRE(f.size() == 7);
                r.needle = f[6];
            } else {
                REQUIRE(f.size() == 9);
                r.distro = unescape(f[5]);
                r.ver = unescape(f[6]);
                r.arch = unescape(f[7]);
                r.kernel = unescape(f[8]);
            }
            out.push_back(r);
        }
        REQUIRE(out.size() >= 50);
        return out;
    }();
    return rows;
}

// The os-release bytes of a file or text row.
std::string osrel_bytes(const Fixture& r) { return r.source == "file" ? slurp(fixture(r.input)) : r.input; }

void check_host(const Fixture& r, int rc, const struct btfpack_host& h, const char* err) {
    INFO(r.line << "\n  error: " << err);
    if (r.error) {
        CHECK(rc == -1);
        CHECK(std::string(err).find(r.needle) != std::string::npos);
        CHECK(all_zero(h));
        return;
    }
    REQUIRE(rc == 0);
    CHECK(std::string(h.distro) == r.distro);
    CHECK(std::string(h.version) == r.ver);
    CHECK(std::string(h.arch) == r.arch);
    CHECK(std::string(h.kernel) == r.kernel);
}

}  // namespace

TEST_CASE("detect: the fixture table's os-release files and texts, via BTFPACK_OS_RELEASE", "[host]") {
    CleanEnv clean;
    TempRoot tmp;
    size_t n = 0;
    for (const auto& r : fixtures()) {
        if (r.source == "values") continue;
        n++;
        std::string path = r.source == "file" ? fixture(r.input) : tmp.dir + "/os-release";
        if (r.source == "text") spit(path, r.input);
        EnvVar osr("BTFPACK_OS_RELEASE", path.c_str());
        EnvVar kr("BTFPACK_KERNEL_RELEASE", r.release.c_str());
        EnvVar ar("BTFPACK_ARCH", r.machine.c_str());
        Detected d("/nonexistent-root-is-ignored-with-the-override");
        check_host(r, d.rc, d.h, d.err);
        if (r.source == "text") ::remove(path.c_str());
    }
    CHECK(n >= 30);
}

TEST_CASE("detect: the fixture table's os-release files and texts, under a root prefix", "[host]") {
    CleanEnv clean;
    for (const auto& r : fixtures()) {
        if (r.source == "values") continue;
        EnvVar kr("BTFPACK_KERNEL_RELEASE", r.release.c_str());
        EnvVar ar("BTFPACK_ARCH", r.machine.c_str());
        TempRoot root;
        root.mkdir("etc");
        root.file("etc/os-release", osrel_bytes(r));
        for (std::string prefix : {root.dir, root.dir + "/", root.dir + "//"}) {
            INFO("under " << prefix);
            Detected d(prefix.c_str());
            check_host(r, d.rc, d.h, d.err);
        }
    }
}

TEST_CASE("from: the fixture table's values", "[host]") {
    size_t n = 0;
    for (const auto& r : fixtures()) {
        if (r.source != "values") continue;
        n++;
        Mapped m(r.input_null ? nullptr : r.input.c_str(), r.version_null ? nullptr : r.version.c_str(),
                 r.machine_null ? nullptr : r.machine.c_str(), r.release_null ? nullptr : r.release.c_str());
        check_host(r, m.rc, m.h, m.err);
    }
    CHECK(n >= 50);
    struct btfpack_host h;
    CHECK(btfpack_host_from("ubuntu", "1", "x86_64", "5.4.0", nullptr, nullptr, 0) == -1);
    CHECK(btfpack_host_from(nullptr, nullptr, nullptr, nullptr, &h, nullptr, 0) == -1);
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
