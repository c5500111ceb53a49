package corefidelity

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/cilium/ebpf"
	"github.com/cilium/ebpf/btf"

	"github.com/btfpack/btfpack/go/btfpack"
	"github.com/btfpack/btfpack/go/internal/tarxz"
)

// The test needs the build tree; ctest (tests/gofidelity) sets these:
//
//	BTFPACK_CLI           the btfpack command (build/tools/btfpack)
//	BTFPACK_BPF_DIR       build/bpf: el/*.o, eb/*.o, large/{el,eb}/large.o
//	BTFPACK_TEST_KERNELS  testdata/kernels: <distro>/<version>/<arch>/<kernel>.btf.tar.xz
//	BTFPACK_LIBBPF_TOOLS  optional: build/libbpf-tools, the CO-RE objects of Debian's
//	                      libbpf-tools (little-endian only)
func env(t testing.TB) (cli, bpfDir, kernelsDir string) {
	cli, bpfDir, kernelsDir = os.Getenv("BTFPACK_CLI"), os.Getenv("BTFPACK_BPF_DIR"), os.Getenv("BTFPACK_TEST_KERNELS")
	if cli == "" || bpfDir == "" || kernelsDir == "" {
		t.Skip("BTFPACK_CLI, BTFPACK_BPF_DIR and BTFPACK_TEST_KERNELS are not set (ctest sets them: ctest --test-dir build -L fidelity)")
	}
	return cli, bpfDir, kernelsDir
}

// kernel is one testdata kernel: its full BTF, unpacked in memory.
type kernel struct {
	key       string // distro/version/arch/release, as `btfpack ls` names it
	arch      string
	bigEndian bool
	raw       []byte
	spec      *btf.Spec
}

// object is one bpf/ program built for both byte orders.
type object struct {
	name   string
	el, eb string // paths; eb may be "" when there is no big-endian build
	// foreign: a libbpf application's object, which cilium/ebpf may not be able to load at all
	// (e.g. libbpf's USDT support uses weak maps): such an object is reported, not failed.
	foreign bool
}

type fixture struct {
	kernels []*kernel
	archive string // a BTFHub-layout tree of the kernels' raw BTFs
	dir     string
	err     error
}

var (
	fixtureOnce sync.Once
	shared      fixture
)

func TestMain(m *testing.M) {
	code := m.Run()
	if shared.dir != "" {
		os.RemoveAll(shared.dir)
	}
	os.Exit(code)
}

// loadFixture unpacks every testdata kernel once (ulikunitz/xz, in memory) and writes the raw
// BTFs as an archive tree that `btfpack build` reads without decompressing again.
func loadFixture(t testing.TB, kernelsDir string) *fixture {
	fixtureOnce.Do(func() {
		shared.dir, shared.err = os.MkdirTemp("", "btfpack-corefidelity-")
		if shared.err != nil {
			return
		}
		shared.archive = filepath.Join(shared.dir, "archive")
		paths, err := filepath.Glob(filepath.Join(kernelsDir, "*", "*", "*", "*.btf.tar.xz"))
		if err != nil || len(paths) == 0 {
			shared.err = fmt.Errorf("no <distro>/<version>/<arch>/<kernel>.btf.tar.xz under %s", kernelsDir)
			return
		}
		sort.Strings(paths)
		for _, p := range paths {
			k, err := loadKernel(kernelsDir, p, shared.archive)
			if err != nil {
				shared.err = err
				return
			}
			shared.kernels = append(shared.kernels, k)
		}
	})
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return &shared
}

func loadKernel(kernelsDir, path, archive string) (*kernel, error) {
	rel, err := filepath.Rel(kernelsDir, path)
	if err != nil {
		return nil, err
	}
	key := strings.TrimSuffix(filepath.ToSlash(rel), ".btf.tar.xz")
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	raw, err := tarxz.ReadBTF(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	out := filepath.Join(archive, filepath.FromSlash(key)+".btf")
	if err := os.MkdirAll(filepath.Dir(out), 0o755); err != nil {
		return nil, err
	}
	if err := os.WriteFile(out, raw, 0o644); err != nil {
		return nil, err
	}
	return &kernel{
		key:       key,
		arch:      strings.Split(key, "/")[2],
		bigEndian: len(raw) >= 2 && raw[0] == 0xeb && raw[1] == 0x9f, // BTF magic 0xeB9F, big-endian
		raw:       raw,
		spec:      spec,
	}, nil
}

// objects lists the bpf/ objects of the build tree: el/*.o with their eb/ twins, and the large
// generated object.
func objects(t testing.TB, bpfDir string) []object {
	els, err := filepath.Glob(filepath.Join(bpfDir, "el", "*.o"))
	if err != nil || len(els) == 0 {
		t.Fatalf("no objects in %s/el (build the tree first)", bpfDir)
	}
	sort.Strings(els)
	var objs []object
	add := func(name, el, eb string) {
		if _, err := os.Stat(eb); err != nil {
			eb = ""
		}
		objs = append(objs, object{name: name, el: el, eb: eb})
	}
	for _, el := range els {
		name := filepath.Base(el)
		add(strings.TrimSuffix(name, ".o"), el, filepath.Join(bpfDir, "eb", name))
	}
	if large := filepath.Join(bpfDir, "large", "el", "large.o"); fileExists(large) {
		add("large", large, filepath.Join(bpfDir, "large", "eb", "large.o"))
	}
	if dir := os.Getenv("BTFPACK_LIBBPF_TOOLS"); dir != "" {
		tools, _ := filepath.Glob(filepath.Join(dir, "*.o"))
		if len(tools) == 0 {
			t.Fatalf("BTFPACK_LIBBPF_TOOLS=%s: no *.o there", dir)
		}
		sort.Strings(tools)
		for _, el := range tools {
			add("libbpf-tools/"+strings.TrimSuffix(filepath.Base(el), ".o"), el, "")
			objs[len(objs)-1].foreign = true
		}
	}
	return objs
}

func fileExists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// objectFor is the build a user ships for kernel k: bpfel for little-endian kernels, bpfeb for
// big-endian ones (cilium/ebpf refuses to relocate across byte orders: "can't relocate").
func (o object) objectFor(k *kernel) string {
	if k.bigEndian {
		return o.eb
	}
	return o.el
}

// buildPack runs `btfpack build` over the fixture's archive with the object's el build for the
// little-endian arches and its eb build for the big-endian ones.
func buildPack(t testing.TB, cli string, fx *fixture, o object, out string) {
	args := []string{"build", fx.archive, "-o", out, "-j", "2"}
	seen := map[string]bool{}
	for _, k := range fx.kernels {
		if seen[k.arch] || o.objectFor(k) == "" {
			continue
		}
		seen[k.arch] = true
		args = append(args, k.arch+"="+o.objectFor(k))
	}
	if outb, err := exec.Command(cli, args...).CombinedOutput(); err != nil {
		t.Fatalf("%s %s: %v\n%s", cli, strings.Join(args, " "), err, outb)
	}
}

// openPack opens a pack with the Go reader, closed when the test ends.
func openPack(t testing.TB, path string) *btfpack.Pack {
	p, err := btfpack.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// minimizedBTF is the kernel's BTF as an application gets it from the pack (Go reader), raw
// and as the *btf.Spec an app passes as ProgramOptions.KernelTypes.
func minimizedBTF(t testing.TB, p *btfpack.Pack, key string) ([]byte, *btf.Spec) {
	k, err := btfpack.ParseKey(key)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := p.RawBTF(k)
	if err != nil {
		t.Fatalf("pack: %s: %v", key, err)
	}
	spec, err := p.Spec(k)
	if err != nil {
		t.Fatalf("pack: %s: %v", key, err)
	}
	return raw, spec
}

// TestCOREFidelity: for every bpf/ object and every testdata kernel (bpfel objects against the
// little-endian kernels, bpfeb against the big-endian s390x one), cilium/ebpf's CO-RE
// relocation against btfpack's minimized BTF from a pack (read by the Go reader) equals the one against the kernel's
// full BTF: same fixups, same poisoned relocations, same errors, same patched instructions
// (target type ids named by the type they denote).
func TestCOREFidelity(t *testing.T) {
	cli, bpfDir, kernelsDir := env(t)
	fx := loadFixture(t, kernelsDir)
	var total Stats
	for _, o := range objects(t, bpfDir) {
		packPath := filepath.Join(fx.dir, strings.ReplaceAll(o.name, "/", "_")+".pack")
		buildPack(t, cli, fx, o, packPath)
		pack := openPack(t, packPath)
		for _, k := range fx.kernels {
			path := o.objectFor(k)
			if path == "" {
				continue
			}
			t.Run(o.name+"/"+k.key, func(t *testing.T) {
				coll, err := ebpf.LoadCollectionSpec(path)
				if err != nil && o.foreign {
					t.Logf("not compared: cilium/ebpf cannot load this libbpf object: %v", err)
					return
				}
				if err != nil {
					t.Fatalf("%s: %v", path, err)
				}
				minRaw, minSpec := minimizedBTF(t, pack, k.key)
				want := Relocate(coll, k.spec)
				got := Relocate(coll, minSpec)
				st := Count(want)
				if st.Relocations == 0 && st.FailedPrograms == 0 {
					t.Fatalf("%s: no CO-RE relocation relocated", path)
				}
				if diffs := Diff(want, got); len(diffs) > 0 {
					t.Errorf("%s against %s: cilium/ebpf relocates differently against the minimized BTF (%d bytes) than against the full BTF (%d bytes):\n%s",
						path, k.key, len(minRaw), len(k.raw), strings.Join(diffs, "\n"))
				}
				t.Logf("%-40s %s: %d programs (%d failed), %d relocations (%d poisoned), min BTF %d bytes",
					k.key, filepath.Base(filepath.Dir(path))+"/"+filepath.Base(path), st.Programs, st.FailedPrograms, st.Relocations, st.Poisoned, len(minRaw))
				total.Programs += st.Programs
				total.FailedPrograms += st.FailedPrograms
				total.Relocations += st.Relocations
				total.Poisoned += st.Poisoned
				total.ApplyErrors += st.ApplyErrors
			})
		}
	}
	t.Logf("total: %d programs (%d failed), %d relocations (%d poisoned, %d fixups not applicable) compared",
		total.Programs, total.FailedPrograms, total.Relocations, total.Poisoned, total.ApplyErrors)
}

// mutateStruct returns raw BTF re-encoded (same byte order) after edit changed the struct
// named name: a deliberately broken minimized BTF.
func mutateStruct(t testing.TB, raw []byte, bigEndian bool, name string, edit func(*btf.Struct)) []byte {
	spec, err := btf.LoadSpecFromReader(bytes.NewReader(raw))
	if err != nil {
		t.Fatal(err)
	}
	var s *btf.Struct
	if err := spec.TypeByName(name, &s); err != nil {
		t.Fatalf("struct %s: %v", name, err)
	}
	edit(s)
	b, err := btf.NewBuilder(nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	for typ, err := range spec.All() {
		if err != nil {
			t.Fatal(err)
		}
		if _, err := b.Add(typ); err != nil {
			t.Fatal(err)
		}
	}
	opts := &btf.MarshalOptions{Order: binary.LittleEndian}
	if bigEndian {
		opts.Order = binary.BigEndian
	}
	out, err := b.Marshal(nil, opts)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// minimalPack is the fixture, bpf/minimal.bpf.c's object and a pack built for it (named by tag).
func minimalPack(t *testing.T, tag string) (*fixture, object, *btfpack.Pack) {
	cli, bpfDir, kernelsDir := env(t)
	fx := loadFixture(t, kernelsDir)
	o := object{name: "minimal", el: filepath.Join(bpfDir, "el", "minimal.o"), eb: filepath.Join(bpfDir, "eb", "minimal.o")}
	packPath := filepath.Join(fx.dir, "minimal-"+tag+".pack")
	buildPack(t, cli, fx, o, packPath)
	return fx, o, openPack(t, packPath)
}

// TestCOREFidelityDetectsBrokenBTF: the comparison of TestCOREFidelity fails when the minimized
// BTF is wrong: a member dropped (the relocation that reads it is poisoned instead of patched)
// or moved (a different offset is patched in), on both byte orders.
func TestCOREFidelityDetectsBrokenBTF(t *testing.T) {
	fx, o, pack := minimalPack(t, "broken")
	edits := []struct {
		what string
		edit func(*btf.Struct)
	}{
		{"drop task_struct.real_parent", func(s *btf.Struct) {
			var kept []btf.Member
			for _, m := range s.Members {
				if m.Name != "real_parent" {
					kept = append(kept, m)
				}
			}
			s.Members = kept
		}},
		{"move task_struct.tgid by 8 bytes", func(s *btf.Struct) {
			for i := range s.Members {
				if s.Members[i].Name == "tgid" {
					s.Members[i].Offset += 64
				}
			}
		}},
	}
	for _, k := range fx.kernels {
		coll, err := ebpf.LoadCollectionSpec(o.objectFor(k))
		if err != nil {
			t.Fatal(err)
		}
		want := Relocate(coll, k.spec)
		for _, e := range edits {
			what := e.what
			raw, _ := minimizedBTF(t, pack, k.key)
			broken := mutateStruct(t, raw, k.bigEndian, "task_struct", e.edit)
			spec, err := btf.LoadSpecFromReader(bytes.NewReader(broken))
			if err != nil {
				t.Fatal(err)
			}
			diffs := Diff(want, Relocate(coll, spec))
			if len(diffs) == 0 {
				t.Errorf("%s, %s: the comparison found no difference", k.key, what)
				continue
			}
			t.Logf("%s, %s: %d difference(s), first:\n%s", k.key, what, len(diffs), diffs[0])
		}
	}
}

// TestCOREFidelityByteOrders: what cilium/ebpf does when the object's byte order is not the
// kernel BTF's (why TestCOREFidelity pairs bpfel objects with little-endian kernels and bpfeb
// with big-endian ones, as users ship them): every program with CO-RE relocations fails with
// "can't relocate", the same against the full and the minimized BTF.
func TestCOREFidelityByteOrders(t *testing.T) {
	fx, o, pack := minimalPack(t, "orders")
	for _, k := range fx.kernels {
		wrong := o.el
		if !k.bigEndian {
			wrong = o.eb
		}
		coll, err := ebpf.LoadCollectionSpec(wrong)
		if err != nil {
			t.Fatal(err)
		}
		_, minSpec := minimizedBTF(t, pack, k.key)
		for _, target := range []*btf.Spec{k.spec, minSpec} {
			out := Relocate(coll, target)
			if len(out) == 0 {
				t.Fatalf("%s: no program with relocations", wrong)
			}
			for _, p := range out {
				if !strings.Contains(p.Err, "can't relocate") {
					t.Errorf("%s against %s: program %s: %q, want a \"can't relocate\" error", wrong, k.key, p.Program, p.Err)
				}
			}
		}
	}
}
