// Package tarxz reads files out of .tar.xz archives in memory, the way Go applications that
// embed BTFHub files or bundles of minimized BTFs read them today (ulikunitz/xz + archive/tar).
// btfpack's tests use it to unpack the testdata kernels and its benchmarks use it as the
// baseline the pack reader is measured against.
package tarxz

import (
	"archive/tar"
	"errors"
	"fmt"
	"io"
	"path"
	"strings"

	"github.com/ulikunitz/xz"
)

// maxFileSize bounds the allocation a corrupt header can ask for (kernel BTFs are < 100 MB).
const maxFileSize = 1 << 30

// ErrNotFound is returned (wrapped) when no regular file of the archive matches.
var ErrNotFound = errors.New("no matching file in the archive")

// ReadFile decompresses r as a .tar.xz stream until the first regular file for which match
// returns true, and returns that file's name (as stored, without a leading "./") and contents.
// Like an application reading an embedded bundle, it stops decompressing at that file.
func ReadFile(r io.Reader, match func(name string) bool) (string, []byte, error) {
	zr, err := xz.NewReader(r)
	if err != nil {
		return "", nil, fmt.Errorf("xz: %w", err)
	}
	tr := tar.NewReader(zr)
	for {
		h, err := tr.Next()
		if errors.Is(err, io.EOF) {
			return "", nil, ErrNotFound
		}
		if err != nil {
			return "", nil, fmt.Errorf("tar: %w", err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		name := strings.TrimPrefix(path.Clean(h.Name), "./")
		if !match(name) {
			continue
		}
		if h.Size < 0 || h.Size > maxFileSize {
			return "", nil, fmt.Errorf("tar: %s: size %d out of range", name, h.Size)
		}
		data := make([]byte, h.Size)
		if _, err := io.ReadFull(tr, data); err != nil {
			return "", nil, fmt.Errorf("tar: %s: %w", name, err)
		}
		return name, data, nil
	}
}

// ReadBTF returns the first "*.btf" file of a BTFHub-archive "<kernel>.btf.tar.xz" stream.
func ReadBTF(r io.Reader) ([]byte, error) {
	_, data, err := ReadFile(r, func(name string) bool { return strings.HasSuffix(name, ".btf") })
	return data, err
}
