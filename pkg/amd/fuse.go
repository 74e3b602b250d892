package amd

import (
	"fmt"

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
}

// DefaultPolicy returns the documented defaults.
func DefaultPolicy() Policy {
	return Policy{EvidenceWindowMs: 30000, BeepAfterHumanMs: 4000, GreetingGapMs: 2000, MinLoneBeepMs: 100, MaxLoneBeeps: 2}
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
			return beepVerdict(beep)
		}
		return verdict{Human, c.DecidedMs, c.Confidence, humanConclusion(c.Stats), "", cause}
	case cadence.Silence:
		if ev.loneBeep(beep, pol) {
			return beepVerdict(beep)
		}
		v := verdict{Silence, c.DecidedMs, c.Confidence, ConclusionNoSpeech, "", cause}
		if ev.busy {
			v.conclusion, v.pattern = ConclusionInterception, "Busy tone"
		}
		return v
	}
	if ev.loneBeep(beep, pol) {
		return beepVerdict(beep)
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

func beepVerdict(b *Beep) verdict {
	return verdict{Machine, b.DetectedMs, beepConfidence, ConclusionVoiceMail, BeepPattern(b.FreqHz),
		fmt.Sprintf("beep:%.0fHz", b.FreqHz)}
}

// unanswered is the verdict when ringback (or busy) never gave way to an
// answer: nobody spoke.
func (ev *evidence) unanswered(beep *Beep, pol Policy) verdict {
	if ev.loneBeep(beep, pol) {
		return beepVerdict(beep)
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

// greetingBeep is the first beep inside the evidence window that follows
// the start of the greeting (any beep when nobody spoke), not counting
// tone-like bits inside the speech itself.
func (ev *evidence) greetingBeep(pol Policy) *Beep {
	return ev.firstBeepAfterVoice(func(b *Beep) bool { return ev.inWindow(b.DetectedMs, pol) })
}

// reportedBeep is the beep the `beep` field shows: the first after the
// start of the greeting wherever it is, else the first one.
func (ev *evidence) reportedBeep() *Beep {
	if b := ev.firstBeepAfterVoice(func(*Beep) bool { return true }); b != nil {
		return b
	}
	if len(ev.beeps) > 0 {
		return &ev.beeps[0]
	}
	return nil
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

func (ev *evidence) firstBeepAfterVoice(ok func(*Beep) bool) *Beep {
	firstVoice := -1
	for _, s := range ev.voice {
		if s.StartMs >= ev.answeredAt {
			firstVoice = s.StartMs
			break
		}
	}
	for i := range ev.beeps {
		b := &ev.beeps[i]
		if b.StartMs < ev.answeredAt || !ok(b) || ev.insideSpeech(b) {
			continue
		}
		if firstVoice < 0 || b.StartMs >= firstVoice {
			return b
		}
	}
	return nil
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
