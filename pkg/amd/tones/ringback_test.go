package tones

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Ringback cadences of the regions a dialer meets (ITU-T E.180 Supplement 2
// and the national specifications): on/off pairs in ms, the summed
// frequencies, and an optional 100 %-ish amplitude modulation of the first
// one (JP 16 Hz, IN/AU 25 Hz).
type ringRegion struct {
	name    string
	cadence []int
	freqs   []float64
	modHz   float64
	dBm0    float64
}

var ringRegions = []ringRegion{
	{"US", []int{2000, 4000}, []float64{440, 480}, 0, -19},
	{"EU", []int{1000, 4000}, []float64{425}, 0, -13},
	{"FR", []int{1500, 3500}, []float64{440}, 0, -15},
	{"UK", []int{400, 200, 400, 2000}, []float64{400, 450}, 0, -19},
	{"IN", []int{400, 200, 400, 2000}, []float64{400}, 25, -17},
	{"AU", []int{400, 200, 400, 2000}, []float64{425}, 25, -15},
	{"DE", []int{1000, 4000}, []float64{425}, 0, -16},
	{"RU", []int{800, 3200}, []float64{425}, 0, -14},
	{"JP", []int{1000, 2000}, []float64{400}, 16, -16},
}

// sines appends summed sines with the given start phases (level per sine).
func (s sig) sines(freqs, phases []float64, ms int, dBm0 float64) sig {
	a := amplitudeOf(dBm0)
	for i := range samplesOf(ms) {
		t := float64(i) / rate
		var v float64
		for k, hz := range freqs {
			v += math.Sin(2*math.Pi*hz*t + phases[k])
		}
		s = append(s, float32(a*v))
	}
	return s
}

// amTone appends a sine amplitude-modulated at modHz with depth 0.9.
func (s sig) amTone(hz, modHz, phase float64, ms int, dBm0 float64) sig {
	a := amplitudeOf(dBm0)
	for i := range samplesOf(ms) {
		t := float64(i) / rate
		env := 1 + 0.9*math.Sin(2*math.Pi*modHz*t+phase)
		s = append(s, float32(a*env/1.2*math.Sin(2*math.Pi*hz*t+2*phase)))
	}
	return s
}

// ringback renders cycles of a region's cadence with random phases and a
// level within ±3 dB of the nominal one.
func ringback(reg ringRegion, cycles int, r *rand.Rand) sig {
	s := sig{}
	lvl := reg.dBm0 + (r.Float64()*2-1)*3
	for range cycles {
		for i := 0; i < len(reg.cadence); i += 2 {
			ph := make([]float64, len(reg.freqs))
			for k := range ph {
				ph[k] = r.Float64() * 2 * math.Pi
			}
			if reg.modHz > 0 {
				s = s.amTone(reg.freqs[0], reg.modHz, ph[0], reg.cadence[i], lvl)
			} else {
				s = s.sines(reg.freqs, ph, reg.cadence[i], lvl)
			}
			s = s.silence(reg.cadence[i+1])
		}
	}
	return s
}

func TestRingbackEveryRegion(t *testing.T) {
	r := rand.New(rand.NewPCG(4, 5))
	for _, reg := range ringRegions {
		for trial := range 6 {
			name := fmt.Sprintf("%s/%d", reg.name, trial)
			s := ringback(reg, 3, r)
			if trial%2 == 1 {
				s = s.noise(-50, r.Uint64()).ulaw()
			}
			a := newAll()
			frames(s, a.process)
			a.beep.Flush(a.end)
			if bs := a.beep.Beeps(); len(bs) != 0 {
				t.Errorf("%s: ringback reported as beeps %+v", name, bs)
			}
			st := a.prog.State()
			if !st.Ringback || st.Busy || st.Rings < 2 {
				t.Errorf("%s: %+v, want ringback, ≥ 2 rings", name, st)
			}
			if want := map[bool]string{true: "US", false: "EU"}[reg.name == "US"]; st.Region != want {
				t.Errorf("%s: region %q, want %q", name, st.Region, want)
			}
			if period := reg.cadence[0] + reg.cadence[1]; len(reg.cadence) == 4 {
				period += reg.cadence[2] + reg.cadence[3]
				if abs(st.RingPeriodMs-period) > 60 {
					t.Errorf("%s: ring period %d ms, want %d", name, st.RingPeriodMs, period)
				}
			} else if abs(st.RingPeriodMs-period) > 60 {
				t.Errorf("%s: ring period %d ms, want %d", name, st.RingPeriodMs, period)
			}
		}
	}
}

// US ringback must be recognised whatever the relative phase of its two
// sines, their levels (-13..-28 dBm0) and a ±3 dB twist between them: the
// 50 ms Goertzel powers at 440 and 480 Hz do not depend on the beat.
func TestUSRingbackAnyPhase(t *testing.T) {
	r := rand.New(rand.NewPCG(440, 480))
	var rings, want int
	for trial := range 24 {
		lvl := -28 + r.Float64()*15
		twist := (r.Float64()*2 - 1) * 3
		s := sig{}
		for range 2 {
			ph := []float64{r.Float64() * 2 * math.Pi, r.Float64() * 2 * math.Pi}
			a := sig{}.sines([]float64{440}, ph[:1], 2000, lvl+twist/2)
			b := sig{}.sines([]float64{480}, ph[1:], 2000, lvl-twist/2)
			s = s.append(mix(a, b)).silence(4000)
		}
		if trial%3 == 0 {
			s = s.noise(lvl-25, r.Uint64()).ulaw()
		}
		st := runProgress(s.append(greeting()))
		rings += st.Rings
		want += 2
		if st.Rings != 2 || st.Region != "US" || abs(st.AnsweredAtMs-12200) > 20 {
			t.Errorf("trial %d (%.1f dBm0, twist %+.1f dB): %+v", trial, lvl, twist, st)
		}
	}
	t.Logf("US ringback, random phases: %d/%d rings", rings, want)
}

// After a ringback the greeting's beep must still be reported, even at the
// ringback's own frequency; the rings themselves never are.
func TestBeepAfterRingbackSurvives(t *testing.T) {
	r := rand.New(rand.NewPCG(8, 9))
	for _, reg := range ringRegions {
		for _, hz := range []float64{reg.freqs[0], 1000} {
			s := ringback(reg, 2, r).append(greeting()).silence(300)
			start := endMsOf(s)
			s = s.tone(hz, 250, -18).silence(1000)
			bs := runBeep(s)
			if len(bs) != 1 || math.Abs(bs[0].FreqHz-hz) > 3 || abs(bs[0].StartMs-start) > 10 {
				t.Errorf("%s ringback then a %.0f Hz beep at %d ms: %+v", reg.name, hz, start, bs)
				continue
			}
			if bs[0].VoiceBeforeMs < 1000 {
				t.Errorf("%s: the beep after the greeting has VoiceBeforeMs %d", reg.name, bs[0].VoiceBeforeMs)
			}
		}
	}
}

// The answer point is where the first word rose out of the line noise,
// not where it became loud: a soft onset 6 dB over the noise (with 50 Hz
// hum and a DC offset) must not move it later, or the word's start is lost.
func TestAnswerPointSoftOnset(t *testing.T) {
	for _, hum := range []float64{-70, -50} {
		s := sig{}.tone(425, 1000, -16).silence(4000).tone(425, 1000, -16).silence(1500)
		answer := endMsOf(s)
		s = s.append(atLevel(vowel(120, 150, 1), -44)).append(atLevel(vowel(120, 300, 2), -20)).silence(2000)
		s = mix(s.noise(-50, 3), sig{}.tone(50, endMsOf(s), hum)).withDC(-400)
		st := runProgress(s)
		if st.Rings != 2 || abs(st.AnsweredAtMs-answer) > 30 {
			t.Errorf("hum %.0f dBm0: %+v, want answered at %d", hum, st, answer)
		}
	}
}

// atLevel scales s to a mean power of dBm0.
func atLevel(s sig, dBm0 float64) sig {
	var p float64
	for _, v := range s {
		p += float64(v) * float64(v)
	}
	g := float32(math.Sqrt(energyOfDBm0(dBm0) / (p / float64(len(s)))))
	for i := range s {
		s[i] *= g
	}
	return s
}

// A callee who answers within a second of a double ring (before the pause
// that confirms it) is still found at the right point.
func TestAnswerRightAfterDoubleRing(t *testing.T) {
	r := rand.New(rand.NewPCG(21, 12))
	for _, reg := range ringRegions[3:6] { // UK, IN, AU
		for _, pause := range []int{300, 600, 1500} {
			s := ringback(reg, 1, r)
			s = s[:len(s)-samplesOf(2000-pause)] // answered `pause` ms into the 2 s off-time
			answer := endMsOf(s) + 200           // greeting() starts with 200 ms of silence
			s = s.append(greeting()).noise(-55, r.Uint64())
			st := runProgress(s)
			if st.Rings != 1 || abs(st.AnsweredAtMs-answer) > 20 {
				t.Errorf("%s, answered %d ms after the double ring: %+v, want answered at %d", reg.name, pause, st, answer)
			}
		}
	}
}

// One ring cycle of any region, then the answer: the Bank reports no beep
// (the beep detector alone cannot tell one 400 ms ring from a beep; call
// progress recognises the cadence and its rings are withdrawn).
func TestBankDropsASingleRingCycle(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 1))
	for _, reg := range ringRegions {
		for trial := range 4 {
			s := ringback(reg, 1, r).append(greeting()).silence(2000)
			if trial%2 == 1 {
				s = s.noise(-50, r.Uint64()).alaw()
			}
			a := newAll()
			frames(s, a.process)
			a.beep.Flush(a.end)
			if bs := a.beep.Beeps(); len(bs) != 0 {
				t.Errorf("%s/%d: one ring cycle reported as beeps %+v (progress %+v)", reg.name, trial, bs, a.prog.State())
			}
		}
	}
}

// A long beep in the ringback band after a greeting is a "ring" to call
// progress, and the sound after it an "answer": the Bank must still report
// it, because rings come before anything else is heard.
func TestBankKeepsALongLowBeepAfterAGreeting(t *testing.T) {
	for _, hz := range []float64{400, 425, 440} {
		s := greeting().silence(300)
		start := endMsOf(s)
		s = s.tone(hz, 1000, -20).silence(400).append(greeting()).silence(1500)
		a := newAll()
		frames(s, a.process)
		a.beep.Flush(a.end)
		bs := a.beep.Beeps()
		if len(bs) != 1 || abs(bs[0].StartMs-start) > 10 {
			t.Errorf("%.0f Hz 1 s beep after a greeting: %+v (progress %+v)", hz, bs, a.prog.State())
		}
		if st := a.prog.State(); st.Rings > 0 && st.AudioBeforeRingMs < 1000 {
			t.Errorf("%.0f Hz: audio before the ring %d ms, want the greeting's", hz, st.AudioBeforeRingMs)
		}
	}
}
