package btfpack

import (
	"bufio"
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/zeebo/xxh3"
)

// The shared test vectors (testdata/vectors, scripts/update-vectors), which the C reader's
// tests read too.
const vectorsDir = "../../testdata/vectors"

// referencePacks is the reference packs' base names.
func referencePacks(t testing.TB) []string {
	paths, err := filepath.Glob(filepath.Join(vectorsDir, "packs", "*.pack"))
	if err != nil || len(paths) < 2 {
		t.Fatalf("reference packs missing under %s/packs (%v)", vectorsDir, err)
	}
	for i := range paths {
		paths[i] = strings.TrimSuffix(paths[i], ".pack")
	}
	return paths
}

func readLines(t testing.TB, path string) []string {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

// expectedSHA256 is key -> sha256 of `btfpack get`, from <base>.sha256.
func expectedSHA256(t testing.TB, base string) map[string]string {
	out := map[string]string{}
	for _, l := range readLines(t, base+".sha256") {
		sum, key, ok := strings.Cut(l, "  ")
		if !ok {
			t.Fatalf("%s.sha256: bad line %q", base, l)
		}
		out[key] = sum
	}
	return out
}

func sha(b []byte) string { s := sha256.Sum256(b); return hex.EncodeToString(s[:]) }

func TestReferencePacks(t *testing.T) {
	for _, base := range referencePacks(t) {
		t.Run(filepath.Base(base), func(t *testing.T) {
			p, err := OpenFile(base + ".pack")
			if err != nil {
				t.Fatal(err)
			}
			defer p.Close()
			entries, err := p.Entries()
			if err != nil {
				t.Fatal(err)
			}
			var ls []string
			for _, e := range entries {
				ls = append(ls, e.Key+"\tblob "+strconv.Itoa(int(e.Blob)))
			}
			if want := readLines(t, base+".ls"); strings.Join(ls, "\n") != strings.Join(want, "\n") {
				t.Fatalf("entries differ from btfpack ls:\n%s\nwant\n%s", strings.Join(ls, "\n"), strings.Join(want, "\n"))
			}
			sums := expectedSHA256(t, base)
			keys := p.Kernels()
			if len(keys) != len(sums) || len(keys) != p.Count() {
				t.Fatalf("%d kernels, %d in .sha256, Count %d", len(keys), len(sums), p.Count())
			}
			for i, k := range keys {
				if j, ok := p.Find(k); !ok || j != i {
					t.Errorf("Find(%s) = %d, %v; want %d", k, j, ok, i)
				}
				raw, err := p.RawBTF(k)
				if err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				if got := sha(raw); got != sums[k.String()] {
					t.Errorf("%s: sha256 %s, btfpack get gives %s", k, got, sums[k.String()])
				}
				// big-endian BTF for the s390x kernels, little-endian for the others
				wantMagic := []byte{0x9f, 0xeb}
				if k.Arch == "s390x" {
					wantMagic = []byte{0xeb, 0x9f}
				}
				if !bytes.Equal(raw[:2], wantMagic) {
					t.Errorf("%s: BTF magic % x, want % x", k, raw[:2], wantMagic)
				}
				spec, err := p.Spec(k)
				if err != nil {
					t.Fatalf("%s: %v", k, err)
				}
				if _, err := spec.AnyTypeByName("task_struct"); err != nil {
					t.Errorf("%s: the minimized BTF lacks task_struct: %v", k, err)
				}
			}
			if !strings.Contains(p.Meta(), "btfpack_version=") || !strings.Contains(p.Meta(), "build_time=") {
				t.Errorf("META lacks the build fields: %q", p.Meta())
			}
			for i := range keys {
				if _, ok := p.Source(i); !ok {
					t.Errorf("entry %d has no source hash", i)
				}
			}
		})
	}
}

// A delta-coded list is in the reference packs, so its decoding is checked against the writer.
func TestReferencePacksHaveDeltaLists(t *testing.T) {
	deltas := 0
	for _, base := range referencePacks(t) {
		b, err := os.ReadFile(base + ".pack")
		if err != nil {
			t.Fatal(err)
		}
		p, err := Open(b)
		if err != nil {
			t.Fatal(err)
		}
		for i := uint32(0); i < uint32(p.BlobCount()); i++ {
			if p.blobs[rd64(p.blobEntry(i), beListOffset)]&listDelta != 0 {
				deltas++
			}
		}
	}
	if deltas == 0 {
		t.Fatal("no delta-coded list in the reference packs")
	}
}

// corruptCase is one MANIFEST.tsv line.
type corruptCase struct {
	file, stage string
	entry       int
	class       error
	msg, what   string
}

func corruptManifest(t testing.TB) []corruptCase {
	var out []corruptCase
	f, err := os.Open(filepath.Join(vectorsDir, "corrupt", "MANIFEST.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "#") || sc.Text() == "" {
			continue
		}
		c := strings.Split(sc.Text(), "\t")
		if len(c) != 6 {
			t.Fatalf("MANIFEST.tsv: bad line %q", sc.Text())
		}
		entry, err := strconv.Atoi(c[2])
		if err != nil {
			t.Fatalf("MANIFEST.tsv: bad entry in %q", sc.Text())
		}
		classes := map[string]error{"format": ErrFormat, "checksum": ErrChecksum, "io": ErrIO, "not_found": ErrNotFound, "-": nil}
		class, ok := classes[c[3]]
		if !ok {
			t.Fatalf("MANIFEST.tsv: bad class in %q", sc.Text())
		}
		msg := c[4]
		if msg == "-" {
			msg = ""
		}
		out = append(out, corruptCase{c[0], c[1], entry, class, msg, c[5]})
	}
	if len(out) < 40 {
		t.Fatalf("MANIFEST.tsv: only %d variants", len(out))
	}
	return out
}

func checkErr(t *testing.T, err error, class error, msg string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v %q", class, msg)
	}
	if !errors.Is(err, class) {
		t.Errorf("error %q is not %v", err, class)
	}
	if !strings.Contains(err.Error(), msg) {
		t.Errorf("error %q does not contain %q", err, msg)
	}
}

func TestCorruptVectors(t *testing.T) {
	base := filepath.Join(vectorsDir, "packs", "four-arches")
	sums := expectedSHA256(t, base)
	for _, c := range corruptManifest(t) {
		t.Run(strings.TrimSuffix(c.file, ".pack"), func(t *testing.T) {
			b, err := os.ReadFile(filepath.Join(vectorsDir, "corrupt", c.file))
			if err != nil {
				t.Fatal(err)
			}
			p, err := Open(b)
			if c.stage == "open" {
				checkErr(t, err, c.class, c.msg)
				if p != nil {
					t.Error("a Pack with the error")
				}
				return
			}
			if err != nil {
				t.Fatalf("open: %v (%s)", err, c.what)
			}
			switch c.stage {
			case "index":
				_, err := p.Entry(c.entry)
				checkErr(t, err, c.class, c.msg)
				for i := 0; i < c.entry; i++ {
					if _, err := p.Entry(i); err != nil {
						t.Errorf("entry %d: %v", i, err)
					}
				}
			case "get":
				if _, err := p.Entries(); err != nil {
					t.Fatalf("entries: %v", err)
				}
				_, err := p.RawBTFAt(c.entry)
				checkErr(t, err, c.class, c.msg)
			case "ok":
				entries, err := p.Entries()
				if err != nil {
					t.Fatal(err)
				}
				for i, e := range entries {
					raw, err := p.RawBTFAt(i)
					if err != nil {
						t.Fatalf("%s: %v", e.Key, err)
					}
					if sha(raw) != sums[e.Key] {
						t.Errorf("%s: bytes differ from the base pack's", e.Key)
					}
				}
				if len(entries) != len(sums) {
					t.Errorf("%d entries, base has %d", len(entries), len(sums))
				}
			default:
				t.Fatalf("unknown stage %q", c.stage)
			}
		})
	}
}

// zeebo/xxh3 must be XXH3-64 as libxxhash computes it (XXH3_64bits, seed 0): its values for
// every length class, written by the C library (scripts/update-vectors).
func TestXXH3MatchesLibxxhash(t *testing.T) {
	buf := make([]byte, 1<<16)
	for i := range buf {
		buf[i] = byte(i*131 + 7)
	}
	n := 0
	for _, l := range readLines(t, filepath.Join(vectorsDir, "xxh3.tsv")) {
		if strings.HasPrefix(l, "#") {
			continue
		}
		ls, hs, _ := strings.Cut(l, "\t")
		length, err1 := strconv.Atoi(ls)
		want, err2 := strconv.ParseUint(hs, 16, 64)
		if err1 != nil || err2 != nil {
			t.Fatalf("xxh3.tsv: bad line %q", l)
		}
		if got := xxh3.Hash(buf[:length]); got != want {
			t.Errorf("length %d: zeebo/xxh3 %016x, libxxhash %016x", length, got, want)
		}
		n++
	}
	if n < 20 {
		t.Fatalf("only %d xxh3 vectors", n)
	}
}
