package amd

import (
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/cadence"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// TestToneMaskRuns: a tone-like run shorter than 100 ms reaches the cadence
// as sound, a longer one as tone from its first frame, and every frame
// arrives once, in order.
func TestToneMaskRuns(t *testing.T) {
	for _, tc := range []struct {
		run, wantToneMs int
	}{
		{3, 0}, {9, 0}, {10, 100}, {35, 350},
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
		feed(tc.run, true)
		feed(20, false)
		m.flush(f.EndMs())
		st := c.Stats()
		if st.ToneMs != tc.wantToneMs {
			t.Errorf("run of %d tone frames: cadence heard %d ms of tone, want %d", tc.run, st.ToneMs, tc.wantToneMs)
		}
		if m.n != 0 {
			t.Errorf("run of %d: %d frames still held", tc.run, m.n)
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
