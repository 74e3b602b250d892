package audio

// Test-only encoders of the two GSM frame layouts (the inverse of
// gsmBitReader), used to build frames with chosen parameters.

// gsmBitWriter appends fields in one of the two bit orders.
type gsmBitWriter struct {
	out   []byte
	acc   uint64
	nbits uint
	lsb   bool
}

func (w *gsmBitWriter) write(v int32, n uint) {
	v &= 1<<n - 1
	if w.lsb {
		w.acc |= uint64(v) << w.nbits
		w.nbits += n
		for w.nbits >= 8 {
			w.out = append(w.out, byte(w.acc))
			w.acc >>= 8
			w.nbits -= 8
		}
		return
	}
	w.acc = w.acc<<n | uint64(v)
	w.nbits += n
	for w.nbits >= 8 {
		w.out = append(w.out, byte(w.acc>>(w.nbits-8)))
		w.nbits -= 8
	}
}

// flush writes the last partial byte (zero-padded).
func (w *gsmBitWriter) flush() {
	if w.nbits == 0 {
		return
	}
	if w.lsb {
		w.out = append(w.out, byte(w.acc))
	} else {
		w.out = append(w.out, byte(w.acc<<(8-w.nbits)))
	}
	w.acc, w.nbits = 0, 0
}

func (w *gsmBitWriter) writeParams(p *gsmParams) {
	for i, n := range gsmLARBits {
		w.write(p.LARc[i], n)
	}
	for j := range gsmSubframes {
		w.write(p.Nc[j], gsmNcBits)
		w.write(p.bc[j], gsmBcBits)
		w.write(p.Mc[j], gsmMcBits)
		w.write(p.xmaxc[j], gsmXmaxcBits)
		for i := range gsmPulses {
			w.write(p.xMc[j][i], gsmXMcBits)
		}
	}
}

// packGSMFrame builds a raw 33-byte frame.
func packGSMFrame(p *gsmParams) []byte {
	w := gsmBitWriter{}
	w.write(gsmSignature, 4)
	w.writeParams(p)
	w.flush()
	return w.out
}

// packMSBlock builds a 65-byte Microsoft block from two frames.
func packMSBlock(first, second *gsmParams) []byte {
	w := gsmBitWriter{lsb: true}
	w.writeParams(first)
	w.writeParams(second)
	w.flush()
	return w.out
}

// gsmParamsFrom fills a parameter set from arbitrary bytes (each field
// masked to its width), for fuzzing and random frames.
func gsmParamsFrom(b []byte) gsmParams {
	var p gsmParams
	next := func(n uint) int32 {
		if len(b) == 0 {
			return 0
		}
		v := int32(b[0]) & (1<<n - 1)
		b = b[1:]
		return v
	}
	for i, n := range gsmLARBits {
		p.LARc[i] = next(n)
	}
	for j := range gsmSubframes {
		p.Nc[j] = next(gsmNcBits)
		p.bc[j] = next(gsmBcBits)
		p.Mc[j] = next(gsmMcBits)
		p.xmaxc[j] = next(gsmXmaxcBits)
		for i := range gsmPulses {
			p.xMc[j][i] = next(gsmXMcBits)
		}
	}
	return p
}
