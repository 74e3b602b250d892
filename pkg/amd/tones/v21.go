package tones

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// V.21 channel 2 (the T.30 control channel): binary FSK, mark (1) 1650 Hz,
// space (0) 1850 Hz, 300 bit/s. Every T.30 frame starts with ≥ 1 s of HDLC
// flags 0x7E (01111110). The demodulator runs only while the spectrum puts
// the frame's power around 1750 Hz, so speech costs nothing.
const (
	v21CenterHz   = 1750.0
	v21Baud       = 300.0
	v21LoHz       = 1550.0
	v21HiHz       = 1950.0
	v21BandShare  = 0.7 // of the 250-3500 Hz power inside 1500-2000 Hz
	v21Hangover   = 3   // frames the demodulator keeps running after the screen fails
	v21MinFlags   = 5   // back-to-back flags that make a preamble (spandsp's threshold)
	v21LPLen      = 16  // boxcar low-pass: nulls every 500 Hz, so the 3500 Hz mixing image is cancelled
	v21MixPeriod  = 32  // 1750/8000 = 7/32: the mixer repeats every 32 samples
	v21PLLGain    = 0.15
	v21FlagByte   = 0x7E
	v21MaxFlagGap = 8
)

var (
	v21BandLo = dsp.HzToBin(1500)
	v21BandHi = dsp.HzToBin(2000)
)

var v21MixCos, v21MixSin = func() (c, s [v21MixPeriod]float64) {
	for i := range c {
		w := 2 * math.Pi * v21CenterHz * float64(i) / dsp.SampleRate
		c[i], s[i] = math.Cos(w), -math.Sin(w)
	}
	return
}()

type v21Detector struct {
	running  bool
	quiet    int // frames since the screen last passed
	startIdx int // first frame of the current screened run
	eSum     float64
	nFrames  int

	// demodulator state
	lpRe, lpIm       [v21LPLen]float64
	lpPos            int
	sumRe, sumIm     float64
	prevRe, prevIm   float64
	prevSign         bool
	smooth           float64
	bitPhase, bitAcc float64

	// HDLC flag search
	shift     uint8
	sinceFlag int
	flags     int
}

func newV21() v21Detector { return v21Detector{} }

// idle stops the demodulator (silence).
func (v *v21Detector) idle() {
	if v.running {
		v.quiet++
		if v.quiet > v21Hangover {
			v.reset()
		}
	}
}

func (v *v21Detector) reset() {
	*v = v21Detector{}
}

func v21Screen(f *dsp.Frame, p *peak) bool {
	if p.freq < v21LoHz || p.freq > v21HiHz || p.band <= 0 {
		return false
	}
	var in float64
	for k := v21BandLo; k <= v21BandHi; k++ {
		in += float64(f.Spectrum[k])
	}
	return in >= v21BandShare*p.band
}

func (v *v21Detector) process(f *dsp.Frame, p *peak, d *FaxDetector) {
	if v21Screen(f, p) {
		if !v.running {
			v.reset()
			v.running = true
			v.startIdx = f.Index
		}
		v.quiet = 0
	} else {
		v.idle()
	}
	if !v.running {
		return
	}
	v.eSum += d.e
	v.nFrames++
	base := f.Index * dsp.FrameSamples
	for i, x := range f.Samples {
		if v.sample(float64(x)-d.dc, base+i) && v.flags >= v21MinFlags && d.res == nil {
			d.res = &Fax{
				Signal:     "V21",
				StartMs:    v.startIdx * dsp.FrameMs,
				DetectedMs: f.EndMs(),
				FreqHz:     v21CenterHz,
				LevelDB:    math.Round(LevelDBm0(v.eSum/float64(v.nFrames))*10) / 10,
				Flags:      v.flags,
			}
		}
	}
}

// sample demodulates one sample; it returns true when a flag completed.
func (v *v21Detector) sample(x float64, n int) bool {
	k := n % v21MixPeriod
	re, im := x*v21MixCos[k], x*v21MixSin[k]
	v.sumRe += re - v.lpRe[v.lpPos]
	v.sumIm += im - v.lpIm[v.lpPos]
	v.lpRe[v.lpPos], v.lpIm[v.lpPos] = re, im
	v.lpPos = (v.lpPos + 1) % v21LPLen
	// Instantaneous frequency sign: Im(z·conj(z_prev)) > 0 above 1750 Hz
	// (space, 0), < 0 below (mark, 1).
	// Normalised by the power, it is sin(Δφ): noise spikes during
	// amplitude dips stay bounded.
	pow := v.sumRe*v.sumRe + v.sumIm*v.sumIm
	disc := (v.sumIm*v.prevRe - v.sumRe*v.prevIm) / (pow + 1e-9)
	v.prevRe, v.prevIm = v.sumRe, v.sumIm
	// Bit transitions are found on a smoothed copy, so noise-induced sign
	// flips do not jerk the clock.
	v.smooth += 0.25 * (disc - v.smooth)
	sign := v.smooth > 0
	if sign != v.prevSign {
		// A transition should fall on a bit boundary (phase 0): pull the
		// clock towards it.
		e := v.bitPhase
		if e > 0.5 {
			e--
		}
		v.bitPhase -= v21PLLGain * e
		v.prevSign = sign
	}
	v.bitAcc += disc
	v.bitPhase += v21Baud / dsp.SampleRate
	if v.bitPhase < 1 {
		return false
	}
	v.bitPhase--
	bit := uint8(0)
	if v.bitAcc < 0 {
		bit = 1
	}
	v.bitAcc = 0
	return v.pushBit(bit)
}

func (v *v21Detector) pushBit(bit uint8) bool {
	v.shift = v.shift<<1 | bit
	v.sinceFlag++
	if v.shift != v21FlagByte {
		if v.sinceFlag > v21MaxFlagGap {
			v.flags = 0
		}
		return false
	}
	if v.sinceFlag == v21MaxFlagGap && v.flags > 0 {
		v.flags++
	} else {
		v.flags = 1
	}
	v.sinceFlag = 0
	return true
}
