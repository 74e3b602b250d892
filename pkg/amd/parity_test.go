package amd

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/khompctl/khompctl/internal/amdtest"
	"github.com/khompctl/khompctl/pkg/amd/audio"
)

func parityDir(t testing.TB) string { return amdtest.ParityDir(t) }

// TestPipelineAsteriskParity runs the whole pipeline with --profile
// asterisk on the parity set: `result`, `asterisk.cause` and the decision
// time must be Asterisk's own, which also proves the shared front end and
// the reader hand app_amd exactly the samples Asterisk heard.
func TestPipelineAsteriskParity(t *testing.T) {
	dir := parityDir(t)
	cfg := DefaultConfig()
	cfg.Profile = ProfileAsterisk
	cases := amdtest.ParityCases(t, dir)
	exact := 0
	for _, c := range cases {
		s, err := audio.Open(filepath.Join(dir, "wav", c.File), audio.Options{Channel: audio.ChannelMix})
		if err != nil {
			t.Fatal(err)
		}
		res, err := Analyze(context.Background(), s, cfg)
		s.Close()
		if err != nil {
			t.Fatalf("%s: %v", c.File, err)
		}
		if res.Result != c.Status || res.Asterisk.Status != c.Status || res.Asterisk.Cause != c.Cause {
			t.Errorf("%s: result %s, asterisk %s %s; Asterisk said %s %s", c.File, res.Result, res.Asterisk.Status, res.Asterisk.Cause, c.Status, c.Cause)
			continue
		}
		if res.DecisionMs != c.DecisionMs || res.Asterisk.DecisionMs != c.DecisionMs {
			t.Errorf("%s: decision_ms %d, Asterisk %d", c.File, res.DecisionMs, c.DecisionMs)
			continue
		}
		exact++
	}
	if exact != len(cases) {
		t.Errorf("%d/%d files identical to Asterisk", exact, len(cases))
	}
	t.Logf("pipeline --profile asterisk: %d/%d files identical to Asterisk (status, cause, decision_ms)", exact, len(cases))
}
