package btfpack

// The shared type table (TYPES): loading and BTF re-assembly, as lib/reader/type_table.c.

import "math"

// typeTable is the decompressed TYPES section with its lengths turned into offsets.
type typeTable struct {
	ntypes, nstrings uint32
	typeOff, strOff  []uint32 // ntypes+1 / nstrings+1 offsets (words / bytes)
	words            []byte   // records, u32 little-endian
	nwords           uint64
	chars            []byte
}

func (t *typeTable) word(w uint64) uint32 { return rd32(t.words, ttWordSize*w) }

// Word roles in a record (tt_role).
const (
	roleData = iota
	roleName
	roleRef
)

// recordWords is the u32 words of a BTF type record of this kind and vlen, 0 for an unknown
// kind (tt_record_words).
func recordWords(kind, vlen uint32) uint32 {
	switch kind {
	case btfKindInt:
		return btfTypeWords + btfIntWords
	case btfKindVar:
		return btfTypeWords + btfVarWords
	case btfKindDeclTag:
		return btfTypeWords + btfDeclTagWords
	case btfKindPtr, btfKindFwd, btfKindTypedef, btfKindVolatile, btfKindConst, btfKindRestrict,
		btfKindFunc, btfKindFloat, btfKindTypeTag:
		return btfTypeWords
	case btfKindArray:
		return btfTypeWords + btfArrayWords
	case btfKindStruct, btfKindUnion:
		return btfTypeWords + btfMemberWords*vlen
	case btfKindEnum:
		return btfTypeWords + btfEnumWords*vlen
	case btfKindFuncProto:
		return btfTypeWords + btfParamWords*vlen
	case btfKindDatasec:
		return btfTypeWords + btfVarSecinfoWords*vlen
	case btfKindEnum64:
		return btfTypeWords + btfEnum64Words*vlen
	}
	return 0
}

// wordRole says what word w of a record of this kind holds (tt_word_role).
func wordRole(kind, w uint32) int {
	switch w {
	case btfWName:
		return roleName
	case btfWInfo:
		return roleData
	case btfWSizeType: // a type for these kinds; a size (or 0) for the others
		switch kind {
		case btfKindPtr, btfKindTypedef, btfKindVolatile, btfKindConst, btfKindRestrict, btfKindFunc,
			btfKindFuncProto, btfKindVar, btfKindDeclTag, btfKindTypeTag:
			return roleRef
		}
		return roleData
	}
	k := w - btfTypeWords
	switch kind {
	case btfKindArray: // type, index_type, nelems
		if k < 2 {
			return roleRef
		}
	case btfKindStruct, btfKindUnion: // per member: name_off, type, offset
		switch k % btfMemberWords {
		case 0:
			return roleName
		case 1:
			return roleRef
		}
	case btfKindEnum: // per value: name_off, val
		if k%btfEnumWords == 0 {
			return roleName
		}
	case btfKindFuncProto: // per parameter: name_off, type
		if k%btfParamWords == 0 {
			return roleName
		}
		return roleRef
	case btfKindDatasec: // per variable: type, offset, size
		if k%btfVarSecinfoWords == 0 {
			return roleRef
		}
	case btfKindEnum64: // per value: name_off, val_lo32, val_hi32
		if k%btfEnum64Words == 0 {
			return roleName
		}
	}
	return roleData
}

// loadPart decompresses part k of TYPES at *off (load_part in type_table.c): its raw size
// checked against the caps (total: the parts before it) and the frame.
func loadPart(sec []byte, off *uint64, total uint64) ([]byte, error) {
	n := uint64(len(sec))
	if n-*off < tpFrame {
		return nil, newError(ErrFormat, "corrupt type table")
	}
	raw, flen := rd64(sec, *off+tpRawSize), rd64(sec, *off+tpFrameLen)
	if flen > n-*off-tpFrame {
		return nil, newError(ErrFormat, "corrupt type table")
	}
	frame := sec[*off+tpFrame : *off+tpFrame+flen]
	// the size must be what the frame says, and plausible for its compressed size
	fcs, ok := frameContentSize(frame)
	if raw > maxTypeTable-total || !ok || fcs != raw || raw > zMaxRatio*flen+zRatioSlack {
		return nil, newError(ErrFormat, "corrupt type table size")
	}
	b, err := decompress(frame, raw)
	if err != nil {
		return nil, newError(ErrFormat, "type table does not decompress")
	}
	*off += tpFrame + flen
	return b, nil
}

// offsets turns n u32 lengths into n+1 offsets from 0; the sum, false past 2^32-1.
func offsets(lens []byte, off []uint32) (uint64, bool) {
	var sum uint64
	for i := range off[1:] {
		sum += uint64(rd32(lens, ttLengthSize*uint64(i)))
		if sum > math.MaxUint32 {
			return 0, false
		}
		off[i+1] = uint32(sum)
	}
	return sum, true
}

// loadTypeTable decompresses and checks the TYPES section (tt_load), with its messages.
func loadTypeTable(sec []byte) (*typeTable, error) {
	var part [ttParts][]byte
	var off, total uint64
	for k := range part {
		b, err := loadPart(sec, &off, total)
		if err != nil {
			return nil, err
		}
		part[k], total = b, total+uint64(len(b))
	}
	if off != uint64(len(sec)) {
		return nil, newError(ErrFormat, "corrupt type table")
	}
	lw, ls, lr := len(part[ttPartTypeWords]), len(part[ttPartStringBytes]), len(part[ttPartRecords])
	if lw%ttLengthSize != 0 || ls%ttLengthSize != 0 || lr%ttWordSize != 0 {
		return nil, newError(ErrFormat, "corrupt type table counts")
	}
	t := &typeTable{ntypes: uint32(lw / ttLengthSize), nstrings: uint32(ls / ttLengthSize)}
	// record lengths and string lengths -> offsets, which must add up to the other parts
	t.typeOff = make([]uint32, t.ntypes+1)
	t.strOff = make([]uint32, t.nstrings+1)
	nwords, ok1 := offsets(part[ttPartTypeWords], t.typeOff)
	nchars, ok2 := offsets(part[ttPartStringBytes], t.strOff)
	if !ok1 || !ok2 || nwords != uint64(lr/ttWordSize) || nchars != uint64(len(part[ttPartChars])) {
		return nil, newError(ErrFormat, "corrupt type table lengths")
	}
	t.nwords = nwords
	t.chars = part[ttPartChars]
	t.words = part[ttPartRecords]
	// records and strings are checked when a BTF uses them (assemble)
	return t, nil
}

// btfPut32 writes v at b in the BTF's byte order.
func btfPut32(b []byte, v uint32, be bool) {
	if be {
		b[0], b[1], b[2], b[3] = byte(v>>24), byte(v>>16), byte(v>>8), byte(v)
	} else {
		b[0], b[1], b[2], b[3] = byte(v), byte(v>>8), byte(v>>16), byte(v>>24)
	}
}

// assemble rebuilds one kernel's raw BTF of exactly rawLen bytes from its table indexes (type
// id i+1 = entry ids[i]), big-endian if be (tt_assemble); false if the records, names or
// references do not add up.
func (t *typeTable) assemble(ids []uint32, be bool, rawLen uint32) ([]byte, bool) {
	if rawLen < btfHeaderSize {
		return nil, false
	}
	localOf := make([]uint32, uint64(t.ntypes)+1) // table index+1 -> local id
	strAt := make([]uint32, uint64(t.nstrings)+1) // string index+1 -> offset
	for i, id := range ids {
		if id >= t.ntypes {
			return nil, false
		}
		if localOf[id+1] == 0 {
			localOf[id+1] = uint32(i) + 1
		}
	}
	// types right after the header; strings follow, starting with ""
	var tlen uint64
	for _, id := range ids { // each record used: in bounds, sized as its kind says
		a, b := t.typeOff[id], t.typeOff[id+1]
		if b < a || uint64(b) > t.nwords || b-a < btfTypeWords {
			return nil, false
		}
		info := t.word(uint64(a) + btfWInfo)
		if recordWords(btfInfoKind(info), btfInfoVlen(info)) != b-a {
			return nil, false
		}
		tlen += 4 * uint64(b-a)
	}
	strStart := btfHeaderSize + tlen
	if strStart+1 > uint64(rawLen) {
		return nil, false
	}
	o := make([]byte, rawLen)
	sp := strStart
	o[sp] = 0
	sp++
	tp := uint64(btfHeaderSize)
	nchars := uint64(len(t.chars))
	for _, id := range ids {
		a, b := t.typeOff[id], t.typeOff[id+1]
		kind := btfInfoKind(t.word(uint64(a) + btfWInfo))
		for w := uint32(0); w < b-a; w, tp = w+1, tp+4 {
			v := t.word(uint64(a) + uint64(w))
			switch wordRole(kind, w) {
			case roleName:
				if v == 0 {
					break
				}
				if v > t.nstrings {
					return nil, false
				}
				if strAt[v] == 0 { // first use: check and append the string
					sa, sb := uint64(t.strOff[v-1]), uint64(t.strOff[v])
					if sb < sa || sb > nchars || indexZero(t.chars[sa:sb]) || sp-strStart > 0xffffffff ||
						sb-sa+1 > uint64(rawLen)-sp {
						return nil, false
					}
					strAt[v] = uint32(sp - strStart)
					copy(o[sp:], t.chars[sa:sb])
					sp += sb - sa
					o[sp] = 0
					sp++
				}
				v = strAt[v]
			case roleRef:
				if v == 0 {
					break
				}
				if v > t.ntypes || localOf[v] == 0 {
					return nil, false // a reference outside this kernel's types
				}
				v = localOf[v]
			}
			btfPut32(o[tp:], v, be)
		}
	}
	if sp != uint64(rawLen) {
		return nil, false
	}
	// struct btf_header: types at 0 and strings right after them (offsets from its end)
	if be {
		o[btfHdrMagic], o[btfHdrMagic+1] = btfMagic>>8, btfMagic&0xff
	} else {
		o[btfHdrMagic], o[btfHdrMagic+1] = btfMagic&0xff, btfMagic>>8
	}
	o[btfHdrVersion] = btfVersion
	o[btfHdrFlags] = 0
	btfPut32(o[btfHdrLen:], btfHeaderSize, be)
	btfPut32(o[btfHdrTypeOff:], 0, be)
	btfPut32(o[btfHdrTypeLen:], uint32(tlen), be)
	btfPut32(o[btfHdrStrOff:], uint32(tlen), be)
	btfPut32(o[btfHdrStrLen:], uint32(sp-strStart), be)
	return o, true
}

func indexZero(b []byte) bool {
	for _, c := range b {
		if c == 0 {
			return true
		}
	}
	return false
}
