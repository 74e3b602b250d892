package amd

import (
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/cadence"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// TestToneMaskRuns: a tone-like run shorter than 100 ms reaches the cadence
// as sound, a longer one as tone from its first frame, together with the
// bridgeFrames (40 ms) of sound just before it (the onset the tone bank
// needs to recognise it) and short gaps inside it; a gap breaks a run that
// is not yet a tone.
func TestToneMaskRuns(t *testing.T) {
	const onsetMs = bridgeFrames * dsp.FrameMs
	for _, tc := range []struct {
		name       string
		runs       []int // alternating tone, sound frame counts after 20 sound frames
		wantToneMs int
	}{
		{"3 frames", []int{3}, 0},
		{"9 frames", []int{9}, 0},
		{"10 frames", []int{10}, 100 + onsetMs},
		{"35 frames", []int{35}, 350 + onsetMs},
		{"a 20 ms dropout inside a tone", []int{20, 2, 20}, 420 + onsetMs},
		{"a 50 ms gap ends the tone", []int{20, 5, 20}, 400 + 2*onsetMs},
		{"gaps break an unconfirmed run", []int{5, 1, 5, 1, 5}, 0},
	} {
		c := cadence.New(cadence.DefaultParams())
		m := newToneMask(c)
		f := &dsp.Frame{Samples: make([]float32, dsp.FrameSamples), Energy: 1e6, MeanAbs: 800, SpecEnergy: 1e9}
		idx := 0
		feed := func(n int, tonal bool) {
			for range n {
				f.Index = idx
				idx++
				m.process(f, tonal)
			}
		}
		feed(20, false)
		for i, n := range tc.runs {
			feed(n, i%2 == 0)
		}
		feed(20, false)
		m.flush(f.EndMs())
		st := c.Stats()
		if st.ToneMs != tc.wantToneMs {
			t.Errorf("%s: cadence heard %d ms of tone, want %d", tc.name, st.ToneMs, tc.wantToneMs)
		}
		if m.n != 0 {
			t.Errorf("%s: %d frames still held", tc.name, m.n)
		}
	}
}

// TestToneMaskDatesDecisions: a decision the cadence reaches on held frames
// is dated when those frames were released, not earlier.
func TestToneMaskDatesDecisions(t *testing.T) {
	p := cadence.DefaultParams()
	p.InitialSilenceMs = 2500 // the timings below assume it
	c := cadence.New(p)
	m := newToneMask(c)
	f := &dsp.Frame{Samples: make([]float32, dsp.FrameSamples)}
	// Digital silence throughout; frames 245-253 are flagged tone-like, so
	// they are held until frame 254 (ends at 2550 ms) breaks the run. The
	// cadence reaches initial_silence (2500 ms) on frame 249 while they are
	// released: that decision was available at 2550 ms.
	for i := 0; i < 400; i++ {
		f.Index = i
		m.process(f, i >= 245 && i <= 253)
	}
	m.flush(f.EndMs())
	d := m.decision(f.EndMs())
	if d == nil || d.Result != cadence.Silence {
		t.Fatalf("decision %+v, want SILENCE", d)
	}
	if d.DecidedMs != 2550 {
		t.Errorf("decision dated %d ms, want 2550 (when the held frames were released)", d.DecidedMs)
	}
	if c.Decision().DecidedMs != 2500 {
		t.Errorf("the cadence's own date changed: %d", c.Decision().DecidedMs)
	}
}
