package tones

import (
	"fmt"
	"math"
	"math/rand/v2"
	"testing"
)

// withDC adds a constant offset, as some gateways and sound cards record.
func (s sig) withDC(dc float64) sig {
	out := make(sig, len(s))
	for i, v := range s {
		out[i] = v + float32(dc)
	}
	return out
}

// A DC offset of 200-2000 (int16 scale; 1000 is -28 dBm0) must not hide
// a beep or a fax tone, nor change what they are classified as.
func TestDCOffsetBlindsNothing(t *testing.T) {
	r := rand.New(rand.NewPCG(31, 7))
	for _, dc := range []float64{200, -500, 1000, -1500, 2000} {
		for _, c := range []struct {
			hz    float64
			ms    int
			level float64
		}{{1000, 300, -30}, {440, 200, -25}, {2400, 90, -32}, {720, 1200, -20}} {
			g := greeting()
			start := endMsOf(g) + 300
			s := g.silence(300).tone(c.hz, c.ms, c.level).silence(700).noise(-60, r.Uint64()).withDC(dc)
			bs := runBeep(s)
			name := fmt.Sprintf("DC %+.0f, %.0f Hz %d ms %.0f dBm0", dc, c.hz, c.ms, c.level)
			if len(bs) != 1 {
				t.Errorf("%s: got %+v, want one beep", name, bs)
				continue
			}
			if b := bs[0]; math.Abs(b.FreqHz-c.hz) > 3 || abs(b.StartMs-start) > 10 || abs(b.EndMs-start-c.ms) > 10 ||
				math.Abs(b.LevelDB-c.level) > 1 {
				t.Errorf("%s: %+v", name, b)
			}
		}
		fax := map[string]sig{
			"CED":    sig{}.silence(400).tone(2100, 3000, -30),
			"ANSAM":  sig{}.silence(400).append(ans(2100, 3000, -30, 0, 0.2)),
			"ANS_PR": sig{}.silence(400).append(ans(2100, 3300, -30, 450, 0)),
			"CNG":    sig{}.silence(400).tone(1100, 500, -33).silence(3000).tone(1100, 500, -33),
			"V21":    sig{}.silence(400).append(v21Flags(37, -30)),
		}
		for want, s := range fax {
			got := runFax(s.silence(300).withDC(dc))
			if got == nil || got.Signal != want {
				t.Errorf("DC %+.0f: %s detected as %+v", dc, want, got)
			}
		}
		sit, _ := sitSignal("NC", 300, 0, 0, [3]float64{-8, -8, -8}, 300)
		if got := runSIT(sit.withDC(dc)); got == nil || got.Code != "NC" {
			t.Errorf("DC %+.0f: SIT NC at -32 dBm0 decoded as %+v", dc, got)
		}
		eu := sig{}.tone(425, 1000, -16).silence(4000).tone(425, 1000, -16).silence(2000).append(greeting())
		if st := runProgress(eu.withDC(dc)); st.Rings != 2 || abs(st.AnsweredAtMs-(8000+200)) > 20 {
			t.Errorf("DC %+.0f: EU ringback then answer: %+v", dc, st)
		}
	}
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
