//go:build unix

package btfpack

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps a regular file read-only; the returned func unmaps it.
func mapFile(f *os.File, size int64) ([]byte, func() error, error) {
	m, err := unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_PRIVATE)
	if err != nil {
		return nil, nil, err
	}
	return m, func() error { return unix.Munmap(m) }, nil
}
