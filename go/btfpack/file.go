package btfpack

import (
	"errors"
	"os"
	"syscall"
)

// OpenFile opens the pack file at path, mapped read-only (not read into memory); Close
// releases it. Errors name the file ("<path>: <problem>") like the C reader's.
func OpenFile(path string) (*Pack, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &statusError{class: ErrIO, msg: path + ": cannot open: " + strerror(err), cause: err}
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil || !st.Mode().IsRegular() {
		return nil, &statusError{class: ErrIO, msg: path + ": not a regular file", cause: err}
	}
	if st.Size() == 0 {
		return nil, newError(ErrFormat, "%s: empty file", path)
	}
	data, unmap, err := mapFile(f, st.Size())
	if err != nil {
		return nil, &statusError{class: ErrIO, msg: path + ": cannot map", cause: err}
	}
	p, err := Open(data)
	if err != nil {
		if unmap != nil {
			unmap()
		}
		return nil, withPath(path, err)
	}
	p.close = unmap
	return p, nil
}

// strerror is the C library's text for the errno inside err (Go's text, capitalized as
// glibc's strerror has it: "No such file or directory"), or err's own text.
func strerror(err error) string {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return err.Error()
	}
	s := errno.Error()
	if s != "" && s[0] >= 'a' && s[0] <= 'z' {
		s = string(s[0]-'a'+'A') + s[1:]
	}
	return s
}
