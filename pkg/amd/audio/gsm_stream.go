package audio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
)

// tagGSM is the WAVE format tag of Microsoft GSM 6.10 (WAV49).
const tagGSM = 0x0031

// gsmMSSamplesPerBlock is the fmt chunk's wSamplesPerBlock for WAV49.
const gsmMSSamplesPerBlock = 2 * gsmFrameSamples

// gsmCodec decodes a GSM 06.10 stream block by block for a Stream: raw
// 33-byte frames (160 samples) or Microsoft 65-byte blocks (320 samples).
// It owns the decoder state and the samples of the current block not yet
// handed out.
type gsmCodec struct {
	ms     bool // Microsoft WAV49 blocks
	dec    *gsmDecoder
	params [2]gsmParams
	out    [2 * gsmFrameSamples]float32
	outPos int
	outLen int
	blocks int64 // blocks decoded so far, for error messages
	rawPos int   // first undecoded byte in Stream.raw
}

func newGSMCodec(ms bool) *gsmCodec {
	return &gsmCodec{ms: ms, dec: newGSMDecoder()}
}

// blockBytes is the size of one stored block.
func (c *gsmCodec) blockBytes() int {
	if c.ms {
		return gsmMSBlockSize
	}
	return gsmFrameBytes
}

// blockSamples is the number of samples one block decodes to.
func (c *gsmCodec) blockSamples() int {
	if c.ms {
		return 2 * gsmFrameSamples
	}
	return gsmFrameSamples
}

// gsmRawSource describes a raw .gsm file. The first byte is checked here so
// that a file that is not GSM at all is refused when it is opened, with the
// same message a corrupt frame later in the file gets.
func gsmRawSource(br *bufio.Reader, name string) (source, error) {
	head, _ := br.Peek(4)
	if len(head) == 4 && isRIFFMagic(string(head)) { // only when the format is forced
		return source{}, &Error{File: name, Field: "format", Kind: ErrMalformed,
			Msg: "a RIFF/WAV file, not raw GSM 06.10 frames: do not force the gsm format"}
	}
	if len(head) > 0 && head[0]>>4 != gsmSignature {
		return source{}, gsmSignatureError(name, 0, 0, head[0])
	}
	return source{format: "gsm", enc: encGSM, rate: OutputRate, channels: 1,
		dataSize: unknownSize, gsm: newGSMCodec(false)}, nil
}

// gsmSignatureError reports a raw frame whose first nibble is not 0xD.
func gsmSignatureError(name string, frame, offset int64, first byte) error {
	return &Error{File: name, Field: fmt.Sprintf("frame %d (byte %d)", frame+1, offset), Kind: ErrMalformed,
		Msg: fmt.Sprintf("GSM 06.10 signature nibble 0x%X, want 0xD (corrupt, or not a raw GSM file)", first>>4)}
}

// parseGSMFmt checks the fmt chunk of a Microsoft GSM 6.10 WAV file (b is
// the start of the chunk, f its decoded fields) and sets p.src.
func (p *wavParser) parseGSMFmt(f fmtFields, b []byte) error {
	const field = "fmt chunk"
	if f.channels != 1 {
		return p.fail(ErrUnsupported, field, "GSM 6.10 with %d channels (want mono)", f.channels)
	}
	if f.blockAlign != gsmMSBlockSize {
		return p.fail(ErrMalformed, field, "GSM 6.10 block align %d, want %d (two frames per block)", f.blockAlign, gsmMSBlockSize)
	}
	// wSamplesPerBlock follows cbSize in the WAVEFORMATEX extension; 0
	// (or absent) is tolerated, anything else must be the 320 of two frames.
	if len(b) >= 20 && binary.LittleEndian.Uint16(b[16:18]) >= 2 {
		if spb := binary.LittleEndian.Uint16(b[18:20]); spb != 0 && spb != gsmMSSamplesPerBlock {
			return p.fail(ErrMalformed, field, "GSM 6.10 with %d samples per block, want %d", spb, gsmMSSamplesPerBlock)
		}
	}
	p.src = source{format: "wav", enc: encGSMMS, rate: int(f.rate), channels: 1, gsm: newGSMCodec(true)}
	if p.rf64 {
		p.src.format = "rf64"
	}
	p.gotFmt = true
	return nil
}

// decodeGSM hands out the samples of the current block, decoding the next
// block when they are used up. It returns io.EOF only with 0 samples.
func (s *Stream) decodeGSM(dst []float32) (int, error) {
	c := s.src.gsm
	if c.outPos == c.outLen {
		if err := s.nextGSMBlock(c); err != nil {
			return 0, err
		}
	}
	n := copy(dst, c.out[c.outPos:c.outLen])
	c.outPos += n
	return n, nil
}

// nextGSMBlock reads and decodes one block into c.out. A partial block at
// the end of the data marks the stream truncated.
func (s *Stream) nextGSMBlock(c *gsmCodec) error {
	size := c.blockBytes()
	if s.rawLen-c.rawPos < size {
		if err := s.fillGSM(c, size); err != nil {
			return err
		}
		if s.rawLen-c.rawPos < size {
			if s.rawLen > c.rawPos {
				s.truncated = true
			}
			s.rawLen, c.rawPos = 0, 0
			return io.EOF
		}
	}
	block := s.raw[c.rawPos : c.rawPos+size]
	offset := s.src.offset + c.blocks*int64(size)
	if c.ms {
		unpackMSBlock(block, &c.params[0], &c.params[1])
		c.dec.decode(&c.params[0], c.out[:gsmFrameSamples])
		c.dec.decode(&c.params[1], c.out[gsmFrameSamples:])
	} else {
		if !unpackGSMFrame(block, &c.params[0]) {
			return gsmSignatureError(s.name, c.blocks, offset, block[0])
		}
		c.dec.decode(&c.params[0], c.out[:gsmFrameSamples])
	}
	c.rawPos += size
	c.blocks++
	c.outPos, c.outLen = 0, c.blockSamples()
	return nil
}

// fillGSM moves the undecoded tail of s.raw to its start and reads until
// at least one block is buffered or the data ends.
func (s *Stream) fillGSM(c *gsmCodec, size int) error {
	s.rawLen = copy(s.raw, s.raw[c.rawPos:s.rawLen])
	c.rawPos = 0
	for s.rawLen < size && !s.eof {
		m, err := s.readData(s.raw[s.rawLen:])
		s.rawLen += m
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			return &Error{File: s.name, Field: "data chunk", Msg: fmt.Sprintf("read error: %v", err), Kind: err}
		}
	}
	return nil
}
