//go:build !unix

package btfpack

import (
	"io"
	"os"
)

// mapFile reads a regular file into memory (no mmap on this platform).
func mapFile(f *os.File, size int64) ([]byte, func() error, error) {
	b := make([]byte, size)
	if _, err := io.ReadFull(f, b); err != nil {
		return nil, nil, err
	}
	return b, nil, nil
}
