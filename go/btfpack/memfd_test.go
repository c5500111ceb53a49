//go:build linux

package btfpack

import (
	"bytes"
	"errors"
	"io"
	"os"
	"strconv"
	"testing"

	"golang.org/x/sys/unix"
)

func TestMemfdSealed(t *testing.T) {
	p := openVector(t, "packs/four-arches.pack")
	k := p.Kernels()[3]
	f, err := p.Memfd(k)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Name() != "/proc/self/fd/"+strconv.Itoa(int(f.Fd())) {
		t.Errorf("name %s", f.Name())
	}
	want, _ := p.RawBTF(k)
	got, err := io.ReadAll(f)
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("read back: %v (%d bytes, want %d)", err, len(got), len(want))
	}
	if byPath, err := os.ReadFile(f.Name()); err != nil || !bytes.Equal(byPath, want) {
		t.Fatalf("by path: %v", err)
	}
	seals, err := unix.FcntlInt(f.Fd(), unix.F_GET_SEALS, 0)
	if err != nil || seals != memfdSeals {
		t.Fatalf("seals %#x, %v; want %#x", seals, err, memfdSeals)
	}
	if _, err := f.WriteAt([]byte("x"), 0); !errors.Is(err, unix.EPERM) {
		t.Errorf("write to a sealed memfd: %v", err)
	}
	if err := f.Truncate(1); !errors.Is(err, unix.EPERM) {
		t.Errorf("shrink a sealed memfd: %v", err)
	}
	if _, err := unix.FcntlInt(f.Fd(), unix.F_ADD_SEALS, 0); !errors.Is(err, unix.EPERM) {
		t.Errorf("F_SEAL_SEAL not set: %v", err)
	}
}
