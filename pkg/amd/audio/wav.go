package audio

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// WAVE format tags (fmt chunk wFormatTag).
const (
	tagPCM        = 0x0001
	tagFloat      = 0x0003
	tagALaw       = 0x0006
	tagULaw       = 0x0007
	tagExtensible = 0xFFFE
)

// Limits that keep a hostile header from making us allocate or loop.
const (
	maxChannels = 64
	maxRate     = 192000 // bounds the resampler's kernel (about 1400 taps)
	minRate     = OutputRate
	fmtReadMax  = 40 // bytes of the fmt chunk we look at (the EXTENSIBLE layout)
)

// soxPipeDataSize is the data size sox writes when its output cannot seek
// (a pipe): 2^31 - 4096, a placeholder rather than a real size.
const soxPipeDataSize = 0x7FFFF000

// unknownSize marks a data size the header does not give (0, 0xFFFFFFFF,
// sox's pipe placeholder):
// the data runs to the end of the file.
const unknownSize = -1

// source describes where and how the samples are stored.
type source struct {
	format   string // Info.Format
	enc      encoding
	rate     int
	channels int
	dataSize int64     // bytes of sample data announced, or unknownSize
	offset   int64     // bytes before the first sample (header length)
	gsm      *gsmCodec // GSM 06.10 (enc encGSM/encGSMMS): decodes whole blocks
}

// blockAlign is the size of the unit of storage: one sample frame, or one
// GSM block.
func (s source) blockAlign() int {
	if s.gsm != nil {
		return s.gsm.blockBytes()
	}
	return s.enc.bytes() * s.channels
}

// blockFrames is the number of sample frames one unit of storage holds.
func (s source) blockFrames() int64 {
	if s.gsm != nil {
		return int64(s.gsm.blockSamples())
	}
	return 1
}

// extensibleGUIDTail is bytes 2..15 of every standard WAVE sub-format GUID
// (XXXXXXXX-0000-0010-8000-00AA00389B71, the first two bytes are the tag).
const extensibleGUIDTail = "\x00\x00\x00\x00\x10\x00\x80\x00\x00\xAA\x00\x38\x9B\x71"

// wavParser reads the RIFF header up to the start of the data chunk.
type wavParser struct {
	br     *bufio.Reader
	name   string
	offset int64 // bytes consumed so far
	rf64   bool
	ds64   int64 // data size from the RF64 ds64 chunk, or unknownSize
	src    source
	gotFmt bool
}

func (p *wavParser) fail(kind error, field, format string, args ...any) error {
	return &Error{File: p.name, Field: field, Msg: fmt.Sprintf(format, args...), Kind: kind}
}

// read fills buf or reports where the file ended.
func (p *wavParser) read(buf []byte, field string) error {
	n, err := io.ReadFull(p.br, buf)
	p.offset += int64(n)
	if err == nil {
		return nil
	}
	if errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return p.fail(ErrMalformed, field, "file ends after %d bytes", p.offset)
	}
	return p.fail(err, field, "read error: %v", err)
}

// skip discards n bytes of a chunk we do not use, without allocating.
func (p *wavParser) skip(n int64, field string) error {
	for n > 0 {
		step := int(min(n, 1<<30))
		got, err := p.br.Discard(step)
		p.offset += int64(got)
		n -= int64(got)
		if err != nil {
			if errors.Is(err, io.EOF) {
				return p.fail(ErrMalformed, field, "chunk runs past the end of the file (%d bytes short) and no data chunk was found", n)
			}
			return p.fail(err, field, "read error: %v", err)
		}
	}
	return nil
}

// skipPad skips the pad byte that follows an odd-sized chunk. Some writers
// forget it: if the byte is not zero and starts a plausible chunk id, it is
// taken as the next chunk instead.
func (p *wavParser) skipPad(size int64) {
	if size%2 == 0 {
		return
	}
	peek, _ := p.br.Peek(4)
	if len(peek) == 4 && peek[0] != 0 && isChunkID(peek) {
		return
	}
	if _, err := p.br.Discard(1); err == nil {
		p.offset++
	}
}

func isChunkID(b []byte) bool {
	for _, c := range b[:4] {
		if c < 0x20 || c > 0x7E {
			return false
		}
	}
	return true
}

// parseWAV reads a RIFF/WAVE or RF64 header and leaves br at the first
// sample of the data chunk.
func parseWAV(br *bufio.Reader, name string) (source, error) {
	p := &wavParser{br: br, name: name, ds64: unknownSize}
	var hdr [12]byte
	if err := p.read(hdr[:], "RIFF header"); err != nil {
		return source{}, err
	}
	switch string(hdr[0:4]) {
	case "RIFF":
	case "RF64", "BW64":
		p.rf64 = true
	case "RIFX":
		return source{}, p.fail(ErrUnsupported, "RIFF header", "big-endian RIFX files are not supported; convert with: sox in.wav -e signed-integer -b 16 out.wav")
	default:
		return source{}, p.fail(ErrMalformed, "RIFF header", "not a WAV file (starts with %q, want \"RIFF\")", printable(hdr[0:4]))
	}
	if string(hdr[8:12]) != "WAVE" {
		return source{}, p.fail(ErrMalformed, "RIFF header", "RIFF type %q, want \"WAVE\"", printable(hdr[8:12]))
	}
	for {
		var ch [8]byte
		if err := p.read(ch[:], "chunk header"); err != nil {
			if !p.gotFmt {
				return source{}, p.fail(ErrMalformed, "fmt chunk", "missing (file ends after %d bytes)", p.offset)
			}
			return source{}, p.fail(ErrMalformed, "data chunk", "missing (file ends after %d bytes)", p.offset)
		}
		id := string(ch[0:4])
		size := int64(binary.LittleEndian.Uint32(ch[4:8]))
		var err error
		switch id {
		case "fmt ":
			err = p.parseFmt(size)
		case "ds64":
			err = p.parseDS64(size)
		case "data":
			return p.dataStart(size)
		default:
			err = p.skip(size, printable(ch[0:4])+" chunk")
			p.skipPad(size)
		}
		if err != nil {
			return source{}, err
		}
	}
}

// fmtFields are the fmt chunk fields the reader uses.
type fmtFields struct {
	tag        int // the sub-format's tag for WAVE_FORMAT_EXTENSIBLE
	channels   int
	rate       int64
	blockAlign int
	bits       int
}

// parseFmt reads the fmt chunk and sets p.src from it.
func (p *wavParser) parseFmt(size int64) error {
	const field = "fmt chunk"
	if size < 16 {
		return p.fail(ErrMalformed, field, "size %d, want at least 16", size)
	}
	var b [fmtReadMax]byte
	n := min(size, fmtReadMax)
	if err := p.read(b[:n], field); err != nil {
		return err
	}
	if err := p.skip(size-n, field); err != nil {
		return err
	}
	p.skipPad(size)

	f, err := p.fmtFieldsOf(b[:n])
	if err != nil {
		return err
	}
	if err := p.checkLayout(f); err != nil {
		return err
	}
	if f.tag == tagGSM {
		return p.parseGSMFmt(f, b[:n])
	}
	width, err := p.sampleWidth(f.channels, f.blockAlign, f.bits)
	if err != nil {
		return err
	}
	enc, err := p.encodingOf(f.tag, width)
	if err != nil {
		return err
	}
	p.src = source{format: "wav", enc: enc, rate: int(f.rate), channels: f.channels}
	if p.rf64 {
		p.src.format = "rf64"
	}
	p.gotFmt = true
	return nil
}

// fmtFieldsOf decodes the fmt chunk bytes, resolving the sub-format GUID of
// WAVE_FORMAT_EXTENSIBLE to its plain format tag.
func (p *wavParser) fmtFieldsOf(b []byte) (fmtFields, error) {
	f := fmtFields{
		tag:        int(binary.LittleEndian.Uint16(b[0:2])),
		channels:   int(binary.LittleEndian.Uint16(b[2:4])),
		rate:       int64(binary.LittleEndian.Uint32(b[4:8])),
		blockAlign: int(binary.LittleEndian.Uint16(b[12:14])),
		bits:       int(binary.LittleEndian.Uint16(b[14:16])),
	}
	if f.tag != tagExtensible {
		return f, nil
	}
	if len(b) < 40 {
		return f, p.fail(ErrMalformed, "fmt chunk", "WAVE_FORMAT_EXTENSIBLE with a %d-byte fmt chunk, want 40", len(b))
	}
	if string(b[26:40]) != extensibleGUIDTail {
		return f, p.fail(ErrUnsupported, "fmt chunk", "WAVE_FORMAT_EXTENSIBLE sub-format %x is not a standard WAVE format", b[24:40])
	}
	f.tag = int(binary.LittleEndian.Uint16(b[24:26]))
	return f, nil
}

// checkLayout rejects channel counts, rates and format tags we cannot read.
func (p *wavParser) checkLayout(f fmtFields) error {
	const field = "fmt chunk"
	switch {
	case f.channels == 0:
		return p.fail(ErrMalformed, field, "0 channels")
	case f.channels > maxChannels:
		return p.fail(ErrUnsupported, field, "%d channels (at most %d)", f.channels, maxChannels)
	case f.rate == 0:
		return p.fail(ErrMalformed, field, "sample rate 0")
	case f.rate < minRate:
		return p.fail(ErrUnsupported, field, "sample rate %d Hz is below %d Hz (too narrow for AMD)", f.rate, minRate)
	case f.rate > maxRate:
		return p.fail(ErrUnsupported, field, "sample rate %d Hz (at most %d)", f.rate, maxRate)
	}
	switch f.tag {
	case tagPCM, tagFloat, tagALaw, tagULaw, tagGSM:
		return nil
	}
	return p.fail(ErrUnsupported, field, "unsupported format 0x%04X%s; convert with: sox in.wav -e signed-integer -b 16 out.wav", f.tag, formatTagName(f.tag))
}

// sampleWidth returns the bytes per sample of one channel. The block align
// defines the data layout, so it wins over the bit depth when the two
// disagree in a way that still makes a valid layout (24 bits in 4 bytes).
func (p *wavParser) sampleWidth(channels, blockAlign, bits int) (int, error) {
	fromBits := (bits + 7) / 8
	if blockAlign == fromBits*channels && fromBits > 0 {
		return fromBits, nil
	}
	if blockAlign > 0 && blockAlign%channels == 0 {
		if w := blockAlign / channels; w <= 4 || w == 8 {
			return w, nil
		}
	}
	if blockAlign == 0 && fromBits > 0 && (fromBits <= 4 || fromBits == 8) {
		return fromBits, nil
	}
	return 0, p.fail(ErrMalformed, "fmt chunk", "block align %d does not fit %d channel(s) of %d bits", blockAlign, channels, bits)
}

// encodingOf maps a format tag and sample width to a decoder.
func (p *wavParser) encodingOf(tag, width int) (encoding, error) {
	const field = "fmt chunk"
	switch tag {
	case tagPCM:
		switch width {
		case 1:
			return encPCM8, nil
		case 2:
			return encPCM16, nil
		case 3:
			return encPCM24, nil
		case 4:
			return encPCM32, nil
		}
		return 0, p.fail(ErrUnsupported, field, "%d-bit PCM (want 8, 16, 24 or 32)", width*8)
	case tagFloat:
		switch width {
		case 4:
			return encFloat32, nil
		case 8:
			return encFloat64, nil
		}
		return 0, p.fail(ErrUnsupported, field, "%d-bit float (want 32 or 64)", width*8)
	case tagALaw, tagULaw:
		if width != 1 {
			return 0, p.fail(ErrUnsupported, field, "%d-bit G.711 (want 8)", width*8)
		}
		if tag == tagALaw {
			return encALaw, nil
		}
		return encULaw, nil
	}
	return 0, p.fail(ErrUnsupported, field, "unsupported format 0x%04X%s", tag, formatTagName(tag))
}

// formatTagName names the compressed formats people actually meet in call
// recordings, for the error message.
func formatTagName(tag int) string {
	switch tag {
	case 0x0002:
		return " (Microsoft ADPCM)"
	case 0x0011:
		return " (IMA ADPCM)"
	case 0x0031:
		return " (GSM 6.10)"
	case 0x0040:
		return " (G.721 ADPCM)"
	case 0x0050:
		return " (MPEG)"
	case 0x0055:
		return " (MPEG Layer 3)"
	case 0x0064:
		return " (G.726 ADPCM)"
	}
	return ""
}

// parseDS64 reads the RF64 sizes chunk: riff size, data size, sample count.
func (p *wavParser) parseDS64(size int64) error {
	const field = "ds64 chunk"
	if size < 24 {
		return p.fail(ErrMalformed, field, "size %d, want at least 24", size)
	}
	var b [24]byte
	if err := p.read(b[:], field); err != nil {
		return err
	}
	if err := p.skip(size-24, field); err != nil {
		return err
	}
	p.skipPad(size)
	if d := binary.LittleEndian.Uint64(b[8:16]); d < 1<<62 {
		p.ds64 = int64(d)
	}
	return nil
}

// dataStart finishes the header at the data chunk.
func (p *wavParser) dataStart(size int64) (source, error) {
	if !p.gotFmt {
		return source{}, p.fail(ErrMalformed, "data chunk", "comes before the fmt chunk")
	}
	src := p.src
	src.offset = p.offset
	switch {
	case p.rf64 && size == 0xFFFFFFFF && p.ds64 > 0:
		src.dataSize = p.ds64
	case size == 0 || size == 0xFFFFFFFF || size == soxPipeDataSize:
		// Streaming recorders (Asterisk while recording, crashed writers,
		// sox writing to a pipe) leave a placeholder: the data runs to the
		// end of the file.
		src.dataSize = unknownSize
	default:
		src.dataSize = size
	}
	return src, nil
}

// printable quotes a chunk id safely for an error message.
func printable(b []byte) string {
	out := make([]byte, len(b))
	for i, c := range b {
		if c < 0x20 || c > 0x7E {
			c = '?'
		}
		out[i] = c
	}
	return string(out)
}
