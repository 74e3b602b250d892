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

// bridgeFrames is how many non-tonal frames the mask looks ahead. The tone
// bank needs a few frames to recognise a tone (its 32 ms window sees only
// part of the onset, and a call-progress pair beats), and it drops the odd
// frame inside a ring. So up to bridgeFrames sound frames just before a
// tone go with the tone (a dropout inside a ring is the onset of the run
// that follows it). Without that, the onset of every ring reaches the
// voice detector as a loud "word" and raises its foreground level far above
// the callee's voice. Any sound frame ends a run, though: voiced speech
// over hum has sporadic tone-like frames that must not add up across
// syllables.
const bridgeFrames = 4

// maxHeldFrames bounds the frames held: a tone-like run that has not been
// confirmed after this many frames (tonal frames sparse among gaps) is
// released as sound.
const maxHeldFrames = 48

// toneMask sits between the tone bank and the cadence. It holds back the
// frames of a tone-like run until the run is either long enough to be a
// tone or broken (then it was sound, possibly speech), so the cadence gets
// every frame in order with a reliable "tonal" flag. The cadence therefore
// runs behind the audio by at most bridgeFrames, and by at most
// maxHeldFrames during a tone-like run; any decision it reaches is dated
// no earlier than the audio that was actually needed for it.
type toneMask struct {
	cad  *cadence.Cadence
	held [maxHeldFrames]heldFrame // a ring: the oldest at head
	head int
	n    int // frames held
	// tonal counts the tonal frames of the current run (not the sound
	// frames bridged into it); the run is a tone once it reaches
	// minToneRunFrames.
	tonal     int
	confirmed bool
	sound     int // trailing sound frames held after the run (or alone)

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
	if m.n == maxHeldFrames {
		m.endRun() // an unconfirmed run this long is not a tone
	}
	if !tonal && m.tonal > 0 {
		// The run ends. One broken before it was long enough for a tone
		// was sound (a voiced syllable can look tonal for a few frames);
		// a confirmed one is already out. A dropout inside a tone starts
		// a new run, which takes the dropout frames as its onset.
		m.release(m.n, false)
		m.tonal, m.confirmed, m.sound = 0, false, 0
	}
	m.hold(f)
	if !tonal {
		m.sound++
		if m.sound > bridgeFrames {
			m.endRun()
		}
		return
	}
	// The sound frames just held join the run: the tone's onset, or a
	// short gap inside a confirmed tone.
	m.sound = 0
	m.tonal++
	if m.tonal >= minToneRunFrames {
		m.confirmed = true
	}
	if m.confirmed {
		m.releaseAll(true)
	}
}

// endRun closes an unconfirmed run (or a confirmed one that has ended: its
// frames are already out): the frames go to the cadence as sound, except
// the last bridgeFrames sound frames, which stay held as the possible
// onset of the next run.
func (m *toneMask) endRun() {
	keep := min(m.sound, bridgeFrames)
	m.release(m.n-keep, false)
	m.tonal, m.confirmed, m.sound = 0, false, keep
}

func (m *toneMask) hold(f *dsp.Frame) {
	h := &m.held[(m.head+m.n)%maxHeldFrames]
	h.f = *f
	copy(h.samples[:], f.Samples)
	h.f.Samples = h.samples[:]
	m.n++
}

// releaseAll hands every held frame to the cadence.
func (m *toneMask) releaseAll(tonal bool) { m.release(m.n, tonal) }

// release hands the oldest k held frames to the cadence, as tone or as
// sound.
func (m *toneMask) release(k int, tonal bool) {
	for ; k > 0; k-- {
		m.feed(&m.held[m.head].f, tonal)
		m.head = (m.head + 1) % maxHeldFrames
		m.n--
	}
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
	m.release(m.n, false) // a confirmed run's frames are already out
	m.tonal, m.confirmed, m.sound = 0, false, 0
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
