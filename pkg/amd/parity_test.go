package amd

import (
	"bufio"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// parityDir finds ../shared/asterisk-parity next to the module root (CI
// clones the repository beside shared/). KHOMPCTL_PARITY_DIR overrides it.
func parityDir(t testing.TB) string {
	t.Helper()
	if d := os.Getenv("KHOMPCTL_PARITY_DIR"); d != "" {
		return d
	}
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("cannot find the module root (go.mod) above the test directory")
		}
		dir = parent
	}
	p := filepath.Join(dir, "..", "shared", "asterisk-parity")
	if _, err := os.Stat(filepath.Join(p, "expected.tsv")); err != nil {
		t.Fatalf("Asterisk parity set missing: %s/expected.tsv not found (clone the repository next to shared/, or set KHOMPCTL_PARITY_DIR)", p)
	}
	return p
}

// TestPipelineAsteriskParity runs the whole pipeline with --profile
// asterisk on the parity set: `result`, `asterisk.cause` and the decision
// time must be Asterisk's own, which also proves the shared front end and
// the reader hand app_amd exactly the samples Asterisk heard.
func TestPipelineAsteriskParity(t *testing.T) {
	dir := parityDir(t)
	fh, err := os.Open(filepath.Join(dir, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	cfg := DefaultConfig()
	cfg.Profile = ProfileAsterisk
	sc := bufio.NewScanner(fh)
	files, exact := 0, 0
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if line == 1 || len(f) < 4 {
			continue
		}
		files++
		wantMs, _ := strconv.Atoi(f[3])
		s, err := audio.Open(filepath.Join(dir, "wav", f[0]), audio.Options{Channel: audio.ChannelMix})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Analyze(context.Background(), s, cfg)
		s.Close()
		if err != nil {
			t.Fatalf("%s: %v", f[0], err)
		}
		if res.Result != f[1] || res.Asterisk.Status != f[1] || res.Asterisk.Cause != f[2] {
			t.Errorf("%s: result %s, asterisk %s %s; Asterisk said %s %s", f[0], res.Result, res.Asterisk.Status, res.Asterisk.Cause, f[1], f[2])
			continue
		}
		if res.DecisionMs != wantMs || res.Asterisk.DecisionMs != wantMs {
			t.Errorf("%s: decision_ms %d, Asterisk %d", f[0], res.DecisionMs, wantMs)
			continue
		}
		exact++
	}
	if files != 97 {
		t.Errorf("expected.tsv lists %d files, want 97", files)
	}
	t.Logf("pipeline --profile asterisk: %d/%d files identical to Asterisk (status, cause, decision_ms)", exact, files)
}
