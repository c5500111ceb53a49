package btfpack

import (
	"bytes"
	"io"

	"github.com/zeebo/xxh3"
)

// Pack is an open pack (docs/FORMAT.md). Open validates the header, the section table, the
// footer and the whole-file checksum, and decompresses the metadata and the shared type
// table; after that a Pack never changes, so its methods may be called from any number of
// goroutines at once (but not concurrently with Close).
type Pack struct {
	data  []byte
	close func() error // releases data (OpenFile's mapping), or nil

	meta, index, sources, blobTable, types, blobs []byte // sections; nil when absent

	kernels, nblobs uint64
	maxRaw, blocks  uint32

	metaText string     // META, "" if unreadable
	table    *typeTable // TYPES, decompressed at open; nil when tableErr is set
	tableErr error      // why the type table did not load: RawBTF reports it, listing still works
}

// Open opens a pack held in memory, for example one embedded with //go:embed. data is not
// copied and must not change while the Pack is used. The error wraps ErrFormat or
// ErrChecksum (errors.Is) and says what is wrong.
func Open(data []byte) (*Pack, error) {
	p := &Pack{data: data}
	if err := p.parse(); err != nil {
		return nil, err
	}
	p.metaText = loadMeta(p.meta)
	p.table, p.tableErr = loadTypeTable(p.types)
	return p, nil
}

// OpenReaderAt reads a pack of size bytes from r into memory and opens it. The header is
// read and checked first, so a reader that holds no pack costs no allocation of its size.
func OpenReaderAt(r io.ReaderAt, size int64) (*Pack, error) {
	if size < headerSize+footerSize {
		return Open(readPrefix(r, size))
	}
	var hdr [headerSize]byte
	if _, err := r.ReadAt(hdr[:], 0); err != nil {
		return nil, &statusError{class: ErrIO, msg: "cannot read the pack header: " + err.Error(), cause: err}
	}
	if err := checkHeader(hdr[:], uint64(size)); err != nil {
		return nil, err
	}
	data := make([]byte, size)
	if n, err := r.ReadAt(data, 0); n < len(data) {
		return nil, &statusError{class: ErrIO, msg: "cannot read the pack: " + err.Error(), cause: err}
	}
	return Open(data)
}

// readPrefix reads the at most headerSize+footerSize bytes a too-short pack has, so that
// Open reports it the way the C reader does.
func readPrefix(r io.ReaderAt, size int64) []byte {
	if size <= 0 {
		return nil
	}
	b := make([]byte, size)
	n, _ := r.ReadAt(b, 0)
	return b[:n]
}

// Close releases the file mapping of a Pack from OpenFile; for other packs it does nothing.
// The Pack must not be used afterwards; bytes it returned stay valid.
func (p *Pack) Close() error {
	if p == nil || p.close == nil {
		return nil
	}
	c := p.close
	p.close = nil
	return c()
}

// Count is the number of kernels (index entries); BlobCount the number of distinct BTFs.
func (p *Pack) Count() int     { return int(p.kernels) }
func (p *Pack) BlobCount() int { return int(p.nblobs) }

// Meta is the pack's META text (key=value lines, what it was built from), "" if unreadable.
func (p *Pack) Meta() string { return p.metaText }

// Size is the pack's size in bytes.
func (p *Pack) Size() int64 { return int64(len(p.data)) }

// checkHeader checks what the first headerSize bytes say, for a pack of n bytes, in the C
// reader's order: magic, major version, header checksum, file size.
func checkHeader(d []byte, n uint64) error {
	if n < headerSize+footerSize || len(d) < headerSize || !bytes.Equal(d[hdrMagic:hdrMagic+magicLen], []byte(magic)) {
		return newError(ErrFormat, "not a btfpack pack (bad magic or too short)")
	}
	if major := rd16(d, hdrVersionMajor); major != versionMajor {
		return newError(ErrFormat, "unsupported pack format version %d (this reader reads version %d)", major, versionMajor)
	}
	if rd64(d, hdrChecksum) != xxh3.Hash(d[:hdrChecksum]) {
		return newError(ErrChecksum, "pack header checksum mismatch")
	}
	if fs := rd64(d, hdrFileSize); fs != n {
		return newError(ErrFormat, "pack is truncated or has trailing bytes (%d bytes, header says %d)", n, fs)
	}
	return nil
}

// parse validates the container like btfpack_reader.c's parse(), with the same messages.
func (p *Pack) parse() error {
	d := p.data
	n := uint64(len(d))
	if err := checkHeader(d, n); err != nil {
		return err
	}
	bodyEnd := n - footerSize // the footer's start
	if !bytes.Equal(d[bodyEnd+ftMagic:bodyEnd+ftMagic+magicLen], []byte(endMagic)) {
		return newError(ErrFormat, "pack footer missing (truncated?)")
	}
	if rd64(d, bodyEnd+ftChecksum) != xxh3.Hash(d[:bodyEnd]) {
		return newError(ErrChecksum, "pack checksum mismatch (corrupt file)")
	}
	nsec := uint64(rd32(d, hdrSectionCount))
	st := rd64(d, hdrSectionTable)
	p.maxRaw = rd32(d, hdrMaxRaw)
	if p.maxRaw > maxBTFSize {
		return newError(ErrFormat, "corrupt header (blob size bound %d)", p.maxRaw)
	}
	p.kernels = rd64(d, hdrKernels)
	p.nblobs = rd64(d, hdrBlobs)
	if nsec > maxSections || st < headerSize || st > bodyEnd || nsec*sectionEntrySize > bodyEnd-st {
		return newError(ErrFormat, "corrupt section table")
	}
	stEnd := st + nsec*sectionEntrySize
	for i := uint64(0); i < nsec; i++ {
		s := st + i*sectionEntrySize
		off, length := rd64(d, s+seOffset), rd64(d, s+seLength)
		if off < stEnd || off > bodyEnd || length > bodyEnd-off {
			return newError(ErrFormat, "section %d lies outside the pack", i)
		}
		// Section checksums are not recomputed: the whole-file checksum covers every byte
		// (as in the C reader; `btfpack verify` checks them one by one).
		sp := d[off : off+length : off+length]
		switch rd32(d, s+seType) {
		case sectionMeta:
			p.meta = sp
		case sectionIndex:
			p.index = sp
		case sectionSources:
			p.sources = sp
		case sectionBlobTable:
			p.blobTable = sp
		case sectionTypes:
			p.types = sp
		case sectionBlobs:
			p.blobs = sp
		}
	}
	if p.index == nil || p.blobTable == nil || p.blobs == nil || p.types == nil {
		return newError(ErrFormat, "pack lacks a required section")
	}
	if len(p.index) < ixBlockOffsets || uint64(rd32(p.index, ixEntryCount)) != p.kernels {
		return newError(ErrFormat, "corrupt index header")
	}
	p.blocks = rd32(p.index, ixBlockCount)
	blocksEnd := ixBlockOffsets + uint64(p.blocks)*ixBlockOffsetSize
	if uint64(p.blocks) != (p.kernels+indexBlockEntries-1)/indexBlockEntries || blocksEnd > uint64(len(p.index)) {
		return newError(ErrFormat, "corrupt index block table")
	}
	for b := uint32(0); b < p.blocks; b++ {
		if o := uint64(p.blockOffset(b)); o < blocksEnd || o >= uint64(len(p.index)) {
			return newError(ErrFormat, "corrupt index block offset")
		}
	}
	bt := uint64(len(p.blobTable))
	if p.nblobs > bt/blobEntrySize || bt != p.nblobs*blobEntrySize {
		return newError(ErrFormat, "corrupt blob table")
	}
	return nil
}

// blockOffset is index block b's offset from the INDEX start (parse checked the bounds).
func (p *Pack) blockOffset(b uint32) uint32 {
	return rd32(p.index, ixBlockOffsets+uint64(b)*ixBlockOffsetSize)
}

// blobEntry is entry b (< nblobs) of the blob table.
func (p *Pack) blobEntry(b uint32) []byte {
	o := uint64(b) * blobEntrySize
	return p.blobTable[o : o+blobEntrySize]
}

// loadMeta decompresses META, or gives "" if it does not (like btfpack_meta); the text ends
// at its first NUL, as the C string does.
func loadMeta(meta []byte) string {
	if len(meta) < zFrame {
		return ""
	}
	raw := rd64(meta, zRawSize)
	if fcs, ok := frameContentSize(meta[zFrame:]); raw == 0 || raw > maxMeta || !ok || fcs != raw {
		return ""
	}
	text, err := decompress(meta[zFrame:], raw)
	if err != nil {
		return ""
	}
	if i := bytes.IndexByte(text, 0); i >= 0 {
		text = text[:i]
	}
	return string(text)
}
