package btfpack

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"strings"
)

// os-release parsing limits (host_detect.c).
const (
	osrelMaxBytes = 64 * 1024 // read at most this much of an os-release file
	osrelLine     = 1024      // lines of osrelLine bytes or more are ignored
	osrelValue    = 256       // values are kept up to osrelValue-1 bytes
	hostPath      = 4096      // paths of hostPath bytes or more are refused
)

type osRelease struct {
	id, versionID         string
	haveID, haveVersionID bool
}

// parseValue parses one shell-style value (unquoted, '...' and "..." parts, concatenated,
// backslash escapes) at the start of p; false if the line is malformed (unterminated quote,
// or more words after the value).
func parseValue(p string) (string, bool) {
	var val []byte
	put := func(c byte) {
		if len(val) < osrelValue-1 {
			val = append(val, c)
		}
	}
	i := 0
	for i < len(p) && !isSpace(p[i]) {
		switch c := p[i]; {
		case c == '\'':
			end := strings.IndexByte(p[i+1:], '\'')
			if end < 0 {
				return "", false
			}
			for _, b := range []byte(p[i+1 : i+1+end]) {
				put(b)
			}
			i += end + 2
		case c == '"':
			for i++; ; i++ {
				if i >= len(p) {
					return "", false
				}
				if p[i] == '"' {
					break
				}
				if p[i] == '\\' && i+1 < len(p) && strings.IndexByte("$`\"\\", p[i+1]) >= 0 {
					i++
				}
				put(p[i])
			}
			i++
		case c == '\\' && i+1 < len(p):
			put(p[i+1])
			i += 2
		default:
			put(c)
			i++
		}
	}
	for i < len(p) && isSpace(p[i]) {
		i++
	}
	return string(val), i == len(p) || p[i] == '#'
}

func isKeyStart(c byte) bool { return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c == '_' }
func isKeyChar(c byte) bool  { return isKeyStart(c) || c >= '0' && c <= '9' }

// parseLine takes one KEY=value line; only ID and VERSION_ID are kept, the last one wins.
func parseLine(line string, r *osRelease) {
	p := strings.TrimLeft(line, " \t")
	if p == "" || p[0] == '#' || !isKeyStart(p[0]) {
		return
	}
	k := 1
	for k < len(p) && isKeyChar(p[k]) {
		k++
	}
	if k == len(p) || p[k] != '=' {
		return
	}
	val, ok := parseValue(p[k+1:])
	if !ok {
		return // malformed: ignored, like systemd does
	}
	switch p[:k] {
	case "ID":
		r.id, r.haveID = val, true
	case "VERSION_ID":
		r.versionID, r.haveVersionID = val, true
	}
}

// parseOSRelease reads at most osrelMaxBytes of an os-release file, line by line; lines with
// a NUL byte or of osrelLine bytes or more are ignored.
func parseOSRelease(f io.Reader) (osRelease, error) {
	var r osRelease
	data, err := io.ReadAll(io.LimitReader(f, osrelMaxBytes))
	if err != nil {
		return r, err
	}
	for len(data) > 0 || err == nil {
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i], data[i+1:]
		} else {
			data, err = nil, io.EOF
		}
		if len(line) < osrelLine && bytes.IndexByte(line, 0) < 0 {
			parseLine(string(line), &r)
		}
	}
	return r, nil
}

// openOSRelease opens <root>/etc/os-release, or <root>/usr/lib/os-release, and says which.
func openOSRelease(root string) (*os.File, string, error) {
	rl := len(root)
	for rl > 0 && root[rl-1] == '/' { // "/" -> "", "/host/" -> "/host"
		rl--
	}
	r := root[:rl]
	etc, usr := r+"/etc/os-release", r+"/usr/lib/os-release"
	if len(etc) >= hostPath || len(usr) >= hostPath {
		return nil, "", newError(ErrHost, "host root \"%s...\" is too long", truncate(root, 100))
	}
	// Under a root, an absolute symlink (etc/os-release -> /usr/lib/os-release) must resolve
	// inside the root, not in our own filesystem.
	if rl > 0 {
		if target, err := os.Readlink(etc); err == nil && target != "" && target[0] == '/' {
			if etc = r + target; len(etc) >= hostPath {
				return nil, "", newError(ErrHost, "os-release symlink target under \"%s\" is too long", r)
			}
		}
	}
	f, err1 := os.Open(etc)
	if err1 == nil {
		return f, etc, nil
	}
	f, err2 := os.Open(usr)
	if err2 == nil {
		return f, usr, nil
	}
	return nil, "", &statusError{class: ErrHost, cause: err1,
		msg: fmt.Sprintf("cannot open %s (%s) or %s (%s)", etc, strerror(err1), usr, strerror(err2))}
}
