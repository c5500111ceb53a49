// Package bench measures what it costs a cilium/ebpf app to get its kernel types three ways,
// side by side (scripts/bench-go builds the inputs and prints the ratio table):
//
//   - pack:   btfpack.Open of an embedded pack + Find + Spec (*btf.Spec of the minimized BTF)
//   - tarxz:  what Go apps that ship BTFHub-style bundles do today: decompress an embedded
//     .tar.xz of the same minimized BTFs (ulikunitz/xz + archive/tar) up to the host's
//     file, then btf.LoadSpecFromReader
//   - tree:   what tracee and parca-agent do: //go:embed "dist/btfhub/*", a tree of the
//     minimized BTFs, uncompressed; fs.ReadFile of the host's file, then btf.LoadSpecFromReader
//   - kernel: btf.LoadKernelSpec of this host's /sys/kernel/btf/vmlinux, cold: in v0.22
//     cilium/ebpf keeps no process-wide copy (no btf.FlushKernelSpec any more; btf.Cache is the
//     opt-in cache), so every call maps vmlinux and parses it again
//
// Inputs come from the environment (the benchmarks skip without them):
//
//	BTFPACK_BENCH_PACK    a pack (read into memory first, as //go:embed would have it)
//	BTFPACK_BENCH_BUNDLE  a .tar.xz of "<distro>/<version>/<arch>/<kernel>.btf" files, the
//	                      pack's kernels as `btfpack get` returns them
//	BTFPACK_BENCH_TREE    optional: the same files as a directory tree (read into an
//	                      in-memory fs.FS first, as embed.FS would hold them)
//	BTFPACK_BENCH_OBJ     a CO-RE object; the Relocate benchmarks also relocate it
package bench

import (
	"bytes"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing/fstest"

	"github.com/cilium/ebpf/btf"

	"github.com/btfpack/btfpack/go/btfpack"
	"github.com/btfpack/btfpack/go/internal/tarxz"
)

// HostArch is the running machine in BTFHub's naming (x86_64, arm64, s390x).
func HostArch() string {
	switch runtime.GOARCH {
	case "amd64":
		return "x86_64"
	default:
		return runtime.GOARCH
	}
}

// SpecFromPack is the pack path: open the embedded pack, find k, decode its BTF.
func SpecFromPack(pack []byte, k btfpack.Key) (*btf.Spec, error) {
	p, err := btfpack.Open(pack)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	if _, ok := p.Find(k); !ok {
		return nil, fmt.Errorf("pack: no %s", k)
	}
	return p.Spec(k)
}

// SpecFromBundle is today's path: decompress the embedded .tar.xz up to k's file, decode it.
func SpecFromBundle(bundle []byte, k btfpack.Key) (*btf.Spec, error) {
	want := k.String() + ".btf"
	_, raw, err := tarxz.ReadFile(bytes.NewReader(bundle), func(name string) bool { return name == want })
	if err != nil {
		return nil, fmt.Errorf("bundle: %s: %w", want, err)
	}
	return btf.LoadSpecFromReader(bytes.NewReader(raw))
}

// SpecFromTree is the embedded-tree path: read k's file out of an fs.FS (embed.FS in an app).
func SpecFromTree(tree fs.FS, k btfpack.Key) (*btf.Spec, error) {
	raw, err := fs.ReadFile(tree, k.String()+".btf")
	if err != nil {
		return nil, fmt.Errorf("tree: %w", err)
	}
	return btf.LoadSpecFromReader(bytes.NewReader(raw))
}

// LoadTree reads every file under dir into an in-memory fs.FS (what embed.FS gives an app).
func LoadTree(dir string) (fs.FS, int64, error) {
	tree := fstest.MapFS{}
	var total int64
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, err := filepath.Rel(dir, path)
		if err != nil {
			return err
		}
		tree[filepath.ToSlash(rel)] = &fstest.MapFile{Data: data, Mode: 0o444}
		total += int64(len(data))
		return nil
	})
	return tree, total, err
}

// SpecFromKernel is btf.LoadKernelSpec (uncached: a fresh parse on every call).
func SpecFromKernel() (*btf.Spec, error) {
	return btf.LoadKernelSpec()
}

// HostArchKeys lists the pack's kernels of this machine's arch (the ones an app on this
// machine could be asked for).
func HostArchKeys(pack []byte) ([]btfpack.Key, error) {
	p, err := btfpack.Open(pack)
	if err != nil {
		return nil, err
	}
	defer p.Close()
	var keys []btfpack.Key
	for _, k := range p.Kernels() {
		if strings.EqualFold(k.Arch, HostArch()) {
			keys = append(keys, k)
		}
	}
	if len(keys) == 0 {
		return nil, fmt.Errorf("pack has no %s kernel", HostArch())
	}
	return keys, nil
}
