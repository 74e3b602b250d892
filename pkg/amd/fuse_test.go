package amd

import (
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/asterisk"
	"github.com/khompctl/khompctl/pkg/amd/cadence"
	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/install"
)

func cad(result string, ms int, firstUtt int) *cadence.Decision {
	return &cadence.Decision{Result: result, Cause: result + "-X", DecidedMs: ms, Confidence: 0.8,
		Stats: cadence.Stats{FirstUtteranceMs: firstUtt}}
}

func TestFusionPrecedence(t *testing.T) {
	ast := &asterisk.Result{Status: "MACHINE", Cause: "MAXWORDS-3-2", DecidedMs: 1600}
	voice := []cadence.Segment{{StartMs: 500, EndMs: 2500}}
	beep := Beep{Detected: true, FreqHz: 1004, StartMs: 6000, EndMs: 6300, DetectedMs: 6360}
	tests := []struct {
		name       string
		ev         evidence
		result     string
		decisionMs int
		conclusion string
		pattern    string
	}{
		{"fax beats everything", evidence{
			fax:  &FaxResult{Signal: "CED", StartMs: 1800, DetectedMs: 2350},
			sit:  &SITResult{Code: "IC", DetectedMs: 900},
			tmpl: &TemplateResult{Name: "x", Class: "Voice mail", DetectedMs: 800},
			cad:  cad(cadence.Human, 1500, 400), ast: ast},
			Fax, 2350, "Fax", "Fax 2100Hz before Voice"},
		{"fax before voice", evidence{fax: &FaxResult{Signal: "CNG", StartMs: 0, DetectedMs: 450}, voice: voice, cad: cad(cadence.Machine, 2500, 2000), ast: ast},
			Fax, 450, "Fax", "Fax 1100Hz before Voice"},
		{"fax after a voice menu", evidence{fax: &FaxResult{Signal: "CED", StartMs: 3000, DetectedMs: 3550}, voice: voice, cad: cad(cadence.Machine, 2500, 2000), ast: ast},
			Fax, 3550, "Fax", "Fax 2100Hz"},
		{"V.21 preamble is KHOMP's 1800 Hz", evidence{fax: &FaxResult{Signal: "V21", StartMs: 3000, DetectedMs: 3200}, cad: cad(cadence.NotSure, 5000, 0), ast: ast},
			Fax, 3200, "Fax", "Fax 1800Hz before Voice"},
		{"SIT beats template and cadence", evidence{
			sit:  &SITResult{Code: "VC", DetectedMs: 900},
			tmpl: &TemplateResult{Name: "x", Class: "Voice mail", DetectedMs: 800},
			cad:  cad(cadence.Machine, 2000, 2000), ast: ast},
			SIT, 900, "Interception announcement", "SIT Tone - Vacant code"},
		{"template beats cadence", evidence{
			tmpl: &TemplateResult{Name: "Vivo caixa postal", Class: "Voice mail", Score: 0.5, DetectedMs: 1300},
			cad:  cad(cadence.Human, 1200, 400), ast: ast},
			Machine, 1300, "Voice mail", "Vivo caixa postal"},
		{"template MACHINE dated by an earlier cadence MACHINE", evidence{
			tmpl: &TemplateResult{Name: "p", Class: "Answering machine", DetectedMs: 3000},
			cad:  cad(cadence.Machine, 2100, 2000), ast: ast},
			Machine, 2100, "Answering machine", "p"},
		{"intercept template is SIT-like", evidence{
			tmpl: &TemplateResult{Name: "Number changed", Class: "Interception announcement", DetectedMs: 1500},
			cad:  cad(cadence.Machine, 2000, 2000), ast: ast},
			SIT, 1500, "Interception announcement", "Number changed"},
		{"machine with beep is a voicemail", evidence{cad: cad(cadence.Machine, 2500, 2000), beeps: []Beep{beep}, voice: voice, ast: ast},
			Machine, 2500, "Voice mail", "Voice mail 1000Hz"},
		{"machine without beep", evidence{cad: cad(cadence.Machine, 2500, 2000), voice: voice, ast: ast},
			Machine, 2500, "Answering machine", ""},
		{"human then beep soon after is a terse voicemail", evidence{
			endMs: 60000, cad: cad(cadence.Human, 3300, 500), beeps: []Beep{{Detected: true, FreqHz: 1400, StartMs: 4000, EndMs: 4400, DetectedMs: 4460}}, voice: voice, ast: ast},
			Machine, 4460, "Voice mail", "Voice mail 1400Hz"},
		{"beep long after a human stays human", evidence{
			cad: cad(cadence.Human, 1300, 500), beeps: []Beep{{Detected: true, FreqHz: 1400, StartMs: 9000, EndMs: 9400, DetectedMs: 9460}}, voice: voice, ast: ast},
			Human, 1300, "Short human answer", ""},
		{"greeting that ran on into its beep overturns HUMAN", evidence{endMs: 60000,
			cad: cad(cadence.Human, 2900, 600), beeps: []Beep{{Detected: true, FreqHz: 1200, StartMs: 19000, EndMs: 19700, DetectedMs: 19770}},
			voice: []cadence.Segment{{StartMs: 1000, EndMs: 2100}, {StartMs: 3500, EndMs: 9000}, {StartMs: 10500, EndMs: 18400}}, ast: ast},
			Machine, 19770, "Voice mail", "Voice mail 1200Hz"},
		{"a conversation with turns, then a beep, stays HUMAN", evidence{
			cad: cad(cadence.Human, 2900, 600), beeps: []Beep{{Detected: true, FreqHz: 440, StartMs: 19000, EndMs: 19300, DetectedMs: 19370}},
			voice: []cadence.Segment{{StartMs: 1000, EndMs: 2100}, {StartMs: 3500, EndMs: 9000}, {StartMs: 12500, EndMs: 18400}}, ast: ast},
			Human, 2900, "Short human answer", ""},
		{"long first utterance is a long human answer", evidence{cad: cad(cadence.Human, 2900, 1500), voice: voice, ast: ast},
			Human, 2900, "Long human answer", ""},
		{"a tone-like vowel inside the greeting is not its beep", evidence{
			cad: cad(cadence.Machine, 2700, 5000), beeps: []Beep{{Detected: true, FreqHz: 442, StartMs: 2240, EndMs: 2360, DetectedMs: 2400}, {Detected: true, FreqHz: 502, StartMs: 25010, EndMs: 25110, DetectedMs: 25200}},
			voice: []cadence.Segment{{StartMs: 1120, EndMs: 6360}, {StartMs: 23750, EndMs: 24760}}, ast: ast},
			Machine, 2700, "Voice mail", "Voice mail 500Hz"},
		{"beep before the greeting is ignored", evidence{
			cad: cad(cadence.Machine, 2500, 2000), beeps: []Beep{{Detected: true, FreqHz: 720, StartMs: 100, EndMs: 300, DetectedMs: 360}}, voice: voice, ast: ast},
			Machine, 2500, "Answering machine", ""},
		{"silence", evidence{cad: cad(cadence.Silence, 2500, 0), ast: ast}, Silence, 2500, "No speech", ""},
		{"beep alone is a voicemail", evidence{endMs: 60000, cad: cad(cadence.Silence, 2500, 0), beeps: []Beep{beep}, ast: ast},
			Machine, 6360, "Voice mail", "Voice mail 1000Hz"},
		{"a click-length blip is not a voicemail", evidence{cad: cad(cadence.Silence, 2500, 0), beeps: []Beep{{Detected: true, FreqHz: 1000, StartMs: 500, EndMs: 560, DetectedMs: 610}}, ast: ast},
			Silence, 2500, "No speech", ""},
		{"a train of tone bursts is not a voicemail", evidence{cad: cad(cadence.NotSure, 5000, 0), beeps: []Beep{beep, beep, beep, beep}, ast: ast},
			NotSure, 5000, "Unknown announcement", ""},
		{"not sure", evidence{cad: cad(cadence.NotSure, 5000, 0), ast: ast}, NotSure, 5000, "Unknown announcement", ""},
		{"ringback never answered", evidence{endMs: 30000, ringing: true, ast: ast}, Silence, 30000, "Ringback signal", "Ring"},
		{"busy", evidence{endMs: 8000, ringing: true, busy: true, ast: ast}, Silence, 8000, "Interception announcement", "Busy tone"},
		{"fax outside the evidence window does not decide", evidence{
			fax: &FaxResult{Signal: "CED", StartMs: 90000, DetectedMs: 90550}, cad: cad(cadence.Human, 1500, 400), voice: voice, ast: ast},
			Human, 1500, "Short human answer", ""},
		{"evidence window counts from the answer", evidence{answeredAt: 20000,
			sit: &SITResult{Code: "IC", StartMs: 45000, DetectedMs: 45900}, cad: cad(cadence.Human, 21500, 400), ast: ast},
			SIT, 45900, "Interception announcement", "SIT Tone - Intercept"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v := fuseDefault(&tc.ev, DefaultPolicy())
			if v.result != tc.result || v.decisionMs != tc.decisionMs || v.conclusion != tc.conclusion || v.pattern != tc.pattern {
				t.Fatalf("got %s @%d %q/%q (%s), want %s @%d %q/%q", v.result, v.decisionMs, v.conclusion, v.pattern, v.cause,
					tc.result, tc.decisionMs, tc.conclusion, tc.pattern)
			}
			if v.confidence <= 0 || v.confidence > 1 || v.cause == "" {
				t.Fatalf("confidence %v, cause %q", v.confidence, v.cause)
			}
		})
	}
}

func TestFusionAsteriskProfile(t *testing.T) {
	for _, tc := range []struct {
		status, want, conclusion string
		cad                      *cadence.Decision
		conf                     float64
	}{
		{"MACHINE", Machine, "Answering machine", cad(cadence.Machine, 2000, 2000), 0.9},
		{"HUMAN", Human, "Short human answer", cad(cadence.Machine, 2000, 400), 0.6},
		{"NOTSURE", NotSure, "Unknown announcement", cad(cadence.Human, 2000, 400), 0.3},
	} {
		ev := &evidence{ast: &asterisk.Result{Status: tc.status, Cause: "C", DecidedMs: 1234}, cad: tc.cad,
			fax: &FaxResult{Signal: "CNG", DetectedMs: 500}}
		if tc.status != "MACHINE" {
			ev.fax = nil
		}
		v := fuseAsterisk(ev, DefaultPolicy())
		if v.result != tc.want || v.decisionMs != 1234 || v.conclusion != tc.conclusion || v.cause != "asterisk:C" {
			t.Errorf("%s: got %+v", tc.status, v)
		}
		if tc.status == "MACHINE" && v.confidence != 0.6 { // the default profile says FAX
			t.Errorf("%s: confidence %v with a disagreeing default profile", tc.status, v.confidence)
		} else if tc.status != "MACHINE" && v.confidence != tc.conf {
			t.Errorf("%s: confidence %v want %v", tc.status, v.confidence, tc.conf)
		}
	}
}

func TestKHOMPVocabulary(t *testing.T) {
	for hz, want := range map[float64]string{
		1000: "Voice mail 1000Hz", 1040: "Voice mail 1000Hz", 950: "Voice mail 1000Hz",
		710: "Voice mail 720Hz", 300: "Voice mail 300Hz", 1420: "Voice mail 1400Hz", 1985: "Voice mail 2000Hz",
		850: "Voice mail 850Hz", 425: "Voice mail 430Hz", 3100: "Voice mail 3100Hz",
	} {
		if got := BeepPattern(hz); got != want {
			t.Errorf("BeepPattern(%v) = %q, want %q", hz, got, want)
		}
	}
	for _, code := range []string{"IC", "NC", "VC", "RO", "NC2", "RO2", "IO", "RESERVED", "ITU"} {
		if SITPattern(code) == "" {
			t.Errorf("SIT code %s has no KHOMP pattern", code)
		}
	}
	if SITPattern("BOGUS") != "" {
		t.Error("unknown SIT code named")
	}
	for sig, want := range map[string]string{"CNG": "Fax 1100Hz", "CED": "Fax 2100Hz", "ANS_PR": "Fax 2100Hz", "ANSAM": "Fax 2100Hz", "V21": "Fax 1800Hz", "BELL2225": ""} {
		if got := FaxPattern(sig, false); got != want {
			t.Errorf("FaxPattern(%s) = %q, want %q", sig, got, want)
		}
	}
	for class, want := range map[string]string{"Voice mail": Machine, "Answering machine": Machine, "Interception announcement": SIT,
		"Interception signaling": SIT, "Fax": Fax, "My IVRs": Machine, "No speech": Silence} {
		if got := templateResult(class); got != want {
			t.Errorf("templateResult(%q) = %s, want %s", class, got, want)
		}
	}
}

// TestVocabularyInDefaultMap checks that every conclusion/pattern the
// pipeline emits is a line of the KHOMPSTATUSMAP VICIdial ships, so the
// lookup finds the intended action, not the fallback.
func TestVocabularyInDefaultMap(t *testing.T) {
	m := container.ParseStatusMap(install.DefaultStatusMap())
	pairs := [][2]string{
		{ConclusionVoiceMail, ""}, {ConclusionMachine, ""}, {ConclusionInterception, ""}, {ConclusionFax, ""},
		{ConclusionShortHuman, ""}, {ConclusionLongHuman, ""}, {ConclusionNoSpeech, ""}, {ConclusionUnknown, ""},
		{ConclusionRingback, "Ring"}, {ConclusionInterception, "Busy tone"},
	}
	for _, hz := range khompBeepHz {
		pairs = append(pairs, [2]string{ConclusionVoiceMail, BeepPattern(hz)})
	}
	for _, sig := range []string{"CNG", "CED", "V21"} {
		pairs = append(pairs, [2]string{ConclusionFax, FaxPattern(sig, false)}, [2]string{ConclusionFax, FaxPattern(sig, true)})
	}
	for code := range sitPatterns {
		if code != "IO" { // the shipped line escapes its slash and never matches (runtime behaviour)
			pairs = append(pairs, [2]string{ConclusionInterception, SITPattern(code)})
		}
	}
	for _, p := range pairs {
		r := m.Lookup(p[0], p[1])
		want := container.RuleExact
		if r.Rule != want {
			t.Errorf("%q/%q: lookup rule %s, want %s", p[0], p[1], r.Rule, want)
		}
	}
	if r := m.Lookup(ConclusionInterception, SITPattern("IO")); r.Rule != container.RuleConclusion {
		t.Errorf("IO: rule %s", r.Rule)
	}
}

// TestGreetingBeepRules checks each reason a beep-like tone is not the beep
// that ends a greeting, on the evidence alone.
func TestGreetingBeepRules(t *testing.T) {
	voice := []cadence.Segment{{StartMs: 3000, EndMs: 5000}}
	good := Beep{Detected: true, FreqHz: 1000, StartMs: 5600, EndMs: 6000, DetectedMs: 6050}
	sit := &SITResult{Code: "IC", StartMs: 1000, DetectedMs: 2000,
		Segments: []SITSegment{{FreqHz: 913.8, DurMs: 274}, {FreqHz: 1370.6, DurMs: 274}, {FreqHz: 1776.7, DurMs: 380}}}
	for _, tc := range []struct {
		name string
		ev   evidence
		want bool // the tone is the greeting's beep
	}{
		{"after the greeting, quiet after", evidence{voice: voice}, true},
		{"before the answer", evidence{voice: nil, answeredAt: 7000}, false},
		{"before the first voice after the answer", evidence{voice: []cadence.Segment{{StartMs: 6500, EndMs: 8000}}}, false},
		{"alone, nobody spoke", evidence{}, true},
		{"inside a word", evidence{voice: []cadence.Segment{{StartMs: 5000, EndMs: 6500}}}, false},
		{"speech resumes 200 ms after a long beep", evidence{voice: []cadence.Segment{{StartMs: 3000, EndMs: 5000}, {StartMs: 6200, EndMs: 6900}}}, true},
		{"speech resumes 1 s after", evidence{voice: []cadence.Segment{{StartMs: 3000, EndMs: 5000}, {StartMs: 7000, EndMs: 7900}}}, true},
		{"the beep itself heard as a short word", evidence{voice: []cadence.Segment{{StartMs: 3000, EndMs: 5000}, {StartMs: 5600, EndMs: 6030}}}, true},
		{"after a fax tone started", evidence{voice: voice, fax: &FaxResult{Signal: "CNG", StartMs: 5500, DetectedMs: 9000}}, false},
		{"before a fax tone", evidence{voice: voice, fax: &FaxResult{Signal: "CED", StartMs: 6500, DetectedMs: 9000}}, true},
		{"overlaps a SIT", evidence{sit: &SITResult{Code: "IC", StartMs: 5000, Segments: sit.Segments}}, false},
		{"a SIT segment's frequency after the SIT", evidence{voice: voice, sit: sit}, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := tc.ev
			ev.endMs = 20000
			ev.beeps = []Beep{good}
			if got := ev.reportedBeep(DefaultPolicy()) != nil; got != tc.want {
				t.Errorf("greeting beep: %v, want %v", got, tc.want)
			}
		})
	}
	vowel := evidence{endMs: 20000, voice: []cadence.Segment{{StartMs: 3000, EndMs: 5000}, {StartMs: 5900, EndMs: 6900}},
		beeps: []Beep{{Detected: true, FreqHz: 480, StartMs: 5600, EndMs: 5700, DetectedMs: 6400}}}
	if b := vowel.reportedBeep(DefaultPolicy()); b != nil {
		t.Errorf("a 100 ms tone with speech 200 ms after it taken as beep %+v", b)
	}
	vowel.voice = vowel.voice[:1]
	if b := vowel.reportedBeep(DefaultPolicy()); b == nil {
		t.Error("a 100 ms beep followed by quiet rejected")
	}
	repeat := evidence{endMs: 20000, voice: voice, sit: sit, beeps: []Beep{{Detected: true, FreqHz: 1776, StartMs: 5600, EndMs: 5980, DetectedMs: 6000}}}
	if b := repeat.reportedBeep(DefaultPolicy()); b != nil {
		t.Errorf("the SIT's 1776.7 Hz segment repeated after the announcement taken as beep %+v", b)
	}
}

// TestFalseBeepCannotOverturnHuman: a tone after which the speaker goes on
// never turns HUMAN into MACHINE; the same tone followed by quiet does,
// dated after that quiet.
func TestFalseBeepCannotOverturnHuman(t *testing.T) {
	beep := Beep{Detected: true, FreqHz: 489, StartMs: 2410, EndMs: 2474, DetectedMs: 3180}
	talk := []cadence.Segment{{StartMs: 1170, EndMs: 2400}, {StartMs: 2740, EndMs: 3250}}
	ev := evidence{endMs: 6000, cad: cad(cadence.Human, 5110, 1230), beeps: []Beep{beep}, voice: talk,
		ast: &asterisk.Result{Status: "MACHINE", Cause: "MAXWORDS-3-2", DecidedMs: 2040}}
	if v := fuseDefault(&ev, DefaultPolicy()); v.result != Human {
		t.Fatalf("speech resumed after the tone, yet %s (%s)", v.result, v.cause)
	}
	ev.voice = talk[:1]
	v := fuseDefault(&ev, DefaultPolicy())
	if v.result != Machine || v.decisionMs != 3180 {
		t.Fatalf("a beep after the greeting: got %s at %d (%s), want MACHINE at 3180", v.result, v.decisionMs, v.cause)
	}
}
