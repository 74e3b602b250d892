package cadence

import (
	"context"
	"errors"
	"fmt"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/khompctl/khompctl/internal/corpus"
	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// runFile runs the cadence profile alone over a recording, with the
// fallback tone mask and (when the label knows it) the answer point given
// at the moment the call-progress detector would have learned it: the
// first frame after the answer.
func runFile(path string, answerMs int, p Params) (*Decision, int, error) {
	st, err := audio.Open(path, audio.Options{Channel: -1})
	if err != nil {
		return nil, 0, err
	}
	defer st.Close()
	c := New(p)
	var mask ToneMask
	an := dsp.NewAnalyzer()
	answered := answerMs == 0
	end := 0
	var first *Decision
	fn := func(f *dsp.Frame) {
		c.Process(f, mask.Process(f))
		end = f.EndMs()
		if !answered && end > answerMs {
			c.Answer(answerMs)
			answered = true
		}
		if d := c.Decision(); d != nil && first == nil && answered {
			first = d
		}
	}
	buf := make([]float32, 4000)
	for {
		n, err := st.Read(buf)
		an.Write(buf[:n], fn)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return nil, 0, err
		}
	}
	an.Flush(fn)
	if first == nil {
		first = c.Finish(end)
	}
	return first, end, nil
}

type outcome struct {
	label corpus.Label
	d     *Decision
	dur   int
}

var (
	corpusOnce sync.Once
	corpusDir  string
	corpusErr  error
)

// devCorpus generates (once, cached by generator version) the development
// corpus and returns its directory.
func devCorpus(t testing.TB) string {
	corpusOnce.Do(func() {
		corpusDir, corpusErr = corpus.Ensure(context.Background(), corpus.DefaultRoot(), corpus.DefaultConfig())
	})
	if corpusErr != nil {
		t.Fatalf("development corpus: %v", corpusErr)
	}
	return corpusDir
}

func runCorpus(t testing.TB, dir string, p Params, keep func(corpus.Label) bool) []outcome {
	labels, err := corpus.ReadLabels(filepath.Join(dir, corpus.LabelsFile))
	if err != nil {
		t.Fatal(err)
	}
	var todo []corpus.Label
	for _, l := range labels {
		if keep(l) {
			todo = append(todo, l)
		}
	}
	out := make([]outcome, len(todo))
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	errs := make([]error, len(todo))
	for i, l := range todo {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer wg.Done()
			defer func() { <-sem }()
			d, dur, err := runFile(filepath.Join(dir, l.File), l.AnswerMs, p)
			out[i], errs[i] = outcome{l, d, dur}, err
		}()
	}
	wg.Wait()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("%s: %v", todo[i].File, err)
		}
	}
	return out
}

// TestCorpusCadence holds the cadence profile's own figures on the human,
// machine and silence part of the development corpus (the pipeline's
// accuracy test in pkg/amd adds fax, SIT and beep).
func TestCorpusCadence(t *testing.T) {
	dir := devCorpus(t)
	res := runCorpus(t, dir, DefaultParams(), func(l corpus.Label) bool {
		return l.Label == corpus.LabelHuman || l.Label == corpus.LabelMachine || l.Label == corpus.LabelSilence
	})
	conf := map[string]map[string]int{}
	var humanLat, machineLat []int
	short, shortOK := 0, 0
	for _, o := range res {
		if o.label.Label == corpus.LabelMachine && greetingMs(o.label.Notes) < shortGreetingMs {
			// As long as a person's sentence: only the beep after it can
			// tell (the pipeline's accuracy test holds that).
			short++
			if o.d.Result == Machine {
				shortOK++
			}
			continue
		}
		if conf[o.label.Label] == nil {
			conf[o.label.Label] = map[string]int{}
		}
		conf[o.label.Label][o.d.Result]++
		if o.d.Result != o.label.Label || testing.Verbose() && strings.HasPrefix(o.d.Cause, "ENDOF") {
			t.Logf("%-16s want %-7s got %-7s %-26s at %5d ms  %+v  [%s]", o.label.File, o.label.Label, o.d.Result,
				o.d.Cause, o.d.DecidedMs, o.d.Stats, o.label.Notes)
		}
		switch {
		case o.label.Label == corpus.LabelHuman && o.d.Result == Human:
			st := o.d.Stats
			firstEnd := o.label.AnswerMs + st.InitialSilenceMs + st.FirstUtteranceMs
			humanLat = append(humanLat, o.d.DecidedMs-firstEnd)
		case o.label.Label == corpus.LabelMachine && o.d.Result == Machine:
			machineLat = append(machineLat, o.d.DecidedMs-o.label.AnswerMs)
		}
	}
	rate := func(label, res string) float64 {
		n := 0
		for _, v := range conf[label] {
			n += v
		}
		if n == 0 {
			return 0
		}
		return float64(conf[label][res]) / float64(n)
	}
	t.Logf("confusion (rows: label, cols: result):\n%s", confusion(conf))
	t.Logf("machines with greetings under %d ms (left to the beep, not scored here): %d of %d called MACHINE by the cadence alone",
		shortGreetingMs, shortOK, short)
	hAcc, mAcc := rate("HUMAN", Human), rate("MACHINE", Machine)
	balanced := (hAcc + mAcc) / 2
	t.Logf("balanced human/machine accuracy %.1f %% (human %.1f %%, machine %.1f %%), human→MACHINE %.1f %%, silence %.1f %%",
		100*balanced, 100*hAcc, 100*mAcc, 100*rate("HUMAN", Machine), 100*rate("SILENCE", Silence))
	t.Logf("human decision after first-utterance end: median %d ms, p95 %d ms; machine decision after answer: median %d ms, p95 %d ms",
		pct(humanLat, 50), pct(humanLat, 95), pct(machineLat, 50), pct(machineLat, 95))
	if balanced < 0.97 {
		t.Errorf("balanced human/machine accuracy %.1f %% < 97 %%", 100*balanced)
	}
	if r := rate("HUMAN", Machine); r > 0.01 {
		t.Errorf("humans called MACHINE %.1f %% > 1 %%", 100*r)
	}
	if r := rate("SILENCE", Silence); r < 0.95 {
		t.Errorf("silence recall %.1f %% < 95 %%", 100*r)
	}
}

func confusion(conf map[string]map[string]int) string {
	cols := []string{Human, Machine, Silence, NotSure}
	var sb strings.Builder
	fmt.Fprintf(&sb, "%-8s", "")
	for _, c := range cols {
		fmt.Fprintf(&sb, "%9s", c)
	}
	sb.WriteString("\n")
	var rows []string
	for r := range conf {
		rows = append(rows, r)
	}
	sort.Strings(rows)
	for _, r := range rows {
		fmt.Fprintf(&sb, "%-8s", r)
		for _, c := range cols {
			fmt.Fprintf(&sb, "%9d", conf[r][c])
		}
		sb.WriteString("\n")
	}
	return sb.String()
}

func pct(xs []int, p int) int {
	if len(xs) == 0 {
		return 0
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	return s[min(len(s)-1, len(s)*p/100)]
}

// shortGreetingMs: a machine greeting shorter than this is as long as a
// person's whole-sentence answer (the corpus makes those up to 4 s), so
// the cadence alone cannot and must not call it MACHINE.
const shortGreetingMs = 4000

var greetingRE = regexp.MustCompile(`greeting=(\d+)ms`)

// greetingMs reads the greeting length from a label's notes (1<<30 when
// absent).
func greetingMs(notes string) int {
	m := greetingRE.FindStringSubmatch(notes)
	if m == nil {
		return 1 << 30
	}
	n, err := strconv.Atoi(m[1])
	if err != nil {
		return 1 << 30
	}
	return n
}
