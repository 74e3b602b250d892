package template

import (
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// sliceReader serves samples in odd-sized chunks, like an audio.Stream.
type sliceReader struct{ s []float32 }

func (r *sliceReader) Read(dst []float32) (int, error) {
	if len(r.s) == 0 {
		return 0, io.EOF
	}
	n := copy(dst[:min(len(dst), 1234)], r.s)
	r.s = r.s[n:]
	return n, nil
}

// TestCaptureAndLearn: calls decided MACHINE with no template match are
// captured; the greeting heard on three calls graduates into the library
// and then matches a fourth call; a greeting heard twice waits.
func TestCaptureAndLearn(t *testing.T) {
	t.Parallel()
	captured, library := t.TempDir(), filepath.Join(t.TempDir(), "lib")
	c := &Capture{Dir: captured}
	greeting := prompt(t, "en/vm-nobodyavail")
	other := prompt(t, "es/vm-intro")
	calls := []struct {
		name  string
		audio []float32
		cand  Candidate
	}{
		{"call1.wav", withLeadIn(greeting, 3000, 1), Candidate{Result: "MACHINE", Conclusion: "Voice mail", VoiceStartMs: -1, AnsweredAtMs: 2900}},
		{"call2.wav", concat(silence(700), ulawRoundTrip(greeting), silence(3000)), Candidate{Result: "MACHINE", Conclusion: "Voice mail", VoiceStartMs: 700, AnsweredAtMs: -1}},
		{"call3.wav", addNoise(concat(silence(400), gainDB(greeting, -6)), 20, 4), Candidate{Result: "MACHINE", Conclusion: "Voice mail", VoiceStartMs: -1, AnsweredAtMs: -1}},
		{"call4.wav", concat(silence(500), other), Candidate{Result: "MACHINE", Conclusion: "Answering machine", VoiceStartMs: 500, AnsweredAtMs: -1}},
		{"call5.wav", alawRoundTrip(concat(silence(900), other)), Candidate{Result: "MACHINE", Conclusion: "Answering machine", VoiceStartMs: -1, AnsweredAtMs: -1}},
		{"human.wav", concat(silence(500), prompt(t, "en/hello-world")), Candidate{Result: "HUMAN", VoiceStartMs: 500, AnsweredAtMs: -1}},
		{"matched.wav", greeting, Candidate{Result: "MACHINE", Matched: true, VoiceStartMs: -1, AnsweredAtMs: -1}},
	}
	for _, call := range calls {
		call.cand.Source = "/rec/" + call.name
		path, err := c.Save(&sliceReader{call.audio}, call.cand)
		if err != nil {
			t.Fatalf("%s: %v", call.name, err)
		}
		if saved := path != ""; saved != (call.cand.Result == "MACHINE" && !call.cand.Matched) {
			t.Errorf("%s: saved %q", call.name, path)
		}
		if path != "" {
			if _, err := os.Stat(strings.TrimSuffix(path, ".wav") + ".json"); err != nil {
				t.Errorf("%s: no sidecar: %v", call.name, err)
			}
		}
	}
	// The captured greeting starts near the voice (lead-in cut away).
	wavs, _ := filepath.Glob(filepath.Join(captured, "call1-*.wav"))
	if len(wavs) != 1 {
		t.Fatalf("call1 captures: %v", wavs)
	}
	if s, _ := ReadAudioFile(wavs[0], 0); len(s) > len(greeting)+8*400 || len(s) < 8*2000 {
		t.Errorf("call1 greeting is %d ms, prompt is %d ms", len(s)/8, len(greeting)/8)
	}

	rep, err := Learn(LearnOptions{CapturedDir: captured, LibraryDir: library, MinCount: 3, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if rep.Candidates != 5 || len(rep.Groups) != 2 || rep.Groups[0].Action != "would graduate" || len(rep.Groups[0].Members) != 3 ||
		rep.Groups[1].Action != "too few" || rep.Groups[0].Class != "Voice mail" || !strings.HasPrefix(rep.Groups[0].Name, "Voice mail ") {
		t.Fatalf("dry run report %+v", rep)
	}
	if _, err := os.Stat(library); err == nil {
		t.Fatal("dry run created the library")
	}
	rep, err = Learn(LearnOptions{CapturedDir: captured, LibraryDir: library, MinCount: 3})
	if err != nil || rep.Groups[0].Action != "graduated" {
		t.Fatalf("learn: %v %+v", err, rep)
	}
	lib, warnings, err := Open(library)
	if err != nil || lib.Len() != 1 || len(warnings) != 0 {
		t.Fatalf("library after learning: %v %v", err, warnings)
	}
	name := rep.Groups[0].Name
	if m := matchSamples(lib, withLeadIn(gsmRoundTrip(t, greeting), 1800, 5)); m == nil || m.Name != name || m.Class != "Voice mail" {
		t.Errorf("new call: match %+v, want %s", m, name)
	}
	// Graduated candidates moved aside; learning again does nothing new.
	if moved, _ := filepath.Glob(filepath.Join(captured, GraduatedDir, name, "*.wav")); len(moved) != 3 {
		t.Errorf("moved %v", moved)
	}
	rep, err = Learn(LearnOptions{CapturedDir: captured, LibraryDir: library, MinCount: 3})
	if err != nil || rep.Candidates != 2 || hasGraduated(rep) {
		t.Errorf("second run %+v %v", rep, err)
	}
	// A group that the library already knows is reported as known.
	c.Save(&sliceReader{greeting}, Candidate{Source: "x.wav", Result: "MACHINE", VoiceStartMs: -1, AnsweredAtMs: -1})
	c.Save(&sliceReader{addNoise(greeting, 25, 8)}, Candidate{Source: "y.wav", Result: "MACHINE", VoiceStartMs: -1, AnsweredAtMs: -1})
	rep, _ = Learn(LearnOptions{CapturedDir: captured, LibraryDir: library, MinCount: 3})
	known := 0
	for _, g := range rep.Groups {
		if g.Action == "known" && strings.Contains(g.Known, name) && len(g.Members) == 2 {
			known++
		}
	}
	if known != 1 {
		t.Errorf("known group: %+v", rep.Groups)
	}
	if _, err := Learn(LearnOptions{CapturedDir: filepath.Join(captured, "nope"), LibraryDir: library, MinCount: 3}); err == nil {
		t.Error("missing captured dir accepted")
	}
}
