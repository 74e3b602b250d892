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
			if !st.Ringback || st.Busy {
				t.Errorf("%s: %+v, want ringback", name, st)
			}
		}
	}
}
