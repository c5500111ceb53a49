//go:build !linux

package btfpack

import (
	"errors"
	"os"
)

// NewMemfd needs Linux's memfd_create; elsewhere it fails with ErrIO.
func NewMemfd(data []byte) (*os.File, error) {
	return nil, &statusError{class: ErrIO, msg: "cannot create a memfd for the BTF: memfd_create is Linux-only", cause: errors.ErrUnsupported}
}
