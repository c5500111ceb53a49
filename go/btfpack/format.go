package btfpack

// The btfpack pack format, version 1: this file mirrors lib/reader/pack_format.h, the one C
// header the writer and the C reader share (docs/FORMAT.md is the prose). Each constant is
// named after its C constant with the BTFPACK_ prefix dropped and the rest in Go case:
// BTFPACK_HDR_FILE_SIZE is hdrFileSize. TestFormatConstantsMatchC parses the C header and
// checks every value, so the two cannot drift apart.

// File layout: header, section table, sections, footer.
const (
	magic        = "BTFPACK\x00" // MAGIC: file bytes 0..7
	endMagic     = "BTFPEND\x00" // END_MAGIC: the last 8 bytes of the file
	magicLen     = 8             // MAGIC_LEN
	versionMajor = 2             // VERSION_MAJOR: a reader rejects any other major
	versionMinor = 0             // VERSION_MINOR: a reader accepts any minor

	headerSize        = 64 // HEADER_SIZE
	hdrMagic          = 0  // HDR_MAGIC: 8 bytes
	hdrVersionMajor   = 8  // HDR_VERSION_MAJOR: u16
	hdrVersionMinor   = 10 // HDR_VERSION_MINOR: u16
	hdrFlags          = 12 // HDR_FLAGS: u32
	hdrFileSize       = 16 // HDR_FILE_SIZE: u64
	hdrSectionCount   = 24 // HDR_SECTION_COUNT: u32
	hdrMaxRaw         = 28 // HDR_MAX_RAW: u32, largest rebuilt BTF
	hdrSectionTable   = 32 // HDR_SECTION_TABLE: u64
	hdrKernels        = 40 // HDR_KERNELS: u64
	hdrBlobs          = 48 // HDR_BLOBS: u64
	hdrChecksum       = 56 // HDR_CHECKSUM: u64, XXH3-64 of header bytes [0, hdrChecksum)
	sectionEntrySize  = 32 // SECTION_ENTRY_SIZE
	seType            = 0  // SE_TYPE: u32
	seReserved        = 4  // SE_RESERVED: u32
	seOffset          = 8  // SE_OFFSET: u64
	seLength          = 16 // SE_LENGTH: u64
	seChecksum        = 24 // SE_CHECKSUM: u64
	sectionMeta       = 1  // SECTION_META
	sectionIndex      = 2  // SECTION_INDEX
	sectionSources    = 3  // SECTION_SOURCES
	sectionBlobTable  = 4  // SECTION_BLOB_TABLE
	sectionBlobs      = 6  // SECTION_BLOBS
	sectionTypes      = 7  // SECTION_TYPES
	footerSize        = 16 // FOOTER_SIZE
	ftChecksum        = 0  // FT_CHECKSUM: u64, XXH3-64 of every byte before the footer
	ftMagic           = 8  // FT_MAGIC: 8 bytes
	zRawSize          = 0  // Z_RAW_SIZE: u64, decompressed size of a compressed section
	zFrame            = 8  // Z_FRAME: one zstd frame, to the section's end
	ixEntryCount      = 0  // IX_ENTRY_COUNT: u32
	ixBlockCount      = 4  // IX_BLOCK_COUNT: u32
	ixBlockOffsets    = 8  // IX_BLOCK_OFFSETS: u32[block count]
	ixBlockOffsetSize = 4  // IX_BLOCK_OFFSET_SIZE
	indexBlockEntries = 16 // INDEX_BLOCK_ENTRIES
	sourceEntrySize   = 8  // SOURCE_ENTRY_SIZE
	blobEntrySize     = 24 // BLOB_ENTRY_SIZE
	beListOffset      = 0  // BE_LIST_OFFSET: u64
	beListLen         = 8  // BE_LIST_LEN: u32
	beRawLen          = 12 // BE_RAW_LEN: u32
	beChecksum        = 16 // BE_CHECKSUM: u64
	listBigEndian     = 1  // LIST_BIG_ENDIAN: list flag
	listDelta         = 2  // LIST_DELTA: list flag
	maxDeltaDepth     = 8  // MAX_DELTA_DEPTH
	listMinLen        = 2  // LIST_MIN_LEN
	ttParts           = 4  // TT_PARTS: record lengths, string lengths, string bytes, records
	ttPartTypeWords   = 0  // TT_PART_TYPE_WORDS: u32 per record
	ttPartStringBytes = 1  // TT_PART_STRING_BYTES: u32 per string
	ttPartChars       = 2  // TT_PART_CHARS
	ttPartRecords     = 3  // TT_PART_RECORDS
	tpRawSize         = 0  // TP_RAW_SIZE: u64
	tpFrameLen        = 8  // TP_FRAME_LEN: u64
	tpFrame           = 16 // TP_FRAME: the zstd frame
	ttLengthSize      = 4  // TT_LENGTH_SIZE
	ttWordSize        = 4  // TT_WORD_SIZE
	varintMax         = 5  // VARINT_MAX
)

// Caps: checked before anything is allocated or looped over.
const (
	maxSections   = 16       // MAX_SECTIONS
	maxKeyLen     = 511      // MAX_KEY_LEN
	maxBTFSize    = 16 << 20 // MAX_BTF_SIZE
	maxTypeTable  = 16 << 20 // MAX_TYPE_TABLE
	maxMeta       = 1 << 20  // MAX_META
	zMaxRatio     = 1024     // Z_MAX_RATIO
	zRatioSlack   = 4096     // Z_RATIO_SLACK
	btfMagic      = 0xeb9f   // BTF_MAGIC
	btfVersion    = 1        // BTF_VERSION
	btfHeaderSize = 24       // BTF_HEADER_SIZE
)

// struct btf_header fields and struct btf_type words (linux/btf.h).
const (
	btfHdrMagic      = 0  // BTF_HDR_MAGIC: u16
	btfHdrVersion    = 2  // BTF_HDR_VERSION: u8
	btfHdrFlags      = 3  // BTF_HDR_FLAGS: u8
	btfHdrLen        = 4  // BTF_HDR_LEN: u32
	btfHdrTypeOff    = 8  // BTF_HDR_TYPE_OFF: u32
	btfHdrTypeLen    = 12 // BTF_HDR_TYPE_LEN: u32
	btfHdrStrOff     = 16 // BTF_HDR_STR_OFF: u32
	btfHdrStrLen     = 20 // BTF_HDR_STR_LEN: u32
	btfTypeWords     = 3  // BTF_TYPE_WORDS
	btfWName         = 0  // BTF_W_NAME
	btfWInfo         = 1  // BTF_W_INFO
	btfWSizeType     = 2  // BTF_W_SIZE_TYPE
	btfKindInt       = 1  // BTF_KIND_INT
	btfKindPtr       = 2  // BTF_KIND_PTR
	btfKindArray     = 3  // BTF_KIND_ARRAY
	btfKindStruct    = 4  // BTF_KIND_STRUCT
	btfKindUnion     = 5  // BTF_KIND_UNION
	btfKindEnum      = 6  // BTF_KIND_ENUM
	btfKindFwd       = 7  // BTF_KIND_FWD
	btfKindTypedef   = 8  // BTF_KIND_TYPEDEF
	btfKindVolatile  = 9  // BTF_KIND_VOLATILE
	btfKindConst     = 10 // BTF_KIND_CONST
	btfKindRestrict  = 11 // BTF_KIND_RESTRICT
	btfKindFunc      = 12 // BTF_KIND_FUNC
	btfKindFuncProto = 13 // BTF_KIND_FUNC_PROTO
	btfKindVar       = 14 // BTF_KIND_VAR
	btfKindDatasec   = 15 // BTF_KIND_DATASEC
	btfKindFloat     = 16 // BTF_KIND_FLOAT
	btfKindDeclTag   = 17 // BTF_KIND_DECL_TAG
	btfKindTypeTag   = 18 // BTF_KIND_TYPE_TAG
	btfKindEnum64    = 19 // BTF_KIND_ENUM64

	btfIntWords        = 1 // BTF_INT_WORDS
	btfVarWords        = 1 // BTF_VAR_WORDS
	btfDeclTagWords    = 1 // BTF_DECL_TAG_WORDS
	btfArrayWords      = 3 // BTF_ARRAY_WORDS
	btfMemberWords     = 3 // BTF_MEMBER_WORDS
	btfEnumWords       = 2 // BTF_ENUM_WORDS
	btfParamWords      = 2 // BTF_PARAM_WORDS
	btfVarSecinfoWords = 3 // BTF_VAR_SECINFO_WORDS
	btfEnum64Words     = 3 // BTF_ENUM64_WORDS
)

// btfInfoKind and btfInfoVlen are BTF_INFO_KIND and BTF_INFO_VLEN.
func btfInfoKind(info uint32) uint32 { return (info >> 24) & 0x1f }
func btfInfoVlen(info uint32) uint32 { return info & 0xffff }

// Byte helpers: pf_rd16/32/64 and pf_varint_read. Callers bounds-check first.

func rd16(b []byte, off uint64) uint16 { return uint16(b[off]) | uint16(b[off+1])<<8 }

func rd32(b []byte, off uint64) uint32 {
	return uint32(b[off]) | uint32(b[off+1])<<8 | uint32(b[off+2])<<16 | uint32(b[off+3])<<24
}

func rd64(b []byte, off uint64) uint64 { return uint64(rd32(b, off)) | uint64(rd32(b, off+4))<<32 }

// varintRead reads a LEB128 u32 of at most varintMax bytes at b[*p:], advancing *p; false if
// it runs past the end, is longer, or exceeds a u32 (pf_varint_read).
func varintRead(b []byte, p *int) (uint32, bool) {
	var x uint64
	for i := 0; i < varintMax; i++ {
		if *p >= len(b) {
			return 0, false
		}
		c := b[*p]
		*p++
		x |= uint64(c&0x7f) << (7 * i)
		if c&0x80 == 0 {
			if x > 0xffffffff {
				return 0, false
			}
			return uint32(x), true
		}
	}
	return 0, false
}
