package btfpack

import (
	"context"
	"encoding/binary"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
)

// A fake service checks what RemoteFetch sends; the real `btfpack serve` is exercised by
// TestRemoteFetchServer when BTFPACK_TEST_SERVE_URL names a running one (ctest go_remote_serve).
func TestRemoteFetchRequest(t *testing.T) {
	btf := make([]byte, 24)
	binary.LittleEndian.PutUint16(btf, 0xeb9f)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method != http.MethodPost || r.URL.Path != "/api/v1/customize" || q.Get("distribution") != "debian" ||
			q.Get("distribution_version") != "12" || q.Get("arch") != "x86_64" || q.Get("kernel_version") != "6.1.0-50-amd64" ||
			q.Get("format") != "raw" {
			http.Error(w, `{"error": "bad request `+r.URL.String()+`"}`, http.StatusBadRequest)
			return
		}
		f, h, err := r.FormFile("bpf")
		if err != nil || h.Filename != "prog.o" {
			http.Error(w, `{"error": "no bpf part"}`, http.StatusBadRequest)
			return
		}
		b, _ := io.ReadAll(f)
		if string(b) != "OBJECT" {
			http.Error(w, `{"error": "wrong object"}`, http.StatusBadRequest)
			return
		}
		w.Write(btf)
	}))
	defer srv.Close()
	h := Host{"debian", "12", "x86_64", "6.1.0-50-amd64"}
	got, err := RemoteFetch(srv.URL+"/", nil, Object{"prog.o", []byte("OBJECT")})(context.Background(), h)
	if err != nil || len(got) != 24 {
		t.Fatalf("RemoteFetch: %v (%d bytes)", err, len(got))
	}
	_, err = RemoteFetch(srv.URL, nil, Object{"prog.o", []byte("OTHER")})(context.Background(), h)
	if err == nil || !strings.Contains(err.Error(), "400") || !strings.Contains(err.Error(), "wrong object") {
		t.Fatalf("service error not passed on: %v", err)
	}
	if _, err := RemoteFetch(srv.URL, nil)(context.Background(), h); err == nil {
		t.Fatal("no objects: no error")
	}
}

func TestRemoteFetchRejectsNonBTF(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write([]byte("<html>a proxy's page, not a BTF</html>"))
	}))
	defer srv.Close()
	_, err := RemoteFetch(srv.URL, nil, Object{"p.o", []byte("x")})(context.Background(), Host{"d", "v", "a", "k"})
	if err == nil || !strings.Contains(err.Error(), "not a BTF") {
		t.Fatalf("non-BTF answer: %v", err)
	}
}

// Against a running `btfpack serve` (BTFPACK_TEST_SERVE_URL) whose archive has the kernel
// BTFPACK_TEST_SERVE_KERNEL (distro/version/arch/release) and the object
// BTFPACK_TEST_SERVE_OBJECT: Lookup with no pack answers from layer 4 with a BTF that parses.
func TestRemoteFetchServer(t *testing.T) {
	base, key, obj := os.Getenv("BTFPACK_TEST_SERVE_URL"), os.Getenv("BTFPACK_TEST_SERVE_KERNEL"), os.Getenv("BTFPACK_TEST_SERVE_OBJECT")
	if base == "" {
		t.Skip("BTFPACK_TEST_SERVE_URL not set (ctest go_remote_serve starts a server)")
	}
	k, err := ParseKey(key)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(obj)
	if err != nil {
		t.Fatal(err)
	}
	h := Host{k.Distro, k.Version, k.Arch, k.Release}
	res, err := Lookup(context.Background(), LookupOptions{KernelBTF: "-", Host: &h,
		Fetch: RemoteFetch(base, nil, Object{"prog.o", b})})
	if err != nil {
		t.Fatal(err)
	}
	defer res.Close()
	if res.Layer != LayerRemote {
		t.Fatalf("layer %v, want remote", res.Layer)
	}
	spec, err := res.Spec()
	if err != nil {
		t.Fatalf("the service's BTF does not parse: %v", err)
	}
	if _, err := spec.AnyTypeByName("task_struct"); err != nil {
		t.Fatalf("no task_struct in the customized BTF: %v", err)
	}
	bad := Host{k.Distro, k.Version, k.Arch, "0.0.0-no-such-kernel"}
	if _, err := RemoteFetch(base, nil, Object{"prog.o", b})(context.Background(), bad); err == nil ||
		!strings.Contains(err.Error(), "404") {
		t.Fatalf("unknown kernel: %v", err)
	}
	if out := os.Getenv("BTFPACK_TEST_SERVE_OUT"); out != "" { // for the caller's libbpf check
		os.WriteFile(out, mustData(t, res), 0o644)
	}
}

func mustData(t *testing.T, r *Result) []byte {
	d := r.Data
	if len(d) == 0 {
		t.Fatal("remote result has no data")
	}
	return d
}
