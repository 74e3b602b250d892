package cadence

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Tone-masking fallback. The pipeline normally computes the tonal flag from
// tones.Purity; ToneMask is what cadence's own tests, the corpus tools and
// any caller without the tone bank use.

const (
	toneLoBin = 9   // 281 Hz: the lowest beep/SIT/fax frequency is 300 Hz
	toneHiBin = 110 // 3437 Hz
	// tonePeakHalfWidth covers the Hann main lobe (±2 bins) of a tone.
	tonePeakHalfWidth = 2
	// toneShareOn is the part of the band power that one or two spectral
	// lines must hold to start a tone (15 dB above everything else, which
	// voiced speech with its many harmonics and formant bandwidths does
	// not reach for long); toneShareHold keeps it going (hysteresis).
	toneShareOn   = 0.97
	toneShareHold = 0.85
	// toneSecondLine: in a dual tone (busy, DTMF) the weaker line holds at
	// least this part of the band power.
	toneSecondLine = 0.2
	// toneStableFrames: the lines must stay on the same bins (±1) this many
	// frames in a row; speech pitch glides, tones do not.
	toneStableFrames = 4
	// toneMinLevelDB keeps quiet hiss from being called a tone.
	toneMinLevelDB = 35
)

// ToneMask flags frames dominated by one or two steady pure tones between
// 300 and 3400 Hz (beep, fax, SIT, ringback, busy, DTMF), from the shared
// spectrum only (about 200 adds and compares per frame). The zero value is
// ready to use; use one per stream.
type ToneMask struct {
	bin1, bin2 int // lines of the previous frame (-1: none)
	run        int // consecutive frames with the same lines

	floorDB, floorPower float64 // last noise floor seen, and as a spectrum sum
}

// Process returns whether f is a tone frame.
func (m *ToneMask) Process(f *dsp.Frame) bool { return m.process(f, math.Inf(1)) }

// process is Process knowing the line's noise floor (telephone-band level,
// dB; +Inf when unknown). With a floor, a tone in noise is also a tone:
// one or two steady lines holding at least half of the band while
// everything else is no louder than the noise floor — speech always has
// power between its harmonics and in its other formants.
func (m *ToneMask) process(f *dsp.Frame, floorDB float64) bool {
	share := toneShareOn
	if m.run >= toneStableFrames {
		share = toneShareHold
	}
	ls, ok := measureLines(f)
	b1, b2 := -1, -1
	if ok {
		b1, b2, ok = ls.pure(share)
		if !ok && !math.IsInf(floorDB, 1) {
			if floorDB != m.floorDB { // the floor moves slowly: convert it only when it does
				m.floorDB, m.floorPower = floorDB, (math.Pow(10, floorDB/10)-1)/specToMeanSquare
			}
			b1, b2, ok = ls.overNoise(m.floorPower)
		}
	}
	if !ok {
		m.run, m.bin1, m.bin2 = 0, -1, -1
		return false
	}
	if m.run > 0 && near(b1, m.bin1) && near(b2, m.bin2) {
		m.run++
	} else {
		m.run = 1
	}
	m.bin1, m.bin2 = b1, b2
	return m.run >= toneStableFrames
}

func near(a, b int) bool { return a-b <= 1 && b-a <= 1 }

// toneMinPower is toneMinLevelDB as a telephone-band spectrum sum.
var toneMinPower = (math.Pow(10, toneMinLevelDB/10) - 1) / specToMeanSquare

// lines are the two strongest spectral lines of a frame in the tone band.
type lines struct {
	b1, b2       int     // their bins (b2 -1: none)
	line1, line2 float64 // their main-lobe power
	total        float64 // power of the tone band
}

// measureLines finds the strongest line and the strongest one outside its
// lobe, in two passes over the tone band. ok is false for quiet frames.
func measureLines(f *dsp.Frame) (ls lines, ok bool) {
	if f.SpecEnergy < toneMinPower {
		return ls, false
	}
	ls.b1, ls.b2 = toneLoBin, -1
	for k := toneLoBin; k <= toneHiBin; k++ {
		ls.total += float64(f.Spectrum[k])
		if f.Spectrum[k] > f.Spectrum[ls.b1] {
			ls.b1 = k
		}
	}
	if ls.total <= 0 {
		return ls, false
	}
	ls.line1 = lineEnergy(f, ls.b1)
	for k := toneLoBin; k <= toneHiBin; k++ {
		if k >= ls.b1-2*tonePeakHalfWidth && k <= ls.b1+2*tonePeakHalfWidth {
			continue
		}
		if ls.b2 < 0 || f.Spectrum[k] > f.Spectrum[ls.b2] {
			ls.b2 = k
		}
	}
	if ls.b2 >= 0 {
		ls.line2 = lineEnergy(f, ls.b2)
	}
	return ls, true
}

// pure: one line, or two comparable lines, hold share of the band.
func (ls lines) pure(share float64) (b1, b2 int, ok bool) {
	if ls.line1 >= share*ls.total {
		return ls.b1, -1, true
	}
	if ls.b2 >= 0 && ls.line2 >= toneSecondLine*ls.total && ls.line1+ls.line2 >= share*ls.total {
		return ls.b1, ls.b2, true
	}
	return -1, -1, false
}

// toneOverNoiseShare is the part of the band the lines hold in noise, and
// toneRestOverFloor how far above the noise floor the rest may be (3 dB).
const (
	toneOverNoiseShare = 0.5
	toneRestOverFloor  = 2.0
)

// overNoise is the noisy-line tone test (see ToneMask.process); floor is
// the noise floor as a telephone-band spectrum sum.
func (ls lines) overNoise(floor float64) (b1, b2 int, ok bool) {
	b1, b2, ok = ls.pure(toneOverNoiseShare)
	if !ok {
		return -1, -1, false
	}
	inLines := ls.line1
	if b2 >= 0 {
		inLines += ls.line2
	}
	if ls.total-inLines > toneRestOverFloor*floor {
		return -1, -1, false
	}
	return b1, b2, true
}

// lineEnergy sums the main lobe around bin k inside the tone band.
func lineEnergy(f *dsp.Frame, k int) float64 {
	var s float64
	for j := k - tonePeakHalfWidth; j <= k+tonePeakHalfWidth; j++ {
		if j >= toneLoBin && j <= toneHiBin {
			s += float64(f.Spectrum[j])
		}
	}
	return s
}
