package template

import (
	"sort"
	"strings"
	"sync"
	"testing"
)

// Carrier-style prompts (real recordings, English and Spanish) enrolled as
// templates; every other Asterisk prompt, by the same voice and often
// with the same words, must not match.
var enrolledPrompts = []string{
	"en/ss-noservice", "en/vm-nobodyavail", "en/all-circuits-busy-now", "en/cannot-complete-as-dialed",
	"en/number-not-answering", "en/vm-mailboxfull", "en/call-fwd-no-ans", "en/please-try-call-later",
	"en/vm-leavemsg", "en/vm-intro", "en/check-number-dial-again",
	"es/ss-noservice", "es/vm-nobodyavail", "es/vm-isunavail", "es/vm-intro",
}

var (
	enrolledOnce  sync.Once
	enrolledLib   *Library
	enrolledAudio map[string][]float32
)

// enrolledLibrary is built once and shared (read-only) by the tests.
func enrolledLibrary(t *testing.T) (*Library, map[string][]float32) {
	t.Helper()
	for _, p := range enrolledPrompts {
		prompt(t, p) // skips the test when the sounds are missing
	}
	enrolledOnce.Do(func() {
		enrolledAudio = map[string][]float32{}
		for _, p := range enrolledPrompts {
			enrolledAudio[p] = prompt(t, p)
		}
		enrolledLib = memLibrary(t, "Voice mail", enrolledAudio)
	})
	return enrolledLib, enrolledAudio
}

type transform struct {
	name string
	fn   func(t *testing.T, s []float32) []float32
}

var robustness = []transform{
	{"clean", func(_ *testing.T, s []float32) []float32 { return s }},
	{"ulaw", func(_ *testing.T, s []float32) []float32 { return ulawRoundTrip(s) }},
	{"alaw", func(_ *testing.T, s []float32) []float32 { return alawRoundTrip(s) }},
	{"gsm", func(t *testing.T, s []float32) []float32 { return gsmRoundTrip(t, s) }},
	{"gain-10dB", func(_ *testing.T, s []float32) []float32 { return gainDB(s, -10) }},
	{"gain+6dB", func(_ *testing.T, s []float32) []float32 { return gainDB(s, 6) }},
	{"noise-10dB-SNR", func(_ *testing.T, s []float32) []float32 { return addNoise(s, 10, 7) }},
	{"noise-10dB-SNR+gsm", func(t *testing.T, s []float32) []float32 { return gsmRoundTrip(t, addNoise(s, 10, 7)) }},
	{"band-400-3000Hz", func(t *testing.T, s []float32) []float32 { return soxEffect(t, s, "sinc", "400-3000") }},
	{"speed+1%", func(t *testing.T, s []float32) []float32 { return soxEffect(t, s, "speed", "1.01") }},
	{"speed-1%", func(t *testing.T, s []float32) []float32 { return soxEffect(t, s, "speed", "0.99") }},
	{"ringback-lead-in", func(_ *testing.T, s []float32) []float32 { return withLeadIn(s, 3700, 3) }},
}

// TestRobustness: every enrolled prompt is identified, and only as itself,
// after each degradation the issue lists; the median decision comes within
// 1 s of the template audio starting. Noise at 10 dB SNR and GSM together
// (beyond the list, which has them separately) may miss one of the
// 15: the shortest prompt, all-circuits-busy-now, keeps too few of its
// fingerprints through both (see docs/templates.md).
func TestRobustness(t *testing.T) {
	t.Parallel()
	needTool(t, "sox")
	lib, named := enrolledLibrary(t)
	for _, tr := range robustness {
		combined := strings.Contains(tr.name, "+") && !strings.HasPrefix(tr.name, "gain") && !strings.HasPrefix(tr.name, "speed")
		t.Run(tr.name, func(t *testing.T) {
			var lat []int
			var missed []string
			for _, p := range enrolledPrompts {
				m := matchSamples(lib, tr.fn(t, named[p]))
				switch {
				case m == nil:
					missed = append(missed, p)
				case m.Name != p:
					t.Errorf("%s: matched %s", p, m.Name)
				default:
					lat = append(lat, m.DetectedMs-m.StartMs)
				}
			}
			allowed := 0
			if combined {
				allowed = 1
			}
			if len(missed) > allowed {
				t.Errorf("no match for %v (at most %d allowed)", missed, allowed)
			} else if len(missed) > 0 {
				t.Logf("no match for %v (allowed: noise and GSM together)", missed)
			}
			if len(lat) > 0 {
				sort.Ints(lat)
				limit := 1000 // the goal, for each single degradation
				if combined {
					limit = 1500 // noise and GSM together
				}
				if med := lat[len(lat)/2]; med > limit {
					t.Errorf("median latency %d ms after the template starts, want ≤ %d", med, limit)
				}
				t.Logf("median decision %d ms after the template starts", lat[len(lat)/2])
			}
		})
	}
}

// TestMidPromptStart: the recording begins inside the prompt (after 1.3 s
// of silence, the prompt from 0.6 s on): identified within 1 s (median)
// of its audio appearing.
func TestMidPromptStart(t *testing.T) {
	t.Parallel()
	lib, named := enrolledLibrary(t)
	var lat []int
	for _, p := range enrolledPrompts {
		if len(named[p]) < 2500*8 {
			continue
		}
		m := matchSamples(lib, concat(silence(1300), cut(named[p], 600, 0)))
		if m == nil || m.Name != p {
			t.Errorf("%s: match %+v", p, m)
			continue
		}
		lat = append(lat, m.DetectedMs-1300)
	}
	sort.Ints(lat)
	if len(lat) == 0 || lat[len(lat)/2] > 1000 {
		t.Errorf("latencies %v, want median ≤ 1000 ms", lat)
	}
}

// TestRingbackStartMs: the reported start is where the prompt begins.
func TestRingbackStartMs(t *testing.T) {
	lib, named := enrolledLibrary(t)
	m := matchSamples(lib, withLeadIn(named["en/ss-noservice"], 5000, 1))
	if m == nil || m.Name != "en/ss-noservice" {
		t.Fatalf("match = %+v", m)
	}
	if m.StartMs < 4960 || m.StartMs > 5040 || m.OffsetMs != 0 {
		t.Errorf("start %d offset %d, want start ≈5000, offset 0", m.StartMs, m.OffsetMs)
	}
	if m.DetectedMs-m.StartMs > 1500 || m.Score <= 0 || m.Score > 1 || m.Hashes < minHits {
		t.Errorf("detected %d score %.2f hashes %d", m.DetectedMs, m.Score, m.Hashes)
	}
	// Starting inside the prompt: offset into the template, start 0.
	m = matchSamples(lib, cut(named["en/ss-noservice"], 1500, 0))
	if m == nil || m.StartMs != 0 || m.OffsetMs < 1460 || m.OffsetMs > 1540 {
		t.Errorf("mid-prompt match = %+v, want start 0, offset ≈1500", m)
	}
}

// TestMatcherReset: one matcher serves several recordings in turn.
func TestMatcherReset(t *testing.T) {
	lib, named := enrolledLibrary(t)
	m := lib.NewMatcher()
	for _, p := range []string{"en/vm-nobodyavail", "es/ss-noservice", "en/vm-nobodyavail"} {
		m.Reset()
		runMatcher(m, withLeadIn(named[p], 1000, 4))
		if got := m.Match(); got == nil || got.Name != p || got.StartMs < 960 || got.StartMs > 1040 {
			t.Fatalf("%s: match %+v", p, got)
		}
		if m.Landmarks() == 0 {
			t.Error("no landmarks counted")
		}
	}
	m.Reset()
	runMatcher(m, silence(3000))
	if m.Match() != nil {
		t.Errorf("silence after reset: %+v", m.Match())
	}
}

// TestTruncated: about 1.5 s of a longer prompt, from anywhere in it, is
// enough at 20 dB SNR; 2 s at 10 dB SNR.
func TestTruncated(t *testing.T) {
	t.Parallel()
	lib, named := enrolledLibrary(t)
	for _, c := range []struct {
		ms  int
		snr float64
	}{{1500, 20}, {2000, 10}} {
		found, total := 0, 0
		for _, p := range enrolledPrompts {
			s := named[p]
			if len(s) < 3500*8 {
				continue
			}
			for _, from := range []int{300, 800, 1500} {
				total++
				q := addNoise(cut(s, from, from+c.ms), c.snr, 5)
				if m := matchSamples(lib, q); m != nil && m.Name == p {
					found++
				} else if m != nil {
					t.Errorf("%s from %d ms: matched %s", p, from, m.Name)
				}
			}
		}
		if found*100 < total*95 {
			t.Errorf("%d ms at %.0f dB SNR: identified %d of %d excerpts, want ≥ 95 %%", c.ms, c.snr, found, total)
		}
	}
}

// TestNoFalseMatchOnOtherPrompts: all the other English and Spanish
// Asterisk prompts (the same voice, many of the same words, some spliced
// from the same recorded words) match nothing.
func TestNoFalseMatchOnOtherPrompts(t *testing.T) {
	t.Parallel()
	lib, _ := enrolledLibrary(t)
	enrolled := map[string]bool{}
	for _, p := range enrolledPrompts {
		enrolled[p] = true
	}
	n := 0
	for _, p := range allPrompts(t) {
		if enrolled[p.name] {
			continue
		}
		n++
		if m := matchLandmarks(lib, p.landmarks, nil); m != nil {
			t.Errorf("%s matched %s (%d hashes, score %.2f)", p.name, m.Name, m.Hashes, m.Score)
		}
	}
	if n < 500 {
		t.Fatalf("only %d decoy prompts found", n)
	}
}

// TestEspeakDecoys: synthetic carrier sentences; sentences by the same
// voice that share words (but are not the enrolled audio) must not match,
// and the enrolled ones must, inside longer audio.
func TestEspeakDecoys(t *testing.T) {
	t.Parallel()
	enrol := map[string]string{
		"not-in-service": "The number you have dialed is not in service. Please check the number and try again.",
		"mailbox-full":   "The mailbox of the person you are calling is full and cannot accept new messages.",
		"es-no-existe":   "El número que usted marcó no existe. Por favor verifique el número e intente de nuevo.",
	}
	voices := map[string]string{"not-in-service": "en-us", "mailbox-full": "en-us", "es-no-existe": "es"}
	// Same voice, same words, other sentences. (espeak-ng renders an
	// identical run of several words as identical audio: such a shared
	// phrase is the template itself, see docs/templates.md.)
	decoys := []struct{ voice, text string }{
		{"en-us", "You have dialed a number that is in service, so try again and check."},
		{"en-us", "Service for this number is not available. Please call again."},
		{"en-us", "Please leave your number and the person will call back when the mailbox is checked."},
		{"en-us", "New messages are full of numbers. Accept the call, person."},
		{"en-us", "Please try again later. Check your service and the number."},
		{"es", "Usted marcó un número. Intente verificar de nuevo por favor."},
		{"es", "El usuario no contesta. Marque otro número más tarde, favor de verificar."},
	}
	named := map[string][]float32{}
	for n, text := range enrol {
		named[n] = espeak(t, voices[n], text)
	}
	lib := memLibrary(t, "Interception announcement", named)
	for _, d := range decoys {
		if m := matchSamples(lib, espeak(t, d.voice, d.text)); m != nil {
			t.Errorf("decoy %q matched %s (%d hashes)", d.text, m.Name, m.Hashes)
		}
	}
	for n, s := range named {
		q := gsmRoundTrip(t, addNoise(concat(silence(800), s, silence(500)), 15, 3))
		if m := matchSamples(lib, q); m == nil || m.Name != n {
			t.Errorf("%s: match %+v", n, m)
		}
	}
}

// TestToneAndSilenceDoNotMatch: a library template with a beep and
// silence must not match other audio that only shares the beep.
func TestToneAndSilenceDoNotMatch(t *testing.T) {
	beep := make([]float32, 8000)
	for i := range beep {
		beep[i] = float32(8000 * sinHz(1000, i))
	}
	named := map[string][]float32{"beep-greeting": concat(prompt(t, "en/vm-intro"), beep)}
	lib := memLibrary(t, "Voice mail", named)
	for _, q := range [][]float32{concat(silence(2000), beep, silence(2000)), silence(10000), concat(prompt(t, "en/vm-goodbye"), beep)} {
		if m := matchSamples(lib, q); m != nil {
			t.Errorf("matched %s", m.Name)
		}
	}
}
