package amd

import (
	"github.com/khompctl/khompctl/pkg/amd/cadence"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// minToneRunFrames is how many consecutive tone-like frames (100 ms) it
// takes before they are hidden from the voice detector as a tone. Beeps,
// fax and SIT tones and ringback last longer; a voiced syllable whose energy
// sits in one or two harmonics (a low voice through a GSM codec or a narrow
// line) can look like a tone for a few frames but not for 100 ms. A shorter
// tone run is handed on as audio: at < 100 ms it is below the shortest
// word the cadence counts.
const minToneRunFrames = 10

// toneMask sits between the tone bank and the cadence. It holds back the
// frames of a tone-like run until the run is either long enough to be a
// tone or broken (then it was sound, possibly speech), so the cadence gets
// every frame in order with a reliable "tonal" flag. The cadence therefore
// runs at most minToneRunFrames behind the audio, and only during such
// runs; any decision it reaches is dated no earlier than the audio that was
// actually needed for it.
type toneMask struct {
	cad  *cadence.Cadence
	held [minToneRunFrames]heldFrame
	n    int // frames held
	run  int // length of the current tone-like run (may exceed n once confirmed)

	nowMs    int               // end of the newest frame seen
	seen     *cadence.Decision // the cadence decision last seen
	seenAtMs int               // when it was first available
}

type heldFrame struct {
	f       dsp.Frame
	samples [dsp.FrameSamples]float32
}

func newToneMask(c *cadence.Cadence) *toneMask { return &toneMask{cad: c} }

// process takes the next frame and the tone bank's flag for it.
func (m *toneMask) process(f *dsp.Frame, tonal bool) {
	m.nowMs = f.EndMs()
	switch {
	case !tonal:
		m.release(false)
		m.run = 0
		m.feed(f, false)
	case m.run >= minToneRunFrames:
		m.run++
		m.feed(f, true) // a confirmed tone
	default:
		m.run++
		m.hold(f)
		if m.run == minToneRunFrames {
			m.release(true)
		}
	}
}

func (m *toneMask) hold(f *dsp.Frame) {
	h := &m.held[m.n]
	h.f = *f
	copy(h.samples[:], f.Samples)
	h.f.Samples = h.samples[:]
	m.n++
}

// release hands the held frames to the cadence, as tone or as sound.
func (m *toneMask) release(tonal bool) {
	for i := 0; i < m.n; i++ {
		m.feed(&m.held[i].f, tonal)
	}
	m.n = 0
}

func (m *toneMask) feed(f *dsp.Frame, tonal bool) {
	m.cad.Process(f, tonal)
	m.note()
}

// note records when the cadence's current decision became available: the
// end of the newest audio frame, which is later than the decision's own
// frame when held frames were just released.
func (m *toneMask) note() {
	if d := m.cad.Decision(); d != m.seen {
		m.seen, m.seenAtMs = d, m.nowMs
	}
}

// answer restarts the cadence at the answer point (call progress).
func (m *toneMask) answer(ms int) {
	m.cad.Answer(ms)
	m.note()
}

// flush releases what is held at the end of the audio (a run that never
// reached the length of a tone was sound).
func (m *toneMask) flush(endMs int) {
	m.nowMs = max(m.nowMs, endMs)
	m.release(false)
}

// decision is the cadence's verdict, deciding with what was heard if it had
// not decided by the end, dated when it was available.
func (m *toneMask) decision(endMs int) *cadence.Decision {
	d := m.cad.Decision()
	if d == nil {
		return m.cad.Finish(endMs)
	}
	if d == m.seen && m.seenAtMs > d.DecidedMs {
		dated := *d
		dated.DecidedMs = m.seenAtMs
		return &dated
	}
	return d
}
