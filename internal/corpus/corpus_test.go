package corpus

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func smallConfig() Config {
	c := DefaultConfig()
	c.Humans, c.Machines, c.Faxes, c.SITs, c.Silences = 3, 3, 6, 9, 2
	c.Seed = 42
	return c
}

// TestGenerateIsDeterministic makes a small corpus twice and compares it
// byte for byte, and checks the labels describe what was made.
func TestGenerateIsDeterministic(t *testing.T) {
	cfg := smallConfig()
	a, b := t.TempDir(), t.TempDir()
	la, err := Generate(context.Background(), cfg, a)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Workers = 1 // a different schedule must not change anything
	if _, err := Generate(context.Background(), cfg, b); err != nil {
		t.Fatal(err)
	}
	if len(la) != 23 {
		t.Fatalf("%d labels, want 23", len(la))
	}
	ents, _ := os.ReadDir(a)
	for _, e := range ents {
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || !bytes.Equal(x, y) {
			t.Errorf("%s differs between two runs", e.Name())
		}
	}
	back, err := ReadLabels(filepath.Join(a, LabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]bool{}
	for i, l := range back {
		if l != la[i] {
			t.Errorf("label %d: read back %+v, wrote %+v", i, l, la[i])
		}
		switch l.Label {
		case LabelFax:
			if l.Signal == "" {
				t.Errorf("%s: fax without signal", l.File)
			}
		case LabelSIT:
			codes[l.Code] = true
		}
		if st, err := os.Stat(filepath.Join(a, l.File)); err != nil || st.Size() < 8000 {
			t.Errorf("%s: missing or too small (%v)", l.File, err)
		}
	}
	if len(codes) != 9 {
		t.Errorf("SIT codes %v: want all 9", codes)
	}
}

func TestEnsureReusesTheCache(t *testing.T) {
	cfg := smallConfig()
	cfg.Humans, cfg.Machines, cfg.Faxes, cfg.SITs, cfg.Silences = 1, 0, 0, 0, 1
	root := t.TempDir()
	dir, err := Ensure(context.Background(), root, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(dir, cfg.Key()) {
		t.Errorf("cache dir %s not keyed by %s", dir, cfg.Key())
	}
	marker := filepath.Join(dir, "marker")
	os.WriteFile(marker, nil, 0o644)
	again, err := Ensure(context.Background(), root, cfg)
	if err != nil || again != dir {
		t.Fatalf("second Ensure: %s, %v", again, err)
	}
	if _, err := os.Stat(marker); err != nil {
		t.Error("the cached corpus was regenerated")
	}
	cfg.Seed++
	if cfg.Key() == filepath.Base(dir)[len("khompctl-corpus-"):] {
		t.Error("a different seed gives the same key")
	}
}

func TestReadLabelsRejectsBadRows(t *testing.T) {
	for _, tc := range []struct{ body, want string }{
		{"nope\n", "line 1"},
		{labelsHeader + "\nx.wav\tROBOT\t\t\t\t0\t\n", "line 2: label \"ROBOT\""},
		{labelsHeader + "\nx.wav\tMACHINE\t\t\tloud\t0\t\n", "beep_hz"},
		{labelsHeader + "\nx.wav\tHUMAN\t\t\t\t-5\t\n", "answer_ms"},
		{labelsHeader + "\n\tHUMAN\n", "empty file name"},
	} {
		p := filepath.Join(t.TempDir(), LabelsFile)
		os.WriteFile(p, []byte(tc.body), 0o644)
		_, err := ReadLabels(p)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %v, want it to mention %q", tc.body, err, tc.want)
		}
	}
	p := filepath.Join(t.TempDir(), LabelsFile)
	os.WriteFile(p, []byte(labelsHeader+"\n# comment\nrec.wav\thuman\n"), 0o644)
	ls, err := ReadLabels(p)
	if err != nil || len(ls) != 1 || ls[0].Label != LabelHuman {
		t.Errorf("short hand-written row: %+v %v", ls, err)
	}
}

func FuzzParseLabel(f *testing.F) {
	f.Add("human-001.wav\tHUMAN\t\t\t\t0\tnotes")
	f.Add("m.wav\tMACHINE\t\t\t1000.0\t3949\t")
	f.Add("f.wav\tFAX\tCED\t\t\t0\t")
	f.Add("\t\t\t")
	f.Fuzz(func(t *testing.T, line string) {
		l, err := parseLabel(line)
		if err == nil && (l.File == "" || l.BeepHz < 0 || l.AnswerMs < 0) {
			t.Errorf("accepted an invalid row %q as %+v", line, l)
		}
	})
}

func TestScoreFigures(t *testing.T) {
	var outs []Outcome
	for i := 0; i < 100; i++ {
		res := "HUMAN"
		if i < 2 {
			res = "MACHINE"
		}
		outs = append(outs, Outcome{Label: Label{File: "h", Label: LabelHuman}, Result: res, AsteriskStatus: "HUMAN"})
		outs = append(outs, Outcome{Label: Label{File: "m", Label: LabelMachine, BeepHz: 1000}, Result: "MACHINE", BeepHz: 1040, AsteriskStatus: "HUMAN"})
	}
	outs = append(outs, Outcome{Label: Label{File: "f", Label: LabelFax, Signal: "CED"}, Result: "FAX", FaxSignal: "CNG"})
	r := Score(outs, Goals())
	if r.BalancedHM != 0.99 || r.HumanAsMachine != 0.02 || r.BeepRecall != 1 || r.FaxRecall != 0 || r.AsteriskBalancedHM != 0.5 {
		t.Fatalf("figures %+v", r)
	}
	f := r.Failures(Goals())
	if len(f) != 2 || !strings.Contains(f[0], "humans called MACHINE") || !strings.Contains(f[1], "fax") {
		t.Errorf("failures %q", f)
	}
	if !strings.Contains(r.String(), "asterisk balanced") {
		t.Errorf("report lacks the asterisk comparison:\n%s", r)
	}
}
