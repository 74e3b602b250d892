package tones

import (
	"math/rand/v2"
	"testing"
)

// ITU SITs anywhere in E.180's ±50 Hz bands (and 260-400 ms segments) must
// decode as ITU, not as the NANP code whose tones happen to be near; the
// NANP codes with a common clock error of ±1.5 % (frequencies and
// durations alike) must keep their code.
func TestSITFamiliesAcrossTolerances(t *testing.T) {
	r := rand.New(rand.NewPCG(180, 3))
	var ituWrong, ituTotal int
	for _, f1 := range []float64{-50, -25, 0, 25, 50} {
		for _, f2 := range []float64{-50, 0, 50} {
			for _, f3 := range []float64{-50, -22, 0, 50} {
				ituTotal++
				freqs := [3]float64{ituFreqs[0] + f1, ituFreqs[1] + f2, ituFreqs[2] + f3}
				// Tones that also fit a NANP code precisely (900/1350/1750
				// is IC with a -1.5 % clock) are told apart by the
				// durations only: give those the nominal 330 ms.
				ambiguous := false
				for _, c := range sitCodes[:8] {
					if _, ok := freqCost(freqs, [3]float64{c.f1, c.f2, c.f3}); ok {
						ambiguous = true
					}
				}
				s := sig{}.silence(200)
				for _, f := range freqs {
					ms := 260 + r.IntN(141) // 330±70
					if ambiguous {
						ms = 330
					}
					s = s.tone(f, ms, -22)
				}
				s = s.silence(300).noise(-50, r.Uint64())
				if got := runSIT(s); got == nil || got.Code != "ITU" {
					ituWrong++
					t.Errorf("ITU %+.0f/%+.0f/%+.0f Hz: %+v", f1, f2, f3, got)
				}
			}
		}
	}
	t.Logf("ITU across ±50 Hz: %d/%d wrong", ituWrong, ituTotal)
	for _, c := range sitCodes {
		if c.name == "ITU" {
			continue
		}
		for _, clk := range []float64{-0.015, -0.0075, 0, 0.0075, 0.015} {
			s := sig{}.silence(200)
			for i, f := range [3]float64{c.f1, c.f2, c.f3} {
				d := [3]float64{c.dur1, c.dur2, sitLong}[i]
				s = s.tone(f*(1+clk), int(d/(1+clk)), -22)
			}
			s = s.silence(300).noise(-50, r.Uint64()).ulaw()
			if got := runSIT(s); got == nil || got.Code != c.name {
				t.Errorf("%s with %+.2f %% clock error: %+v", c.name, clk*100, got)
			}
		}
	}
}
