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
	return b.mask.process(f, &v)
}

// Flush ends the audio at endMs: a beep still waiting for its trailing
// silence or cadence hold is reported.
func (b *Bank) Flush(endMs int) { b.Beep.Flush(endMs) }
