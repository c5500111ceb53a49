package btfpack

import (
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
)

// goFormatConstants is every numeric constant of lib/reader/pack_format.h, by its C name.
var goFormatConstants = map[string]uint64{
	"BTFPACK_MAGIC_LEN":             magicLen,
	"BTFPACK_VERSION_MAJOR":         versionMajor,
	"BTFPACK_VERSION_MINOR":         versionMinor,
	"BTFPACK_HEADER_SIZE":           headerSize,
	"BTFPACK_HDR_MAGIC":             hdrMagic,
	"BTFPACK_HDR_VERSION_MAJOR":     hdrVersionMajor,
	"BTFPACK_HDR_VERSION_MINOR":     hdrVersionMinor,
	"BTFPACK_HDR_FLAGS":             hdrFlags,
	"BTFPACK_HDR_FILE_SIZE":         hdrFileSize,
	"BTFPACK_HDR_SECTION_COUNT":     hdrSectionCount,
	"BTFPACK_HDR_MAX_RAW":           hdrMaxRaw,
	"BTFPACK_HDR_SECTION_TABLE":     hdrSectionTable,
	"BTFPACK_HDR_KERNELS":           hdrKernels,
	"BTFPACK_HDR_BLOBS":             hdrBlobs,
	"BTFPACK_HDR_CHECKSUM":          hdrChecksum,
	"BTFPACK_SECTION_ENTRY_SIZE":    sectionEntrySize,
	"BTFPACK_SE_TYPE":               seType,
	"BTFPACK_SE_RESERVED":           seReserved,
	"BTFPACK_SE_OFFSET":             seOffset,
	"BTFPACK_SE_LENGTH":             seLength,
	"BTFPACK_SE_CHECKSUM":           seChecksum,
	"BTFPACK_SECTION_META":          sectionMeta,
	"BTFPACK_SECTION_INDEX":         sectionIndex,
	"BTFPACK_SECTION_SOURCES":       sectionSources,
	"BTFPACK_SECTION_BLOB_TABLE":    sectionBlobTable,
	"BTFPACK_SECTION_BLOBS":         sectionBlobs,
	"BTFPACK_SECTION_TYPES":         sectionTypes,
	"BTFPACK_FOOTER_SIZE":           footerSize,
	"BTFPACK_FT_CHECKSUM":           ftChecksum,
	"BTFPACK_FT_MAGIC":              ftMagic,
	"BTFPACK_Z_RAW_SIZE":            zRawSize,
	"BTFPACK_Z_FRAME":               zFrame,
	"BTFPACK_IX_ENTRY_COUNT":        ixEntryCount,
	"BTFPACK_IX_BLOCK_COUNT":        ixBlockCount,
	"BTFPACK_IX_BLOCK_OFFSETS":      ixBlockOffsets,
	"BTFPACK_IX_BLOCK_OFFSET_SIZE":  ixBlockOffsetSize,
	"BTFPACK_INDEX_BLOCK_ENTRIES":   indexBlockEntries,
	"BTFPACK_SOURCE_ENTRY_SIZE":     sourceEntrySize,
	"BTFPACK_BLOB_ENTRY_SIZE":       blobEntrySize,
	"BTFPACK_BE_LIST_OFFSET":        beListOffset,
	"BTFPACK_BE_LIST_LEN":           beListLen,
	"BTFPACK_BE_RAW_LEN":            beRawLen,
	"BTFPACK_BE_CHECKSUM":           beChecksum,
	"BTFPACK_LIST_BIG_ENDIAN":       listBigEndian,
	"BTFPACK_LIST_DELTA":            listDelta,
	"BTFPACK_MAX_DELTA_DEPTH":       maxDeltaDepth,
	"BTFPACK_LIST_MIN_LEN":          listMinLen,
	"BTFPACK_TT_PARTS":              ttParts,
	"BTFPACK_TT_PART_TYPE_WORDS":    ttPartTypeWords,
	"BTFPACK_TT_PART_STRING_BYTES":  ttPartStringBytes,
	"BTFPACK_TT_PART_CHARS":         ttPartChars,
	"BTFPACK_TT_PART_RECORDS":       ttPartRecords,
	"BTFPACK_TP_RAW_SIZE":           tpRawSize,
	"BTFPACK_TP_FRAME_LEN":          tpFrameLen,
	"BTFPACK_TP_FRAME":              tpFrame,
	"BTFPACK_TT_LENGTH_SIZE":        ttLengthSize,
	"BTFPACK_TT_WORD_SIZE":          ttWordSize,
	"BTFPACK_VARINT_MAX":            varintMax,
	"BTFPACK_MAX_SECTIONS":          maxSections,
	"BTFPACK_MAX_KEY_LEN":           maxKeyLen,
	"BTFPACK_MAX_BTF_SIZE":          maxBTFSize,
	"BTFPACK_MAX_TYPE_TABLE":        maxTypeTable,
	"BTFPACK_MAX_META":              maxMeta,
	"BTFPACK_Z_MAX_RATIO":           zMaxRatio,
	"BTFPACK_Z_RATIO_SLACK":         zRatioSlack,
	"BTFPACK_BTF_MAGIC":             btfMagic,
	"BTFPACK_BTF_VERSION":           btfVersion,
	"BTFPACK_BTF_HEADER_SIZE":       btfHeaderSize,
	"BTFPACK_BTF_HDR_MAGIC":         btfHdrMagic,
	"BTFPACK_BTF_HDR_VERSION":       btfHdrVersion,
	"BTFPACK_BTF_HDR_FLAGS":         btfHdrFlags,
	"BTFPACK_BTF_HDR_LEN":           btfHdrLen,
	"BTFPACK_BTF_HDR_TYPE_OFF":      btfHdrTypeOff,
	"BTFPACK_BTF_HDR_TYPE_LEN":      btfHdrTypeLen,
	"BTFPACK_BTF_HDR_STR_OFF":       btfHdrStrOff,
	"BTFPACK_BTF_HDR_STR_LEN":       btfHdrStrLen,
	"BTFPACK_BTF_TYPE_WORDS":        btfTypeWords,
	"BTFPACK_BTF_W_NAME":            btfWName,
	"BTFPACK_BTF_W_INFO":            btfWInfo,
	"BTFPACK_BTF_W_SIZE_TYPE":       btfWSizeType,
	"BTFPACK_BTF_KIND_INT":          btfKindInt,
	"BTFPACK_BTF_KIND_PTR":          btfKindPtr,
	"BTFPACK_BTF_KIND_ARRAY":        btfKindArray,
	"BTFPACK_BTF_KIND_STRUCT":       btfKindStruct,
	"BTFPACK_BTF_KIND_UNION":        btfKindUnion,
	"BTFPACK_BTF_KIND_ENUM":         btfKindEnum,
	"BTFPACK_BTF_KIND_FWD":          btfKindFwd,
	"BTFPACK_BTF_KIND_TYPEDEF":      btfKindTypedef,
	"BTFPACK_BTF_KIND_VOLATILE":     btfKindVolatile,
	"BTFPACK_BTF_KIND_CONST":        btfKindConst,
	"BTFPACK_BTF_KIND_RESTRICT":     btfKindRestrict,
	"BTFPACK_BTF_KIND_FUNC":         btfKindFunc,
	"BTFPACK_BTF_KIND_FUNC_PROTO":   btfKindFuncProto,
	"BTFPACK_BTF_KIND_VAR":          btfKindVar,
	"BTFPACK_BTF_KIND_DATASEC":      btfKindDatasec,
	"BTFPACK_BTF_KIND_FLOAT":        btfKindFloat,
	"BTFPACK_BTF_KIND_DECL_TAG":     btfKindDeclTag,
	"BTFPACK_BTF_KIND_TYPE_TAG":     btfKindTypeTag,
	"BTFPACK_BTF_KIND_ENUM64":       btfKindEnum64,
	"BTFPACK_BTF_INT_WORDS":         btfIntWords,
	"BTFPACK_BTF_VAR_WORDS":         btfVarWords,
	"BTFPACK_BTF_DECL_TAG_WORDS":    btfDeclTagWords,
	"BTFPACK_BTF_ARRAY_WORDS":       btfArrayWords,
	"BTFPACK_BTF_MEMBER_WORDS":      btfMemberWords,
	"BTFPACK_BTF_ENUM_WORDS":        btfEnumWords,
	"BTFPACK_BTF_PARAM_WORDS":       btfParamWords,
	"BTFPACK_BTF_VAR_SECINFO_WORDS": btfVarSecinfoWords,
	"BTFPACK_BTF_ENUM64_WORDS":      btfEnum64Words,
}

// TestFormatConstantsMatchC parses the C header the writer and the C reader share and checks
// that format.go has each of its constants with the same value, and no constant it lacks.
func TestFormatConstantsMatchC(t *testing.T) {
	src, err := os.ReadFile("../../lib/reader/pack_format.h")
	if err != nil {
		t.Fatal(err)
	}
	def := regexp.MustCompile(`(?m)^#define (BTFPACK_[A-Z0-9_]+) +(.*?)\s*(?:/\*.*)?$`)
	num := regexp.MustCompile(`^\(?(0x[0-9a-f]+|[0-9]+)u?(?: << ([0-9]+))?\)?$`)
	seen := map[string]bool{}
	for _, m := range def.FindAllStringSubmatch(string(src), -1) {
		name, value := m[1], m[2]
		switch {
		case strings.HasPrefix(value, "\""): // the magics
			want := map[string]string{"BTFPACK_MAGIC": magic, "BTFPACK_END_MAGIC": endMagic}[name]
			if got, _ := strconv.Unquote(strings.ReplaceAll(value, `\0`, `\x00`)); got != want {
				t.Errorf("%s = %s in C, %q in Go", name, value, want)
			}
			continue
		case strings.HasPrefix(value, "("+"(") || strings.Contains(m[0], name+"("): // function-like
			continue
		}
		n := num.FindStringSubmatch(value)
		if n == nil {
			t.Errorf("%s: cannot read the value %q", name, value)
			continue
		}
		v, _ := strconv.ParseUint(n[1], 0, 64)
		if n[2] != "" {
			shift, _ := strconv.Atoi(n[2])
			v <<= shift
		}
		seen[name] = true
		got, ok := goFormatConstants[name]
		if !ok {
			t.Errorf("%s (%d) has no Go constant in format.go", name, v)
		} else if got != v {
			t.Errorf("%s: C %d, Go %d", name, v, got)
		}
	}
	for name := range goFormatConstants {
		if !seen[name] {
			t.Errorf("%s is not in pack_format.h", name)
		}
	}
	if len(seen) < 100 {
		t.Fatalf("only %d constants read from pack_format.h", len(seen))
	}
}
