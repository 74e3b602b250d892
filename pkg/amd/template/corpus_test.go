package template

import (
	"context"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/khompctl/khompctl/internal/corpus"
)

// TestDevelopmentCorpus runs the development corpus of amd analyze (made
// by internal/corpus from Asterisk prompts, espeak-ng and tones, with
// G.711/GSM, noise, gain and ringback) against a library of the carrier
// announcements the corpus plays after its SIT tones, plus ~50 prompts the
// corpus never uses. Files that contain an announcement must be identified
// as it; every other file (humans, voicemail greetings, fax, silence,
// espeak announcements, often the same words) must match nothing.
func TestDevelopmentCorpus(t *testing.T) {
	t.Parallel()
	needTool(t, "sox")
	needTool(t, "espeak-ng")
	cfg := corpus.DefaultConfig()
	if _, err := os.Stat(filepath.Join(cfg.SoundsDir, "en")); err != nil {
		t.Skip("Asterisk sounds not installed")
	}
	dir, err := corpus.Ensure(context.Background(), corpus.DefaultRoot(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	labels, err := corpus.ReadLabels(filepath.Join(dir, corpus.LabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	named := map[string][]float32{}
	announcements := map[string]bool{}
	for _, lang := range []string{"en", "es"} {
		for _, n := range []string{"ss-noservice", "cannot-complete-as-dialed", "check-number-dial-again",
			"all-circuits-busy-now", "number-not-answering", "please-try-call-later"} {
			announcements[lang+"/"+n] = true
		}
	}
	for _, p := range allPrompts(t) {
		if announcements[p.name] {
			named[p.name] = p.samples
		}
	}
	// The ~50 prompts no corpus uses (see scripts/evaltemplates) join the
	// library: any hit on one of them is a false match.
	for n, s := range unusedPromptsAudio(t) {
		named[n] = s
	}
	lib := memLibrary(t, "Interception announcement", named)
	// Match the files on every core (the corpus is the longest test).
	matches := make([]*Match, len(labels))
	errs := make([]error, len(labels))
	var wg sync.WaitGroup
	work := make(chan int)
	for w := 0; w < runtime.GOMAXPROCS(0); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				s, err := ReadAudioFile(filepath.Join(dir, labels[i].File), 0)
				errs[i] = err
				if err == nil {
					matches[i] = matchSamples(lib, s)
				}
			}
		}()
	}
	for i := range labels {
		work <- i
	}
	close(work)
	wg.Wait()
	var expected, found int
	for i, l := range labels {
		if errs[i] != nil {
			t.Fatal(errs[i])
		}
		want := ""
		for n := range named {
			if strings.Contains(l.Notes, "asterisk="+n) {
				want = n
			}
		}
		m := matches[i]
		switch {
		case want == "" && m != nil:
			t.Errorf("%s (%s, %s): false match %s (%d hashes, score %.2f)", l.File, l.Label, l.Notes, m.Name, m.Hashes, m.Score)
		case want != "":
			expected++
			if m != nil && m.Name == want {
				found++
			} else if m != nil {
				t.Errorf("%s: matched %s, want %s", l.File, m.Name, want)
			}
		}
	}
	t.Logf("%d corpus files, %d contain an enrolled announcement, %d identified", len(labels), expected, found)
	if expected > 0 && found*100 < expected*95 {
		t.Errorf("identified %d of %d enrolled announcements, want ≥ 95 %%", found, expected)
	}
}
