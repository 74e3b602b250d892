package heldout

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/internal/corpus"
)

// tinyConfig makes one file of each class.
func tinyConfig() Config {
	c := DefaultConfig()
	c.Humans, c.Machines, c.Faxes, c.SITs, c.Silences = 1, 1, 1, 1, 1
	c.Seed = 7
	return c
}

// TestGenerateIsDeterministic generates the tiny corpus twice (with
// different worker counts) and compares the labels and the file bytes; the
// labels must read back through the development corpus's reader, which is
// what scripts/eval_amd.sh uses.
func TestGenerateIsDeterministic(t *testing.T) {
	cfg := tinyConfig()
	a, b := t.TempDir(), t.TempDir()
	la, err := Generate(context.Background(), cfg, a)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 1
	lb, err := Generate(context.Background(), cfg, b)
	if err != nil {
		t.Fatal(err)
	}
	if len(la) != 5 || len(lb) != 5 {
		t.Fatalf("%d and %d labels, want 5", len(la), len(lb))
	}
	for i := range la {
		if la[i] != lb[i] {
			t.Errorf("label %d differs:\n%+v\n%+v", i, la[i], lb[i])
		}
	}
	for _, l := range la {
		x, err := os.ReadFile(filepath.Join(a, l.File))
		if err != nil {
			t.Fatal(err)
		}
		y, err := os.ReadFile(filepath.Join(b, l.File))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", l.File)
		}
		if len(x) < 4000 || string(x[:4]) != "RIFF" {
			t.Errorf("%s: %d bytes, not a WAV of a few seconds", l.File, len(x))
		}
	}
	back, err := corpus.ReadLabels(filepath.Join(a, corpus.LabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	if len(back) != len(la) || back[0] != la[0] {
		t.Errorf("labels.tsv does not read back: %+v", back)
	}
	want := map[string]bool{"FAX": true, "HUMAN": true, "MACHINE": true, "SIT": true, "SILENCE": true}
	for _, l := range la {
		delete(want, l.Label)
		if !strings.HasPrefix(l.Notes, "kind=") || !strings.Contains(l.Notes, "codec=") && l.Label != "SILENCE" {
			t.Errorf("%s: notes %q lack the kind/codec tags", l.File, l.Notes)
		}
	}
	if len(want) > 0 {
		t.Errorf("classes missing from the tiny corpus: %v", want)
	}
}

// TestScore checks the figures on hand-made results: one human right, one
// human called MACHINE with a false beep, a machine with its beep found
// 20 Hz off, a fax with the wrong signal, a SIT right, a file with no result.
func TestScore(t *testing.T) {
	labels := []corpus.Label{
		{File: "h1.wav", Label: "HUMAN", Notes: "kind=human style=word noise=babble/12dB"},
		{File: "h2.wav", Label: "HUMAN", AnswerMs: 1000, Notes: "kind=human style=sentence noise=babble/14dB"},
		{File: "m1.wav", Label: "MACHINE", BeepHz: 1000, Notes: "kind=machine beep=single/1000Hz/300ms beep_spec=in"},
		{File: "f1.wav", Label: "FAX", Signal: "CED", Notes: "kind=fax"},
		{File: "s1.wav", Label: "SIT", Code: "IC", Notes: "kind=sit"},
		{File: "gone.wav", Label: "SILENCE"},
	}
	in := strings.Join([]string{
		`{"file":"dir/h1.wav","result":"HUMAN","decision_ms":2000,"asterisk":{"status":"HUMAN","decision_ms":1900}}`,
		`{"file":"dir/h2.wav","result":"MACHINE","decision_ms":3000,"beep":{"freq_hz":700},"asterisk":{"status":"MACHINE"}}`,
		`{"file":"dir/m1.wav","result":"MACHINE","decision_ms":5000,"beep":{"freq_hz":1020},"asterisk":{"status":"HUMAN"}}`,
		`{"file":"dir/f1.wav","result":"FAX","fax":{"signal":"ANSAM"}}`,
		`{"file":"dir/s1.wav","result":"SIT","decision_ms":1500,"sit":{"code":"IC"}}`,
		`{"file":"dir/gone.wav","error":"gone.wav: truncated"}`,
	}, "\n")
	res, err := ReadResults(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	rep := Score(labels, res)
	checks := []struct {
		name      string
		got, want float64
	}{
		{"files", float64(rep.Files), 5}, {"missing", float64(rep.Missing), 1},
		{"human acc", rep.HumanAcc, 0.5}, {"machine acc", rep.MachineAcc, 1}, {"balanced", rep.Balanced, 0.75},
		{"human→MACHINE", rep.HumanAsMachine, 0.5}, {"asterisk balanced", rep.AstBalanced, 0.25},
		{"fax detected", float64(rep.FaxDetected), 1}, {"fax right", float64(rep.FaxRight), 0},
		{"sit right", float64(rep.SITRight), 1}, {"beeps ok", float64(rep.BeepsInSpecOK), 1},
		{"beep error max Hz", float64(rep.BeepErrHz.Max), 20}, {"false beeps", float64(rep.FalseBeepsHuman), 1},
		{"human latency p50", float64(rep.Latency["HUMAN"].P50), 2000},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s = %v, want %v", c.name, c.got, c.want)
		}
	}
	var babble Facet
	for _, f := range rep.Facets["HUMAN"] {
		if f.Name == "noise=babble" {
			babble = f
		}
	}
	if babble.N != 2 || babble.Wrong != 1 {
		t.Errorf("facet noise=babble = %+v, want 1 wrong of 2", babble)
	}
	var out bytes.Buffer
	rep.Write(&out, true)
	for _, s := range []string{"balanced human/machine accuracy 75.0 %", "h2.wav\tHUMAN→MACHINE", "signal ANSAM, want CED", "gone.wav: no result"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("report lacks %q:\n%s", s, out.String())
		}
	}

	// A later run fixes h2 and breaks h1: the comparison must say so.
	later := map[string]Result{}
	for k, v := range res {
		later[k] = v
	}
	later["h1.wav"] = Result{File: "h1.wav", Result: "SILENCE"}
	later["h2.wav"] = Result{File: "h2.wav", Result: "HUMAN", DecisionMs: 2500}
	out.Reset()
	WriteChanges(&out, labels, rep, Score(labels, later), false)
	for _, s := range []string{"fixed   h2.wav", "broken  h1.wav: now HUMAN→SILENCE", "1 files fixed, 1 broken", "humans called MACHINE                50.0 % →    0.0 %"} {
		if !strings.Contains(out.String(), s) {
			t.Errorf("comparison lacks %q:\n%s", s, out.String())
		}
	}
}

// FuzzScore feeds arbitrary results lines and label notes to the scorer:
// it must reject or score them, never panic.
func FuzzScore(f *testing.F) {
	f.Add(`{"file":"a.wav","result":"HUMAN","beep":{"freq_hz":1000}}`, "kind=human noise=babble/12dB peak=-3dBFS init=700")
	f.Add(`{"file":"a.wav","result":"SIT","sit":{"code":"IC"}}`, "noise=/ level=x init=")
	f.Add("{", "speech_ms=1e309 noise=white")
	f.Fuzz(func(t *testing.T, line, notes string) {
		res, err := ReadResults(strings.NewReader(line))
		if err != nil {
			return
		}
		labels := []corpus.Label{{File: "a.wav", Label: "HUMAN", Notes: notes}, {File: "a.wav", Label: "MACHINE", BeepHz: 440, Notes: notes}}
		rep := Score(labels, res)
		if rep.Files+rep.Missing != len(labels) {
			t.Fatalf("%d scored + %d missing != %d labels", rep.Files, rep.Missing, len(labels))
		}
		rep.Write(io.Discard, true)
	})
}
