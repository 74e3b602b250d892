package asterisk

import (
	"errors"
	"io"
	"path/filepath"
	"testing"

	"github.com/khompctl/khompctl/internal/amdtest"
	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// TestParityWithAsterisk runs the default parameters over every recording of
// the parity set, whose expected answers were produced by a real Asterisk
// 22 AMD(), and requires the same AMDSTATUS, AMDCAUSE and decision time.
func TestParityWithAsterisk(t *testing.T) {
	dir := amdtest.ParityDir(t)
	cases := amdtest.ParityCases(t, dir)
	exact := 0
	for _, c := range cases {
		got, err := runFile(filepath.Join(dir, "wav", c.File))
		if err != nil {
			t.Errorf("%s: %v", c.File, err)
			continue
		}
		if got.Status != c.Status || got.Cause != c.Cause {
			t.Errorf("%s: got %s %s at %d ms, Asterisk said %s %s at %d ms", c.File, got.Status, got.Cause, got.DecidedMs, c.Status, c.Cause, c.DecisionMs)
			continue
		}
		if got.DecidedMs == c.DecisionMs {
			exact++
		} else {
			t.Errorf("%s: %s %s decided at %d ms, Asterisk at %d ms", c.File, got.Status, got.Cause, got.DecidedMs, c.DecisionMs)
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
