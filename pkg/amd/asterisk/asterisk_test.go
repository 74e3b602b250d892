package asterisk

import (
	"strings"
	"testing"
)

// seg is a stretch of constant-amplitude audio: level is the |sample| of
// every sample (a square wave), so the frame's mean |x| equals level.
type seg struct{ ms, level int }

func render(segs ...seg) []float32 {
	var out []float32
	for _, s := range segs {
		n := s.ms * 8
		for i := 0; i < n; i++ {
			v := float32(s.level)
			if i%2 == 1 {
				v = -v
			}
			out = append(out, v)
		}
	}
	return out
}

func runSamples(p Params, samples []float32) *Result {
	d := New(p)
	d.ProcessSamples(samples)
	return d.Finish()
}

func TestStateMachineEdges(t *testing.T) {
	const loud, quiet = 2000, 100
	tests := []struct {
		name       string
		params     func(*Params)
		audio      []float32
		status     string
		cause      string
		decisionMs int
	}{
		{"silence reaches initial_silence", nil, render(seg{3000, 0}), "MACHINE", "INITIALSILENCE-2500-2500", 2500},
		{"quiet audio below threshold is silence", nil, render(seg{3000, quiet}), "MACHINE", "INITIALSILENCE-2500-2500", 2500},
		// mean |x| exactly at the threshold is voice (accum < threshold is silence).
		{"level at threshold is voice", nil, render(seg{3000, 256}), "MACHINE", "LONGGREETING-1500-1500", 1500},
		{"level just below threshold is silence", nil, render(seg{3000, 255}), "MACHINE", "INITIALSILENCE-2500-2500", 2500},
		// Short word then 800 ms silence → HUMAN at word end + 800.
		{"hello then silence", nil, render(seg{300, 0}, seg{500, loud}), "HUMAN", "HUMAN-800-800", 1600},
		// Quirk (a): a word at t=0 does not count (state starts IN_WORD), so
		// three words at t=0 are only two counted words.
		{"three words at t0 count as two", nil,
			render(seg{200, loud}, seg{100, 0}, seg{200, loud}, seg{100, 0}, seg{200, loud}), "HUMAN", "HUMAN-800-800", 1600},
		{"three words after silence exceed maximum_number_of_words", nil,
			render(seg{100, 0}, seg{200, loud}, seg{100, 0}, seg{200, loud}, seg{100, 0}, seg{200, loud}), "MACHINE", "MAXWORDS-3-2", 800},
		// Quirk (b): a 40 ms gap (2 frames < 50 ms) is bridged: one long word.
		{"short gaps are bridged", func(p *Params) { p.Greeting, p.TotalAnalysisTime = 100000, 10000 },
			render(seg{100, 0}, seg{2000, loud}, seg{40, 0}, seg{4000, loud}), "MACHINE", "MAXWORDLENGTH-5000", 5140},
		{"total_analysis_time gives NOTSURE", func(p *Params) { p.TotalAnalysisTime = 1000 },
			render(seg{100, 0}, seg{60, loud}, seg{100, 0}, seg{60, loud}, seg{100, 0}, seg{60, loud}, seg{100, 0}, seg{60, loud}, seg{100, 0}, seg{60, loud}, seg{100, 0}, seg{60, loud}, seg{100, 0}),
			"NOTSURE", "TOOLONG-1000", 1000},
		// Quirk (c): greeting is cumulative voice across words.
		{"greeting is cumulative", func(p *Params) { p.MaximumNumberOfWords = 99 },
			render(seg{600, loud}, seg{300, 0}, seg{600, loud}, seg{300, 0}, seg{600, loud}), "MACHINE", "LONGGREETING-1500-1500", 2100},
		// After the end of the file, digital silence: a word then EOF → HUMAN.
		{"end of file is silence", nil, render(seg{200, 0}, seg{300, loud}), "HUMAN", "HUMAN-800-800", 1300},
		{"partial last frame padded with zeros", nil, render(seg{200, 0}, seg{300, loud})[:4000-37], "HUMAN", "HUMAN-800-800", 1300},
		{"custom parameters appear in the cause", func(p *Params) { p.AfterGreetingSilence = 400; p.InitialSilence = 1000 },
			render(seg{200, 0}, seg{300, loud}), "HUMAN", "HUMAN-400-400", 900},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			p := DefaultParams()
			if tc.params != nil {
				tc.params(&p)
			}
			got := runSamples(p, tc.audio)
			if got.Status != tc.status || got.Cause != tc.cause || got.DecidedMs != tc.decisionMs {
				t.Fatalf("got %s %s @%d, want %s %s @%d", got.Status, got.Cause, got.DecidedMs, tc.status, tc.cause, tc.decisionMs)
			}
		})
	}
}

func TestDecisionIsFinal(t *testing.T) {
	d := New(DefaultParams())
	d.ProcessSamples(render(seg{3000, 0}))
	first := *d.Result()
	d.ProcessSamples(render(seg{3000, 3000}))
	if got := d.Finish(); *got != first {
		t.Fatalf("decision changed after it was made: %+v then %+v", first, *got)
	}
}

func TestRoundsToInt16LikeSlin(t *testing.T) {
	// 255.6 rounds to 256 → voice; Asterisk sees int16 samples.
	p := DefaultParams()
	s := make([]float32, 8*3000)
	for i := range s {
		s[i] = 255.6
	}
	if got := runSamples(p, s); got.Cause != "LONGGREETING-1500-1500" {
		t.Fatalf("got %s", got.Cause)
	}
	for i := range s {
		s[i] = 40000 // clipped to 32767, still voice
	}
	if got := runSamples(p, s); got.Status != StatusMachine {
		t.Fatalf("got %s", got.Status)
	}
}

func TestParseConf(t *testing.T) {
	conf := `; amd.conf
[general]
initial_silence = 3000 ; longer
Greeting=>2000
after_greeting_silence = 600
playback_file = beep
unknown_key = 7

[other]
greeting = 1
`
	p, err := ParseConf(strings.NewReader(conf), DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	want := DefaultParams()
	want.InitialSilence, want.Greeting, want.AfterGreetingSilence = 3000, 2000, 600
	if p != want {
		t.Fatalf("got %+v want %+v", p, want)
	}
	for _, bad := range []string{"[general]\ngreeting = lots\n", "[general\n", "[general]\njunk\n", "[general]\ngreeting = -5\n"} {
		if _, err := ParseConf(strings.NewReader(bad), DefaultParams()); err == nil || !strings.Contains(err.Error(), "line") {
			t.Errorf("%q: want an error naming the line, got %v", bad, err)
		}
	}
}

func TestParamsSetAndValidate(t *testing.T) {
	p := DefaultParams()
	if err := p.Set("maximum_number_of_words", 3); err != nil || p.MaximumNumberOfWords != 3 {
		t.Fatalf("Set: %v %+v", err, p)
	}
	if err := p.Set("nope", 1); err == nil {
		t.Fatal("unknown key accepted")
	}
	if err := p.Set("greeting", -1); err == nil {
		t.Fatal("negative accepted")
	}
	if m := DefaultParams().Map(); m["silence_threshold"] != 256 || len(m) != 9 {
		t.Fatalf("Map: %v", m)
	}
	bad := DefaultParams()
	bad.TotalAnalysisTime = 0
	if bad.Validate() == nil {
		t.Fatal("zero total_analysis_time accepted")
	}
	bad.TotalAnalysisTime = 4000000
	if bad.Validate() == nil {
		t.Fatal("a total_analysis_time over an hour accepted")
	}
}

func FuzzParseConf(f *testing.F) {
	f.Add("[general]\ninitial_silence = 2500\n")
	f.Add("[general]\ngreeting=>1\n;c\n[x]\n")
	f.Add("[")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseConf(strings.NewReader(s), DefaultParams())
		if err == nil {
			if verr := p.Validate(); verr != nil && p.TotalAnalysisTime != 0 {
				t.Fatalf("accepted invalid params: %v", verr)
			}
		}
	})
}

func BenchmarkDetector(b *testing.B) {
	audio := render(seg{1000, 0}, seg{59000, 800})
	p := DefaultParams()
	p.TotalAnalysisTime, p.Greeting, p.MaximumWordLength = 1<<30, 1<<30, 1<<30
	b.ReportAllocs()
	for b.Loop() {
		d := New(p)
		d.ProcessSamples(audio)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/60, "ns/audio-s")
}

func TestParseArgs(t *testing.T) {
	// VICIdial's usual dialplan line.
	p, err := ParseArgs("AMD(2000,2000,1000,5000,120,50,4,256)", DefaultParams())
	if err != nil {
		t.Fatal(err)
	}
	want := Params{InitialSilence: 2000, Greeting: 2000, AfterGreetingSilence: 1000, TotalAnalysisTime: 5000,
		MinimumWordLength: 120, BetweenWordsSilence: 50, MaximumNumberOfWords: 4, SilenceThreshold: 256, MaximumWordLength: 5000}
	if p != want {
		t.Fatalf("got %+v", p)
	}
	// Empty positions keep the base; the audio file is ignored.
	p, err = ParseArgs(" ,,600,,,,,,7000,beep ", DefaultParams())
	if err != nil || p.AfterGreetingSilence != 600 || p.MaximumWordLength != 7000 || p.InitialSilence != 2500 {
		t.Fatalf("got %+v, %v", p, err)
	}
	if p, err := ParseArgs("", DefaultParams()); err != nil || p != DefaultParams() {
		t.Fatalf("empty: %+v %v", p, err)
	}
	for _, bad := range []string{"2500,abc", "1,2,3,4,5,6,7,8,9,f,11", "-1"} {
		if _, err := ParseArgs(bad, DefaultParams()); err == nil || !strings.Contains(err.Error(), "AMD()") {
			t.Errorf("%q: want an error, got %v", bad, err)
		}
	}
}

func FuzzParseArgs(f *testing.F) {
	f.Add("AMD(2000,2000,1000,5000,120,50,4,256)")
	f.Add(",,,,")
	f.Fuzz(func(t *testing.T, s string) {
		p, err := ParseArgs(s, DefaultParams())
		if err == nil {
			for _, k := range Keys {
				if *k.Field(&p) < 0 {
					t.Fatalf("negative %s accepted from %q", k.Name, s)
				}
			}
		}
	})
}
