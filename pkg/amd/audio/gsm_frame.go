package audio

// The two ways GSM 06.10 frames are stored in files.
//
// Raw .gsm (the "toast"/libgsm layout Asterisk, sox and VICIdial use):
// 33-byte frames, a 0xD signature nibble then the 260 bits of the 76
// parameters, each parameter most significant bit first, bytes filled
// from their most significant bit.
//
// Microsoft GSM 6.10 in WAV (format tag 0x0031, Asterisk's "wav49"/.WAV):
// 65-byte blocks holding two frames (2 x 260 = 520 bits, no signature),
// as one bit stream filled from the least significant bit of each byte,
// each parameter least significant bit first; the second frame starts in
// the middle of byte 32.

const (
	gsmFrameBytes  = 33 // raw frame: 4-bit signature + 260 bits
	gsmMSBlockSize = 65 // Microsoft block: two frames
	gsmSignature   = 0xD
)

// Bit widths of the parameters in transmission order: the 8 log-area
// ratios, then per sub-frame Nc, bc, Mc, xmaxc and the 13 pulses.
var gsmLARBits = [gsmLARs]uint{6, 6, 5, 5, 4, 4, 3, 3}

const (
	gsmNcBits    = 7
	gsmBcBits    = 2
	gsmMcBits    = 2
	gsmXmaxcBits = 6
	gsmXMcBits   = 3
)

// gsmBitReader reads fields from a frame's bytes in one of the two bit
// orders. It keeps up to 64 bits in acc and never reads past buf.
type gsmBitReader struct {
	buf   []byte
	acc   uint64
	nbits uint
	lsb   bool // Microsoft order
}

// read returns the next n-bit field (n <= 8).
func (r *gsmBitReader) read(n uint) int32 {
	if r.nbits < n {
		r.refill()
	}
	if r.lsb {
		v := int32(r.acc & (1<<n - 1))
		r.acc >>= n
		r.nbits -= n
		return v
	}
	r.nbits -= n
	return int32(r.acc>>r.nbits) & (1<<n - 1)
}

// refill loads whole bytes while there is room for them in acc.
func (r *gsmBitReader) refill() {
	for r.nbits <= 56 && len(r.buf) > 0 {
		if r.lsb {
			r.acc |= uint64(r.buf[0]) << r.nbits
		} else {
			r.acc = r.acc<<8 | uint64(r.buf[0])
		}
		r.nbits += 8
		r.buf = r.buf[1:]
	}
}

// readParams reads one frame's 76 parameters.
func (r *gsmBitReader) readParams(p *gsmParams) {
	for i, n := range gsmLARBits {
		p.LARc[i] = r.read(n)
	}
	for j := range gsmSubframes {
		p.Nc[j] = r.read(gsmNcBits)
		p.bc[j] = r.read(gsmBcBits)
		p.Mc[j] = r.read(gsmMcBits)
		p.xmaxc[j] = r.read(gsmXmaxcBits)
		for i := range gsmPulses {
			p.xMc[j][i] = r.read(gsmXMcBits)
		}
	}
}

// unpackGSMFrame reads a raw 33-byte frame. It returns false when the
// signature nibble is not 0xD (the frame is not GSM 06.10 data).
func unpackGSMFrame(frame []byte, p *gsmParams) bool {
	_ = frame[gsmFrameBytes-1]
	if frame[0]>>4 != gsmSignature {
		return false
	}
	r := gsmBitReader{buf: frame[1:gsmFrameBytes], acc: uint64(frame[0] & 0x0F), nbits: 4}
	r.readParams(p)
	return true
}

// unpackMSBlock reads the two frames of a 65-byte Microsoft block.
func unpackMSBlock(block []byte, first, second *gsmParams) {
	_ = block[gsmMSBlockSize-1]
	r := gsmBitReader{buf: block[:gsmMSBlockSize], lsb: true}
	r.readParams(first)
	r.readParams(second)
}
