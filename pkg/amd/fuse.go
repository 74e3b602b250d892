package amd

import (
	"fmt"
	"math"

	"github.com/khompctl/khompctl/pkg/amd/asterisk"
	"github.com/khompctl/khompctl/pkg/amd/cadence"
)

// evidence is everything the detectors concluded about one recording, in
// the pipeline's own types, so the decision policy can be tested on its
// own.
type evidence struct {
	endMs      int  // end of the audio
	answeredAt int  // answer point in the recording (0: at the start)
	ringing    bool // ringback was still going on at the end: never answered
	busy       bool
	fax        *FaxResult
	sit        *SITResult
	tmpl       *TemplateResult
	cad        *cadence.Decision // nil when the call was never answered
	ast        *asterisk.Result
	beeps      []Beep
	voice      []cadence.Segment
}

// verdict is the fused decision.
type verdict struct {
	result     string
	decisionMs int
	confidence float64
	conclusion string
	pattern    string
	cause      string
}

// Policy holds the few constants of the fusion, exported through Config so
// they can be documented and tuned.
type Policy struct {
	// EvidenceWindowMs: fax, SIT, template and beep evidence decides the
	// result only when it is found within this long after the answer.
	// Later tones (an agent's conversation, hold music) are still reported
	// but no longer change what the call was.
	EvidenceWindowMs int
	// BeepAfterHumanMs: a beep that starts within this long after the
	// cadence said HUMAN overturns it (a short greeting, a pause, then the
	// beep: a terse voicemail, not a person).
	BeepAfterHumanMs int
	// MinLoneBeepMs and MaxLoneBeeps: with no greeting at all (SILENCE or
	// NOTSURE), a beep makes the call a voicemail only if it lasts at least
	// MinLoneBeepMs and no more than MaxLoneBeeps beeps were heard (a
	// train of bursts is a signalling tone, not a mailbox).
	MinLoneBeepMs int
	MaxLoneBeeps  int
	// GreetingGapMs: a later beep also overturns HUMAN when the speech ran
	// on from the decision to the beep with no pause longer than this (the
	// "person" was a greeting that paused once, then kept talking into its
	// beep). A conversation leaves longer turns; a beep after one (call
	// waiting, a recorder) does not make the call a machine.
	GreetingGapMs int
	// PostBeepQuietMs: a voicemail beep ends the greeting, so the machine
	// is quiet after it. A tone-like vowel inside speech is followed by
	// more speech: a beep shorter than 250 ms after which a voice starts
	// within this long is not the greeting's beep. Such a beep, when it
	// decides the call, is therefore dated no earlier than this long after
	// its end.
	PostBeepQuietMs int
}

// DefaultPolicy returns the documented defaults.
func DefaultPolicy() Policy {
	return Policy{EvidenceWindowMs: 30000, BeepAfterHumanMs: 4000, GreetingGapMs: 2000, MinLoneBeepMs: 100, MaxLoneBeeps: 2,
		PostBeepQuietMs: 300}
}

// Confidences of the tone and template evidence. These detectors either
// see their signal or not; the numbers are their specification-level
// reliability, not calibrated probabilities.
const (
	faxConfidence  = 0.99
	sitConfidence  = 0.98
	beepConfidence = 0.95
)

func (ev *evidence) inWindow(detectedMs int, pol Policy) bool {
	return detectedMs <= ev.answeredAt+pol.EvidenceWindowMs
}

// fuseDefault applies the default profile's precedence:
// fax > SIT > template > cadence + beep.
func fuseDefault(ev *evidence, pol Policy) verdict {
	if f := ev.fax; f != nil && ev.inWindow(f.DetectedMs, pol) {
		return verdict{Fax, f.DetectedMs, faxConfidence, ConclusionFax,
			FaxPattern(f.Signal, !ev.voiceBefore(f.StartMs)), "fax:" + f.Signal}
	}
	if s := ev.sit; s != nil && ev.inWindow(s.DetectedMs, pol) {
		return verdict{SIT, s.DetectedMs, sitConfidence, ConclusionInterception, SITPattern(s.Code), "sit:" + s.Code}
	}
	if t := ev.tmpl; t != nil && ev.inWindow(t.DetectedMs, pol) {
		v := verdict{templateResult(t.Class), t.DetectedMs, 0.9 + 0.09*clamp01(t.Score), t.Class, t.Name, "template:" + t.Name}
		if v.result == Machine && ev.cad != nil && ev.cad.Result == cadence.Machine && ev.cad.DecidedMs < v.decisionMs {
			v.decisionMs = ev.cad.DecidedMs // MACHINE was already known from the cadence
		}
		return v
	}
	return fuseCadence(ev, pol)
}

// fuseCadence combines the cadence verdict with the beep.
func fuseCadence(ev *evidence, pol Policy) verdict {
	beep := ev.greetingBeep(pol)
	if ev.cad == nil {
		return ev.unanswered(beep, pol)
	}
	c := ev.cad
	cause := "cadence:" + c.Cause
	switch c.Result {
	case cadence.Machine:
		v := verdict{Machine, c.DecidedMs, c.Confidence, ConclusionMachine, "", cause}
		if beep != nil {
			v.conclusion, v.pattern = ConclusionVoiceMail, BeepPattern(beep.FreqHz)
			v.confidence = max(v.confidence, beepConfidence)
		}
		return v
	case cadence.Human:
		if beep != nil && (beep.StartMs <= c.DecidedMs+pol.BeepAfterHumanMs || ev.speechRunsInto(c.DecidedMs, beep.StartMs, pol.GreetingGapMs)) {
			return ev.beepVerdict(beep, pol)
		}
		return verdict{Human, c.DecidedMs, c.Confidence, humanConclusion(c.Stats), "", cause}
	case cadence.Silence:
		if ev.loneBeep(beep, pol) {
			return ev.beepVerdict(beep, pol)
		}
		v := verdict{Silence, c.DecidedMs, c.Confidence, ConclusionNoSpeech, "", cause}
		if ev.busy {
			v.conclusion, v.pattern = ConclusionInterception, "Busy tone"
		}
		return v
	}
	if ev.loneBeep(beep, pol) {
		return ev.beepVerdict(beep, pol)
	}
	return verdict{NotSure, c.DecidedMs, c.Confidence, ConclusionUnknown, "", cause}
}

// loneBeep reports whether a beep heard without any greeting is enough to
// call a voicemail: one real beep (or two), not a click-length blip and not
// a train of tone bursts (a signalling or disconnect tone).
func (ev *evidence) loneBeep(b *Beep, pol Policy) bool {
	if b == nil || b.EndMs-b.StartMs < pol.MinLoneBeepMs {
		return false
	}
	n := 0
	for _, o := range ev.beeps {
		if o.StartMs >= ev.answeredAt && ev.inWindow(o.DetectedMs, pol) {
			n++
		}
	}
	return n <= pol.MaxLoneBeeps
}

// beepVerdict makes the call a voicemail on its beep. A vowel-length beep
// needs the quiet after it (see PostBeepQuietMs), so it is available once
// that was heard, or at the end of the audio.
func (ev *evidence) beepVerdict(b *Beep, pol Policy) verdict {
	at := b.DetectedMs
	if vowelLength(b) {
		at = max(at, min(b.EndMs+pol.PostBeepQuietMs, ev.endMs))
	}
	return verdict{Machine, at, beepConfidence, ConclusionVoiceMail, BeepPattern(b.FreqHz),
		fmt.Sprintf("beep:%.0fHz", b.FreqHz)}
}

// unanswered is the verdict when ringback (or busy) never gave way to an
// answer: nobody spoke.
func (ev *evidence) unanswered(beep *Beep, pol Policy) verdict {
	if ev.loneBeep(beep, pol) {
		return ev.beepVerdict(beep, pol)
	}
	if ev.busy {
		return verdict{Silence, ev.endMs, 0.9, ConclusionInterception, "Busy tone", "progress:busy"}
	}
	return verdict{Silence, ev.endMs, 0.9, ConclusionRingback, "Ring", "progress:ringback"}
}

// fuseAsterisk makes the result follow Asterisk's AMD(); the KHOMP
// vocabulary is filled from it (with the beep for the voicemail pattern).
// Asterisk gives no confidence, so it is nominal: 0.9 when the default
// profile agrees, 0.6 when it does not, 0.3 for NOTSURE.
func fuseAsterisk(ev *evidence, pol Policy) verdict {
	a := ev.ast
	v := verdict{result: a.Status, decisionMs: a.DecidedMs, cause: "asterisk:" + a.Cause}
	switch a.Status {
	case asterisk.StatusMachine:
		v.conclusion = ConclusionMachine
		if b := ev.greetingBeep(pol); b != nil {
			v.conclusion, v.pattern = ConclusionVoiceMail, BeepPattern(b.FreqHz)
		}
	case asterisk.StatusHuman:
		v.conclusion = ConclusionShortHuman
		if ev.cad != nil {
			v.conclusion = humanConclusion(ev.cad.Stats)
		}
	default:
		v.result, v.conclusion = NotSure, ConclusionUnknown
	}
	switch {
	case v.result == NotSure:
		v.confidence = 0.3
	case fuseDefault(ev, pol).result == v.result:
		v.confidence = 0.9
	default:
		v.confidence = 0.6
	}
	return v
}

func humanConclusion(st cadence.Stats) string {
	if st.FirstUtteranceMs >= longHumanMs {
		return ConclusionLongHuman
	}
	return ConclusionShortHuman
}

// speechRunsInto reports whether speech went on from fromMs until toMs
// without a silence longer than maxGap (counting the silence from fromMs to
// the first word after it and from the last word to toMs).
func (ev *evidence) speechRunsInto(fromMs, toMs, maxGap int) bool {
	last, spoke := fromMs, false
	for _, s := range ev.voice {
		if s.EndMs <= fromMs || s.StartMs >= toMs {
			continue
		}
		if s.StartMs-last > maxGap {
			return false
		}
		last, spoke = max(last, s.EndMs), true
	}
	return spoke && toMs-last <= maxGap
}

// greetingBeep is the beep that ends the greeting (see endsGreeting),
// among those found inside the evidence window.
func (ev *evidence) greetingBeep(pol Policy) *Beep {
	return ev.greetingEndBeep(pol, func(b *Beep) bool { return ev.inWindow(b.DetectedMs, pol) })
}

// reportedBeep is the beep the `beep` field shows: the one that ends the
// greeting, wherever it is. Tones that cannot be that beep (ringback
// before the answer, a vowel inside speech, a fax or SIT tone) are not
// reported there; `beeps` still lists them.
func (ev *evidence) reportedBeep(pol Policy) *Beep {
	return ev.greetingEndBeep(pol, func(*Beep) bool { return true })
}

// greetingEndBeep returns the first beep accepted by ok that can end a
// greeting. When several beeps were heard this is the one after the
// greeting: earlier ones were followed by more speech.
func (ev *evidence) greetingEndBeep(pol Policy, ok func(*Beep) bool) *Beep {
	firstVoice := ev.firstVoiceAfterAnswer()
	for i := range ev.beeps {
		if b := &ev.beeps[i]; ok(b) && ev.endsGreeting(b, firstVoice, pol) {
			return b
		}
	}
	return nil
}

// endsGreeting reports whether a beep can be the one that ends a voicemail
// greeting: after the answer (before it, a tone is ringback or line
// signalling), not before the first voice after the answer (a greeting
// comes first; only when nobody spoke at all may a beep stand alone), not
// inside a word (a sung or drawled vowel), not followed by more speech,
// and not part of a fax or SIT signal.
func (ev *evidence) endsGreeting(b *Beep, firstVoiceMs int, pol Policy) bool {
	switch {
	case b.StartMs < ev.answeredAt:
		return false
	case firstVoiceMs >= 0 && b.StartMs < firstVoiceMs:
		return false
	case ev.insideSpeech(b) || ev.speechResumes(b, pol.PostBeepQuietMs):
		return false
	case ev.partOfFax(b) || ev.partOfSIT(b):
		return false
	}
	return true
}

// firstVoiceAfterAnswer is the start of the first voice segment at or
// after the answer, -1 when nobody spoke.
func (ev *evidence) firstVoiceAfterAnswer() int {
	for _, s := range ev.voice {
		if s.StartMs >= ev.answeredAt {
			return s.StartMs
		}
	}
	return -1
}

// insideSpeech reports whether a beep lies within one voice segment: the
// voice detector heard speech run through it (a steady sung or drawled
// vowel), so it is not the beep that ends a greeting.
func (ev *evidence) insideSpeech(b *Beep) bool {
	for _, s := range ev.voice {
		if s.StartMs < b.StartMs && s.EndMs > b.EndMs {
			return true
		}
	}
	return false
}

// resumeSlackMs: a voice segment that starts this little before the end of
// a beep is speech resuming, not the beep itself heard as a word (a beep
// under 100 ms is not masked as a tone, so its own segment starts with it).
const resumeSlackMs = 20

// maxVowelBeepMs: a tone-like vowel inside running speech that passes the
// beep detector's purity tests is short; a longer pure tone is a real beep,
// whatever follows it (babble or the caller's message after a voicemail
// beep must not hide it).
const maxVowelBeepMs = 250

func vowelLength(b *Beep) bool { return b.EndMs-b.StartMs < maxVowelBeepMs }

// speechResumes reports whether a vowel-length beep is followed by a voice
// within quietMs of its end: the speaker went on, so the tone was part of
// the speech.
func (ev *evidence) speechResumes(b *Beep, quietMs int) bool {
	if !vowelLength(b) {
		return false
	}
	for _, s := range ev.voice {
		if s.StartMs >= b.EndMs-resumeSlackMs && s.StartMs <= b.EndMs+quietMs {
			return true
		}
	}
	return false
}

// partOfFax: once a fax or modem signal has started, every tone after it is
// fax signalling (CNG repeats at 1100 Hz, CED/ANS, V.21), not a beep.
func (ev *evidence) partOfFax(b *Beep) bool {
	return ev.fax != nil && b.EndMs > ev.fax.StartMs
}

// sitSlackMs absorbs the detectors' edge timing when comparing a beep with
// the SIT's segments; sitSameHz is the relative frequency tolerance that
// makes a later tone a repeat of a SIT segment.
const (
	sitSlackMs = 20
	sitSameHz  = 0.02
)

// partOfSIT: a beep that overlaps the SIT's three segments is one of them,
// and a later tone at a segment's frequency is the SIT repeated after its
// announcement.
func (ev *evidence) partOfSIT(b *Beep) bool {
	s := ev.sit
	if s == nil {
		return false
	}
	end := s.StartMs
	for _, seg := range s.Segments {
		end += seg.DurMs
		if b.StartMs >= s.StartMs && math.Abs(b.FreqHz-seg.FreqHz) <= sitSameHz*seg.FreqHz {
			return true
		}
	}
	return b.StartMs < end+sitSlackMs && b.EndMs > s.StartMs-sitSlackMs
}

// voiceBefore reports whether speech was heard, after the answer, before t
// (KHOMP's fax patterns say "before Voice" when it was not).
func (ev *evidence) voiceBefore(t int) bool {
	for _, s := range ev.voice {
		if s.StartMs >= ev.answeredAt && s.StartMs < t {
			return true
		}
	}
	return false
}

func clamp01(x float64) float64 { return max(0, min(x, 1)) }
