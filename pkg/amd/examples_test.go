package amd

import (
	"bufio"
	"context"
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// TestExamples guards the README's first command: every committed example
// recording gives the result, signal, code and beep its label says.
func TestExamples(t *testing.T) {
	dir := filepath.Join("..", "..", "examples")
	fh, err := os.Open(filepath.Join(dir, "labels.tsv"))
	if err != nil {
		t.Fatalf("examples/labels.tsv: %v", err)
	}
	defer fh.Close()
	sc := bufio.NewScanner(fh)
	n := 0
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if line == 1 || len(f) < 5 {
			continue
		}
		n++
		name, label, signal, code, beep := f[0], f[1], f[2], f[3], f[4]
		s, err := audio.Open(filepath.Join(dir, name), audio.DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		res, err := Analyze(context.Background(), s, DefaultConfig())
		s.Close()
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Result != label {
			t.Errorf("%s: %s (%s), want %s", name, res.Result, res.Cause, label)
		}
		if signal != "" && (res.Fax == nil || res.Fax.Signal != signal) {
			t.Errorf("%s: fax %+v, want %s", name, res.Fax, signal)
		}
		if code != "" && (res.SIT == nil || res.SIT.Code != code) {
			t.Errorf("%s: sit %+v, want %s", name, res.SIT, code)
		}
		if hz, err := strconv.ParseFloat(beep, 64); err == nil && hz > 0 {
			if res.Beep == nil || math.Abs(res.Beep.FreqHz-hz) > 0.05*hz {
				t.Errorf("%s: beep %+v, want %.0f Hz", name, res.Beep, hz)
			} else if res.Pattern != BeepPattern(hz) {
				t.Errorf("%s: pattern %q, want %q", name, res.Pattern, BeepPattern(hz))
			}
		}
	}
	if n < 4 {
		t.Errorf("examples/labels.tsv lists %d recordings, want the four of the README", n)
	}
}
