package btfpack

import (
	"bytes"
	"encoding/binary"
	"flag"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/zeebo/xxh3"
)

// The corrupt test vectors (testdata/vectors/corrupt), written by scripts/update-vectors:
//
//	go test ./btfpack -run '^TestUpdateCorruptVectors$' -args -update-vectors
//
// Each is testdata/vectors/packs/four-arches.pack with one deliberate change; the expected
// outcome is part of the change's design (what the C reader's code says must happen), not
// observed from either reader: both readers' tests then check it (vectors_test.go,
// tests/unit/test_vectors.cpp). Checksums are recomputed after a change unless the change is
// to a checksum, so that each variant reaches the check it is about.

var updateVectors = flag.Bool("update-vectors", false, "rewrite testdata/vectors/corrupt from packs/four-arches.pack")

// variant is one corrupt vector: stage is where it fails ("open", "index": the entry does not
// decode, "get": the entry's BTF cannot be had, or "ok": every kernel still reads as in the
// base pack), entry the entry number for index/get, class the error class, msg a substring
// of the C reader's message ("" for none).
type variant struct {
	name, stage string
	entry       int
	class, msg  string
	what        string
	make        func(m *mutPack) []byte
}

// mutPack is a pack being changed, with its layout.
type mutPack struct {
	t    *testing.T
	b    []byte
	secs map[uint32]int // section type -> section table entry number
	st   uint64         // section table offset
}

func newMut(t *testing.T, base []byte) *mutPack {
	m := &mutPack{t: t, b: bytes.Clone(base), secs: map[uint32]int{}}
	m.st = rd64(m.b, hdrSectionTable)
	for i := 0; i < int(rd32(m.b, hdrSectionCount)); i++ {
		m.secs[rd32(m.b, m.st+uint64(i)*sectionEntrySize+seType)] = i
	}
	return m
}

func (m *mutPack) entryOff(typ uint32) uint64 {
	i, ok := m.secs[typ]
	if !ok {
		m.t.Fatalf("base pack has no section %d", typ)
	}
	return m.st + uint64(i)*sectionEntrySize
}

// sec is the current bytes of a section (a sub-slice of m.b: writes change the pack).
func (m *mutPack) sec(typ uint32) []byte {
	e := m.entryOff(typ)
	off, n := rd64(m.b, e+seOffset), rd64(m.b, e+seLength)
	return m.b[off : off+n]
}

// secOff is a section's file offset.
func (m *mutPack) secOff(typ uint32) uint64 { return rd64(m.b, m.entryOff(typ)+seOffset) }

func (m *mutPack) put32(off uint64, v uint32) { binary.LittleEndian.PutUint32(m.b[off:], v) }
func (m *mutPack) put64(off uint64, v uint64) { binary.LittleEndian.PutUint64(m.b[off:], v) }

// replace appends new content for a section just before the footer and points its entry there
// (the old bytes stay, unreferenced); the file grows.
func (m *mutPack) replace(typ uint32, content []byte) {
	body := m.b[:len(m.b)-footerSize]
	off := uint64(len(body))
	nb := append(bytes.Clone(body), content...)
	nb = append(nb, m.b[len(m.b)-footerSize:]...)
	m.b = nb
	e := m.entryOff(typ)
	m.put64(e+seOffset, off)
	m.put64(e+seLength, uint64(len(content)))
	m.put64(hdrFileSize, uint64(len(m.b)))
}

// rehash recomputes the section checksums, the header checksum and the footer checksum.
func (m *mutPack) rehash() []byte {
	for i := 0; i < int(rd32(m.b, hdrSectionCount)); i++ {
		e := m.st + uint64(i)*sectionEntrySize
		off, n := rd64(m.b, e+seOffset), rd64(m.b, e+seLength)
		if off+n <= uint64(len(m.b)) && off <= off+n {
			m.put64(e+seChecksum, xxh3.Hash(m.b[off:off+n]))
		}
	}
	return m.rehashOnly()
}

// rehashOnly recomputes the header and footer checksums only.
func (m *mutPack) rehashOnly() []byte {
	m.put64(hdrChecksum, xxh3.Hash(m.b[:hdrChecksum]))
	end := uint64(len(m.b)) - footerSize
	m.put64(end+ftChecksum, xxh3.Hash(m.b[:end]))
	return m.b
}

// blob0 is blob table entry 0's offset in the file.
func (m *mutPack) blob0() uint64 { return m.secOff(sectionBlobTable) }

// table is the decompressed type table of the pack: its four parts.
func (m *mutPack) table() [ttParts][]byte {
	var parts [ttParts][]byte
	s := m.sec(sectionTypes)
	var off uint64
	for k := range parts {
		raw, flen := rd64(s, off+tpRawSize), rd64(s, off+tpFrameLen)
		b, err := decompress(s[off+tpFrame:off+tpFrame+flen], raw)
		if err != nil {
			m.t.Fatal(err)
		}
		parts[k], off = b, off+tpFrame+flen
	}
	return parts
}

// frames compresses each part as one zstd frame with its content size.
func (m *mutPack) frames(parts [ttParts][]byte) [ttParts][]byte {
	enc, err := zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedBestCompression), zstd.WithSingleSegment(true))
	if err != nil {
		m.t.Fatal(err)
	}
	var out [ttParts][]byte
	for k, raw := range parts {
		out[k] = enc.EncodeAll(raw, nil)
		if fcs, ok := frameContentSize(out[k]); !ok || fcs != uint64(len(raw)) {
			m.t.Fatalf("encoder wrote no content size")
		}
	}
	return out
}

// setFrames writes TYPES from frames and the raw sizes it declares for them.
func (m *mutPack) setFrames(frames [ttParts][]byte, raws [ttParts]uint64) {
	var sec []byte
	for k, f := range frames {
		sec = binary.LittleEndian.AppendUint64(sec, raws[k])
		sec = binary.LittleEndian.AppendUint64(sec, uint64(len(f)))
		sec = append(sec, f...)
	}
	m.replace(sectionTypes, sec)
}

// setTable recompresses a (changed) type table into TYPES.
func (m *mutPack) setTable(parts [ttParts][]byte) {
	var raws [ttParts]uint64
	for k, p := range parts {
		raws[k] = uint64(len(p))
	}
	m.setFrames(m.frames(parts), raws)
}

// setLists gives each blob of lists its new list (appended to BLOBS).
func (m *mutPack) setLists(lists map[uint32][]byte) {
	blobs := bytes.Clone(m.sec(sectionBlobs))
	for _, b := range slices.Sorted(maps.Keys(lists)) {
		l := lists[b]
		e := m.blob0() + uint64(b)*blobEntrySize
		m.put64(e+beListOffset, uint64(len(blobs)))
		m.put32(e+beListLen, uint32(len(l)))
		blobs = append(blobs, l...)
	}
	m.replace(sectionBlobs, blobs)
}

// pack is the base pack opened, for its ids and table.
func (m *mutPack) pack() *Pack {
	p, err := Open(m.b)
	if err != nil {
		m.t.Fatal(err)
	}
	return p
}

func varints(vs ...uint32) []byte {
	var out []byte
	for _, v := range vs {
		for {
			c := byte(v & 0x7f)
			v >>= 7
			if v != 0 {
				out = append(out, c|0x80)
				continue
			}
			out = append(out, c)
			break
		}
	}
	return out
}

// blobFlags is blob b's list flags byte.
func (m *mutPack) blobFlags(b uint32) byte {
	e := m.blob0() + uint64(b)*blobEntrySize
	return m.sec(sectionBlobs)[rd64(m.b, e+beListOffset)]
}

// recordWordOffset is the offset of word w of the record of table entry id in the records part.
func recordWordOffset(parts [ttParts][]byte, id, w uint32) uint64 {
	var words uint64
	for i := uint32(0); i < id; i++ {
		words += uint64(rd32(parts[ttPartTypeWords], 4*uint64(i)))
	}
	return 4 * (words + uint64(w))
}

// stringOffset is the offset of the first char of string s (0-based) in the chars part, and
// its length.
func stringOffset(parts [ttParts][]byte, s uint32) (off uint64, n uint32) {
	var chars uint64
	for i := uint32(0); i < s; i++ {
		chars += uint64(rd32(parts[ttPartStringBytes], 4*uint64(i)))
	}
	return chars, rd32(parts[ttPartStringBytes], 4*uint64(s))
}

func corruptVariants() []variant {
	flip := func(typ uint32) func(m *mutPack) []byte {
		return func(m *mutPack) []byte {
			s := m.sec(typ)
			s[len(s)/2] ^= 0x5a
			return m.b // checksums left stale: the whole-file checksum must catch it
		}
	}
	hdr := func(off uint64, v uint64, width int) func(m *mutPack) []byte {
		return func(m *mutPack) []byte {
			if width == 2 {
				binary.LittleEndian.PutUint16(m.b[off:], uint16(v))
			} else if width == 4 {
				m.put32(off, uint32(v))
			} else {
				m.put64(off, v)
			}
			return m.rehash()
		}
	}
	sectionField := func(typ uint32, field uint64, f func(m *mutPack, old uint64) uint64) func(m *mutPack) []byte {
		return func(m *mutPack) []byte {
			e := m.entryOff(typ) + field
			m.put64(e, f(m, rd64(m.b, e)))
			return m.rehashOnly()
		}
	}
	blobField := func(field uint64, width int, f func(m *mutPack, old uint64) uint64) func(m *mutPack) []byte {
		return func(m *mutPack) []byte {
			e := m.blob0() + field
			if width == 4 {
				m.put32(e, uint32(f(m, uint64(rd32(m.b, e)))))
			} else {
				m.put64(e, f(m, rd64(m.b, e)))
			}
			return m.rehash()
		}
	}
	list0 := func(body func(m *mutPack, flags byte, p *Pack) []byte) func(m *mutPack) []byte {
		return func(m *mutPack) []byte {
			p := m.pack()
			m.setLists(map[uint32][]byte{0: body(m, m.blobFlags(0)&listBigEndian, p)})
			return m.rehash()
		}
	}
	table := func(f func(m *mutPack, parts *[ttParts][]byte, ids []uint32)) func(m *mutPack) []byte {
		return func(m *mutPack) []byte {
			ids, _, _ := m.pack().blobIDs(0, 0, 1<<20)
			parts := m.table()
			f(m, &parts, ids)
			m.setTable(parts)
			return m.rehash()
		}
	}
	typesHeader := func(f func(m *mutPack, s []byte)) func(m *mutPack) []byte {
		return func(m *mutPack) []byte {
			f(m, m.sec(sectionTypes))
			return m.rehash()
		}
	}
	return []variant{
		// ---- open: the container ----
		{"empty", "open", 0, "format", "", "an empty file", func(m *mutPack) []byte { return nil }},
		{"truncated-header", "open", 0, "format", "not a btfpack pack (bad magic or too short)", "only the first 40 bytes",
			func(m *mutPack) []byte { return m.b[:40] }},
		{"truncated-half", "open", 0, "format", "pack is truncated or has trailing bytes", "the first half of the file",
			func(m *mutPack) []byte { return m.b[:len(m.b)/2] }},
		{"truncated-footer", "open", 0, "format", "pack is truncated or has trailing bytes", "the last byte missing",
			func(m *mutPack) []byte { return m.b[:len(m.b)-1] }},
		{"trailing-byte", "open", 0, "format", "pack is truncated or has trailing bytes", "one byte appended",
			func(m *mutPack) []byte { return append(m.b, 0) }},
		{"bad-magic", "open", 0, "format", "not a btfpack pack (bad magic or too short)", "magic BTFPACX",
			func(m *mutPack) []byte { m.b[6] = 'X'; return m.rehash() }},
		{"bad-version", "open", 0, "format", "unsupported pack format version 3", "major version 3, checksums recomputed",
			hdr(hdrVersionMajor, 3, 2)},
		{"old-version", "open", 0, "format", "unsupported pack format version 1", "major version 1 (the type table as one frame), checksums recomputed",
			hdr(hdrVersionMajor, 1, 2)},
		{"bad-version-stale-checksum", "open", 0, "format", "unsupported pack format version 0", "major version 0, header checksum stale (the version is checked first)",
			func(m *mutPack) []byte { m.b[hdrVersionMajor] = 0; return m.b }},
		{"header-checksum", "open", 0, "checksum", "pack header checksum mismatch", "the header checksum's low byte flipped",
			func(m *mutPack) []byte { m.b[hdrChecksum] ^= 1; return m.b }},
		{"header-byte-flipped", "open", 0, "checksum", "pack header checksum mismatch", "a byte of the blob count flipped, checksum stale",
			func(m *mutPack) []byte { m.b[hdrBlobs] ^= 0x10; return m.b }},
		{"file-size-huge", "open", 0, "format", "pack is truncated or has trailing bytes", "file size 2^62 in the header",
			hdr(hdrFileSize, 1<<62, 8)},
		{"footer-magic", "open", 0, "format", "pack footer missing (truncated?)", "end magic BTFPENX",
			func(m *mutPack) []byte { m.b[len(m.b)-2] = 'X'; return m.b }},
		{"footer-checksum", "open", 0, "checksum", "pack checksum mismatch (corrupt file)", "the footer checksum flipped",
			func(m *mutPack) []byte { m.b[len(m.b)-footerSize] ^= 1; return m.b }},
		{"flip-section-table", "open", 0, "checksum", "pack checksum mismatch (corrupt file)", "a section table byte flipped",
			func(m *mutPack) []byte { m.b[m.st+5] ^= 0x5a; return m.b }},
		{"flip-meta", "open", 0, "checksum", "pack checksum mismatch (corrupt file)", "a META byte flipped", flip(sectionMeta)},
		{"flip-index", "open", 0, "checksum", "pack checksum mismatch (corrupt file)", "an INDEX byte flipped", flip(sectionIndex)},
		{"flip-sources", "open", 0, "checksum", "pack checksum mismatch (corrupt file)", "a SOURCES byte flipped", flip(sectionSources)},
		{"flip-blob-table", "open", 0, "checksum", "pack checksum mismatch (corrupt file)", "a BLOB_TABLE byte flipped", flip(sectionBlobTable)},
		{"flip-types", "open", 0, "checksum", "pack checksum mismatch (corrupt file)", "a TYPES byte flipped", flip(sectionTypes)},
		{"flip-blobs", "open", 0, "checksum", "pack checksum mismatch (corrupt file)", "a BLOBS byte flipped", flip(sectionBlobs)},
		{"max-raw-over-cap", "open", 0, "format", "corrupt header (blob size bound 16777217)", "largest BTF size 16 MiB + 1",
			hdr(hdrMaxRaw, maxBTFSize+1, 4)},
		{"section-count-17", "open", 0, "format", "corrupt section table", "17 sections (cap 16)", hdr(hdrSectionCount, maxSections+1, 4)},
		{"section-count-past-end", "open", 0, "format", "corrupt section table", "the section table runs into the footer",
			func(m *mutPack) []byte {
				m.put64(hdrSectionTable, uint64(len(m.b))-footerSize-sectionEntrySize+8)
				return m.rehash()
			}},
		{"section-table-in-header", "open", 0, "format", "corrupt section table", "section table offset 8 (inside the header)",
			hdr(hdrSectionTable, 8, 8)},
		{"section-table-huge-offset", "open", 0, "format", "corrupt section table", "section table offset 2^63", hdr(hdrSectionTable, 1<<63, 8)},
		{"section-overlaps-header", "open", 0, "format", "lies outside the pack", "INDEX at offset 0",
			sectionField(sectionIndex, seOffset, func(*mutPack, uint64) uint64 { return 0 })},
		{"section-overlaps-table", "open", 0, "format", "lies outside the pack", "INDEX at the section table's offset",
			sectionField(sectionIndex, seOffset, func(m *mutPack, _ uint64) uint64 { return m.st })},
		{"section-overlaps-footer", "open", 0, "format", "lies outside the pack", "BLOBS 1 byte longer, into the footer",
			sectionField(sectionBlobs, seLength, func(m *mutPack, old uint64) uint64 {
				return uint64(len(m.b)) - footerSize - m.secOff(sectionBlobs) + 1
			})},
		{"section-length-huge", "open", 0, "format", "lies outside the pack", "TYPES length 2^64-1",
			sectionField(sectionTypes, seLength, func(*mutPack, uint64) uint64 { return ^uint64(0) })},
		{"section-offset-huge", "open", 0, "format", "lies outside the pack", "META offset 2^64-8 (offset+length wraps)",
			sectionField(sectionMeta, seOffset, func(*mutPack, uint64) uint64 { return ^uint64(0) - 7 })},
		{"missing-index", "open", 0, "format", "pack lacks a required section", "INDEX's type changed to 99 (unknown: skipped)",
			func(m *mutPack) []byte { m.put32(m.entryOff(sectionIndex)+seType, 99); return m.rehash() }},
		{"missing-types", "open", 0, "format", "pack lacks a required section", "TYPES's type changed to 5 (never used)",
			func(m *mutPack) []byte { m.put32(m.entryOff(sectionTypes)+seType, 5); return m.rehash() }},
		{"kernel-count-mismatch", "open", 0, "format", "corrupt index header", "header says one kernel more than the index",
			func(m *mutPack) []byte { m.put64(hdrKernels, rd64(m.b, hdrKernels)+1); return m.rehash() }},
		{"index-too-short", "open", 0, "format", "corrupt index header", "INDEX 7 bytes long",
			sectionField(sectionIndex, seLength, func(*mutPack, uint64) uint64 { return 7 })},
		{"index-block-count", "open", 0, "format", "corrupt index block table", "block count 2 for 4 kernels",
			func(m *mutPack) []byte { m.put32(m.secOff(sectionIndex)+ixBlockCount, 2); return m.rehash() }},
		{"index-block-offset-outside", "open", 0, "format", "corrupt index block offset", "block 0 at the INDEX's end",
			func(m *mutPack) []byte {
				m.put32(m.secOff(sectionIndex)+ixBlockOffsets, uint32(len(m.sec(sectionIndex))))
				return m.rehash()
			}},
		{"index-block-offset-in-table", "open", 0, "format", "corrupt index block offset", "block 0 inside the block table",
			func(m *mutPack) []byte { m.put32(m.secOff(sectionIndex)+ixBlockOffsets, 4); return m.rehash() }},
		{"blob-count-mismatch", "open", 0, "format", "corrupt blob table", "header says one blob more than the blob table holds",
			func(m *mutPack) []byte { m.put64(hdrBlobs, rd64(m.b, hdrBlobs)+1); return m.rehash() }},
		{"blob-count-huge", "open", 0, "format", "corrupt blob table", "blob count 2^61",
			func(m *mutPack) []byte { m.put64(hdrBlobs, 1<<61); return m.rehash() }},

		// ---- index: open succeeds, an entry does not decode ----
		{"index-shared-too-long", "index", 0, "format", "", "entry 0 shares 5 bytes with no previous key",
			func(m *mutPack) []byte {
				ix := m.secOff(sectionIndex)
				m.b[ix+uint64(rd32(m.b, ix+ixBlockOffsets))] = 5
				return m.rehash()
			}},
		{"index-blob-out-of-range", "index", 0, "format", "", "entry 0's blob id 127 (4 blobs)",
			func(m *mutPack) []byte {
				ix := m.secOff(sectionIndex)
				at := ix + uint64(rd32(m.b, ix+ixBlockOffsets))
				slen := uint64(m.b[at+1])
				m.b[at+2+slen] = 0x7f
				return m.rehash()
			}},
		{"index-suffix-overrun", "index", 3, "format", "", "entry 3's suffix length runs past the INDEX",
			func(m *mutPack) []byte {
				ix := m.secOff(sectionIndex)
				at := ix + uint64(rd32(m.b, ix+ixBlockOffsets))
				for k := 0; k < 3; k++ { // skip entries 0..2 (one-byte varints in this pack)
					at += 2 + uint64(m.b[at+1]) + 1
				}
				m.b[at+1] = 0x7f
				return m.rehash()
			}},

		// ---- get: listing works, entry 0's BTF cannot be had ----
		{"blob-raw-len-over-bound", "get", 0, "format", "corrupt blob table entry 0", "blob 0's size above the header's bound",
			blobField(beRawLen, 4, func(m *mutPack, _ uint64) uint64 { return uint64(rd32(m.b, hdrMaxRaw)) + 1 })},
		{"blob-raw-len-tiny", "get", 0, "format", "corrupt blob table entry 0", "blob 0's size 23 (< a BTF header)",
			blobField(beRawLen, 4, func(*mutPack, uint64) uint64 { return 23 })},
		{"blob-raw-len-short", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "blob 0's size 4 bytes short",
			blobField(beRawLen, 4, func(_ *mutPack, old uint64) uint64 { return old - 4 })},
		{"blob-checksum", "get", 0, "checksum", "blob 0 checksum mismatch", "blob 0's XXH3-64 flipped",
			blobField(beChecksum, 8, func(_ *mutPack, old uint64) uint64 { return old ^ 1 })},
		{"blob-list-outside", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "blob 0's list at BLOBS's end",
			blobField(beListOffset, 8, func(m *mutPack, _ uint64) uint64 { return uint64(len(m.sec(sectionBlobs))) })},
		{"blob-list-offset-huge", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "blob 0's list offset 2^64-1",
			blobField(beListOffset, 8, func(*mutPack, uint64) uint64 { return ^uint64(0) })},
		{"blob-list-short", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "blob 0's list 1 byte long",
			blobField(beListLen, 4, func(*mutPack, uint64) uint64 { return 1 })},
		{"list-count-huge", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "a list of 2^32-1 indexes",
			list0(func(_ *mutPack, f byte, _ *Pack) []byte { return append([]byte{f}, varints(0xffffffff)...) })},
		{"list-varint-too-long", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "a 6-byte varint count",
			list0(func(_ *mutPack, f byte, _ *Pack) []byte { return []byte{f, 0x81, 0x80, 0x80, 0x80, 0x80, 0x00} })},
		{"list-varint-over-u32", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "a 5-byte varint count above 2^32",
			list0(func(_ *mutPack, f byte, _ *Pack) []byte { return []byte{f, 0xff, 0xff, 0xff, 0xff, 0x7f} })},
		{"list-truncated", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "count 5, one index",
			list0(func(_ *mutPack, f byte, _ *Pack) []byte { return append([]byte{f}, varints(5, 0)...) })},
		{"list-index-outside-table", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "an index past the type table",
			list0(func(_ *mutPack, f byte, p *Pack) []byte { return append([]byte{f}, varints(1, p.table.ntypes)...) })},
		{"delta-self", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "blob 0 coded against itself",
			list0(func(_ *mutPack, f byte, _ *Pack) []byte {
				return append([]byte{f | listDelta}, varints(0, 1, 0, 0, 1, 0)...)
			})},
		{"delta-cycle", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "blobs 0 and 1 coded against each other",
			func(m *mutPack) []byte {
				f0, f1 := m.blobFlags(0)&listBigEndian, m.blobFlags(1)&listBigEndian
				m.setLists(map[uint32][]byte{
					0: append([]byte{f0 | listDelta}, varints(1, 1, 0, 0, 1, 0)...),
					1: append([]byte{f1 | listDelta}, varints(0, 1, 0, 0, 1, 0)...),
				})
				return m.rehash()
			}},
		{"delta-skip-past-base", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "a skip past the base list's end",
			list0(func(_ *mutPack, f byte, p *Pack) []byte {
				base, _, _ := p.blobIDs(1, 0, 1<<20)
				return append([]byte{f | listDelta}, varints(1, 1, uint32(len(base))+1, 0, 1, 0)...)
			})},
		{"delta-empty-triplet", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "a (skip, 0, 0) triplet",
			list0(func(_ *mutPack, f byte, _ *Pack) []byte {
				return append([]byte{f | listDelta}, varints(1, 1, 0, 0, 0)...)
			})},
		{"types-too-short", "get", 0, "format", "corrupt type table", "TYPES 15 bytes long (one part needs 16 and its frame)",
			func(m *mutPack) []byte { m.replace(sectionTypes, make([]byte, 15)); return m.rehash() }},
		{"types-frame-length-huge", "get", 0, "format", "corrupt type table", "the first part's frame length 2^64-1",
			typesHeader(func(_ *mutPack, s []byte) { binary.LittleEndian.PutUint64(s[tpFrameLen:], 1<<64-1) })},
		{"types-part-missing", "get", 0, "format", "corrupt type table", "the records part left out",
			func(m *mutPack) []byte {
				s := m.sec(sectionTypes)
				var off uint64
				for k := 0; k < ttParts-1; k++ {
					off += tpFrame + rd64(s, off+tpFrameLen)
				}
				m.replace(sectionTypes, bytes.Clone(s[:off]))
				return m.rehash()
			}},
		{"types-trailing-byte", "get", 0, "format", "corrupt type table", "a byte after the last part",
			func(m *mutPack) []byte {
				m.replace(sectionTypes, append(bytes.Clone(m.sec(sectionTypes)), 0))
				return m.rehash()
			}},
		{"types-raw-size-mismatch", "get", 0, "format", "corrupt type table size", "raw size 1 more than the frame's",
			typesHeader(func(_ *mutPack, s []byte) { binary.LittleEndian.PutUint64(s, rd64(s, 0)+1) })},
		{"types-raw-size-huge", "get", 0, "format", "corrupt type table size", "raw size 2^40",
			typesHeader(func(_ *mutPack, s []byte) { binary.LittleEndian.PutUint64(s, 1<<40) })},
		{"types-frame-magic", "get", 0, "format", "corrupt type table size", "the first zstd frame's magic broken",
			typesHeader(func(_ *mutPack, s []byte) { s[tpFrame] ^= 0xff })},
		{"types-ratio-bomb", "get", 0, "format", "corrupt type table size", "records of 1 MiB of zeros in a tiny frame (ratio cap)",
			func(m *mutPack) []byte {
				parts := m.table()
				parts[ttPartRecords] = make([]byte, 1<<20)
				m.setTable(parts)
				return m.rehash()
			}},
		{"types-frame-truncated", "get", 0, "format", "type table does not decompress", "the records' zstd frame cut short by 3 bytes",
			func(m *mutPack) []byte {
				parts := m.table()
				frames := m.frames(parts)
				frames[ttPartRecords] = frames[ttPartRecords][:len(frames[ttPartRecords])-3]
				var raws [ttParts]uint64
				for k, p := range parts {
					raws[k] = uint64(len(p))
				}
				m.setFrames(frames, raws)
				return m.rehash()
			}},
		{"types-counts-ragged", "get", 0, "format", "corrupt type table counts", "the record lengths 2 bytes past a multiple of 4",
			table(func(_ *mutPack, parts *[ttParts][]byte, _ []uint32) {
				parts[ttPartTypeWords] = append(parts[ttPartTypeWords], 0, 0)
			})},
		{"types-lengths", "get", 0, "format", "corrupt type table lengths", "the first record one word longer",
			table(func(_ *mutPack, parts *[ttParts][]byte, _ []uint32) {
				binary.LittleEndian.PutUint32(parts[ttPartTypeWords], rd32(parts[ttPartTypeWords], 0)+1)
			})},
		{"types-unknown-kind", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "blob 0's first type of kind 31",
			table(func(_ *mutPack, parts *[ttParts][]byte, ids []uint32) {
				r := parts[ttPartRecords]
				o := recordWordOffset(*parts, ids[0], btfWInfo)
				binary.LittleEndian.PutUint32(r[o:], rd32(r, o)|0x1f<<24)
			})},
		{"types-name-out-of-range", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "a name index past the strings",
			table(func(_ *mutPack, parts *[ttParts][]byte, ids []uint32) {
				o := recordWordOffset(*parts, ids[0], btfWName)
				binary.LittleEndian.PutUint32(parts[ttPartRecords][o:], uint32(len(parts[ttPartStringBytes])/4)+1)
			})},
		{"types-name-with-nul", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "a NUL in a name blob 0 uses",
			table(func(m *mutPack, parts *[ttParts][]byte, ids []uint32) {
				for _, id := range ids {
					if v := rd32(parts[ttPartRecords], recordWordOffset(*parts, id, btfWName)); v != 0 {
						if o, n := stringOffset(*parts, v-1); n > 0 {
							parts[ttPartChars][o] = 0
							return
						}
					}
				}
				m.t.Fatal("no named type in blob 0")
			})},
		{"types-ref-outside-kernel", "get", 0, "format", "blob 0 cannot be rebuilt from the type table", "a reference past the type table",
			table(func(m *mutPack, parts *[ttParts][]byte, ids []uint32) {
				nt := uint32(len(parts[ttPartTypeWords]) / 4)
				r := parts[ttPartRecords]
				for _, id := range ids {
					kind := btfInfoKind(rd32(r, recordWordOffset(*parts, id, btfWInfo)))
					if wordRole(kind, btfWSizeType) == roleRef {
						binary.LittleEndian.PutUint32(r[recordWordOffset(*parts, id, btfWSizeType):], nt+1)
						return
					}
				}
				m.t.Fatal("no reference in blob 0")
			})},

		// ---- ok: damage a reader must tolerate; every kernel still reads as in the base ----
		{"minor-version-7", "ok", 0, "-", "", "minor version 7 (additions only)", hdr(hdrVersionMinor, 7, 2)},
		{"flags-set", "ok", 0, "-", "", "reserved header flags set", hdr(hdrFlags, 0xff, 4)},
		{"unknown-section", "ok", 0, "-", "", "SOURCES's type changed to 42 (skipped; no source hashes)",
			func(m *mutPack) []byte { m.put32(m.entryOff(sectionSources)+seType, 42); return m.rehash() }},
		{"meta-unreadable", "ok", 0, "-", "", "META's raw size wrong (metadata shows empty)",
			func(m *mutPack) []byte {
				s := m.sec(sectionMeta)
				binary.LittleEndian.PutUint64(s, rd64(s, 0)+1)
				return m.rehash()
			}},
		{"lists-recoded", "ok", 0, "-", "", "blob 0 re-coded as a delta against blob 1 and blob 1 as a plain list",
			func(m *mutPack) []byte {
				p := m.pack()
				ids0, _, _ := p.blobIDs(0, 0, 1<<20)
				ids1, _, _ := p.blobIDs(1, 0, 1<<20)
				f0, f1 := m.blobFlags(0)&listBigEndian, m.blobFlags(1)&listBigEndian
				c := 0 // common prefix: copied; the rest inserted
				for c < len(ids0) && c < len(ids1) && ids0[c] == ids1[c] {
					c++
				}
				l0 := append([]byte{f0 | listDelta}, varints(1, uint32(len(ids0)))...)
				if c > 0 {
					l0 = append(l0, varints(0, uint32(c), 0)...)
				}
				if rest := ids0[c:]; len(rest) > 0 {
					l0 = append(l0, varints(uint32(len(ids1)-c), 0, uint32(len(rest)))...)
					l0 = append(l0, varints(rest...)...)
				}
				l1 := append([]byte{f1}, varints(uint32(len(ids1)))...)
				l1 = append(l1, varints(ids1...)...)
				m.setLists(map[uint32][]byte{0: l0, 1: l1})
				return m.rehash()
			}},
	}
}

func TestUpdateCorruptVectors(t *testing.T) {
	if !*updateVectors {
		t.Skip("run with -update-vectors (scripts/update-vectors) to rewrite testdata/vectors/corrupt")
	}
	base, err := os.ReadFile(filepath.Join(vectorsDir, "packs", "four-arches.pack"))
	if err != nil {
		t.Fatal(err)
	}
	dir := filepath.Join(vectorsDir, "corrupt")
	var manifest strings.Builder
	manifest.WriteString("# Corrupt variants of packs/four-arches.pack (scripts/update-vectors; go/btfpack/vectors_gen_test.go).\n" +
		"# Read by tests/unit/test_vectors.cpp (C reader) and go/btfpack/vectors_test.go (Go reader).\n" +
		"# file\tstage\tentry\tclass\tmessage\twhat\n" +
		"# stage: open = opening fails; index = opens, entry <entry> does not decode; get = opens and lists,\n" +
		"#   entry <entry>'s BTF cannot be had; ok = every kernel reads exactly as in the base pack.\n" +
		"# class: format | checksum (BTFPACK_ERR_*; Go ErrFormat, ErrChecksum); message: a substring of the\n" +
		"#   C reader's message (\"-\": none checked).\n")
	for _, v := range corruptVariants() {
		b := v.make(newMut(t, base))
		name := v.name + ".pack"
		if err := os.WriteFile(filepath.Join(dir, name), b, 0o644); err != nil {
			t.Fatal(err)
		}
		msg := v.msg
		if msg == "" {
			msg = "-"
		}
		fmt.Fprintf(&manifest, "%s\t%s\t%d\t%s\t%s\t%s\n", name, v.stage, v.entry, v.class, msg, v.what)
	}
	if err := os.WriteFile(filepath.Join(dir, "MANIFEST.tsv"), []byte(manifest.String()), 0o644); err != nil {
		t.Fatal(err)
	}
}
