package tones

import (
	"math"
	"math/rand/v2"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Test signal synthesis. Everything is deterministic (fixed seeds) so a
// failure reproduces.

const rate = dsp.SampleRate

// amplitudeOf returns the peak amplitude (int16 scale) of a sine at dBm0.
func amplitudeOf(dBm0 float64) float64 {
	return math.Sqrt(2*dBm0RefEnergy) * math.Pow(10, dBm0/20)
}

func samplesOf(ms int) int { return ms * rate / 1000 }

// sig is a signal under construction.
type sig []float32

func (s sig) silence(ms int) sig { return append(s, make([]float32, samplesOf(ms))...) }

// tone appends a sine (continuous phase within the call).
func (s sig) tone(hz float64, ms int, dBm0 float64) sig {
	a := amplitudeOf(dBm0)
	n := samplesOf(ms)
	for i := 0; i < n; i++ {
		s = append(s, float32(a*math.Sin(2*math.Pi*hz*float64(i)/rate)))
	}
	return s
}

// dual appends two equal-level sines (level per tone).
func (s sig) dual(f1, f2 float64, ms int, dBm0 float64) sig {
	a := amplitudeOf(dBm0)
	n := samplesOf(ms)
	for i := 0; i < n; i++ {
		t := float64(i) / rate
		s = append(s, float32(a*(math.Sin(2*math.Pi*f1*t)+math.Sin(2*math.Pi*f2*t))))
	}
	return s
}

// addNoise adds white Gaussian noise at snrDB below the signal's mean
// power measured over its non-silent samples.
func (s sig) addNoise(snrDB float64, seed uint64) sig {
	var p float64
	var n int
	for _, v := range s {
		if v != 0 {
			p += float64(v) * float64(v)
			n++
		}
	}
	if n == 0 {
		return s
	}
	sd := math.Sqrt(p / float64(n) / math.Pow(10, snrDB/10))
	r := rand.New(rand.NewPCG(seed, 7))
	out := make(sig, len(s))
	for i, v := range s {
		out[i] = v + float32(r.NormFloat64()*sd)
	}
	return out
}

// noise adds white Gaussian noise of the given level (dBm0 over the whole
// 0-4 kHz band).
func (s sig) noise(dBm0 float64, seed uint64) sig {
	sd := math.Sqrt(dBm0RefEnergy * math.Pow(10, dBm0/10))
	r := rand.New(rand.NewPCG(seed, 7))
	out := make(sig, len(s))
	for i, v := range s {
		out[i] = v + float32(r.NormFloat64()*sd)
	}
	return out
}

// ulaw round-trips the signal through G.711 µ-law.
func (s sig) ulaw() sig {
	out := make(sig, len(s))
	for i, v := range s {
		x := math.Max(-32768, math.Min(32767, math.Round(float64(v))))
		out[i] = float32(audio.ULawDecode(audio.ULawEncode(int16(x))))
	}
	return out
}

// alaw round-trips the signal through G.711 A-law.
func (s sig) alaw() sig {
	out := make(sig, len(s))
	for i, v := range s {
		x := math.Max(-32768, math.Min(32767, math.Round(float64(v))))
		out[i] = float32(audio.ALawDecode(audio.ALawEncode(int16(x))))
	}
	return out
}

// frames runs the shared front end over s, feeding every frame to fn, in
// odd-sized chunks as a file reader would.
func frames(s sig, fn func(*dsp.Frame)) {
	a := dsp.NewAnalyzer()
	for off := 0; off < len(s); off += 333 {
		a.Write(s[off:min(off+333, len(s))], fn)
	}
	a.Flush(fn)
}

func endMsOf(s sig) int { return len(s) * 1000 / rate }

func runFax(s sig) *Fax {
	d := NewFax()
	frames(s, d.Process)
	return d.Result()
}

func runSIT(s sig) *SIT {
	d := NewSIT()
	frames(s, d.Process)
	return d.Result()
}

func runBeep(s sig) []Beep {
	d := NewBeep()
	frames(s, d.Process)
	d.Flush(endMsOf(s))
	return d.Beeps()
}

func runProgress(s sig) Progress {
	d := NewProgress()
	frames(s, d.Process)
	return d.State()
}

func TestLevelDBm0(t *testing.T) {
	s := sig{}.tone(1000, 1000, -10)
	var e float64
	for _, v := range s {
		e += float64(v) * float64(v)
	}
	if got := LevelDBm0(e / float64(len(s))); math.Abs(got+10) > 0.05 {
		t.Fatalf("level of a -10 dBm0 sine = %.2f", got)
	}
}

func TestToneMasks(t *testing.T) {
	check := func(name string, s sig, wantTone bool) {
		t.Helper()
		var single, masked, total int
		m := NewToneMask()
		frames(s, func(f *dsp.Frame) {
			tonal := m.Process(f)
			if f.Index < 5 { // the window still holds the start of the signal
				return
			}
			total++
			if IsTone(f) {
				single++
			}
			if tonal {
				masked++
			}
		})
		for what, n := range map[string]int{"IsTone": single, "ToneMask": masked} {
			share := float64(n) / float64(total)
			if wantTone && share < 0.9 || !wantTone && share > 0.05 {
				t.Errorf("%s: %s flags %.0f%% of frames", name, what, share*100)
			}
		}
	}
	check("1 kHz tone", sig{}.tone(1000, 500, -20), true)
	check("tone at 10 dB SNR", sig{}.tone(1400, 500, -20).addNoise(10, 1), true)
	check("US ringback 440+480", sig{}.dual(440, 480, 500, -19), true)
	check("US busy 480+620", sig{}.dual(480, 620, 500, -24), true)
	check("EU ringback 425", sig{}.tone(425, 500, -10), true)
	check("DTMF 1 (697+1209)", sig{}.dual(697, 1209, 500, -10), true)
	check("white noise", sig{}.tone(1000, 500, -80).addNoise(-60, 2), false)
	check("harmonic vowel", vowel(120, 500, 3), false)
	check("quiet tone (-50 dBm0)", sig{}.tone(1000, 500, -50), false)
}

func TestPurity(t *testing.T) {
	s := sig{}.tone(1234, 300, -20)
	var f1, p1 float64
	frames(s, func(f *dsp.Frame) {
		if f.Index == 20 {
			f1, p1 = Purity(f)
		}
	})
	if math.Abs(f1-1234) > 1 || p1 < 30 {
		t.Errorf("Purity = %.2f Hz %.1f dB, want 1234±1 Hz and a pure tone", f1, p1)
	}
	var p2 float64
	frames(sig{}.tone(1234, 300, -20).addNoise(10, 5), func(f *dsp.Frame) {
		if f.Index == 20 {
			_, p2 = Purity(f)
		}
	})
	if p2 < 8 || p2 > 12 {
		t.Errorf("purity at 10 dB SNR = %.1f dB, want ≈ 10", p2)
	}
	var quiet dsp.Frame
	if _, p := Purity(&quiet); p > -99 {
		t.Errorf("silent frame purity %.1f, want -100", p)
	}
}

// vowel synthesises a harmonic series (a crude voiced sound) with a slow
// pitch glide and formant-like amplitudes.
func vowel(f0 float64, ms int, seed uint64) sig {
	r := rand.New(rand.NewPCG(seed, 11))
	n := samplesOf(ms)
	out := make(sig, n)
	phase := make([]float64, 30)
	amp := make([]float64, 30)
	for h := range amp {
		hz := f0 * float64(h+1)
		// Two formants near 700 and 1200 Hz.
		amp[h] = 3000*math.Exp(-math.Pow((hz-700)/300, 2)) + 2000*math.Exp(-math.Pow((hz-1200)/300, 2)) + 300
		phase[h] = r.Float64() * 2 * math.Pi
	}
	for i := 0; i < n; i++ {
		t := float64(i) / rate
		f := f0 * (1 + 0.05*math.Sin(2*math.Pi*3*t))
		var v float64
		for h := range amp {
			if f*float64(h+1) > 3800 {
				break
			}
			phase[h] += 2 * math.Pi * f * float64(h+1) / rate
			v += amp[h] * math.Sin(phase[h])
		}
		out[i] = float32(v)
	}
	return out
}
