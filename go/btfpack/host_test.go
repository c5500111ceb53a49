package btfpack

import (
	"bufio"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// The host-detection fixture table the C reader's tests read too (tests/unit/test_host.cpp).
const osReleaseDir = "../../testdata/os-release"

type hostFixture struct {
	source, input, version, machine, release string
	err                                      string // needle, or "" for a success
	want                                     Host
	line                                     string
}

// unescapeField undoes the table's C escapes (\n \r \t \\ \xHH); "(null)" is "".
func unescapeField(s string) string {
	if s == "(null)" {
		return ""
	}
	var o []byte
	for i := 0; i < len(s); i++ {
		if s[i] != '\\' || i+1 == len(s) {
			o = append(o, s[i])
			continue
		}
		i++
		switch c := s[i]; c {
		case 'n':
			o = append(o, '\n')
		case 'r':
			o = append(o, '\r')
		case 't':
			o = append(o, '\t')
		case 'x':
			if i+2 < len(s) {
				v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
				o = append(o, byte(v))
				i += 2
			}
		default:
			o = append(o, c)
		}
	}
	return string(o)
}

func hostFixtures(t *testing.T) []hostFixture {
	f, err := os.Open(filepath.Join(osReleaseDir, "fixtures.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	var out []hostFixture
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || line[0] == '#' {
			continue
		}
		c := strings.Split(line, "\t")
		for i := range c {
			c[i] = unescapeField(c[i])
		}
		r := hostFixture{source: c[0], input: c[1], version: c[2], machine: c[3], release: c[4], line: line}
		switch {
		case len(c) == 7 && c[5] == "error":
			r.err = c[6]
		case len(c) == 9:
			r.want = Host{c[5], c[6], c[7], c[8]}
		default:
			t.Fatalf("fixtures.tsv: bad line %q", line)
		}
		if r.source == "file" {
			b, err := os.ReadFile(filepath.Join(osReleaseDir, r.input))
			if err != nil {
				t.Fatal(err)
			}
			r.input = string(b)
		}
		out = append(out, r)
	}
	if len(out) < 50 {
		t.Fatalf("fixtures.tsv: only %d rows", len(out))
	}
	return out
}

func checkHost(t *testing.T, r hostFixture, h Host, err error) {
	t.Helper()
	if r.err != "" {
		if err == nil || !strings.Contains(err.Error(), r.err) || !errors.Is(err, ErrHost) {
			t.Errorf("%q: got %+v, %v; want an ErrHost error containing %q", r.line, h, err, r.err)
		}
		if h != (Host{}) {
			t.Errorf("%q: a host with the error: %+v", r.line, h)
		}
		return
	}
	if err != nil || h != r.want {
		t.Errorf("%q: got %+v, %v; want %+v", r.line, h, err, r.want)
	}
}

// setEnv sets the three overrides for a test ("" unsets).
func setEnv(t *testing.T, osRelease, kernel, arch string) {
	t.Setenv(EnvOSRelease, osRelease)
	t.Setenv(EnvKernelRelease, kernel)
	t.Setenv(EnvArch, arch)
}

func TestHostFixturesOverride(t *testing.T) {
	dir := t.TempDir()
	for i, r := range hostFixtures(t) {
		if r.source == "values" {
			continue
		}
		path := filepath.Join(dir, "os-release-"+strconv.Itoa(i))
		if err := os.WriteFile(path, []byte(r.input), 0o644); err != nil {
			t.Fatal(err)
		}
		setEnv(t, path, r.release, r.machine)
		h, err := DetectHost("/nonexistent-root-is-ignored-with-the-override")
		checkHost(t, r, h, err)
	}
}

func TestHostFixturesUnderRoot(t *testing.T) {
	for _, r := range hostFixtures(t) {
		if r.source == "values" {
			continue
		}
		root := t.TempDir()
		os.Mkdir(filepath.Join(root, "etc"), 0o755)
		if err := os.WriteFile(filepath.Join(root, "etc", "os-release"), []byte(r.input), 0o644); err != nil {
			t.Fatal(err)
		}
		setEnv(t, "", r.release, r.machine)
		for _, prefix := range []string{root, root + "/", root + "//"} {
			h, err := DetectHost(prefix)
			checkHost(t, r, h, err)
		}
	}
}

func TestHostFixturesValues(t *testing.T) {
	for _, r := range hostFixtures(t) {
		if r.source == "values" {
			h, err := HostFrom(r.input, r.version, r.machine, r.release)
			checkHost(t, r, h, err)
		}
	}
}

// The root prefix's file rules: fallback, symlinks resolved inside the root, errors naming paths.
func TestDetectHostRootFiles(t *testing.T) {
	setEnv(t, "", "3.10.0-1160.el7.x86_64", "x86_64")
	fixture := func(name string) []byte {
		b, err := os.ReadFile(filepath.Join(osReleaseDir, name))
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	mk := func(root string, files map[string][]byte, links map[string]string) {
		for _, d := range []string{"etc", "usr", "usr/lib"} {
			os.MkdirAll(filepath.Join(root, d), 0o755)
		}
		for n, b := range files {
			if err := os.WriteFile(filepath.Join(root, n), b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		for n, target := range links {
			if err := os.Symlink(target, filepath.Join(root, n)); err != nil {
				t.Fatal(err)
			}
		}
	}
	cases := []struct {
		name   string
		files  map[string][]byte
		links  map[string]string
		distro string
	}{
		{"only usr/lib/os-release", map[string][]byte{"usr/lib/os-release": fixture("centos-7")}, nil, "centos"},
		{"etc wins over usr/lib", map[string][]byte{"etc/os-release": fixture("rhel-8.4"), "usr/lib/os-release": fixture("centos-7")}, nil, "rhel"},
		{"absolute symlink resolved inside the root", map[string][]byte{"usr/lib/os-release": fixture("sles-15.3")},
			map[string]string{"etc/os-release": "/usr/lib/os-release"}, "sles"},
		{"relative symlink", map[string][]byte{"usr/lib/os-release": fixture("fedora-34")},
			map[string]string{"etc/os-release": "../usr/lib/os-release"}, "fedora"},
		{"dangling symlink falls back", map[string][]byte{"usr/lib/os-release": fixture("ol-7.9")},
			map[string]string{"etc/os-release": "/nowhere/os-release"}, "ol"},
	}
	for _, c := range cases {
		root := t.TempDir()
		mk(root, c.files, c.links)
		h, err := DetectHost(root)
		if err != nil || h.Distro != c.distro {
			t.Errorf("%s: %+v, %v; want distro %s", c.name, h, err, c.distro)
		}
	}
	root := t.TempDir()
	_, err := DetectHost(root)
	if err == nil || !strings.Contains(err.Error(), root+"/etc/os-release (No such file or directory)") ||
		!strings.Contains(err.Error(), root+"/usr/lib/os-release") {
		t.Errorf("no os-release: %v", err)
	}
	os.MkdirAll(filepath.Join(root, "etc", "os-release"), 0o755)
	if _, err := DetectHost(root); err == nil || err.Error() != "cannot read "+root+"/etc/os-release: Is a directory" {
		t.Errorf("os-release is a directory: %v", err)
	}
	setEnv(t, "/nonexistent/os-release", "", "")
	if _, err := DetectHost(""); err == nil || err.Error() !=
		"cannot open /nonexistent/os-release (from BTFPACK_OS_RELEASE): No such file or directory" {
		t.Errorf("missing override: %v", err)
	}
}

// The C reader's size limits: lines of 1024 bytes or more ignored, 64 KiB read, values and
// fields truncated to the C struct's sizes.
func TestDetectHostLimits(t *testing.T) {
	dir := t.TempDir()
	detect := func(text string) (Host, error) {
		p := filepath.Join(dir, "os-release")
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
		setEnv(t, p, "5.4.0-26-generic", "x86_64")
		return DetectHost("")
	}
	if h, err := detect("PRETTY_NAME=\"" + strings.Repeat("x", 5000) + "\"\nID=" + strings.Repeat("y", 2000) + "\nID=fedora\nVERSION_ID=34\n"); err != nil || h.Distro != "fedora" {
		t.Errorf("overlong lines: %+v, %v", h, err)
	}
	if h, err := detect("ID=" + strings.Repeat("a", 1020) + "\n"); err != nil || h.Distro != strings.Repeat("a", 63) {
		t.Errorf("a 1023-byte line is read: %+v, %v", h, err)
	}
	if _, err := detect("ID=" + strings.Repeat("a", 1021) + "\n"); err == nil {
		t.Errorf("a 1024-byte line is ignored")
	}
	if h, err := detect("ID=" + strings.Repeat("a", 300) + "\nVERSION_ID=" + strings.Repeat("7", 300) + "\n"); err != nil ||
		h.Distro != strings.Repeat("a", 63) || h.Version != strings.Repeat("7", 63) {
		t.Errorf("truncation: %+v, %v", h, err)
	}
	filler := strings.Repeat("# padding padding padding padding padding padding\n", 70*1024/50+1)
	if _, err := detect(filler + "ID=ubuntu\n"); err == nil {
		t.Errorf("an ID past 64 KiB was read")
	}
	if _, err := detect("ID=ubuntu\n" + filler); err != nil {
		t.Errorf("an ID before 64 KiB: %v", err)
	}
	h, err := HostFrom(strings.Repeat("z", 500), strings.Repeat("1", 500), strings.Repeat("m", 500), strings.Repeat("r", 1000))
	if err != nil || len(h.Distro) != 63 || len(h.Version) != 63 || len(h.Arch) != 31 || len(h.Release) != 255 {
		t.Errorf("field truncation: %+v, %v", h, err)
	}
	if h, err := HostFrom("amzn", "2018."+strings.Repeat("0", 300), "x86_64", "4.14.0"); err != nil || h.Version != "1" {
		t.Errorf("long amzn version: %+v, %v", h, err)
	}
}

// uname gives the kernel and arch unless overridden; an empty override counts as unset.
func TestDetectHostUname(t *testing.T) {
	release, machine, err := uname()
	if err != nil {
		t.Fatal(err)
	}
	setEnv(t, filepath.Join(osReleaseDir, "ubuntu-20.04"), "", "")
	h, err := DetectHost("")
	if err != nil || h.Release != release || h.Arch != mapArch(machine) {
		t.Errorf("%+v, %v; uname says %s %s", h, err, release, machine)
	}
	t.Setenv(EnvArch, "aarch64")
	if h, err := DetectHost(""); err != nil || h.Arch != "arm64" || h.Release != release {
		t.Errorf("arch override: %+v, %v", h, err)
	}
}

// Random os-release bytes: never a panic; a success never names a directory with '/'.
func TestDetectHostRandomBytes(t *testing.T) {
	p := filepath.Join(t.TempDir(), "os-release")
	setEnv(t, p, "6.1.0-50-amd64", "x86_64")
	alphabet := "ID=VERSION_\"'\\#\n\r\t .ab/19-\x00"
	rng := rand.New(rand.NewSource(12345))
	for iter := 0; iter < 300; iter++ {
		var b []byte
		if iter%3 == 0 {
			b = []byte("ID=")
		}
		for n := rng.Intn(400); n > 0; n-- {
			b = append(b, alphabet[rng.Intn(len(alphabet))])
		}
		os.WriteFile(p, b, 0o644)
		h, err := DetectHost("")
		if err == nil && (strings.Contains(h.Distro, "/") || h.Distro == "") {
			t.Fatalf("%q -> %+v", b, h)
		}
	}
}
