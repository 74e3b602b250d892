package tones

import (
	"math"
	"math/rand/v2"
	"testing"
)

// Randomised recall tests over the specification ranges (deterministic
// seeds). They hold the figures quoted in docs/amd.md.

// impair applies a random level, noise at snr dB below the tone level and a
// G.711 round trip (µ-law or A-law).
func impair(s sig, toneDBm0, snrDB float64, r *rand.Rand) sig {
	s = s.noise(toneDBm0-snrDB, r.Uint64())
	if r.IntN(2) == 0 {
		return s.ulaw()
	}
	return s.alaw()
}

func TestSITRecallRandomised(t *testing.T) {
	r := rand.New(rand.NewPCG(2024, 1))
	const perCode = 12
	var ok, total int
	for _, c := range sitCodes {
		for range perCode {
			freqs := [3]float64{c.f1, c.f2, c.f3}
			durs := [3]float64{c.dur1, c.dur2, sitLong}
			if c.name == "ITU" {
				durs = [3]float64{330, 330, 330}
			}
			level := -30 + r.Float64()*12 // -30..-18 dBm0
			lead := 100 + r.IntN(800)
			s := sig{}.silence(lead)
			end := lead
			for i := range 3 {
				hz := freqs[i] * (1 + (r.Float64()*2-1)*0.005) // ±0.5 % each
				ms := int(durs[i] * (1 + (r.Float64()*2-1)*0.05))
				s = s.tone(hz, ms, level+(r.Float64()*2-1)*1.5) // segments within 3 dB
				end += ms
			}
			s = impair(s.silence(300), level, 15+r.Float64()*15, r)
			total++
			got := runSIT(s)
			switch {
			case got == nil:
				t.Logf("%s: missed", c.name)
			case got.Code != c.name:
				t.Logf("%s: decoded as %s %+v", c.name, got.Code, got.Segments)
			case got.DetectedMs > end+100:
				t.Logf("%s: late, %d ms after the end", c.name, got.DetectedMs-end)
			default:
				ok++
			}
		}
	}
	acc := float64(ok) / float64(total)
	t.Logf("SIT: %d/%d decoded right and in time (%.1f %%)", ok, total, 100*acc)
	if acc < 0.99 {
		t.Errorf("SIT accuracy %.1f %% < 99 %%", 100*acc)
	}
}

func TestFaxRecallRandomised(t *testing.T) {
	r := rand.New(rand.NewPCG(77, 1))
	type gen struct {
		signal string
		make   func(level float64) sig
		maxMs  int // detection latency from onset
	}
	gens := []gen{
		{"CNG", func(l float64) sig {
			return sig{}.tone(1100+(r.Float64()*2-1)*30, 500, l).silence(3000).tone(1100, 500, l)
		}, 450},
		{"CED", func(l float64) sig { return sig{}.tone(2100+(r.Float64()*2-1)*12, 3000, l) }, 600},
		{"ANS_PR", func(l float64) sig { return ans(2100, 3300, l, 450, 0) }, 1000},
		{"ANSAM", func(l float64) sig { return ans(2100, 3000, l, 0, 0.2) }, 600},
		{"V21", func(l float64) sig { return v21Flags(37, l) }, 107 + 133 + 200},
		{"BELL2225", func(l float64) sig { return sig{}.tone(2225, 2000, l) }, 600},
	}
	const perSignal = 15
	for _, g := range gens {
		ok := 0
		for range perSignal {
			level := -43 + r.Float64()*33 // -43..-10 dBm0
			lead := 200 + r.IntN(1000)
			s := impair(sig{}.silence(lead).append(g.make(level)).silence(500), level, 10+r.Float64()*20, r)
			got := runFax(s)
			switch {
			case got == nil:
				t.Logf("%s at %.1f dBm0: missed", g.signal, level)
			case got.Signal != g.signal:
				t.Logf("%s at %.1f dBm0: got %s", g.signal, level, got.Signal)
			case got.DetectedMs-lead > g.maxMs:
				t.Logf("%s: late (%d ms)", g.signal, got.DetectedMs-lead)
			default:
				ok++
			}
		}
		t.Logf("%s: %d/%d", g.signal, ok, perSignal)
		if ok < perSignal {
			t.Errorf("%s recall %d/%d", g.signal, ok, perSignal)
		}
	}
}

func TestBeepRecallRandomised(t *testing.T) {
	r := rand.New(rand.NewPCG(99, 1))
	const n = 120
	var ok int
	var maxErr float64
	var latency, heldLatency []int
	for range n {
		hz := 300 + r.Float64()*3100
		ms := 70 + r.IntN(1431)
		level := -35 + r.Float64()*25
		g := greeting()
		start := endMsOf(g) + 100 + r.IntN(500)
		s := g.silence(start-endMsOf(g)).tone(hz, ms, level).silence(800)
		s = impair(s, level, 15+r.Float64()*15, r)
		bs := runBeep(s)
		if len(bs) != 1 {
			t.Logf("%.1f Hz %d ms %.1f dBm0: got %+v", hz, ms, level, bs)
			continue
		}
		err := math.Abs(bs[0].FreqHz - hz)
		maxErr = math.Max(maxErr, err)
		if err > 5 {
			t.Logf("%.1f Hz: measured %.1f", hz, bs[0].FreqHz)
			continue
		}
		ok++
		if bs[0].FreqHz >= progressLoHz && bs[0].FreqHz <= progressHiHz {
			heldLatency = append(heldLatency, bs[0].DetectedMs-(start+ms))
		} else {
			latency = append(latency, bs[0].DetectedMs-(start+ms))
		}
	}
	t.Logf("beep: %d/%d found with frequency within 5 Hz (max error %.2f Hz), reported %v ms after the trailing edge (400-500 Hz, held: %v ms)",
		ok, n, maxErr, minMax(latency), minMax(heldLatency))
	if lat := minMax(latency); lat[1] > 100 {
		t.Errorf("a beep was reported %d ms after its end, want ≤ 100", lat[1])
	}
	if float64(ok) < 0.98*n {
		t.Errorf("beep recall %d/%d < 98 %%", ok, n)
	}
}

func minMax(v []int) [2]int {
	if len(v) == 0 {
		return [2]int{}
	}
	lo, hi := v[0], v[0]
	for _, x := range v {
		lo, hi = min(lo, x), max(hi, x)
	}
	return [2]int{lo, hi}
}
