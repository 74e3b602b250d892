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
// its lobe, and the total and runner-up over the analysed range. Two passes
// over 125 bins and two square roots: about 150 ns.
func findPeak(f *dsp.Frame, lo, hi int) peak {
	s := &f.Spectrum
	var p peak
	p.bin = lo
	best := s[lo]
	var band float64
	for k := totalLoBin; k <= totalHiBin; k++ {
		v := s[k]
		band += float64(v)
		if v > best && k >= lo && k <= hi {
			best, p.bin = v, k
		}
	}
	p.band = band
	p.top = float64(best)
	var second float32
	for k := totalLoBin; k <= totalHiBin; k++ {
		if k >= p.bin-lobeHalf-1 && k <= p.bin+lobeHalf+1 {
			continue
		}
		if s[k] > second {
			second = s[k]
		}
	}
	p.second = float64(second)
	for k := p.bin - lobeHalf; k <= p.bin+lobeHalf; k++ {
		p.lobe += float64(s[k])
	}
	p.freq = hannFreq(s, p.bin)
	return p
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

// Purity reports the dominant frequency of a frame and how much of the
// frame's 250-3500 Hz power sits in that single tone, in dB (main lobe
// against the rest of the band). Tones (beeps, SIT, fax, ringback, DTMF's
// stronger half excepted) give ≥ 10 dB; speech, music and noise give
// < 6 dB. Frames below MinLevelDBm0 return (0, -100): silence is not a tone.
// The CADENCE helper masks frames with IsTone out of its voice detector.
func Purity(f *dsp.Frame) (freqHz, purityDB float64) {
	if f.Energy < minToneEnergy {
		return 0, -100
	}
	p := findPeak(f, searchLoBin, searchHiBin)
	return p.freq, 10 * math.Log10(p.purity())
}

// ToneFrameDB is the purity above which IsTone calls a frame a tone.
const ToneFrameDB = 10.0

// IsTone reports whether a frame is dominated by a single steady tone
// (Purity ≥ ToneFrameDB, or ≥ 6 dB with the peak 20 dB above every other
// bin, which is a tone in noise) or by a call-progress tone pair (ringback, busy,
// dial tone: all the power in 300-700 Hz in at most two lobes). It is the
// mask the voice detector uses so that tones are never counted as words.
func IsTone(f *dsp.Frame) bool {
	if f.Energy < minToneEnergy {
		return false
	}
	p := findPeak(f, searchLoBin, searchHiBin)
	if p.purity() >= toneFramePurity {
		return true
	}
	// In noise (10 dB SNR) the purity of a tone drops to ~10 dB, but its
	// peak still towers 20 dB over any other bin.
	if p.purity() >= noisyToneMinPurity && p.dominance() >= noisyToneMinDominance {
		return true
	}
	return isProgressPair(f, &p)
}

var toneFramePurity = math.Pow(10, ToneFrameDB/10)

const (
	noisyToneMinPurity    = 4.0 // 6 dB
	noisyToneMinDominance = 100 // 20 dB
)
