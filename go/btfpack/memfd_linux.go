package btfpack

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// memfdSeals make the memfd's content immutable: no write, no resize, no seal removal.
const memfdSeals = unix.F_SEAL_SHRINK | unix.F_SEAL_GROW | unix.F_SEAL_WRITE | unix.F_SEAL_SEAL

// NewMemfd puts data in a sealed memfd (btfpack_memfd). The file's Name() is
// "/proc/self/fd/N", a path libbpf (and libbpfgo) can open, e.g. as btf_custom_path; it stays
// valid until the file is closed. The error wraps ErrIO.
func NewMemfd(data []byte) (*os.File, error) {
	fd, err := unix.MemfdCreate("btfpack-btf", unix.MFD_CLOEXEC|unix.MFD_ALLOW_SEALING)
	if err != nil {
		return nil, &statusError{class: ErrIO, msg: "cannot create a memfd for the BTF: " + strerror(err), cause: err}
	}
	f := os.NewFile(uintptr(fd), fmt.Sprintf("/proc/self/fd/%d", fd))
	if _, err := f.Write(data); err != nil {
		f.Close()
		return nil, &statusError{class: ErrIO, msg: "cannot write the BTF to a memfd: " + strerror(err), cause: err}
	}
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, memfdSeals); err != nil {
		f.Close()
		return nil, &statusError{class: ErrIO, msg: "cannot seal the memfd: " + strerror(err), cause: err}
	}
	if _, err := f.Seek(0, 0); err != nil {
		f.Close()
		return nil, &statusError{class: ErrIO, msg: "cannot rewind the memfd: " + strerror(err), cause: err}
	}
	return f, nil
}
