package audio

// GSM 06.10 full-rate (RPE-LTP) speech decoding, written from the
// fixed-point description of the algorithm in ETSI EN 300 961 (GSM 06.10);
// the comments below name the standard's procedures. Its 16-bit
// arithmetic is followed exactly, so the output is bit-exact: the same
// parameters give the same samples in every conforming decoder.
//
// One frame is 20 ms: 160 samples at 8 kHz, described by 76 parameters
// (gsmParams). The decoder keeps state between frames: the previous
// frame's log-area ratios (for interpolation), the short-term synthesis
// filter's memory, the long-term predictor's last 120 residual samples,
// the last valid lag and the de-emphasis filter's memory.

// Frame geometry.
const (
	gsmFrameSamples    = 160 // samples per frame (20 ms at 8 kHz)
	gsmSubframes       = 4
	gsmSubframeSamples = 40
	gsmPulses          = 13  // RPE pulses per sub-frame
	gsmHistory         = 120 // longest LTP lag: residual samples kept
	gsmLARs            = 8   // reflection coefficients (filter order)
)

// Tables of the standard's fixed-point description, as 16-bit integers.
var (
	// gsmMIC is the smallest coded value of each log-area ratio: the
	// transmitted LARc is offset by it to be unsigned.
	gsmMIC = [gsmLARs]int32{-32, -32, -16, -16, -8, -8, -4, -4}
	// gsmB is the offset of each LAR quantiser.
	gsmB = [gsmLARs]int32{0, 0, 2048, -2560, 94, -1792, -341, -1144}
	// gsmINVA is 1/A of each LAR quantiser's scale, in Q15.
	gsmINVA = [gsmLARs]int32{13107, 13107, 13107, 13107, 19223, 17476, 31454, 29708}
	// gsmQLB holds the four long-term predictor gains (bc), Q15.
	gsmQLB = [4]int32{3277, 11469, 21299, 32767}
	// gsmFAC is the normalised direct mantissa of the block maximum:
	// xmaxc's mantissa m = 0..7 stands for (9+m)/8, stored halved in Q15
	// as (9+m)*2048-1, and the decoder scales the pulses by it. (The
	// encoder normalised them with the inverse, 8/(9+m): a different
	// table the decoder never uses.)
	gsmFAC = [8]int32{18431, 20479, 22527, 24575, 26623, 28671, 30719, 32767}
)

// gsmParams are the 76 transmitted parameters of one frame, each in the
// unsigned range of its bit field.
type gsmParams struct {
	LARc  [gsmLARs]int32                 // log-area ratios, 6,6,5,5,4,4,3,3 bits
	Nc    [gsmSubframes]int32            // LTP lag, 7 bits (40..120 valid)
	bc    [gsmSubframes]int32            // LTP gain index, 2 bits
	Mc    [gsmSubframes]int32            // RPE grid position, 2 bits
	xmaxc [gsmSubframes]int32            // block maximum, 6 bits
	xMc   [gsmSubframes][gsmPulses]int32 // RPE pulses, 3 bits each
}

// gsmDecoder is the state of one decoder; the zero value is not ready:
// use newGSMDecoder (the lag memory starts at 40).
type gsmDecoder struct {
	prevLARpp [gsmLARs]int32                         // LARpp of the previous frame
	v         [gsmLARs]int32                         // short-term synthesis filter memory v[0..7]
	drp       [gsmHistory + gsmSubframeSamples]int32 // reconstructed residual: 120 past + 40 current
	nrp       int32                                  // last valid LTP lag
	msr       int32                                  // de-emphasis memory
	wt        [gsmFrameSamples]int32                 // residual of the frame being decoded
	segment   [gsmFrameSamples]int32                 // a segment's input, kept for a saturating rerun
	// alwaysSaturate disables the unsaturated fast path and reruns counts
	// the segments it had to redo: tests compare the two paths.
	alwaysSaturate bool
	reruns         int
}

func newGSMDecoder() *gsmDecoder { return &gsmDecoder{nrp: 40} }

// 16-bit fixed-point operators of the standard. Values are held in
// int32 but always lie in the int16 range between operations.

// sat16 saturates to the int16 range, as the standard's add and sub do.
func sat16(x int32) int32 { return min(max(x, -32768), 32767) }

func gsmAdd(a, b int32) int32 { return sat16(a + b) }

func gsmSub(a, b int32) int32 { return sat16(a - b) }

// gsmMultR is the rounded Q15 product mult_r(a, b). The standard maps
// -32768 * -32768 to 32767; every call below has one operand that cannot
// be -32768 (a positive table value, or a reflection coefficient, which
// is at most 32767 in magnitude), so the product always fits in int16.
func gsmMultR(a, b int32) int32 { return (a*b + 16384) >> 15 }

// decode turns one frame's parameters into 160 samples in int16 scale.
func (d *gsmDecoder) decode(p *gsmParams, out []float32) {
	_ = out[gsmFrameSamples-1]
	var larpp [gsmLARs]int32
	decodeLARs(&p.LARc, &larpp)
	for j := range gsmSubframes {
		var erp [gsmSubframeSamples]int32
		rpeDecode(p.xmaxc[j], p.Mc[j], &p.xMc[j], &erp)
		d.longTermSynthesis(p.Nc[j], p.bc[j], &erp, d.wt[j*gsmSubframeSamples:(j+1)*gsmSubframeSamples])
	}
	d.shortTermSynthesis(&larpp)
	d.prevLARpp = larpp
	d.postprocess(out)
}

// decodeLARs reconstructs the log-area ratios LARpp from their codes
// ("decoding of the coded log-area ratios"): the quantiser was
// LARc = A*LAR + B rounded, offset by -MIC; the inverse is computed as
// ((LARc + MIC) << 10 - 2B) * (1/A), doubled.
func decodeLARs(larc, larpp *[gsmLARs]int32) {
	for i := range gsmLARs {
		t := gsmAdd(larc[i], gsmMIC[i]) << 10
		t = gsmSub(t, gsmB[i]<<1)
		t = gsmMultR(gsmINVA[i], t)
		larpp[i] = gsmAdd(t, t)
	}
}

// xmaxcExpMant splits the coded block maximum into the exponent and
// mantissa the inverse APCM quantiser uses: xmaxc 0..63 gives
// exp -4..6 and mant 0..7.
func xmaxcExpMant(xmaxc int32) (exp, mant int32) {
	if xmaxc > 15 {
		exp = (xmaxc >> 3) - 1
	}
	mant = xmaxc - exp<<3
	if mant == 0 {
		return -4, 7
	}
	for mant <= 7 {
		mant = mant<<1 | 1
		exp--
	}
	return exp, mant - 8
}

// rpeDecode rebuilds a sub-frame's excitation ("APCM inverse
// quantization" and "RPE grid positioning"): the 13 pulses are
// inverse-quantised and placed on every third sample starting
// at grid position Mc; the other samples are zero.
func rpeDecode(xmaxc, mc int32, xMc *[gsmPulses]int32, erp *[gsmSubframeSamples]int32) {
	exp, mant := xmaxcExpMant(xmaxc)
	fac := gsmFAC[mant]
	shift := 6 - exp // 0..10
	var round int32
	if shift > 0 {
		round = 1 << (shift - 1)
	}
	for i, code := range xMc {
		t := (code<<1 - 7) << 12 // odd levels -7..7, Q12
		t = gsmMultR(fac, t)
		t = gsmAdd(t, round)
		erp[int(mc)+3*i] = t >> shift
	}
}

// longTermSynthesis adds the long-term (pitch) prediction to the
// excitation ("long term synthesis filtering"):
// dr'(k) = e'(k) + b' * dr'(k - N). A lag outside
// 40..120 (a transmission error) reuses the previous valid lag.
func (d *gsmDecoder) longTermSynthesis(nc, bc int32, erp *[gsmSubframeSamples]int32, wt []int32) {
	lag := nc
	if lag < 40 || lag > 120 {
		lag = d.nrp
	}
	d.nrp = lag
	gain := gsmQLB[bc]
	cur := d.drp[gsmHistory:]
	past := d.drp[gsmHistory-int(lag):] // lag >= 40: always in the history
	for k := range gsmSubframeSamples {
		cur[k] = gsmAdd(erp[k], gsmMultR(gain, past[k]))
	}
	copy(wt, cur[:gsmSubframeSamples])
	copy(d.drp[:gsmHistory], d.drp[gsmSubframeSamples:])
}

// Short-term synthesis segments ("interpolation of the LARpp"): the first 40 samples use
// log-area ratios interpolated between the previous frame's and this
// one's, in three steps; the last 120 use this frame's.
var gsmSegments = [4]struct{ start, end int }{{0, 13}, {13, 27}, {27, 40}, {40, 160}}

// shortTermSynthesis runs the lattice synthesis filter over the frame's
// residual d.wt, in place, with the coefficients of each segment.
func (d *gsmDecoder) shortTermSynthesis(larpp *[gsmLARs]int32) {
	for seg, bounds := range gsmSegments {
		var rrp [gsmLARs]int32
		for i := range gsmLARs {
			rrp[i] = larToRP(interpolateLAR(seg, d.prevLARpp[i], larpp[i]))
		}
		d.filterSegment(&rrp, d.wt[bounds.start:bounds.end])
	}
}

// filterSegment runs the lattice filter over x. It first tries the
// filter without saturation, which is a third faster and, as long as no
// intermediate value leaves the int16 range, gives exactly the same
// result; speech at normal levels never gets there. When one does (loud
// or clipped audio), the segment is filtered again from the saved state
// with the standard's saturating arithmetic.
func (d *gsmDecoder) filterSegment(r *[gsmLARs]int32, x []int32) {
	if !d.alwaysSaturate {
		saved := d.v
		copy(d.segment[:], x)
		if d.latticeInRange(r, x) {
			return
		}
		d.v = saved
		copy(x, d.segment[:len(x)])
		d.reruns++
	}
	d.lattice(r, x)
}

// interpolateLAR gives segment seg's log-area ratio from the previous
// and the current frame's: 3/4 old + 1/4 new, 1/2 + 1/2, 1/4 + 3/4, new.
func interpolateLAR(seg int, prev, cur int32) int32 {
	switch seg {
	case 0:
		return gsmAdd(gsmAdd(prev>>2, cur>>2), prev>>1)
	case 1:
		return gsmAdd(prev>>1, cur>>1)
	case 2:
		return gsmAdd(gsmAdd(prev>>2, cur>>2), cur>>1)
	}
	return cur
}

// larToRP converts a log-area ratio to a reflection coefficient with the
// standard's piecewise-linear approximation ("computation of rp from the
// interpolated LARp"). The result's
// magnitude is at most 32767.
func larToRP(lar int32) int32 {
	t := lar
	if t < 0 {
		t = -t
		if t > 32767 { // abs(-32768) = 32767
			t = 32767
		}
	}
	switch {
	case t < 11059:
		t <<= 1
	case t < 20070:
		t += 11059 // < 32767: no saturation needed
	default:
		t = gsmAdd(t>>2, 26112)
	}
	if lar < 0 {
		return -t
	}
	return t
}

// lattice is the 8th-order short-term synthesis lattice filter
// ("short term synthesis filtering"): for each sample, from the last stage
// to the first,
// sr = sr - r[i]*v[i-1] and v[i] = v[i-1] + r[i]*sr, then v[0] = sr.
// It is unrolled with the coefficients and the memory in locals: this
// loop is two thirds of the decoder's time. The standard's v[8] is
// written but never read, so it is not kept.
func (d *gsmDecoder) lattice(r *[gsmLARs]int32, x []int32) {
	r1, r2, r3, r4, r5, r6, r7, r8 := r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
	v0, v1, v2, v3, v4, v5, v6, v7 := d.v[0], d.v[1], d.v[2], d.v[3], d.v[4], d.v[5], d.v[6], d.v[7]
	for k, sri := range x {
		sri = gsmSub(sri, gsmMultR(r8, v7))
		sri = gsmSub(sri, gsmMultR(r7, v6))
		v7 = gsmAdd(v6, gsmMultR(r7, sri))
		sri = gsmSub(sri, gsmMultR(r6, v5))
		v6 = gsmAdd(v5, gsmMultR(r6, sri))
		sri = gsmSub(sri, gsmMultR(r5, v4))
		v5 = gsmAdd(v4, gsmMultR(r5, sri))
		sri = gsmSub(sri, gsmMultR(r4, v3))
		v4 = gsmAdd(v3, gsmMultR(r4, sri))
		sri = gsmSub(sri, gsmMultR(r3, v2))
		v3 = gsmAdd(v2, gsmMultR(r3, sri))
		sri = gsmSub(sri, gsmMultR(r2, v1))
		v2 = gsmAdd(v1, gsmMultR(r2, sri))
		sri = gsmSub(sri, gsmMultR(r1, v0))
		v1 = gsmAdd(v0, gsmMultR(r1, sri))
		v0 = sri
		x[k] = sri
	}
	d.v = [gsmLARs]int32{v0, v1, v2, v3, v4, v5, v6, v7}
}

// latticeInRange is lattice without saturation. It reports whether every
// sum stayed within the int16 range (the products always do): then no
// saturation would have happened and the output is the standard's. A
// value v is in range when v+32768 fits in 16 bits, so the test is one
// OR per sum into a mask checked once at the end.
func (d *gsmDecoder) latticeInRange(r *[gsmLARs]int32, x []int32) bool {
	r1, r2, r3, r4, r5, r6, r7, r8 := r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7]
	v0, v1, v2, v3, v4, v5, v6, v7 := d.v[0], d.v[1], d.v[2], d.v[3], d.v[4], d.v[5], d.v[6], d.v[7]
	var out uint32 // OR of (sum + 32768) over all sums
	for k, sri := range x {
		sri -= gsmMultR(r8, v7)
		out |= uint32(sri + 32768)
		sri -= gsmMultR(r7, v6)
		out |= uint32(sri + 32768)
		v7 = v6 + gsmMultR(r7, sri)
		sri -= gsmMultR(r6, v5)
		out |= uint32(sri + 32768)
		v6 = v5 + gsmMultR(r6, sri)
		sri -= gsmMultR(r5, v4)
		out |= uint32(sri + 32768)
		v5 = v4 + gsmMultR(r5, sri)
		sri -= gsmMultR(r4, v3)
		out |= uint32(sri + 32768)
		v4 = v3 + gsmMultR(r4, sri)
		sri -= gsmMultR(r3, v2)
		out |= uint32(sri + 32768)
		v3 = v2 + gsmMultR(r3, sri)
		sri -= gsmMultR(r2, v1)
		out |= uint32(sri + 32768)
		v2 = v1 + gsmMultR(r2, sri)
		sri -= gsmMultR(r1, v0)
		out |= uint32(sri + 32768)
		v1 = v0 + gsmMultR(r1, sri)
		out |= uint32(v7+32768) | uint32(v6+32768) | uint32(v5+32768) | uint32(v4+32768) |
			uint32(v3+32768) | uint32(v2+32768) | uint32(v1+32768)
		v0 = sri
		x[k] = sri
	}
	d.v = [gsmLARs]int32{v0, v1, v2, v3, v4, v5, v6, v7}
	return out>>16 == 0
}

// postprocess applies de-emphasis (the inverse of the encoder's
// pre-emphasis: y = x + 0.86*y[-1]), upscaling by 2 and truncation of the
// three low bits, giving the 13-bit output in int16 scale.
func (d *gsmDecoder) postprocess(out []float32) {
	msr := d.msr
	for k, sr := range d.wt {
		msr = gsmAdd(sr, gsmMultR(msr, 28180))
		out[k] = float32(gsmAdd(msr, msr) &^ 7)
	}
	d.msr = msr
}
