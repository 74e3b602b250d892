package amd

import (
	"math"
	"testing"
)

// The fusion rules for beeps and the answer point, checked end to end on
// audio: real speech from the parity recordings, synthesised tones.

// clip returns samples [fromMs, toMs) of a recording.
func clip(s []float32, fromMs, toMs int) []float32 {
	return append([]float32(nil), s[fromMs*8:min(toMs*8, len(s))]...)
}

// quiet is a line with a faint noise floor (about -75 dBm0), so the
// detectors see a real line rather than digital silence.
func quiet(ms int) []float32 {
	out := make([]float32, ms*8)
	seed := uint32(ms) + 12345
	for i := range out {
		seed = seed*1664525 + 1013904223
		out[i] = float32(int32(seed>>16)-32768) / 32768 * 4
	}
	return out
}

// toneBurst is a sine of amp (int16 scale) with 5 ms raised-cosine edges.
func toneBurst(hz float64, ms int, amp float64) []float32 {
	n := ms * 8
	out := make([]float32, n)
	const edge = 40
	for i := range out {
		g := 1.0
		if k := min(i, n-1-i); k < edge {
			g = 0.5 - 0.5*math.Cos(math.Pi*float64(k)/edge)
		}
		out[i] = float32(amp * g * math.Sin(2*math.Pi*hz*float64(i)/8000))
	}
	return out
}

// euRings is n rings of European ringback: 425 Hz, 1 s on, 4 s off, at
// about -14 dBm0. The last ring's off period is left to the caller.
func euRings(n int) []float32 {
	var out []float32
	for i := 0; i < n; i++ {
		out = append(out, toneBurst(425, 1000, 4000)...)
		if i < n-1 {
			out = append(out, quiet(4000)...)
		}
	}
	return out
}

// sitIC is the NANP intercept SIT: 913.8 Hz 274 ms, 1370.6 Hz 274 ms,
// 1776.7 Hz 380 ms.
func sitIC() []float32 {
	return join(toneBurst(913.8, 274, 5000), toneBurst(1370.6, 274, 5000), toneBurst(1776.7, 380, 5000))
}

func join(parts ...[]float32) []float32 {
	var out []float32
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func analyzeSamples(t *testing.T, s []float32) *Result {
	t.Helper()
	cfg := DefaultConfig()
	cfg.Events = true
	return analyzeBytes(t, wavBytes(t, s), cfg)
}

// hello is the parity "hello" (speech in 50-490 ms).
func hello(t *testing.T) []float32 { return clip(loadParity(t, "03_hello_at_t0.wav"), 0, 600) }

// greeting is a voicemail greeting: 6.1 s of fluent speech.
func greeting(t *testing.T) []float32 { return clip(loadParity(t, "06_voicemail_at_t0.wav"), 0, 6100) }

func TestGreetingBeepMakesVoicemail(t *testing.T) {
	res := analyzeSamples(t, join(greeting(t), quiet(400), toneBurst(1000, 400, 8000), quiet(3000)))
	if res.Result != Machine || res.Conclusion != ConclusionVoiceMail || res.Pattern != "Voice mail 1000Hz" {
		t.Fatalf("got %s %q/%q (%s), want a 1000 Hz voicemail", res.Result, res.Conclusion, res.Pattern, res.Cause)
	}
	if b := res.Beep; b == nil || math.Abs(b.FreqHz-1000) > 10 || b.StartMs < 6400 || b.StartMs > 6600 {
		t.Fatalf("beep %+v, want 1000 Hz at about 6500 ms", b)
	}
}

// A tone-like sound between two words, with speech right after it, is not
// the beep that ends a greeting: it must not turn a person into a
// voicemail.
func TestToneInsideSpeechIsNotTheBeep(t *testing.T) {
	h := hello(t)
	res := analyzeSamples(t, join(h, quiet(150), toneBurst(600, 160, 6000), quiet(150), h, quiet(5000)))
	if len(res.Beeps) == 0 {
		t.Fatalf("the beep detector did not hear the 600 Hz tone: the test proves nothing (result %+v)", res)
	}
	if res.Beep != nil {
		t.Errorf("beep %+v reported, but speech resumed 150 ms after it", res.Beep)
	}
	if res.Result != Human {
		t.Errorf("result %s (%s), want HUMAN: a tone followed by speech does not make a voicemail", res.Result, res.Cause)
	}
}

// With several beep-like tones, the one after the greeting is the beep.
func TestBeepAfterTheGreetingIsChosen(t *testing.T) {
	g := greeting(t)
	res := analyzeSamples(t, join(clip(g, 0, 2000), quiet(150), toneBurst(600, 160, 6000), quiet(150),
		clip(g, 2300, 6100), quiet(400), toneBurst(1400, 300, 8000), quiet(3000)))
	if len(res.Beeps) < 2 {
		t.Fatalf("beeps %+v: want the tone inside the greeting and the beep after it", res.Beeps)
	}
	if b := res.Beep; b == nil || math.Abs(b.FreqHz-1400) > 14 {
		t.Fatalf("beep %+v, want the 1400 Hz one after the greeting", b)
	}
	if res.Result != Machine || res.Pattern != "Voice mail 1400Hz" {
		t.Errorf("got %s %q (%s)", res.Result, res.Pattern, res.Cause)
	}
}

// Ringback before the answer is never a beep, and the answer point is the
// first audio after it.
func TestRingbackIsNotABeep(t *testing.T) {
	res := analyzeSamples(t, join(euRings(2), quiet(1200), hello(t), quiet(5000)))
	if res.Beep != nil {
		t.Errorf("ringback reported as beep %+v", res.Beep)
	}
	if res.Result != Human {
		t.Errorf("result %s (%s), want HUMAN", res.Result, res.Cause)
	}
	if res.AnsweredAtMs < 6000 || res.AnsweredAtMs > 7400 {
		t.Errorf("answered_at_ms %d, want the hello at about 7250 ms", res.AnsweredAtMs)
	}
}

// A fax answer tone, however beep-like, is fax signalling.
func TestFaxToneIsNotABeep(t *testing.T) {
	cng := join(toneBurst(1100, 500, 4000), quiet(3000))
	res := analyzeSamples(t, join(quiet(500), cng, cng, cng))
	if res.Result != Fax || res.Fax == nil || res.Fax.Signal != "CNG" {
		t.Fatalf("got %s %+v, want FAX CNG", res.Result, res.Fax)
	}
	if res.Beep != nil {
		t.Errorf("a CNG burst reported as beep %+v", res.Beep)
	}
}

// A SIT segment, and the SIT repeated after its announcement, are not
// beeps.
func TestSITIsNotABeep(t *testing.T) {
	res := analyzeSamples(t, join(quiet(300), sitIC(), quiet(200), clip(greeting(t), 0, 2000), quiet(300), sitIC(), quiet(2000)))
	if res.Result != SIT || res.SIT == nil || res.SIT.Code != "IC" {
		t.Fatalf("got %s %+v, want SIT IC", res.Result, res.SIT)
	}
	if res.Beep != nil {
		t.Errorf("a SIT tone reported as beep %+v (all: %+v)", res.Beep, res.Beeps)
	}
}

// The ringing stops and nobody speaks: the call was answered, at the latest
// when the next ring was due, and the result is "No speech" rather than
// an unanswered ring.
func TestRingingStopsThenSilence(t *testing.T) {
	res := analyzeSamples(t, join(euRings(2), quiet(12000)))
	if res.Result != Silence || res.Conclusion != ConclusionNoSpeech {
		t.Fatalf("got %s %q (%s), want SILENCE / No speech", res.Result, res.Conclusion, res.Cause)
	}
	// The last ring ends at 6000 ms; with the measured 4 s ring-off the
	// answer is due by 10000 ms, and the initial-silence clock starts there.
	if res.AnsweredAtMs < 9800 || res.AnsweredAtMs > 10300 {
		t.Errorf("answered_at_ms %d, want about 10000 (one ring-off after the last ring)", res.AnsweredAtMs)
	}
	if want := res.AnsweredAtMs + DefaultConfig().Cadence.InitialSilenceMs; res.DecisionMs < want || res.DecisionMs > want+100 {
		t.Errorf("decision at %d ms, want the initial silence counted from the answer (%d)", res.DecisionMs, want)
	}
}

// Still ringing when the recording ends: nobody answered. Also when a ring
// came late, after the moment the ringing was taken to have stopped.
func TestStillRingingAtTheEnd(t *testing.T) {
	for name, s := range map[string][]float32{
		"regular rings": join(euRings(3), quiet(2000)),
		"a late ring":   join(euRings(2), quiet(4800), toneBurst(425, 1000, 4000), quiet(1500)),
	} {
		res := analyzeSamples(t, s)
		if res.Result != Silence || res.Conclusion != ConclusionRingback {
			t.Errorf("%s: got %s %q answered %d (%s), want an unanswered ring", name, res.Result, res.Conclusion, res.AnsweredAtMs, res.Cause)
		}
	}
}

// Answered in a ring-off period, the person speaks 3 s later: the speech
// after the expected next ring is still the callee's answer.
func TestAnswerInRingOffThenLateHello(t *testing.T) {
	res := analyzeSamples(t, join(euRings(2), quiet(3500), hello(t), quiet(5000)))
	if res.Result != Human {
		t.Fatalf("got %s (%s), want HUMAN", res.Result, res.Cause)
	}
}

// A loud ringback and a quiet callee: the onset of each ring, before the
// tone bank recognises it, must not reach the voice detector as a loud
// word (it would then take the callee's "hello", 25 dB softer, for
// background talk and call the line silent).
func TestQuietHelloAfterLoudRingback(t *testing.T) {
	h := hello(t)
	for i := range h {
		h[i] *= 0.1 // -20 dB
	}
	loud := join(toneBurst(425, 1000, 12000), quiet(4000), toneBurst(425, 1000, 12000))
	res := analyzeSamples(t, join(loud, quiet(1500), h, quiet(5000)))
	if res.Result != Human {
		t.Fatalf("got %s (%s), want HUMAN", res.Result, res.Cause)
	}
}
