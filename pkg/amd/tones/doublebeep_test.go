package tones

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// Double beeps (two short beeps 100-300 ms apart, as many voicemails
// play), quiet and short, at every frequency including the 400-500 Hz band
// where a repeated tone is otherwise taken for a busy cadence.
func TestDoubleBeeps(t *testing.T) {
	r := rand.New(rand.NewPCG(75, 3200))
	var found, total int
	for _, hz := range []float64{400, 425, 452, 480, 700, 1000, 1400, 2000, 2600, 3200} {
		for _, c := range []struct{ on1, gap, on2 int }{{140, 140, 110}, {75, 100, 75}, {240, 140, 190}} {
			for _, level := range []float64{-32, -26, -15} {
				total++
				g := greeting()
				start := endMsOf(g) + 200 + r.IntN(300)
				s := g.silence(start-endMsOf(g)).tone(hz, c.on1, level).silence(c.gap).tone(hz, c.on2, level).silence(900)
				s = impair(s, level, 20+r.Float64()*10, r)
				name := fmt.Sprintf("%.0f Hz %d+%d+%d ms %.0f dBm0", hz, c.on1, c.gap, c.on2, level)
				bs := runBeep(s)
				if len(bs) == 0 || math.Abs(bs[0].FreqHz-hz) > 5 || abs(bs[0].StartMs-start) > 10 {
					t.Logf("%s: got %+v, want the first beep at %d", name, bs, start)
					continue
				}
				found++
			}
		}
	}
	t.Logf("double beeps: %d/%d found", found, total)
	if float64(found) < 0.95*float64(total) {
		t.Errorf("double beeps: only %d/%d found", found, total)
	}
}
