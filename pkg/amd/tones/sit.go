package tones

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// SIT decoding (ITU-T E.180 and the Telcordia/ANSI T1.401 North-American
// precise tones). A SIT is three back-to-back single-tone segments:
//
//	segment 1: 913.8 (L) or 985.2 (H) Hz, 274 (S) or 380 (L) ms
//	segment 2: 1370.6 (L) or 1428.5 (H) Hz, 274 or 380 ms
//	segment 3: 1776.7 Hz, 380 ms
//
// and the ITU sequence is 950, 1400, 1800 Hz ± 50 Hz, 330±70 ms each. The
// eight North-American codes differ only in the L/H frequency and S/L
// duration of segments 1 and 2.
//
// The ITU bands contain every NANP frequency, even with a 1.5 % clock
// error, so the two families are told apart by how tightly the segments
// fit: a NANP code is precise (its three tones keep their ratios to 0.8 %
// once a common clock error of up to 2 % is removed, and segments 1 and 2
// last 274 or 380 ms), an ITU SIT may sit anywhere in its ±50 Hz bands
// with 260-400 ms segments. A NANP code is considered only when it fits
// that tightly; ITU only when the three tones fall in its bands. When both
// fit, a cost on the frequencies (relative to each family's tolerance) and
// on the durations of segments 1 and 2 (274/380 ms against ITU's 330)
// decides.

type sitCode struct {
	name        string
	f1, f2, f3  float64
	dur1, dur2  float64 // nominal ms; 0 = ITU (see ituCost)
	description string
}

const (
	sitLow1, sitHigh1 = 913.8, 985.2
	sitLow2, sitHigh2 = 1370.6, 1428.5
	sitThird          = 1776.7
	sitShort, sitLong = 274.0, 380.0
)

var sitCodes = [...]sitCode{
	{"IC", sitLow1, sitLow2, sitThird, sitShort, sitShort, "intercept / vacant number"},
	{"NC", sitHigh1, sitHigh2, sitThird, sitLong, sitLong, "no circuit"},
	{"VC", sitHigh1, sitLow2, sitThird, sitLong, sitShort, "vacant code"},
	{"RO", sitLow1, sitHigh2, sitThird, sitShort, sitLong, "reorder"},
	{"NC2", sitLow1, sitLow2, sitThird, sitLong, sitLong, "no circuit, inter-LATA"},
	{"RO2", sitHigh1, sitLow2, sitThird, sitShort, sitLong, "reorder, inter-LATA"},
	{"IO", sitLow1, sitHigh2, sitThird, sitLong, sitShort, "ineffective other"},
	{"RESERVED", sitHigh1, sitHigh2, sitThird, sitShort, sitShort, "reserved for future use"},
	{"ITU", 950, 1400, 1800, 0, 0, "ITU-T E.180 (scored by ituCost)"},
}

// The ITU-T E.180 SIT: 950/1400/1800 Hz ± 50 Hz, 330±70 ms segments.
var (
	ituFreqs = [3]float64{950, 1400, 1800}
	ituTolHz = 50.0 + 10 // + the measurement's own error
)

const (
	sitMinHz, sitMaxHz = 870.0, 1870.0
	sitMinDominance    = 31.6 // 15 dB
	sitMinPurity       = 4.0  // 6 dB
	sitFreqJump        = 0.02 // a frame 2 % off the segment's mean starts a new segment
	sitEnergyFloor     = 0.25 // frames below 0.25× the segment's peak are not the tone
	sitMaxGapFrames    = 8    // non-tone frames allowed between segments (transition + ITU's 30 ms)
	sitSegMinMs        = 200
	sitSegMaxMs        = 460
	sitThirdDecideMs   = 200   // segment 3 heard this long: decide
	sitMaxShift        = 0.02  // NANP: common clock error (±1.5 %) + margin
	sitMaxResidual     = 0.008 // NANP: each tone against the common shift (spec ±0.5 %, + measurement)
	sitSigmaF          = 0.005 // frequency spread of a real NANP SIT (±0.2 % + measurement)
	sitSigmaShift      = 0.015 // a 1.5 % clock error costs 1
	sitSigmaDurMs      = 20.0  // NANP durations: ±5 % + measurement
	// sitITUCost is what an E.180 SIT costs anywhere inside its wide
	// tolerances: a NANP code must fit better than that to win. A NANP
	// sequence on its nominal frequencies keeps its code with segments up
	// to 10 % off 274/380 ms; an ITU SIT whose tones happen to fit a NANP
	// code precisely (e.g. 900/1350/1750, IC at -1.5 %) is ITU with
	// segments near 330 ms, the NANP code with segments near 274/380.
	sitITUCost        = 8.0
	sitMaxLevelSpread = 8.0 // dB between segments (E.180: < 3 dB)
	sitStableHz       = 10.0
	sitITUDurLo       = 260
	sitITUDurHi       = 400
)

type sitSeg struct {
	firstFrame, lastFrame int
	freqSum               float64
	n                     int
	eSum, eMax            float64
	firstE, lastE         float64
	preE                  float64 // energy of the frame before the first (an onset too short for the spectrum)
	startMs, endMs        int
	followedByTone        bool
	freqs                 [sitMaxFrames]float32 // per-frame frequencies (the first sitMaxFrames)
}

// sitMaxFrames covers the longest segment accepted (460 ms).
const sitMaxFrames = sitSegMaxMs/dsp.FrameMs + 2

// steady reports whether the segment's frequency held still, as a
// generated tone does: at most two frames (the transitions) or 10 % of them
// stray more than 10 Hz from the mean. A whistled or sung note wanders.
func (s *sitSeg) steady() bool {
	mean := s.freq()
	n := min(s.n, sitMaxFrames)
	stray := 0
	for i := 0; i < n; i++ {
		if math.Abs(float64(s.freqs[i])-mean) > sitStableHz {
			stray++
		}
	}
	return stray <= max(2, n/10)
}

func (s *sitSeg) freq() float64   { return s.freqSum / float64(s.n) }
func (s *sitSeg) energy() float64 { return s.eSum / float64(s.n) }
func (s *sitSeg) dur() int        { return s.endMs - s.startMs }

// SITDetector decodes special information tones.
type SITDetector struct {
	cur    sitSeg
	active bool
	seq    [2]sitSeg // the closed segments preceding cur, contiguous
	nSeq   int
	res    *SIT
	prevE  float64
	e      float64 // DC-free energy of the frame being processed (acEnergy)
}

// NewSIT returns a SIT detector.
func NewSIT() *SITDetector { return &SITDetector{} }

// Result returns the decoded SIT, nil until one is certain. Its third
// segment's duration is updated when the segment ends.
func (d *SITDetector) Result() *SIT { return d.res }

// Process consumes one frame.
func (d *SITDetector) Process(f *dsp.Frame) {
	if d.res != nil && !d.active {
		return
	}
	v := view(f)
	d.process(f, &v)
}

func (d *SITDetector) process(f *dsp.Frame, v *frameView) {
	if d.res != nil && !d.active {
		return
	}
	d.e = v.e
	freq, ok := sitFrame(v)
	c := &d.cur
	switch {
	case ok && d.active && math.Abs(freq-c.freq()) <= sitFreqJump*c.freq() && d.e >= sitEnergyFloor*c.eMax:
		d.extend(f, freq)
	case ok && d.active && d.e >= sitEnergyFloor*c.eMax:
		d.closeSeg(f.Index, true)
		d.startSeg(f, freq)
	case ok && !d.active:
		d.startSeg(f, freq)
	case d.active && f.Index-c.lastFrame > sitMaxGapFrames:
		d.closeSeg(f.Index, false)
	}
	d.maybeDecide(f)
	d.prevE = d.e
}

func sitFrame(v *frameView) (float64, bool) {
	if !v.loud {
		return 0, false
	}
	p := &v.p
	if p.freq < sitMinHz || p.freq > sitMaxHz || p.dominance() < sitMinDominance || p.purity() < sitMinPurity {
		return 0, false
	}
	return p.freq, true
}

func (d *SITDetector) startSeg(f *dsp.Frame, freq float64) {
	d.cur = sitSeg{firstFrame: f.Index, lastFrame: f.Index, freqSum: freq, n: 1,
		eSum: d.e, eMax: d.e, firstE: d.e, lastE: d.e, preE: d.prevE}
	d.cur.freqs[0] = float32(freq)
	d.active = true
}

func (d *SITDetector) extend(f *dsp.Frame, freq float64) {
	c := &d.cur
	c.lastFrame = f.Index
	if c.n < sitMaxFrames {
		c.freqs[c.n] = float32(freq)
	}
	c.freqSum += freq
	c.n++
	c.eSum += d.e
	c.lastE = d.e
	c.eMax = math.Max(c.eMax, d.e)
}

// closeSeg ends the current segment at frame idx (exclusive). nextTone says
// a new tone starts right away (a tone-to-tone transition).
func (d *SITDetector) closeSeg(idx int, nextTone bool) {
	c := d.cur
	d.active = false
	c.followedByTone = nextTone
	meanE := c.energy()
	// Edges: a segment that starts from (or ends in) silence holds its
	// first (last) frame only partly, in proportion to its energy. At a
	// tone-to-tone transition the 32 ms window smears both tones over a few
	// frames; the boundary is the middle of the smear, with each side's
	// last pure window ending ≈ at the boundary (+ Hann slack).
	c.startMs = onsetMs(c.firstFrame, 0, c.preE, c.firstE, meanE)
	c.endMs = c.lastFrame*dsp.FrameMs + fracMs(c.lastE, meanE)
	if d.nSeq > 0 {
		prev := &d.seq[d.nSeq-1]
		if prev.followedByTone && c.firstFrame-prev.lastFrame <= sitMaxGapFrames {
			b := ((prev.lastFrame+1)*dsp.FrameMs + (c.firstFrame+1)*dsp.FrameMs - dsp.FFTSize*1000/dsp.SampleRate) / 2
			b = max(b, prev.startMs+dsp.FrameMs)
			prev.endMs = b
			c.startMs = b
		}
		if c.firstFrame-prev.lastFrame > sitMaxGapFrames {
			d.nSeq = 0
		}
	}
	if d.res != nil {
		d.finishThird(c)
		return
	}
	d.push(c)
}

func (d *SITDetector) push(c sitSeg) {
	if d.nSeq == len(d.seq) {
		d.seq[0] = d.seq[1]
		d.nSeq--
	}
	d.seq[d.nSeq] = c
	d.nSeq++
}

// finishThird updates the reported third segment once it has ended.
func (d *SITDetector) finishThird(c sitSeg) {
	if n := len(d.res.Segments); n == 3 {
		d.res.Segments[2].DurMs = c.dur()
	}
}

// maybeDecide classifies once two segments have closed and the third has
// lasted long enough.
func (d *SITDetector) maybeDecide(f *dsp.Frame) {
	if d.res != nil || !d.active || d.nSeq < 2 {
		return
	}
	c := &d.cur
	s1, s2 := d.seq[0], d.seq[1]
	if !s2.followedByTone && c.firstFrame-s2.lastFrame > sitMaxGapFrames {
		return
	}
	// The boundary between segment 2 and 3 as closeSeg would place it.
	start3 := (s2.lastFrame + 1 + c.firstFrame + 1) * dsp.FrameMs / 2
	start3 -= dsp.FFTSize * 1000 / dsp.SampleRate / 2
	if !s2.followedByTone {
		start3 = c.firstFrame * dsp.FrameMs
	}
	dur3 := f.EndMs() - start3
	if dur3 < sitThirdDecideMs {
		return
	}
	third := *c
	third.startMs, third.endMs = start3, f.EndMs()
	code, ok := classifySIT(&s1, &s2, &third)
	if !ok {
		return
	}
	d.res = &SIT{
		Code:       code,
		StartMs:    s1.startMs,
		DetectedMs: f.EndMs(),
		Segments: []Segment{
			{FreqHz: round1(s1.freq()), DurMs: s1.dur()},
			{FreqHz: round1(s2.freq()), DurMs: s2.dur()},
			{FreqHz: round1(third.freq()), DurMs: dur3},
		},
		LevelDB: LevelDBm0((s1.energy() + s2.energy() + third.energy()) / 3),
	}
}

func round1(v float64) float64 { return math.Round(v*10) / 10 }

// classifySIT returns the code of least cost for three measured segments,
// or false when they are not a SIT at all.
func classifySIT(s1, s2, s3 *sitSeg) (string, bool) {
	for _, s := range []*sitSeg{s1, s2} {
		if s.dur() < sitSegMinMs || s.dur() > sitSegMaxMs {
			return "", false
		}
	}
	for _, s := range []*sitSeg{s1, s2, s3} {
		if !s.steady() {
			return "", false
		}
	}
	l1, l2, l3 := LevelDBm0(s1.energy()), LevelDBm0(s2.energy()), LevelDBm0(s3.energy())
	if math.Max(l1, math.Max(l2, l3))-math.Min(l1, math.Min(l2, l3)) > sitMaxLevelSpread {
		return "", false
	}
	meas := [3]float64{s1.freq(), s2.freq(), s3.freq()}
	d1, d2 := float64(s1.dur()), float64(s2.dur())
	best, bestCost := "", math.Inf(1)
	for i := range sitCodes {
		c := &sitCodes[i]
		if c.dur1 == 0 {
			continue // ITU: scored below, on its own tolerances
		}
		cost, ok := freqCost(meas, [3]float64{c.f1, c.f2, c.f3})
		if !ok {
			continue
		}
		cost += durCost(d1, c.dur1) + durCost(d2, c.dur2)
		if cost < bestCost {
			best, bestCost = c.name, cost
		}
	}
	if cost, ok := ituCost(meas, d1, d2); ok && cost < bestCost {
		best = "ITU"
	}
	return best, best != ""
}

// ituCost scores the segments as an E.180 SIT: every tone within its
// ±50 Hz band and segments 1 and 2 within 260-400 ms (± 10 ms of
// measurement) cost sitITUCost, wherever they are inside (the
// recommendation allows all of it equally).
func ituCost(meas [3]float64, d1, d2 float64) (float64, bool) {
	for i, f := range meas {
		if math.Abs(f-ituFreqs[i]) > ituTolHz {
			return 0, false
		}
	}
	for _, d := range []float64{d1, d2} {
		if d < sitITUDurLo-10 || d > sitITUDurHi+10 {
			return 0, false
		}
	}
	return sitITUCost, true
}

// freqCost compares measured and nominal frequencies in log space after
// removing their common shift (a clock or Doppler-free channel error moves
// all three alike). The shift itself is penalised at half weight.
func freqCost(meas, nom [3]float64) (float64, bool) {
	var dev [3]float64
	var mean float64
	for i := range meas {
		dev[i] = math.Log(meas[i] / nom[i])
		mean += dev[i] / 3
	}
	if math.Abs(mean) > sitMaxShift {
		return 0, false
	}
	cost := (mean / sitSigmaShift) * (mean / sitSigmaShift)
	for i := range dev {
		r := dev[i] - mean
		if math.Abs(r) > sitMaxResidual {
			return 0, false
		}
		cost += (r / sitSigmaF) * (r / sitSigmaF)
	}
	return cost, true
}

func durCost(measured, nominal float64) float64 {
	d := (measured - nominal) / sitSigmaDurMs
	return d * d
}
