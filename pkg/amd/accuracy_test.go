package amd

import (
	"context"
	"path/filepath"
	"runtime"
	"sync"
	"testing"

	"github.com/khompctl/khompctl/internal/corpus"
	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// TestAccuracyCorpus is the accuracy regression gate of issue 5: the whole
// pipeline (default profile) on the labelled development corpus made by
// internal/corpus (generated once, cached under corpus.DefaultRoot() by
// generator version). It prints the confusion matrix, the figures and the
// Asterisk profile's figures on the same files, and fails when a figure
// drops below the goals.
func TestAccuracyCorpus(t *testing.T) {
	dir, err := corpus.Ensure(context.Background(), corpus.DefaultRoot(), corpus.DefaultConfig())
	if err != nil {
		t.Fatalf("development corpus: %v", err)
	}
	labels, err := corpus.ReadLabels(filepath.Join(dir, corpus.LabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	outs := make([]corpus.Outcome, len(labels))
	errs := make([]error, len(labels))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, l := range labels {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			outs[i], errs[i] = analyzeLabelled(filepath.Join(dir, l.File), l)
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", labels[i].File, err)
		}
	}
	th := corpus.Goals()
	rep := corpus.Score(outs, th)
	t.Logf("%d files from %s\n%s", len(labels), dir, rep)
	for _, m := range rep.Misses {
		t.Logf("miss: %s", m)
	}
	for _, f := range rep.Failures(th) {
		t.Error(f)
	}
}

// analyzeLabelled runs amd.Analyze with the default configuration.
func analyzeLabelled(path string, l corpus.Label) (corpus.Outcome, error) {
	st, err := audio.Open(path, audio.Options{Channel: -1})
	if err != nil {
		return corpus.Outcome{}, err
	}
	defer st.Close()
	res, err := Analyze(context.Background(), st, DefaultConfig())
	if err != nil {
		return corpus.Outcome{}, err
	}
	o := corpus.Outcome{Label: l, Result: res.Result, DecisionMs: res.DecisionMs}
	if res.Fax != nil {
		o.FaxSignal = res.Fax.Signal
	}
	if res.SIT != nil {
		o.SITCode = res.SIT.Code
	}
	if res.Beep != nil {
		o.BeepHz = res.Beep.FreqHz
	}
	if res.Asterisk != nil {
		o.AsteriskStatus = res.Asterisk.Status
	}
	return o, nil
}
