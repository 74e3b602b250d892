package corpus

import (
	"math"
	"math/rand/v2"
)

// Signal synthesis at 8 kHz in int16 scale. Levels are in dBm0 with the
// G.711 convention: a 0 dBm0 sine has an RMS of 3.17 dB below a full-scale
// sine (peak 32768), i.e. a peak of about 22724.

const rate = 8000

// dBm0Peak is the peak amplitude of a sine at the given dBm0 level.
func dBm0Peak(dbm0 float64) float64 {
	return 32768 * math.Pow(10, (dbm0-3.17)/20)
}

// msToN converts milliseconds to samples.
func msToN(ms float64) int { return int(math.Round(ms * rate / 1000)) }

// silence returns n zero samples.
func silence(ms float64) []float32 { return make([]float32, msToN(ms)) }

// tone synthesises the sum of sines (all at the same level) with 5 ms
// raised-cosine ramps, so no click splatters energy across the band.
func tone(ms, dbm0 float64, freqs ...float64) []float32 {
	n := msToN(ms)
	out := make([]float32, n)
	amp := dBm0Peak(dbm0)
	for _, f := range freqs {
		w := 2 * math.Pi * f / rate
		for i := range out {
			out[i] += float32(amp * math.Sin(w*float64(i)))
		}
	}
	ramp(out, msToN(5))
	return out
}

// phasedTone is tone for one frequency starting at phase (radians).
func phasedTone(ms, dbm0, freq, phase float64) []float32 {
	out := make([]float32, msToN(ms))
	amp := dBm0Peak(dbm0)
	w := 2 * math.Pi * freq / rate
	for i := range out {
		out[i] = float32(amp * math.Sin(w*float64(i)+phase))
	}
	ramp(out, msToN(5))
	return out
}

// add mixes y into x (up to the shorter length).
func add(x, y []float32) {
	for i := range min(len(x), len(y)) {
		x[i] += y[i]
	}
}

// ramp applies raised-cosine fades of n samples at both ends.
func ramp(x []float32, n int) {
	if 2*n > len(x) {
		n = len(x) / 2
	}
	for i := 0; i < n; i++ {
		g := float32(0.5 - 0.5*math.Cos(math.Pi*float64(i)/float64(n)))
		x[i] *= g
		x[len(x)-1-i] *= g
	}
}

// concat joins signals.
func concat(parts ...[]float32) []float32 {
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

// ansPR is a 2100 Hz answer tone with a 180° phase reversal every
// reversalMs (V.25 ANS/ , echo-canceller disable).
func ansPR(ms, dbm0, freq, reversalMs float64) []float32 {
	n := msToN(ms)
	out := make([]float32, n)
	amp := dBm0Peak(dbm0)
	w := 2 * math.Pi * freq / rate
	every := msToN(reversalMs)
	phase := 0.0
	for i := range out {
		if i > 0 && i%every == 0 {
			phase += math.Pi
		}
		out[i] = float32(amp * math.Sin(w*float64(i)+phase))
	}
	ramp(out, msToN(5))
	return out
}

// ansam is a 2100 Hz tone amplitude-modulated at 15 Hz by ±20 % (V.8).
func ansam(ms, dbm0, freq float64) []float32 {
	n := msToN(ms)
	out := make([]float32, n)
	amp := dBm0Peak(dbm0)
	w := 2 * math.Pi * freq / rate
	wm := 2 * math.Pi * 15 / rate
	for i := range out {
		env := 1 + 0.2*math.Sin(wm*float64(i))
		out[i] = float32(amp * env * math.Sin(w*float64(i)))
	}
	ramp(out, msToN(5))
	return out
}

// v21Flags synthesises V.21 channel 2 (mark 1650 Hz = 1, space 1850 Hz =
// 0, 300 bit/s) continuous-phase FSK carrying HDLC flags 0x7E for ms,
// optionally followed by tailBits random bits (the start of a DIS frame).
func v21Flags(ms, dbm0 float64, tailBits int, r *rand.Rand) []float32 {
	var bits []byte
	flags := int(ms/1000*300/8) + 1
	for i := 0; i < flags; i++ {
		for b := 0; b < 8; b++ { // 0x7E sent LSB first: 0 1 1 1 1 1 1 0
			bits = append(bits, (0x7E>>b)&1)
		}
	}
	for i := 0; i < tailBits; i++ {
		bits = append(bits, byte(r.IntN(2)))
	}
	return fsk(bits, 300, 1650, 1850, dbm0)
}

// fsk is continuous-phase binary FSK: 1 → mark, 0 → space.
func fsk(bits []byte, baud, mark, space, dbm0 float64) []float32 {
	perBit := float64(rate) / baud
	n := int(math.Round(float64(len(bits)) * perBit))
	out := make([]float32, n)
	amp := dBm0Peak(dbm0)
	phase := 0.0
	for i := range out {
		b := bits[min(int(float64(i)/perBit), len(bits)-1)]
		f := space
		if b == 1 {
			f = mark
		}
		phase += 2 * math.Pi * f / rate
		out[i] = float32(amp * math.Sin(phase))
	}
	ramp(out, msToN(3))
	return out
}

// sitSegment is one tone of a special information tone.
type sitSegment struct{ freq, ms float64 }

// NANP precise SIT frequencies and durations (ANSI T1.401 style).
const (
	sitLow1, sitHigh1 = 913.8, 985.2
	sitLow2, sitHigh2 = 1370.6, 1428.5
	sitThird          = 1776.7
	sitShort, sitLong = 274.0, 380.0
)

// sitCodes maps each code to its three segments.
var sitCodes = map[string][3]sitSegment{
	"IC":       {{sitLow1, sitShort}, {sitLow2, sitShort}, {sitThird, sitLong}},
	"NC":       {{sitHigh1, sitLong}, {sitHigh2, sitLong}, {sitThird, sitLong}},
	"VC":       {{sitHigh1, sitLong}, {sitLow2, sitShort}, {sitThird, sitLong}},
	"RO":       {{sitLow1, sitShort}, {sitHigh2, sitLong}, {sitThird, sitLong}},
	"NC2":      {{sitLow1, sitLong}, {sitLow2, sitLong}, {sitThird, sitLong}},
	"RO2":      {{sitHigh1, sitShort}, {sitLow2, sitLong}, {sitThird, sitLong}},
	"IO":       {{sitLow1, sitLong}, {sitHigh2, sitShort}, {sitThird, sitLong}},
	"RESERVED": {{sitHigh1, sitShort}, {sitHigh2, sitShort}, {sitThird, sitLong}},
	"ITU":      {{950, 330}, {1400, 330}, {1800, 330}},
}

// sitCodeNames lists the codes in a fixed order (map order is random).
var sitCodeNames = []string{"IC", "NC", "VC", "RO", "NC2", "RO2", "IO", "RESERVED", "ITU"}

// sit synthesises a SIT with small, realistic deviations: frequency
// ±0.3 % (ITU ±50 Hz, the E.180 tolerance), duration ±4 %, per-segment level ±1 dB around
// dbm0, gaps of 0–4 ms (ITU 0–30 ms).
func sit(code string, dbm0 float64, r *rand.Rand) []float32 {
	segs := sitCodes[code]
	var parts [][]float32
	for i, s := range segs {
		f := s.freq * (1 + (r.Float64()*2-1)*0.003)
		gapMax := 4.0
		if code == "ITU" {
			f = s.freq + (r.Float64()*2-1)*50
			gapMax = 30
		}
		d := s.ms * (1 + (r.Float64()*2-1)*0.04)
		parts = append(parts, tone(d, dbm0+(r.Float64()*2-1), f))
		if i < 2 {
			parts = append(parts, silence(r.Float64()*gapMax))
		}
	}
	return concat(parts...)
}

// ringback returns rings cycles of the regional ringback cadence, ending
// with a full silent period cut at offMs (the answer point). phase is the
// starting phase of the US 480 Hz line against the 440 Hz one (real
// exchanges do not start both at zero).
func ringback(region string, rings int, lastOffMs, phase float64) []float32 {
	var on []float32
	var offMs float64
	switch region {
	case "US": // 440+480 Hz, 2 s on, 4 s off, -19 dBm0 per tone
		on, offMs = tone(2000, -19, 440), 4000
		add(on, phasedTone(2000, -19, 480, phase))
	case "UK": // 400+450 Hz double ring: 0.4 s on, 0.2 s off, 0.4 s on, 2 s off
		burst := tone(400, -19, 400, 450)
		on, offMs = concat(burst, silence(200), burst), 2000
	case "EU": // 425 Hz, 1 s on, 4 s off (CEPT)
		on, offMs = tone(1000, -13, 425), 4000
	default: // BR: 425 Hz, 1 s on, 4 s off
		on, offMs = tone(1000, -13, 425), 4000
	}
	var parts [][]float32
	for i := 0; i < rings; i++ {
		parts = append(parts, on)
		if i < rings-1 {
			parts = append(parts, silence(offMs))
		}
	}
	parts = append(parts, silence(math.Min(lastOffMs, offMs)))
	return concat(parts...)
}

// gaussNoise returns n samples of white Gaussian noise of the given RMS,
// optionally coloured by a one-pole low-pass (pinkish, like line hiss).
func gaussNoise(n int, rms float64, lowpass bool, r *rand.Rand) []float32 {
	out := make([]float32, n)
	var y float64
	const a = 0.85 // one-pole coefficient: corner ≈ 200 Hz, -6 dB/octave above
	gain := 1.0
	if lowpass {
		gain = math.Sqrt((1 + a) / (1 - a)) // restore unit variance
	}
	for i := range out {
		x := r.NormFloat64()
		if lowpass {
			y = a*y + (1-a)*x
			x = y * gain
		}
		out[i] = float32(x * rms)
	}
	return out
}
