package tones

import (
	"math"
	"testing"
)

func TestProgressRingbackAndAnswer(t *testing.T) {
	usRing := func(s sig) sig { return s.dual(440, 480, 2000, -19).silence(4000) }
	euRing := func(s sig) sig { return s.tone(425, 1000, -10).silence(4000) }
	cases := []struct {
		name     string
		s        sig
		region   string
		rings    int
		answered int
	}{
		{"US 2 rings then hello", usRing(usRing(sig{})).silence(0).append(greeting()), "US", 2, 12000 + 200},
		{"EU 3 rings, answer mid-gap", euRing(euRing(sig{}.tone(425, 1000, -10).silence(1500))).append(greeting()), "EU", 3, 2500 + 10000 + 200},
		{"truncated first ring", sig{}.tone(425, 350, -10).silence(4000).tone(425, 1000, -10).silence(2000).append(greeting()), "EU", 2, 7350 + 200},
		{"US ringback in noise, µ-law", usRing(usRing(sig{})).append(greeting()).noise(-50, 3).ulaw(), "US", 2, 12000 + 200},
	}
	for _, c := range cases {
		st := runProgress(c.s)
		if !st.Ringback || st.Region != c.region || st.Rings != c.rings || st.Busy {
			t.Errorf("%s: %+v, want ringback %s ×%d", c.name, st, c.region, c.rings)
			continue
		}
		if math.Abs(float64(st.AnsweredAtMs-c.answered)) > 20 {
			t.Errorf("%s: answered at %d, want %d", c.name, st.AnsweredAtMs, c.answered)
		}
		if st.RingbackMs < 0 || st.LastToneEndMs < 0 {
			t.Errorf("%s: %+v", c.name, st)
		}
	}
}

func TestProgressBusy(t *testing.T) {
	cadence := func(on, off, n int, tone func(sig, int) sig) sig {
		s := sig{}.silence(300)
		for range n {
			s = tone(s, on).silence(off)
		}
		return s
	}
	us := func(s sig, ms int) sig { return s.dual(480, 620, ms, -24) }
	eu := func(s sig, ms int) sig { return s.tone(425, ms, -10) }
	cases := []struct {
		name    string
		s       sig
		region  string
		reorder bool
		maxMs   int
	}{
		{"US busy", cadence(500, 500, 5, us), "US", false, 300 + 3000},
		{"US reorder", cadence(250, 250, 8, us), "US", true, 300 + 1500},
		{"EU busy", cadence(500, 500, 5, eu), "EU", false, 300 + 3000},
		{"BR busy", cadence(250, 250, 8, eu), "BR", true, 300 + 1500},
		{"EU busy 10 dB SNR A-law", cadence(500, 500, 5, eu).noise(-20, 4).alaw(), "EU", false, 300 + 3000},
	}
	for _, c := range cases {
		st := runProgress(c.s)
		if !st.Busy || st.Region != c.region || st.Reorder != c.reorder || st.Ringback {
			t.Errorf("%s: %+v, want busy %s reorder=%v", c.name, st, c.region, c.reorder)
			continue
		}
		if st.BusyMs > c.maxMs {
			t.Errorf("%s: busy confirmed at %d ms, want ≤ %d", c.name, st.BusyMs, c.maxMs)
		}
	}
}

func TestProgressNothingInSpeechOrBeeps(t *testing.T) {
	for name, s := range map[string]sig{
		"greeting":              greeting().append(greeting()),
		"greeting + 1 kHz beep": greeting().tone(1000, 800, -15).silence(1000),
		"silence":               sig{}.silence(5000),
		"DTMF":                  sig{}.dual(697, 1209, 200, -10).silence(200).dual(770, 1336, 200, -10),
	} {
		st := runProgress(s)
		if st.Ringback || st.Busy || st.Rings != 0 || st.AnsweredAtMs != -1 {
			t.Errorf("%s: %+v", name, st)
		}
	}
}
