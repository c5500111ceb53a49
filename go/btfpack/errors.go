package btfpack

import (
	"errors"
	"fmt"
)

// Error classes, the C reader's btfpack_status values (lib/include/btfpack/reader.h). Every
// error this package returns wraps exactly one of them: test with errors.Is.
var (
	// ErrIO: a file cannot be opened, read or mapped (BTFPACK_ERR_IO).
	ErrIO = errors.New("btfpack: I/O error")
	// ErrFormat: not a pack, an unsupported version, or corrupt/truncated (BTFPACK_ERR_FORMAT).
	ErrFormat = errors.New("btfpack: bad pack format")
	// ErrChecksum: a checksum does not match (BTFPACK_ERR_CHECKSUM).
	ErrChecksum = errors.New("btfpack: checksum mismatch")
	// ErrNotFound: no such kernel in the pack, or no lookup layer has the host's BTF
	// (BTFPACK_ERR_NOT_FOUND).
	ErrNotFound = errors.New("btfpack: not found")
)

// statusError is an error of one class whose text is exactly the C reader's message, so the
// Go command prints what the C++ CLI prints.
type statusError struct {
	class error
	msg   string
	cause error // an underlying error (e.g. from os), or nil
}

func (e *statusError) Error() string { return e.msg }

// Unwrap gives the class and, if any, the underlying error.
func (e *statusError) Unwrap() []error {
	if e.cause != nil {
		return []error{e.class, e.cause}
	}
	return []error{e.class}
}

func newError(class error, format string, args ...any) error {
	return &statusError{class: class, msg: fmt.Sprintf(format, args...)}
}

// withPath prefixes an error with a file name ("<path>: <message>"), keeping its class.
func withPath(path string, err error) error {
	return fmt.Errorf("%s: %w", path, err)
}
