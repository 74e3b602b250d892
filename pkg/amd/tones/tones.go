// Package tones holds the streaming tone detectors of the AMD pipeline:
// fax and modem answer tones (CNG, CED/ANS, ANS with phase reversals, ANSam,
// the V.21 HDLC flag preamble, Bell 103 2225 Hz), special information tones
// (ITU E.180 and the eight North-American codes), voicemail beeps and call
// progress (ringback and busy for US, EU and BR cadences).
//
// Every detector consumes the shared 10 ms dsp.Frame. The cheap screening is
// done on the frame's 256-point power spectrum, which the front end computes
// once for everyone; only the fax detector looks at the raw samples, and only
// while the spectrum says a candidate tone is present (a Goertzel for the
// phase of a 2100 Hz tone, an FSK demodulator for V.21). Nothing allocates
// per frame.
//
// Times are milliseconds from the start of the audio. DetectedMs is always
// the end of the frame on which the detector became sure, so an offline run
// reports the latency an online detector would have had.
package tones

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// dBm0RefEnergy is the mean square (int16 scale) of a 0 dBm0 sine. A
// full-scale µ-law sine is +3.17 dBm0 with a peak of 32124 (the largest
// G.711 µ-law value in int16 scale is 32124; 8159 in 14-bit units), so
// 0 dBm0 has a peak of 22 656 and an RMS of 16 020.
const dBm0RefEnergy = 16020.0 * 16020.0

// MinLevelDBm0 is the weakest tone any detector accepts: -45 dBm0 keeps the
// -43 dBm0 of the fax and beep specifications with margin for G.711 and
// noise, and rejects the -50 dBm0 floor of line noise and crosstalk.
const MinLevelDBm0 = -45.0

// minToneEnergy is MinLevelDBm0 as a frame mean square, so the hot loop
// compares energies instead of taking logarithms.
var minToneEnergy = energyOfDBm0(MinLevelDBm0)

// LevelDBm0 converts a mean square in int16 scale to dBm0.
func LevelDBm0(meanSquare float64) float64 {
	if meanSquare <= 0 {
		return -120
	}
	return 10 * math.Log10(meanSquare/dBm0RefEnergy)
}

func energyOfDBm0(db float64) float64 { return dBm0RefEnergy * math.Pow(10, db/10) }

// The band where tones are searched: a little wider than 300-3400 Hz so a
// 300 Hz or 3400 Hz beep keeps its whole Hann main lobe inside.
var (
	searchLoBin = dsp.HzToBin(250)
	searchHiBin = dsp.HzToBin(3500)
)

// lobeHalf is the half width, in bins, of the main lobe of a Hann window:
// a pure tone puts (almost) all its power in peak±2.
const lobeHalf = 2

// peak is the spectral summary of one frame that every detector screens on.
type peak struct {
	bin    int     // bin of the largest power in the searched band
	freq   float64 // interpolated frequency of that peak, Hz
	lobe   float64 // power in the main lobe around the peak (bin±2)
	band   float64 // power in the whole analysed range (≈ 94-3970 Hz)
	second float64 // largest single bin outside bin±3 (another tone, a harmonic, noise)
	bin2   int     // ... and where it is
	top    float64 // power of the peak bin itself
}

// The analysed range for purity and dominance: everything but DC, mains
// hum (< 90 Hz) and the Nyquist bin. A peak is only searched in [lo, hi],
// but energy outside (a 220 Hz voice fundamental, a 3.9 kHz whistle) still
// counts against it.
const (
	totalLoBin = 3
	totalHiBin = dsp.Bins - 2
)

// purity is the ratio of the peak's main lobe to everything else
// (linear). A clean tone gives > 100, a tone at 10 dB SNR in white noise
// about 10, a vowel 0.3-3.
func (p *peak) purity() float64 {
	rest := p.band - p.lobe
	if rest <= p.band*1e-6 {
		return 1e6
	}
	return p.lobe / rest
}

// dominance is the ratio of the peak bin to the strongest bin outside its
// lobe (linear). Two tones (DTMF, busy) or a harmonic series give < 10;
// a single tone in white noise at 10 dB SNR still gives > 100.
func (p *peak) dominance() float64 {
	if p.second <= p.top*1e-9 {
		return 1e9
	}
	return p.top / p.second
}

// findPeak summarises the spectrum of f: the largest bin between lo and hi,
// its lobe, and the total and runner-up over the analysed range. It is the
// hot loop of the package (≈ 0.3 µs): plain loops over sub-slices so the
// compiler drops the bounds checks, four partial sums to break the
// floating-point add chain.
func findPeak(f *dsp.Frame, lo, hi int) peak {
	s := &f.Spectrum
	var p peak
	p.band = sumBins(s[totalLoBin : totalHiBin+1])
	best := s[lo]
	p.bin = lo
	for k, v := range s[lo : hi+1] {
		if v > best {
			best, p.bin = v, lo+k
		}
	}
	p.top = float64(best)
	below := max(p.bin-lobeHalf-1, totalLoBin)
	above := min(p.bin+lobeHalf+2, totalHiBin+1)
	k1, v1 := argmaxBin(s[totalLoBin:below])
	k2, v2 := argmaxBin(s[above : totalHiBin+1])
	if v1 >= v2 {
		p.bin2, p.second = totalLoBin+k1, float64(v1)
	} else {
		p.bin2, p.second = above+k2, float64(v2)
	}
	p.lobe = sumBins(s[p.bin-lobeHalf : p.bin+lobeHalf+1])
	p.freq = hannFreq(s, p.bin)
	return p
}

// sumSamples is sumBins for a frame's samples (kept apart for clarity:
// four partial sums break the add chain, which would otherwise cost more
// than the rest of acEnergy).
func sumSamples(x []float32) float64 { return sumBins(x) }

func sumBins(x []float32) float64 {
	var a, b, c, d float32
	i := 0
	for ; i+4 <= len(x); i += 4 {
		a += x[i]
		b += x[i+1]
		c += x[i+2]
		d += x[i+3]
	}
	for ; i < len(x); i++ {
		a += x[i]
	}
	return float64(a) + float64(b) + float64(c) + float64(d)
}

// argmaxBin returns the index and value of the largest element (0, 0 for
// an empty slice).
func argmaxBin(x []float32) (int, float32) {
	var m float32
	k := 0
	for i, v := range x {
		if v > m { // not the max builtin: its NaN handling costs 3x here
			m, k = v, i
		}
	}
	return k, m
}

// hannFreq refines the frequency of a peak at bin k. For a Hann window the
// magnitude ratio of the two largest bins α = |X[k+1]|/|X[k]| gives the
// exact offset δ = (2α-1)/(α+1) for a pure tone (Grandke), which is several
// times more accurate than a parabola on log power and costs two sqrt.
func hannFreq(s *[dsp.Bins]float32, k int) float64 {
	if k <= 0 || k >= dsp.Bins-1 {
		return float64(k) * dsp.BinHz
	}
	mk := math.Sqrt(float64(s[k]))
	if mk == 0 {
		return float64(k) * dsp.BinHz
	}
	sign := 1.0
	next := s[k+1]
	if s[k-1] > next {
		sign, next = -1, s[k-1]
	}
	alpha := math.Sqrt(float64(next)) / mk
	delta := (2*alpha - 1) / (alpha + 1)
	delta = max(0, min(delta, 1))
	return (float64(k) + sign*delta) * dsp.BinHz
}

// Purity reports the dominant frequency of a frame (the largest peak in
// 250-3500 Hz) and how much of the frame's power sits in that single tone,
// in dB (its main lobe against everything else in 94-3970 Hz). A clean tone
// gives > 20 dB, a tone at 10 dB SNR in white noise ≈ 10 dB, speech and
// music mostly < 6 dB (but a held vowel can reach 10 dB for a frame or
// two: mask with ToneMask, which requires stability). Frames below
// MinLevelDBm0 return (0, -100): silence is not a tone.
func Purity(f *dsp.Frame) (freqHz, purityDB float64) {
	if e, _ := acEnergy(f); e < minToneEnergy {
		return 0, -100
	}
	p := findPeak(f, searchLoBin, searchHiBin)
	return p.freq, 10 * math.Log10(p.purity())
}

// frameView is the spectral summary of one frame, computed once and shared
// by every detector of a Bank.
type frameView struct {
	loud bool    // e ≥ MinLevelDBm0; p is only computed then
	e    float64 // the frame's energy without its DC offset (see acEnergy)
	dc   float64 // the frame's mean (its DC offset)
	p    peak
	// the call-progress classification, computed once on demand
	prog     progressKind
	progHz   float64
	progDone bool
}

// progress returns classifyProgress for the frame, computing it once.
func (v *frameView) progress(f *dsp.Frame) (progressKind, float64) {
	if !v.progDone {
		v.prog, v.progHz = classifyProgress(f, v)
		v.progDone = true
	}
	return v.prog, v.progHz
}

func view(f *dsp.Frame) frameView {
	e, dc := acEnergy(f)
	if e < minToneEnergy {
		return frameView{e: e, dc: dc}
	}
	return frameView{loud: true, e: e, dc: dc, p: findPeak(f, searchLoBin, searchHiBin)}
}

// acEnergy is the frame's mean square once its mean is removed. Recordings
// from some gateways and sound cards carry a DC offset of several hundred
// (int16 scale): 1000 is -28 dBm0, louder than a quiet beep, and it would
// fill every silence, level floor and edge test the detectors make on
// f.Energy. The spectrum is immune (DC stays in bins 0-1, below
// totalLoBin), so only the time-domain energy needs this. Removing the
// 10 ms mean also removes the residual mean of a low tone over a
// non-integer number of cycles: ≤ 2.6 % of the energy at 280 Hz, far
// below any threshold here. 80 additions, no state.
func acEnergy(f *dsp.Frame) (e, mean float64) {
	if len(f.Samples) == 0 {
		return f.Energy, 0
	}
	m := sumSamples(f.Samples) / float64(len(f.Samples))
	return math.Max(f.Energy-m*m, 0), m
}

// ToneFrameDB is the purity above which a frame is a tone candidate.
const ToneFrameDB = 10.0

var toneFramePurity = math.Pow(10, ToneFrameDB/10)

const (
	// In noise (10 dB SNR) the purity of a tone drops to ~10 dB, but its
	// peak still towers 20 dB over any other bin.
	noisyToneMinPurity    = 4.0 // 6 dB
	noisyToneMinDominance = 100 // 20 dB
	// strictFramePurity is IsTone's single-frame threshold: the 16 dB of
	// Asterisk's tone detector (the tone holds ≥ 97.5 % of the power).
	strictFramePurity = 39.8
	// pairShare: two lobes (DTMF, busy, ringback) hold this much of the power.
	pairShare = 0.95
	// maskStableHz / maskStableFrames: ToneMask needs the peak to hold
	// within 3 Hz (or the pair within one bin) for 4 frames. A voiced
	// harmonic can dominate a frame or two, but its pitch glides.
	maskStableHz     = 3.0
	maskStableFrames = 4
)

// IsTone is a stateless, single-frame tone test: one line with ≥ 16 dB
// purity (or ≥ 6 dB purity and a peak 20 dB above every other bin: a tone
// in noise), or two lines holding 95 % of the power (DTMF, busy, ringback).
// A single frame cannot tell a held vowel harmonic from a tone: on the
// Asterisk prompts about 9 % of voiced frames pass. Prefer ToneMask (or
// the value Bank.Process returns), which adds the stability test and masks
// < 1 % of speech.
func IsTone(f *dsp.Frame) bool {
	v := view(f)
	if !v.loud {
		return false
	}
	p := &v.p
	if p.purity() >= strictFramePurity || p.purity() >= noisyToneMinPurity && p.dominance() >= noisyToneMinDominance {
		return true
	}
	_, _, ok := toneLines(f, &v)
	return ok
}

// toneLines finds a pair of lines holding pairShare of the power and
// returns their frequencies, lower first. Pairs in a small-integer ratio
// (2, 3, 3/2, 4/3 ...) within 2 % are refused: those are the harmonics of
// a voice, while DTMF, busy and dial tones are chosen off such ratios
// (the nearest, 1477/770 and 1336/697 to 2:1, are 4 % away).
func toneLines(f *dsp.Frame, v *frameView) (lo, hi float64, ok bool) {
	p := &v.p
	s := &f.Spectrum
	if p.second <= 0 || p.lobe+lobeSum(s, p.bin2) < pairShare*p.band {
		return 0, 0, false
	}
	lo, hi = p.freq, hannFreq(s, p.bin2)
	if hi < lo {
		lo, hi = hi, lo
	}
	for _, q := range harmonicRatios {
		if math.Abs(hi/lo/q-1) < 0.02 {
			return 0, 0, false
		}
	}
	return lo, hi, true
}

var harmonicRatios = [...]float64{2, 3, 4, 1.5, 4.0 / 3, 5.0 / 3, 2.5, 1.25}

// stableRun counts consecutive frames whose measured frequencies stay put.
type stableRun struct {
	a, b float64
	n    int
}

func (r *stableRun) step(ok bool, a, b, tol float64) bool {
	switch {
	case !ok:
		r.n = 0
		return false
	case r.n > 0 && math.Abs(a-r.a) <= tol && math.Abs(b-r.b) <= tol:
		r.n++
	default:
		r.n = 1
	}
	r.a, r.b = a, b
	return r.n >= maskStableFrames
}

// ToneMask flags the frames of steady tones (beeps, fax and SIT tones,
// ringback, busy, DTMF) so the voice detector never counts them as speech.
// Three kinds of candidate frame, each of which must hold for 4 frames:
//   - one line with ≥ 10 dB purity (or ≥ 6 dB and a peak 20 dB above every
//     other bin: a tone in noise), frequency within ±3 Hz;
//   - two lines holding 95 % of the power, not in a harmonic ratio, both
//     within ±3 Hz (DTMF, busy 480+620, dial tone);
//   - one 10 dB-pure lobe in 280-690 Hz holding 95 % of the power, on the
//     same bin ±1 (ringback 440+480 merges into one beating lobe whose
//     measured frequency jitters by ±12 Hz).
//
// The first 30 ms of a tone are therefore not masked; on the 46 minutes of
// Asterisk prompts < 1 % of speech frames are. The zero value is ready;
// use one per stream.
type ToneMask struct {
	single, pair, low, ring stableRun
}

// NewToneMask returns a ToneMask.
func NewToneMask() *ToneMask { return &ToneMask{} }

// Process reports whether f is part of a steady tone.
func (m *ToneMask) Process(f *dsp.Frame) bool {
	v := view(f)
	return m.process(f, &v)
}

func (m *ToneMask) process(f *dsp.Frame, v *frameView) bool {
	if !v.loud {
		m.single.n, m.pair.n, m.low.n, m.ring.n = 0, 0, 0, 0
		return false
	}
	p := &v.p
	pure := p.purity() >= toneFramePurity
	single := pure || p.purity() >= noisyToneMinPurity && p.dominance() >= noisyToneMinDominance
	tonal := m.single.step(single, p.freq, 0, maskStableHz)
	lo, hi, pair := 0.0, 0.0, false
	if !single {
		lo, hi, pair = toneLines(f, v)
	}
	tonal = m.pair.step(pair, lo, hi, maskStableHz) || tonal
	low := pure && p.dominance() >= noisyToneMinDominance && lowBandShare(f) >= pairShare*p.band
	tonal = m.low.step(low, float64(p.bin), 0, 1) || tonal
	// A pair too close to resolve (400+450 Hz double ring) beats at 50 Hz:
	// its peak hops over three bins and its purity stays low, but call
	// progress still sees one lobe holding ≥ 90 % of the 280-690 Hz band,
	// which holds ≥ 85 % of the power.
	ring, hz := false, 0.0
	if p.freq >= pairLoHz && p.freq <= pairHiHz { // (the ring's lobe is the frame's peak)
		var kind progressKind
		kind, hz = v.progress(f)
		ring = kind == progSingle && hz >= pairLoHz && hz <= pairHiHz
	}
	m.ring.step(ring, hz, 0, maskRingHz)
	return m.ring.n >= maskRingFrames || tonal
}

// maskRingFrames: a vowel can hold one low lobe for a few frames; a ring
// burst lasts ≥ 300 ms.
const maskRingFrames = 10

// maskRingHz: how far a beating pair's measured frequency hops between
// frames (400+450 Hz: 398-452).
const maskRingHz = 60.0

func lowBandShare(f *dsp.Frame) float64 {
	return sumBins(f.Spectrum[progLoBin : progHiBin+1])
}
