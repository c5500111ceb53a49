package bench

import (
	"io/fs"
	"os"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/btfpack/btfpack/go/btfpack"
	"github.com/btfpack/btfpack/go/internal/corefidelity"
)

type inputs struct {
	pack, bundle []byte
	tree         fs.FS // nil without BTFPACK_BENCH_TREE
	keys         []btfpack.Key
	coll         *ebpf.CollectionSpec // nil without BTFPACK_BENCH_OBJ
}

func load(b *testing.B) *inputs {
	packPath, bundlePath := os.Getenv("BTFPACK_BENCH_PACK"), os.Getenv("BTFPACK_BENCH_BUNDLE")
	if packPath == "" || bundlePath == "" {
		b.Skip("BTFPACK_BENCH_PACK / BTFPACK_BENCH_BUNDLE not set (scripts/bench-go sets them)")
	}
	in := &inputs{}
	var err error
	if in.pack, err = os.ReadFile(packPath); err != nil {
		b.Fatal(err)
	}
	if in.bundle, err = os.ReadFile(bundlePath); err != nil {
		b.Fatal(err)
	}
	if in.keys, err = HostArchKeys(in.pack); err != nil {
		b.Fatalf("%s: %v", packPath, err)
	}
	if dir := os.Getenv("BTFPACK_BENCH_TREE"); dir != "" {
		if in.tree, _, err = LoadTree(dir); err != nil {
			b.Fatal(err)
		}
	}
	if obj := os.Getenv("BTFPACK_BENCH_OBJ"); obj != "" {
		if in.coll, err = ebpf.LoadCollectionSpec(obj); err != nil {
			b.Fatal(err)
		}
	}
	return in
}

// run times get over the host-arch kernels in turn (the bundle's files are spread over the
// archive, so the tar.xz path pays its average decompression distance) and, with relocate,
// relocates the object against each spec as cilium/ebpf's loader would.
func run(b *testing.B, in *inputs, relocate bool, get func(k btfpack.Key) (*btf.Spec, error)) {
	if relocate && in.coll == nil {
		b.Skip("BTFPACK_BENCH_OBJ not set")
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		spec, err := get(in.keys[i%len(in.keys)])
		if err != nil {
			b.Fatal(err)
		}
		if relocate {
			for _, o := range corefidelity.Relocate(in.coll, spec) {
				if o.Err != "" {
					b.Fatalf("%s: %s", o.Program, o.Err)
				}
			}
		}
		i++
	}
}

func benchmarks(b *testing.B, relocate bool) {
	in := load(b)
	b.Run("pack", func(b *testing.B) {
		run(b, in, relocate, func(k btfpack.Key) (*btf.Spec, error) { return SpecFromPack(in.pack, k) })
	})
	b.Run("tarxz", func(b *testing.B) {
		run(b, in, relocate, func(k btfpack.Key) (*btf.Spec, error) { return SpecFromBundle(in.bundle, k) })
	})
	b.Run("tree", func(b *testing.B) {
		if in.tree == nil {
			b.Skip("BTFPACK_BENCH_TREE not set")
		}
		run(b, in, relocate, func(k btfpack.Key) (*btf.Spec, error) { return SpecFromTree(in.tree, k) })
	})
	b.Run("kernel", func(b *testing.B) {
		if _, err := os.Stat("/sys/kernel/btf/vmlinux"); err != nil {
			b.Skip("no /sys/kernel/btf/vmlinux")
		}
		run(b, in, relocate, func(btfpack.Key) (*btf.Spec, error) { return SpecFromKernel() })
	})
}

// BenchmarkSpec: open + find + decode to *btf.Spec.
func BenchmarkSpec(b *testing.B) { benchmarks(b, false) }

// BenchmarkRelocate: the same, then the object's CO-RE relocations computed against the spec
// (cilium/ebpf decodes types lazily: this is where the kernel spec's types get decoded).
func BenchmarkRelocate(b *testing.B) { benchmarks(b, true) }
