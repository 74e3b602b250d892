package heldout

import (
	"math"
	"math/rand/v2"
)

// Signal synthesis at 8 kHz in int16 scale. This file deliberately shares no
// code with internal/corpus: a held-out corpus made by the same functions
// would share their artefacts (ramps, phase, noise colour) with the data the
// detectors were tuned on.
//
// Levels of tones are in dBm0 with the G.711 convention: a 0 dBm0 sine has a
// peak of 3.17 dB below full scale (≈ 22724).

const rate = 8000

func msToN(ms float64) int { return int(math.Round(ms * rate / 1000)) }

func nToMs(n int) int { return n * 1000 / rate }

// peakOfDBm0 is the peak amplitude of a sine at dbm0.
func peakOfDBm0(dbm0 float64) float64 { return 32768 * math.Pow(10, (dbm0-3.17)/20) }

func silence(ms float64) []float32 { return make([]float32, msToN(ms)) }

func join(parts ...[]float32) []float32 {
	n := 0
	for _, p := range parts {
		n += len(p)
	}
	out := make([]float32, 0, n)
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

// fade applies linear fades of edgeMs at both ends (real beeps and tone
// generators switch with a few ms of rise; linear, not raised-cosine, so the
// edges differ from the development corpus).
func fade(x []float32, edgeMs float64) {
	n := min(msToN(edgeMs), len(x)/2)
	for i := 0; i < n; i++ {
		g := float32(i) / float32(n)
		x[i] *= g
		x[len(x)-1-i] *= g
	}
}

// sine returns ms of a sum of equal-level sines at dbm0 each, starting at a
// random phase, with edgeMs linear fades.
func sine(r *rand.Rand, ms, dbm0, edgeMs float64, freqs ...float64) []float32 {
	out := make([]float32, msToN(ms))
	amp := peakOfDBm0(dbm0)
	for _, f := range freqs {
		w := 2 * math.Pi * f / rate
		ph := r.Float64() * 2 * math.Pi
		for i := range out {
			out[i] += float32(amp * math.Sin(w*float64(i)+ph))
		}
	}
	fade(out, edgeMs)
	return out
}

// amTone is a carrier amplitude-modulated by modHz with the given depth
// (Japanese/Indian ringback: 400 Hz × 16/25 Hz; ANSam: 2100 Hz × 15 Hz 20 %).
func amTone(r *rand.Rand, ms, dbm0, carrier, modHz, depth float64) []float32 {
	out := make([]float32, msToN(ms))
	amp := peakOfDBm0(dbm0)
	w, wm := 2*math.Pi*carrier/rate, 2*math.Pi*modHz/rate
	ph, phm := r.Float64()*2*math.Pi, r.Float64()*2*math.Pi
	for i := range out {
		env := 1 + depth*math.Sin(wm*float64(i)+phm)
		out[i] = float32(amp * env * math.Sin(w*float64(i)+ph))
	}
	fade(out, 4)
	return out
}

// phaseReversed is a tone with a 180° phase jump every revMs (V.25 ANS/).
func phaseReversed(r *rand.Rand, ms, dbm0, freq, revMs float64) []float32 {
	out := make([]float32, msToN(ms))
	amp := peakOfDBm0(dbm0)
	w := 2 * math.Pi * freq / rate
	ph := r.Float64() * 2 * math.Pi
	every := msToN(revMs)
	for i := range out {
		if i > 0 && i%every == 0 {
			ph += math.Pi
		}
		out[i] = float32(amp * math.Sin(w*float64(i)+ph))
	}
	fade(out, 4)
	return out
}

// fskFlags is V.21 channel 2 continuous-phase FSK (1650 Hz mark, 1850 Hz
// space, 300 bit/s, both shifted by offsetHz) carrying HDLC flags 0x7E for
// ms, then tailBits random bits.
func fskFlags(r *rand.Rand, ms, dbm0, offsetHz float64, tailBits int) []float32 {
	var bits []byte
	for i := 0; i < int(ms/1000*300/8)+1; i++ {
		for b := 0; b < 8; b++ {
			bits = append(bits, (0x7E>>b)&1)
		}
	}
	for i := 0; i < tailBits; i++ {
		bits = append(bits, byte(r.IntN(2)))
	}
	perBit := float64(rate) / 300
	out := make([]float32, int(float64(len(bits))*perBit))
	amp := peakOfDBm0(dbm0)
	ph := r.Float64() * 2 * math.Pi
	for i := range out {
		f := 1850 + offsetHz
		if bits[min(int(float64(i)/perBit), len(bits)-1)] == 1 {
			f = 1650 + offsetHz
		}
		ph += 2 * math.Pi * f / rate
		out[i] = float32(amp * math.Sin(ph))
	}
	fade(out, 3)
	return out
}

// noise colours of the held-out corpus.
const (
	noiseWhite  = "white"
	noisePink   = "pink"
	noiseBrown  = "brown"
	noiseHum50  = "hum50"
	noiseHum60  = "hum60"
	noiseBabble = "babble"
)

// colouredNoise returns n samples of unit-RMS noise of the given colour
// (not babble: see babbleBank).
func colouredNoise(r *rand.Rand, colour string, n int) []float32 {
	out := make([]float32, n)
	switch colour {
	case noisePink: // Paul Kellet's economy pink filter
		var b0, b1, b2 float64
		for i := range out {
			w := r.NormFloat64()
			b0 = 0.99765*b0 + w*0.0990460
			b1 = 0.96300*b1 + w*0.2965164
			b2 = 0.57000*b2 + w*1.0526913
			out[i] = float32(b0 + b1 + b2 + w*0.1848)
		}
	case noiseBrown: // leaky integrator: -6 dB/octave above ~10 Hz
		var y float64
		for i := range out {
			y = 0.992*y + r.NormFloat64()
			out[i] = float32(y)
		}
	case noiseHum50, noiseHum60: // mains buzz: odd and even harmonics to ~1 kHz
		f0 := 50.0
		if colour == noiseHum60 {
			f0 = 60
		}
		for h := 1; float64(h)*f0 < 1000; h++ {
			a := 1 / float64(h*h)
			if h%2 == 1 {
				a = 1 / float64(h)
			}
			w := 2 * math.Pi * f0 * float64(h) / rate
			ph := r.Float64() * 2 * math.Pi
			for i := range out {
				out[i] += float32(a * math.Sin(w*float64(i)+ph))
			}
		}
	default:
		for i := range out {
			out[i] = float32(r.NormFloat64())
		}
	}
	normalise(out)
	return out
}

// normalise scales x to unit RMS.
func normalise(x []float32) {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	if s == 0 {
		return
	}
	g := float32(1 / math.Sqrt(s/float64(len(x))))
	for i := range x {
		x[i] *= g
	}
}

// activeRMS is the RMS over the 10 ms blocks within 30 dB of the loudest.
func activeRMS(x []float32) float64 {
	const block = 80
	var ms []float64
	peak := 0.0
	for b := 0; b+block <= len(x); b += block {
		var s float64
		for _, v := range x[b : b+block] {
			s += float64(v) * float64(v)
		}
		ms = append(ms, s/block)
		peak = math.Max(peak, s/block)
	}
	var sum float64
	n := 0
	for _, v := range ms {
		if v > 0 && v >= peak*1e-3 {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(sum / float64(n))
}

// scaleTo sets the active RMS of x to dbfs (relative to 32768).
func scaleTo(x []float32, dbfs float64) {
	a := activeRMS(x)
	if a == 0 {
		return
	}
	g := float32(32768 * math.Pow(10, dbfs/20) / a)
	for i := range x {
		x[i] *= g
	}
}

// trimQuiet cuts leading and trailing 10 ms blocks more than 45 dB below the
// loudest block (espeak-ng pads its output with silence).
func trimQuiet(x []float32) []float32 {
	const block = 80
	nb := len(x) / block
	e := make([]float64, nb)
	peak := 0.0
	for b := range e {
		for _, v := range x[b*block : (b+1)*block] {
			e[b] += float64(v) * float64(v)
		}
		peak = math.Max(peak, e[b])
	}
	lo, hi := -1, -1
	for b, v := range e {
		if peak > 0 && v >= peak*3e-5 {
			if lo < 0 {
				lo = b
			}
			hi = b
		}
	}
	if lo < 0 {
		return nil
	}
	return append([]float32(nil), x[lo*block:(hi+1)*block]...)
}
