package btfpack

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/zeebo/xxh3"
)

// FuzzOpenFindGet opens arbitrary bytes, lists, finds and rebuilds every kernel: no input may
// panic or allocate beyond the caps. Seeded with the reference packs and corrupt variants.
// The header and footer checksums of the input are recomputed first (what the C fuzzer's
// BTFPACK_FUZZING build does by skipping them), so mutations reach the structural checks.
//
//	go test ./btfpack -run '^$' -fuzz FuzzOpenFindGet -fuzztime 30s
func FuzzOpenFindGet(f *testing.F) {
	seeds, _ := filepath.Glob(filepath.Join(vectorsDir, "packs", "*.pack"))
	more, _ := filepath.Glob(filepath.Join(vectorsDir, "corrupt", "*.pack"))
	for _, s := range append(seeds, more...) {
		b, err := os.ReadFile(s)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		if len(data) >= headerSize+footerSize {
			data = fixChecksums(data)
		}
		p, err := Open(data)
		if err != nil {
			return
		}
		_ = p.Meta()
		entries, _ := p.Entries()
		for i, e := range entries {
			k, err := ParseKey(e.Key)
			if err == nil {
				if j, ok := p.Find(k); ok && j > i {
					t.Fatalf("Find(%s) = %d, entry %d has that key", k, j, i)
				}
				p.Nearest(Host(k), 5)
			}
			if raw, err := p.RawBTFAt(i); err == nil && (len(raw) > maxBTFSize || len(raw) < btfHeaderSize) {
				t.Fatalf("entry %d: %d bytes", i, len(raw))
			}
		}
	})
}

// fixChecksums is data with its header and whole-file checksums made to match (a copy).
func fixChecksums(data []byte) []byte {
	b := append([]byte(nil), data...)
	le := func(off int, v uint64) {
		for i := 0; i < 8; i++ {
			b[off+i] = byte(v >> (8 * i))
		}
	}
	le(hdrChecksum, xxh3.Hash(b[:hdrChecksum]))
	end := len(b) - footerSize
	le(end+ftChecksum, xxh3.Hash(b[:end]))
	return b
}
