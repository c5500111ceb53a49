package btfpack

import "github.com/zeebo/xxh3"

// blobIDs is the type table indexes of blob b, following delta bases at most maxDeltaDepth
// deep (blob_ids); at most maxN of them.
func (p *Pack) blobIDs(b uint32, depth int, maxN uint32) (ids []uint32, be bool, ok bool) {
	if uint64(b) >= p.nblobs {
		return nil, false, false
	}
	t := p.blobEntry(b)
	off, length := rd64(t, beListOffset), uint64(rd32(t, beListLen))
	bl := uint64(len(p.blobs))
	if off > bl || length > bl-off || length < listMinLen {
		return nil, false, false
	}
	list := p.blobs[off : off+length]
	flags := list[0]
	pos := 1
	be = flags&listBigEndian != 0
	var base []uint32
	if flags&listDelta != 0 {
		baseID, ok := varintRead(list, &pos)
		if !ok || baseID == b || depth >= maxDeltaDepth {
			return nil, false, false
		}
		if base, _, ok = p.blobIDs(baseID, depth+1, maxN); !ok {
			return nil, false, false
		}
	}
	count, okc := varintRead(list, &pos)
	if !okc || count > maxN {
		return nil, false, false
	}
	out := make([]uint32, count)
	have := uint32(0)
	if flags&listDelta == 0 {
		for ; have < count; have++ {
			if out[have], ok = varintRead(list, &pos); !ok {
				return nil, false, false
			}
		}
		return out, be, true
	}
	bn, cursor := uint32(len(base)), uint32(0)
	for have < count { // (skip, copy, insert) triplets over the base list
		skip, ok1 := varintRead(list, &pos)
		cp, ok2 := varintRead(list, &pos)
		ins, ok3 := varintRead(list, &pos)
		if !ok1 || !ok2 || !ok3 || skip > bn-cursor || cp > bn-cursor-skip || cp > count-have ||
			ins > count-have-cp || (cp == 0 && ins == 0) {
			return nil, false, false
		}
		cursor += skip
		copy(out[have:], base[cursor:cursor+cp])
		cursor += cp
		have += cp
		for k := uint32(0); k < ins; k++ {
			if out[have], ok = varintRead(list, &pos); !ok {
				return nil, false, false
			}
			have++
		}
	}
	return out, be, true
}

// RawBTF rebuilds kernel k's raw BTF from the shared type table, byte for byte what
// `btfpack get` writes, and checks its XXH3-64. The error wraps ErrNotFound if the pack has
// no such kernel, else ErrFormat or ErrChecksum for a damaged pack.
func (p *Pack) RawBTF(k Key) ([]byte, error) {
	i, err := p.find(k.String())
	if err != nil {
		return nil, err
	}
	return p.RawBTFAt(i)
}

// RawBTFAt is RawBTF of entry i (btfpack_get_btf), with the C reader's messages.
func (p *Pack) RawBTFAt(i int) ([]byte, error) {
	e, err := p.Entry(i)
	if err != nil {
		return nil, err
	}
	t := p.blobEntry(e.Blob)
	rlen, sum := rd32(t, beRawLen), rd64(t, beChecksum)
	if rlen > p.maxRaw || rlen < btfHeaderSize {
		return nil, newError(ErrFormat, "corrupt blob table entry %d", e.Blob)
	}
	if p.tableErr != nil {
		return nil, p.tableErr
	}
	// a BTF of rlen bytes has at most this many types (each at least a struct btf_type)
	maxTypes := rlen / (btfTypeWords * 4)
	ids, be, ok := p.blobIDs(e.Blob, 0, maxTypes)
	var out []byte
	if ok {
		out, ok = p.table.assemble(ids, be, rlen)
	}
	if !ok {
		return nil, newError(ErrFormat, "blob %d cannot be rebuilt from the type table", e.Blob)
	}
	if xxh3.Hash(out) != sum {
		return nil, newError(ErrChecksum, "blob %d checksum mismatch", e.Blob)
	}
	return out, nil
}
