package btfpack

import (
	"errors"
	"fmt"
	"os"
	"strings"
)

// ErrHost: the host cannot be named in BTFHub-archive terms (no readable os-release, no ID,
// or a value that names no single archive directory). host_detect.c returns -1 for these.
var ErrHost = errors.New("btfpack: cannot detect the host")

// Host is the running host in BTFHub-archive naming (lib/include/btfpack/host.h has the
// table): os-release ID and VERSION_ID mapped to the archive's distro and version
// directories, uname's machine mapped to its arch directory, uname's release as is.
// Version is "" when os-release has no VERSION_ID (Debian sid, Arch): no entry matches it.
type Host struct {
	Distro, Version, Arch, Release string
}

// Key is the pack key naming this host's kernel.
func (h Host) Key() Key { return Key{h.Distro, h.Version, h.Arch, h.Release} }

// String is "distro/version/arch/release".
func (h Host) String() string { return h.Key().String() }

// The C struct btfpack_host's field sizes: longer values are truncated to one byte less.
const (
	hostDistroMax  = 64 - 1
	hostVersionMax = 64 - 1
	hostArchMax    = 32 - 1
	hostKernelMax  = 256 - 1
)

// Environment overrides, each used only when set and non-empty (as in host_detect.c).
const (
	EnvOSRelease     = "BTFPACK_OS_RELEASE"     // os-release file to read (root not applied, no fallback)
	EnvKernelRelease = "BTFPACK_KERNEL_RELEASE" // kernel release instead of uname's
	EnvArch          = "BTFPACK_ARCH"           // raw uname machine (e.g. "aarch64"), mapped like uname's
)

func isSpace(c byte) bool {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// unquote trims surrounding whitespace, then one pair of matching quotes.
func unquote(s string) string {
	for s != "" && isSpace(s[0]) {
		s = s[1:]
	}
	for s != "" && isSpace(s[len(s)-1]) {
		s = s[:len(s)-1]
	}
	if len(s) >= 2 && (s[0] == '"' || s[0] == '\'') && s[len(s)-1] == s[0] {
		s = s[1 : len(s)-1]
	}
	return s
}

// badValue is why v cannot name one archive directory, or "".
func badValue(v string) string {
	if v == "." || v == ".." {
		return "is a relative directory name"
	}
	for i := 0; i < len(v); i++ {
		c := v[i]
		if c == '/' {
			return "contains '/'"
		}
		if c <= ' ' || c == 0x7f {
			return "contains whitespace or a control character"
		}
	}
	return ""
}

// major is the part before the first '.', e.g. "8.4" -> "8".
func major(v string) string {
	if i := strings.IndexByte(v, '.'); i >= 0 {
		return v[:i]
	}
	return v
}

// isAmzn1: Amazon Linux 1 versions are YYYY.MM (2011.09 ... 2018.03); BTFHub files them under "1".
func isAmzn1(v string) bool {
	m := major(v)
	if len(m) != 4 || len(m) == len(v) {
		return false
	}
	year := 0
	for i := 0; i < 4; i++ {
		if m[i] < '0' || m[i] > '9' {
			return false
		}
		year = year*10 + int(m[i]-'0')
	}
	return year >= 2010 && year <= 2018
}

// mapDistro maps a lowercased os-release ID and its VERSION_ID to BTFHub's distro/version.
func mapDistro(id, ver string) (distro, version string) {
	switch id {
	case "debian":
		if version = major(ver); version == "11" {
			version = "bullseye"
		}
		return id, version
	case "centos", "rhel", "ol":
		return id, major(ver)
	case "amzn":
		if isAmzn1(ver) {
			return id, "1"
		}
		return id, major(ver)
	case "sles", "sles_sap":
		return "sles", ver
	case "opensuse-leap", "opensuse":
		return "opensuse-leap", ver
	}
	return id, ver // ubuntu, fedora and anything unknown: VERSION_ID as is
}

// mapArch maps uname's machine to BTFHub's arch directory.
func mapArch(m string) string {
	switch m {
	case "x86_64", "amd64":
		return "x86_64"
	case "aarch64", "arm64":
		return "arm64"
	}
	return m // s390x, ppc64le, ...: uname's name
}

// hostMap is host_map: what[i] names where value i came from, for messages.
func hostMap(osID, versionID, machine, release string, what [4]string) (Host, error) {
	v := [4]string{unquote(osID), unquote(versionID), unquote(machine), unquote(release)}
	for i := range v {
		if i != 1 && v[i] == "" {
			return Host{}, newError(ErrHost, "%s is missing or empty", what[i])
		}
		if why := badValue(v[i]); why != "" {
			return Host{}, newError(ErrHost, "%s \"%s\" %s", what[i], truncate(v[i], 200), why)
		}
	}
	id := []byte(truncate(v[0], hostDistroMax))
	for i, c := range id { // ASCII only, byte by byte, like the C loop
		if c >= 'A' && c <= 'Z' {
			id[i] = c - 'A' + 'a'
		}
	}
	distro, version := mapDistro(string(id), v[1])
	return Host{
		Distro:  truncate(distro, hostDistroMax),
		Version: truncate(version, hostVersionMax),
		Arch:    truncate(mapArch(v[2]), hostArchMax),
		Release: truncate(v[3], hostKernelMax),
	}, nil
}

// HostFrom is the pure mapping (btfpack_host_from): os-release ID and VERSION_ID (quoted or
// not), uname machine and release -> BTFHub names. osID, machine and release must be
// non-empty; versionID may be "". Values containing '/', whitespace or control characters,
// or equal to "." or "..", are rejected (ErrHost).
func HostFrom(osID, versionID, machine, release string) (Host, error) {
	return hostMap(osID, versionID, machine, release,
		[4]string{"os-release ID", "os-release VERSION_ID", "machine", "kernel release"})
}

func env(name string) string { return os.Getenv(name) }

// DetectHost detects the running host (btfpack_host_detect): distro/version from
// <root>/etc/os-release (fallback <root>/usr/lib/os-release), kernel release and arch from
// uname(2). root is where the host's files are mounted ("/host" in a container); "" or "/"
// is the real root. Under a root, an absolute symlink etc/os-release -> /usr/lib/os-release
// is resolved inside the root. The environment overrides EnvOSRelease, EnvKernelRelease and
// EnvArch apply. os-release is parsed like the shell would (parseOSRelease). Errors wrap
// ErrHost and name the file or variable.
func DetectHost(root string) (Host, error) {
	var path string
	var f *os.File
	if override := env(EnvOSRelease); override != "" {
		var err error
		if f, err = os.Open(override); err != nil {
			return Host{}, &statusError{class: ErrHost, cause: err,
				msg: fmt.Sprintf("cannot open %s (from %s): %s", override, EnvOSRelease, strerror(err))}
		}
		path = override
	} else {
		var err error
		if f, path, err = openOSRelease(root); err != nil {
			return Host{}, err
		}
	}
	r, err := parseOSRelease(f)
	f.Close()
	if err != nil {
		return Host{}, &statusError{class: ErrHost, cause: err, msg: fmt.Sprintf("cannot read %s: %s", path, strerror(err))}
	}
	if !r.haveID || r.id == "" {
		return Host{}, newError(ErrHost, "%s has no ID= line", path)
	}
	kernel, machine := env(EnvKernelRelease), env(EnvArch)
	if kernel == "" || machine == "" {
		uk, um, err := uname()
		if err != nil {
			return Host{}, &statusError{class: ErrHost, cause: err, msg: "uname: " + strerror(err)}
		}
		if kernel == "" {
			kernel = uk
		}
		if machine == "" {
			machine = um
		}
	}
	what := [4]string{"ID in " + path, "VERSION_ID in " + path, "uname machine", "uname release"}
	if env(EnvArch) != "" {
		what[2] = EnvArch
	}
	if env(EnvKernelRelease) != "" {
		what[3] = EnvKernelRelease
	}
	return hostMap(r.id, r.versionID, machine, kernel, what)
}
