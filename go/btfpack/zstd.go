package btfpack

import (
	"errors"
	"sync"

	"github.com/klauspost/compress/zstd"
)

// One decoder for the process (DecodeAll is safe for concurrent use), created on first use.
// It never writes past the capacity it is given (WithDecodeAllCapLimit), and never more than
// the largest compressed section may hold.
var decoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(1),
		zstd.WithDecoderMaxMemory(maxTypeTable),
		zstd.WithDecodeAllCapLimit(true))
})

var errDecompress = errors.New("does not decompress")

// frameContentSize is the content size the zstd frame at the start of b declares, and false
// if it declares none or is not a frame (ZSTD_getFrameContentSize).
func frameContentSize(b []byte) (uint64, bool) {
	var h zstd.Header
	if err := h.Decode(b); err != nil || h.Skippable || !h.HasFCS {
		return 0, false
	}
	return h.FrameContentSize, true
}

// decompress decodes src into exactly raw bytes (tt_decompress: more or fewer is an error).
func decompress(src []byte, raw uint64) ([]byte, error) {
	dec, err := decoder()
	if err != nil {
		return nil, err
	}
	out, err := dec.DecodeAll(src, make([]byte, 0, raw))
	if err != nil || uint64(len(out)) != raw {
		return nil, errDecompress
	}
	return out, nil
}
