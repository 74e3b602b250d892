package asterisk

import (
	"bufio"
	"errors"
	"io"
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

type parityCase struct {
	file, status, cause string
	decisionMs          int
}

func readExpected(t testing.TB, dir string) []parityCase {
	t.Helper()
	fh, err := os.Open(filepath.Join(dir, "expected.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	defer fh.Close()
	var cases []parityCase
	sc := bufio.NewScanner(fh)
	for line := 1; sc.Scan(); line++ {
		f := strings.Split(sc.Text(), "\t")
		if line == 1 || len(f) < 4 {
			continue
		}
		ms, err := strconv.Atoi(f[3])
		if err != nil {
			t.Fatalf("expected.tsv line %d: decision_ms %q", line, f[3])
		}
		cases = append(cases, parityCase{file: f[0], status: f[1], cause: f[2], decisionMs: ms})
	}
	if len(cases) == 0 {
		t.Fatal("expected.tsv has no rows")
	}
	return cases
}

// TestParityWithAsterisk runs the default parameters over every recording of
// the parity set, whose expected answers were produced by a real Asterisk
// 22 AMD(), and requires the same AMDSTATUS, AMDCAUSE and decision time.
func TestParityWithAsterisk(t *testing.T) {
	dir := parityDir(t)
	cases := readExpected(t, dir)
	exact := 0
	for _, c := range cases {
		got, err := runFile(filepath.Join(dir, "wav", c.file))
		if err != nil {
			t.Errorf("%s: %v", c.file, err)
			continue
		}
		if got.Status != c.status || got.Cause != c.cause {
			t.Errorf("%s: got %s %s at %d ms, Asterisk said %s %s at %d ms", c.file, got.Status, got.Cause, got.DecidedMs, c.status, c.cause, c.decisionMs)
			continue
		}
		if got.DecidedMs == c.decisionMs {
			exact++
		} else {
			t.Errorf("%s: %s %s decided at %d ms, Asterisk at %d ms", c.file, got.Status, got.Cause, got.DecidedMs, c.decisionMs)
		}
	}
	t.Logf("parity: %d/%d files with the same status, cause and decision_ms", exact, len(cases))
}

// runFile reads a recording with the pipeline's reader (which decodes G.711
// exactly and resamples other rates to 8 kHz) and runs the detector on it.
func runFile(path string) (*Result, error) {
	s, err := audio.Open(path, audio.Options{Channel: audio.ChannelMix})
	if err != nil {
		return nil, err
	}
	defer s.Close()
	d := New(DefaultParams())
	buf := make([]float32, 1000)
	for !d.Done() {
		n, err := s.Read(buf)
		d.ProcessSamples(buf[:n])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, err
		}
	}
	return d.Finish(), nil
}
