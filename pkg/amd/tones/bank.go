package tones

import "github.com/khompctl/khompctl/pkg/amd/dsp"

// Bank runs the four detectors side by side on one shared spectral summary
// per frame, which is what the pipeline wants: the summary (the costliest
// step, ≈ 0.5 µs per frame) is computed once instead of five times.
type Bank struct {
	Fax      *FaxDetector
	SIT      *SITDetector
	Beep     *BeepDetector
	Progress *ProgressDetector
	mask     ToneMask

	ringsSeen, beepsSeen, answerSeen int // what dropRings last looked at
}

// NewBank returns a bank of fresh detectors.
func NewBank() *Bank {
	return &Bank{Fax: NewFax(), SIT: NewSIT(), Beep: NewBeep(), Progress: NewProgress()}
}

// Process feeds one frame to every detector and returns what a ToneMask
// would: the mask the voice-activity detector needs, at no extra cost.
func (b *Bank) Process(f *dsp.Frame) (tonal bool) {
	v := view(f)
	b.Fax.process(f, &v)
	b.SIT.process(f, &v)
	b.Beep.process(f, &v)
	b.Progress.process(f, &v)
	b.dropRings()
	return b.mask.process(f, &v)
}

// dropRings withdraws the beeps that call progress shows to be rings: at
// the ringback's frequency (±35 Hz) and before an answer found after the
// rings. The beep detector alone cannot know a single ring of a region it
// has not heard twice; call progress recognises the cadence (a double
// ring, a ring of 0.7-2.6 s). Only rings that came before anything else
// (a long 400-500 Hz beep after a greeting is a "ring" to call progress)
// and only with an answer after them.
// Cheap: it only looks when a ring, a beep or the answer was added.
func (b *Bank) dropRings() {
	st := &b.Progress.st
	if st.Rings == b.ringsSeen && len(b.Beep.beeps) == b.beepsSeen && st.AnsweredAtMs == b.answerSeen {
		return
	}
	b.ringsSeen, b.answerSeen = st.Rings, st.AnsweredAtMs
	if st.Rings > 0 && st.AnsweredAtMs >= 0 && st.AudioBeforeRingMs < voiceBeforeRing {
		hz, answered := st.RingHz, st.AnsweredAtMs
		b.Beep.withdraw(func(x Beep) bool { return sameRingHz(hz, x.FreqHz) && x.StartMs < answered })
	}
	b.beepsSeen = len(b.Beep.beeps)
}

// Flush ends the audio at endMs: a beep still waiting for its trailing
// silence or cadence hold is reported.
func (b *Bank) Flush(endMs int) { b.Beep.Flush(endMs) }
