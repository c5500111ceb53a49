package btfpack

import (
	"bytes"
	"strings"
)

// Entry is one index entry: a kernel's key and the blob (distinct BTF) it uses.
type Entry struct {
	Key  string // "distro/version/arch/kernel-release"
	Blob uint32 // entries with equal Blob share one BTF
}

// Key names one kernel in BTFHub-archive terms.
type Key struct {
	Distro, Version, Arch, Release string
}

// String is the key as the pack stores it and `btfpack ls` prints it: "d/v/a/r".
func (k Key) String() string { return k.Distro + "/" + k.Version + "/" + k.Arch + "/" + k.Release }

// ParseKey splits "distro/version/arch/kernel-release" into a Key; each of the four parts
// must be non-empty and contain no '/' (the C++ CLI's parse_kernel_key).
func ParseKey(s string) (Key, error) {
	parts := strings.Split(s, "/")
	if len(parts) != 4 {
		return Key{}, newError(ErrFormat, "%s: expected distro/version/arch/kernel-release", s)
	}
	for _, p := range parts {
		if p == "" {
			return Key{}, newError(ErrFormat, "%s: expected distro/version/arch/kernel-release (empty component)", s)
		}
	}
	return Key{parts[0], parts[1], parts[2], parts[3]}, nil
}

// errCorruptIndex is what a damaged index entry gives (the C reader's BTFPACK_ERR_FORMAT).
func errCorruptIndex() error { return newError(ErrFormat, "corrupt index") }

// cString is b up to its first NUL, as C's string functions see a key.
func cString(b []byte) string {
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i]
	}
	return string(b)
}

// decodeEntry decodes entry i (< kernels) by walking its block from the block's first entry
// (decode_entry); the key buffer holds what C's struct btfpack_entry.key holds.
func (p *Pack) decodeEntry(i uint64, key *[maxKeyLen + 1]byte) (keyLen int, blob uint32, ok bool) {
	b := uint32(i / indexBlockEntries)
	pos := int(p.blockOffset(b))
	end := len(p.index)
	kl := uint32(0)
	for k := uint64(b) * indexBlockEntries; k <= i; k++ {
		shared, ok1 := varintRead(p.index, &pos)
		slen, ok2 := varintRead(p.index, &pos)
		if !ok1 || !ok2 || shared > kl || slen > maxKeyLen-shared || uint64(slen) > uint64(end-pos) {
			return 0, 0, false
		}
		copy(key[shared:], p.index[pos:pos+int(slen)])
		kl = shared + slen
		pos += int(slen)
		var ok3 bool
		blob, ok3 = varintRead(p.index, &pos)
		if !ok3 || uint64(blob) >= p.nblobs {
			return 0, 0, false
		}
	}
	return int(kl), blob, true
}

// entryKey is entry i's key as a C string (ends at a NUL, if a corrupt pack holds one).
func (p *Pack) entryKey(i uint64, key *[maxKeyLen + 1]byte) (string, uint32, bool) {
	n, blob, ok := p.decodeEntry(i, key)
	if !ok {
		return "", 0, false
	}
	return cString(key[:n]), blob, true
}

// Entry is entry i (0 <= i < Count()), in key order. The error wraps ErrNotFound for an i out
// of range, ErrFormat for a corrupt index.
func (p *Pack) Entry(i int) (Entry, error) {
	if i < 0 || uint64(i) >= p.kernels {
		return Entry{}, newError(ErrNotFound, "no entry %d", i)
	}
	var key [maxKeyLen + 1]byte
	k, blob, ok := p.entryKey(uint64(i), &key)
	if !ok {
		return Entry{}, errCorruptIndex()
	}
	return Entry{Key: k, Blob: blob}, nil
}

// Entries is every index entry in key order, or an ErrFormat error at the first entry that
// does not decode.
func (p *Pack) Entries() ([]Entry, error) {
	var out []Entry
	for i := 0; i < p.Count(); i++ {
		e, err := p.Entry(i)
		if err != nil {
			return out, err
		}
		out = append(out, e)
	}
	return out, nil
}

// Kernels is the keys of the pack's kernels in key order, as `btfpack ls` lists them. A
// corrupt index ends the list at the first entry that does not decode (Entries reports it).
func (p *Pack) Kernels() []Key {
	entries, _ := p.Entries()
	keys := make([]Key, 0, len(entries))
	for _, e := range entries {
		k, err := ParseKey(e.Key)
		if err != nil {
			break
		}
		keys = append(keys, k)
	}
	return keys
}

// Find is the entry number of kernel k, and false if the pack has no such kernel (or its
// index is corrupt).
func (p *Pack) Find(k Key) (int, bool) {
	i, err := p.find(k.String())
	return i, err == nil
}

// Locate is Find with the reason for a miss: an error wrapping ErrNotFound, or ErrFormat for
// a corrupt index.
func (p *Pack) Locate(k Key) (int, error) { return p.find(k.String()) }

// find is btfpack_find: binary search over the blocks' first keys, then a scan of one block.
// The error wraps ErrNotFound or, for a corrupt index, ErrFormat.
func (p *Pack) find(key string) (int, error) {
	if len(key) > maxKeyLen || p.kernels == 0 {
		return 0, newError(ErrNotFound, "no kernel %s in the pack", key)
	}
	var buf [maxKeyLen + 1]byte
	lo, hi := uint32(0), p.blocks // last block whose first key <= key
	for hi-lo > 1 {
		mid := lo + (hi-lo)/2
		e, _, ok := p.entryKey(uint64(mid)*indexBlockEntries, &buf)
		if !ok {
			return 0, errCorruptIndex()
		}
		if e <= key {
			lo = mid
		} else {
			hi = mid
		}
	}
	first := uint64(lo) * indexBlockEntries
	last := min(first+indexBlockEntries, p.kernels)
	for i := first; i < last; i++ {
		e, _, ok := p.entryKey(i, &buf)
		if !ok {
			return 0, errCorruptIndex()
		}
		if e == key {
			return int(i), nil
		}
		if e > key {
			break
		}
	}
	return 0, newError(ErrNotFound, "no kernel %s in the pack", key)
}

// Source is the XXH3-64 of the archive file entry i was built from (for incremental builds),
// and false if the pack does not record it.
func (p *Pack) Source(i int) (uint64, bool) {
	if i < 0 || uint64(i) >= p.kernels || uint64(len(p.sources)) != p.kernels*sourceEntrySize {
		return 0, false
	}
	return rd64(p.sources, sourceEntrySize*uint64(i)), true
}
