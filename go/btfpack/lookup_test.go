package btfpack

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cilium/ebpf/btf"
)

func openVector(t testing.TB, rel string) *Pack {
	t.Helper()
	p, err := OpenFile(filepath.Join(vectorsDir, rel))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func lookup(t *testing.T, o LookupOptions) (*Result, error) {
	t.Helper()
	r, err := Lookup(context.Background(), o)
	if r != nil {
		t.Cleanup(func() { r.Close() })
	}
	return r, err
}

func tempFile(t *testing.T, name string, b []byte) string {
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, b, 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestLookupExplicitThenKernel(t *testing.T) {
	p := openVector(t, "packs/many-names.pack")
	h := Host{"ubuntu", "20.04", "x86_64", "5.4.0-1045-aws"}
	f := tempFile(t, "btf", []byte("x"))
	r, err := lookup(t, LookupOptions{ExplicitPath: f, KernelBTF: f, Pack: p, Host: &h})
	if err != nil || r.Layer != LayerExplicit || r.Path != f {
		t.Fatalf("%+v, %v", r, err)
	}
	r, err = lookup(t, LookupOptions{KernelBTF: f, Pack: p, Host: &h})
	if err != nil || r.Layer != LayerKernel || r.Path != f || r.Data != nil {
		t.Fatalf("%+v, %v", r, err)
	}
	_, err = lookup(t, LookupOptions{ExplicitPath: "/nonexistent/btf", KernelBTF: f, Pack: p, Host: &h})
	if !errors.Is(err, ErrIO) || err.Error() != "/nonexistent/btf: cannot read the BTF path set by the app: No such file or directory" {
		t.Fatalf("%v", err)
	}
}

func TestLookupPackThroughSealedMemfd(t *testing.T) {
	p := openVector(t, "packs/many-names.pack")
	h := Host{"ubuntu", "20.04", "x86_64", "5.4.0-1046-aws"}
	r, err := lookup(t, LookupOptions{KernelBTF: "-", Pack: p, Host: &h})
	if err != nil || r.Layer != LayerPack || r.Key != h.Key() || r.Host != h {
		t.Fatalf("%+v, %v", r, err)
	}
	want, _ := p.RawBTF(h.Key())
	if !strings.HasPrefix(r.Path, "/proc/self/fd/") || r.Path != r.File.Name() || !bytes.Equal(r.Data, want) {
		t.Fatalf("path %s, %d bytes", r.Path, len(r.Data))
	}
	got, err := os.ReadFile(r.Path) // as libbpf opens btf_custom_path
	if err != nil || !bytes.Equal(got, want) {
		t.Fatalf("reading %s: %v", r.Path, err)
	}
	spec, err := btf.LoadSpec(r.Path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := spec.AnyTypeByName("task_struct"); err != nil {
		t.Fatal(err)
	}
	if s2, err := r.Spec(); err != nil || s2 == nil {
		t.Fatal(err)
	}
	path := r.Path
	r.Close()
	if _, err := os.Stat(path); err == nil {
		t.Errorf("%s still open after Close", path)
	}
}

func TestLookupMissNamesHostAndNearest(t *testing.T) {
	p := openVector(t, "packs/many-names.pack")
	h := Host{"ubuntu", "20.04", "x86_64", "5.4.0-1048-aws"}
	_, err := lookup(t, LookupOptions{KernelBTF: "-", Pack: p, Host: &h})
	want := "no BTF for host ubuntu/20.04/x86_64/5.4.0-1048-aws: not in the pack; nearest kernels it has for " +
		"ubuntu/20.04/x86_64: 5.4.0-1045-aws, 5.4.0-1046-aws, 5.4.0-1047-aws, 5.4.0-1051-aws, 5.4.0-1060-aws"
	if !errors.Is(err, ErrNotFound) || err.Error() != want {
		t.Fatalf("%v\nwant %s", err, want)
	}
	h = Host{"debian", "10", "x86_64", "4.19.0-20-amd64"}
	_, err = lookup(t, LookupOptions{KernelBTF: "-", Pack: p, Host: &h})
	if !errors.Is(err, ErrNotFound) || err.Error() !=
		"no BTF for host debian/10/x86_64/4.19.0-20-amd64: the pack has no kernel for debian/10/x86_64 (20 kernels in all)" {
		t.Fatal(err)
	}
	_, err = lookup(t, LookupOptions{KernelBTF: "-", Host: &h})
	if !errors.Is(err, ErrNotFound) || !strings.HasSuffix(err.Error(), "the kernel has none and no pack was given") {
		t.Fatal(err)
	}
	if got := p.Nearest(Host{"ubuntu", "22.04", "arm64", "5.15.0-2-generic"}, 2); strings.Join(got, ",") != "5.15.0-2-generic,5.15.0-1-generic" {
		t.Errorf("Nearest: %q", got)
	}
}

func TestLookupReleaseAliases(t *testing.T) {
	p := openVector(t, "packs/many-names.pack")
	for _, c := range []struct{ host, key Key }{
		{Key{"debian", "11", "x86_64", "5.10.0-32-amd64"}, Key{"debian", "bullseye", "x86_64", "5.10.0-32-amd64"}},
		{Key{"debian", "bullseye", "x86_64", "5.10.0-32-amd64"}, Key{"debian", "bullseye", "x86_64", "5.10.0-32-amd64"}},
		{Key{"amzn", "2018", "x86_64", "4.14.355-196.647.amzn1.x86_64"}, Key{"amzn", "1", "x86_64", "4.14.355-196.647.amzn1.x86_64"}},
		{Key{"amzn", "1", "x86_64", "4.14.301-153.519.amzn1.x86_64"}, Key{"amzn", "2018", "x86_64", "4.14.301-153.519.amzn1.x86_64"}},
	} {
		h := Host(c.host)
		r, err := lookup(t, LookupOptions{KernelBTF: "-", Pack: p, Host: &h})
		if err != nil || r.Layer != LayerPack || r.Key != c.key {
			t.Errorf("%s: %+v, %v", c.host, r, err)
		}
	}
}

func TestLookupFetch(t *testing.T) {
	p := openVector(t, "packs/many-names.pack")
	h := Host{"fedora", "35", "x86_64", "5.14.10-300.fc35.x86_64"}
	remote := []byte("remote BTF bytes")
	var asked Host
	r, err := lookup(t, LookupOptions{KernelBTF: "-", Pack: p, Host: &h,
		Fetch: func(_ context.Context, h Host) ([]byte, error) { asked = h; return remote, nil }})
	if err != nil || r.Layer != LayerRemote || !bytes.Equal(r.Data, remote) || asked != h {
		t.Fatalf("%+v, %v", r, err)
	}
	if got, _ := os.ReadFile(r.Path); !bytes.Equal(got, remote) {
		t.Errorf("memfd holds %q", got)
	}
	down := errors.New("service down")
	_, err = lookup(t, LookupOptions{KernelBTF: "-", Pack: p, Host: &h,
		Fetch: func(context.Context, Host) ([]byte, error) { return nil, down }})
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, down) || !strings.Contains(err.Error(), "fedora/35/x86_64") {
		t.Fatal(err)
	}
	// the pack's answer comes first: Fetch is not asked
	h = Host{"centos", "8", "x86_64", "4.18.0-305.el8.x86_64"}
	r, err = lookup(t, LookupOptions{KernelBTF: "-", Pack: p, Host: &h,
		Fetch: func(context.Context, Host) ([]byte, error) { t.Error("Fetch asked"); return nil, nil }})
	if err != nil || r.Layer != LayerPack {
		t.Fatal(err)
	}
}

func TestLookupPreferPack(t *testing.T) {
	p := openVector(t, "packs/many-names.pack")
	kernel := tempFile(t, "vmlinux", []byte("kernel BTF"))
	h := Host{"ubuntu", "22.04", "arm64", "5.15.0-3-generic"}
	r, err := lookup(t, LookupOptions{KernelBTF: kernel, Pack: p, Host: &h})
	if err != nil || r.Layer != LayerKernel {
		t.Fatalf("without PreferPack: %+v, %v", r, err)
	}
	r, err = lookup(t, LookupOptions{KernelBTF: kernel, Pack: p, Host: &h, PreferPack: true})
	if err != nil || r.Layer != LayerPack || r.Key != h.Key() {
		t.Fatalf("with PreferPack: %+v, %v", r, err)
	}
	miss := Host{"ubuntu", "22.04", "arm64", "5.15.0-4-generic"}
	r, err = lookup(t, LookupOptions{KernelBTF: kernel, Pack: p, Host: &miss, PreferPack: true})
	if err != nil || r.Layer != LayerKernel {
		t.Fatalf("PreferPack, not in the pack: %+v, %v", r, err)
	}
}

// A container-style root: the kernel's BTF and os-release under it.
func TestLookupUnderRoot(t *testing.T) {
	p := openVector(t, "packs/many-names.pack")
	root := t.TempDir()
	for _, d := range []string{"etc", "sys/kernel/btf"} {
		os.MkdirAll(filepath.Join(root, d), 0o755)
	}
	os.WriteFile(filepath.Join(root, "etc/os-release"), []byte("ID=ubuntu\nVERSION_ID=\"20.04\"\n"), 0o644)
	vmlinux := filepath.Join(root, "sys/kernel/btf/vmlinux")
	os.WriteFile(vmlinux, []byte("kernel BTF"), 0o644)
	setEnv(t, "", "5.4.0-1051-aws", "x86_64")
	for _, prefix := range []string{root, root + "/"} {
		r, err := lookup(t, LookupOptions{Pack: p, Root: prefix})
		if err != nil || r.Layer != LayerKernel || r.Path != vmlinux {
			t.Fatalf("%+v, %v", r, err)
		}
	}
	os.Remove(vmlinux)
	r, err := lookup(t, LookupOptions{Pack: p, Root: root})
	if err != nil || r.Layer != LayerPack || r.Host != (Host{"ubuntu", "20.04", "x86_64", "5.4.0-1051-aws"}) {
		t.Fatalf("%+v, %v", r, err)
	}
	os.Remove(filepath.Join(root, "etc/os-release"))
	_, err = lookup(t, LookupOptions{Pack: p, Root: root})
	if !errors.Is(err, ErrNotFound) || !errors.Is(err, ErrHost) ||
		!strings.HasPrefix(err.Error(), "no kernel BTF on this host, and cannot open "+root+"/etc/os-release") {
		t.Fatal(err)
	}
}

func TestLookupUnreadableEntry(t *testing.T) {
	p := openVector(t, "corrupt/blob-checksum.pack")
	e, err := p.Entry(0)
	if err != nil {
		t.Fatal(err)
	}
	k, _ := ParseKey(e.Key)
	h := Host(k)
	_, err = lookup(t, LookupOptions{KernelBTF: "-", Pack: p, Host: &h})
	if !errors.Is(err, ErrChecksum) || err.Error() != "pack entry for "+e.Key+" is unreadable: blob 0 checksum mismatch" {
		t.Fatal(err)
	}
}

func TestLayerString(t *testing.T) {
	for l, s := range map[Layer]string{LayerNone: "none", LayerExplicit: "explicit", LayerKernel: "kernel", LayerPack: "pack", LayerRemote: "remote", 9: "Layer(9)"} {
		if l.String() != s {
			t.Errorf("%d: %s", l, l.String())
		}
	}
}
