package heldout

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"github.com/khompctl/khompctl/internal/corpus"
)

// Result is the part of one `khompctl amd analyze --json` line the
// evaluation reads.
type Result struct {
	File       string `json:"file"`
	Result     string `json:"result"`
	DecisionMs int    `json:"decision_ms"`
	Cause      string `json:"cause"`
	Error      string `json:"error"`
	Asterisk   *struct {
		Status     string `json:"status"`
		Cause      string `json:"cause"`
		DecisionMs int    `json:"decision_ms"`
	} `json:"asterisk"`
	Beep *struct {
		FreqHz  float64 `json:"freq_hz"`
		StartMs int     `json:"start_ms"`
		EndMs   int     `json:"end_ms"`
	} `json:"beep"`
	Fax *struct {
		Signal string `json:"signal"`
	} `json:"fax"`
	SIT *struct {
		Code string `json:"code"`
	} `json:"sit"`
}

// ReadResults reads JSON lines and keys them by file base name.
func ReadResults(r io.Reader) (map[string]Result, error) {
	out := map[string]Result{}
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 1<<20), 1<<26)
	for n := 1; sc.Scan(); n++ {
		var res Result
		if err := json.Unmarshal(sc.Bytes(), &res); err != nil {
			return nil, fmt.Errorf("results line %d: %w", n, err)
		}
		out[filepath.Base(res.File)] = res
	}
	return out, sc.Err()
}

// Percentiles of a latency distribution (ms).
type Percentiles struct{ N, P50, P90, P95, Max int }

func percentiles(xs []int) Percentiles {
	if len(xs) == 0 {
		return Percentiles{}
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	at := func(p int) int { return s[min(len(s)-1, len(s)*p/100)] }
	return Percentiles{N: len(s), P50: at(50), P90: at(90), P95: at(95), Max: s[len(s)-1]}
}

// Report is the evaluation of one run.
type Report struct {
	Files, Missing int
	Confusion      map[string]map[string]int // label → result
	Asterisk       map[string]map[string]int // label → AMDSTATUS

	HumanAcc, MachineAcc, Balanced, HumanAsMachine, HumanNotSure float64
	AstHumanAcc, AstMachineAcc, AstBalanced, AstHumanAsMachine   float64

	Faxes, FaxDetected, FaxRight int
	SITs, SITDetected, SITRight  int

	BeepsInSpec, BeepsInSpecOK, Beeps, BeepsOK int
	BeepErrHz                                  Percentiles // |reported − true| Hz ×1 (rounded), beeps reported on beep files
	BeepErrMaxPct                              float64
	FalseBeepsHuman, FalseBeepsMachineNoBeep   int
	Humans, MachinesNoBeep                     int

	Latency    map[string]Percentiles // label → decision_ms − answer_ms of correct results
	AstLatency map[string]Percentiles // HUMAN/MACHINE: Asterisk decision_ms − answer_ms, correct ones

	Facets     map[string][]Facet // label → error rate by condition
	MissCauses map[string]int     // "HUMAN→MACHINE cadence:LONGGREETING" → wrong files
	Misses     []string
	Wrong      map[string]string // file → "label→result (why, cause)" of every wrong file (class, signal/code or beep)
}

// Facet is the error count of files sharing one condition (e.g. noise=babble).
type Facet struct {
	Name     string
	N, Wrong int
}

// Score evaluates results against labels.
func Score(labels []corpus.Label, results map[string]Result) Report {
	rep := Report{Confusion: map[string]map[string]int{}, Asterisk: map[string]map[string]int{},
		Latency: map[string]Percentiles{}, AstLatency: map[string]Percentiles{}, Facets: map[string][]Facet{},
		MissCauses: map[string]int{}, Wrong: map[string]string{}}
	lat, astLat := map[string][]int{}, map[string][]int{}
	facets := map[string]map[string]*Facet{}
	var beepErr []int
	for _, l := range labels {
		res, ok := results[filepath.Base(l.File)]
		if !ok || res.Error != "" {
			rep.Missing++
			rep.Misses = append(rep.Misses, fmt.Sprintf("%s: no result %s", l.File, res.Error))
			continue
		}
		rep.Files++
		inc(rep.Confusion, l.Label, res.Result)
		if res.Asterisk != nil {
			inc(rep.Asterisk, l.Label, res.Asterisk.Status)
			if res.Asterisk.Status == l.Label {
				astLat[l.Label] = append(astLat[l.Label], res.Asterisk.DecisionMs-l.AnswerMs)
			}
		}
		right, why := rep.judge(l, res)
		if right {
			lat[l.Label] = append(lat[l.Label], res.DecisionMs-l.AnswerMs)
		}
		beepOK, beepWhy := rep.judgeBeep(l, res, &beepErr)
		if !right {
			rep.MissCauses[fmt.Sprintf("%s→%s %s", l.Label, res.Result, causeRule(res.Cause))]++
		}
		if !right || !beepOK {
			why = strings.TrimSpace(why + " " + beepWhy)
			rep.Wrong[l.File] = fmt.Sprintf("%s→%s (%s, cause %s)", l.Label, res.Result, why, res.Cause)
			ast := ""
			if res.Asterisk != nil {
				ast = res.Asterisk.Status + "/" + res.Asterisk.Cause
			}
			rep.Misses = append(rep.Misses, fmt.Sprintf("%s\t%s→%s\t%s\tcause=%s decision_ms=%d asterisk=%s\t%s",
				l.File, l.Label, res.Result, why, res.Cause, res.DecisionMs, ast, l.Notes))
		}
		for _, f := range facetsOf(l) {
			m := facets[l.Label]
			if m == nil {
				m = map[string]*Facet{}
				facets[l.Label] = m
			}
			if m[f] == nil {
				m[f] = &Facet{Name: f}
			}
			m[f].N++
			if !right {
				m[f].Wrong++
			}
		}
	}
	rep.finish(lat, astLat, beepErr, facets)
	return rep
}

// judge says whether the result is right (class, and fax signal / SIT code).
func (rep *Report) judge(l corpus.Label, res Result) (bool, string) {
	right := res.Result == l.Label
	why := "want " + l.Label
	switch l.Label {
	case corpus.LabelFax:
		rep.Faxes++
		if right {
			rep.FaxDetected++
			got := ""
			if res.Fax != nil {
				got = res.Fax.Signal
			}
			right = got == l.Signal
			why = fmt.Sprintf("signal %s, want %s", got, l.Signal)
			if right {
				rep.FaxRight++
			}
		}
	case corpus.LabelSIT:
		rep.SITs++
		if right {
			rep.SITDetected++
			got := ""
			if res.SIT != nil {
				got = res.SIT.Code
			}
			right = got == l.Code
			why = fmt.Sprintf("code %s, want %s", got, l.Code)
			if right {
				rep.SITRight++
			}
		}
	}
	return right, why
}

// judgeBeep scores the beep: recall within 5 % of the frequency on beep
// files, false beeps on humans and on machines without one.
func (rep *Report) judgeBeep(l corpus.Label, res Result, errs *[]int) (bool, string) {
	got := 0.0
	if res.Beep != nil {
		got = res.Beep.FreqHz
	}
	switch {
	case l.BeepHz > 0:
		rep.Beeps++
		// Files without the tag (the development corpus) make every beep
		// within the goal's conditions.
		inSpec := !strings.Contains(l.Notes, "beep_spec=out")
		if inSpec {
			rep.BeepsInSpec++
		}
		if got > 0 {
			e := math.Abs(got - l.BeepHz)
			*errs = append(*errs, int(math.Round(e)))
			rep.BeepErrMaxPct = math.Max(rep.BeepErrMaxPct, 100*e/l.BeepHz)
		}
		if got > 0 && math.Abs(got-l.BeepHz) <= 0.05*l.BeepHz {
			rep.BeepsOK++
			if inSpec {
				rep.BeepsInSpecOK++
			}
			return true, ""
		}
		return false, fmt.Sprintf("beep %.0f Hz, want %.0f Hz", got, l.BeepHz)
	case l.Label == corpus.LabelHuman:
		rep.Humans++
		if got > 0 {
			rep.FalseBeepsHuman++
			return false, fmt.Sprintf("false beep %.0f Hz", got)
		}
	case l.Label == corpus.LabelMachine:
		rep.MachinesNoBeep++
		if got > 0 {
			rep.FalseBeepsMachineNoBeep++
			return false, fmt.Sprintf("false beep %.0f Hz", got)
		}
	}
	return true, ""
}

func (rep *Report) finish(lat, astLat map[string][]int, beepErr []int, facets map[string]map[string]*Facet) {
	rep.HumanAcc = share(rep.Confusion, "HUMAN", "HUMAN")
	rep.MachineAcc = share(rep.Confusion, "MACHINE", "MACHINE")
	rep.Balanced = (rep.HumanAcc + rep.MachineAcc) / 2
	rep.HumanAsMachine = share(rep.Confusion, "HUMAN", "MACHINE")
	rep.HumanNotSure = share(rep.Confusion, "HUMAN", "NOTSURE")
	rep.AstHumanAcc = share(rep.Asterisk, "HUMAN", "HUMAN")
	rep.AstMachineAcc = share(rep.Asterisk, "MACHINE", "MACHINE")
	rep.AstBalanced = (rep.AstHumanAcc + rep.AstMachineAcc) / 2
	rep.AstHumanAsMachine = share(rep.Asterisk, "HUMAN", "MACHINE")
	for k, v := range lat {
		rep.Latency[k] = percentiles(v)
	}
	for k, v := range astLat {
		rep.AstLatency[k] = percentiles(v)
	}
	rep.BeepErrHz = percentiles(beepErr)
	for label, m := range facets {
		for _, f := range m {
			rep.Facets[label] = append(rep.Facets[label], *f)
		}
		sort.Slice(rep.Facets[label], func(i, j int) bool {
			a, b := rep.Facets[label][i], rep.Facets[label][j]
			ra, rb := float64(a.Wrong)/float64(a.N), float64(b.Wrong)/float64(b.N)
			if ra != rb {
				return ra > rb
			}
			return a.Name < b.Name
		})
	}
	sort.Strings(rep.Misses)
}

// causeRule keeps the rule of a cause ("cadence:LONGGREETING-1900-1900" →
// "cadence:LONGGREETING"), dropping the measured values.
func causeRule(cause string) string {
	rule, _, _ := strings.Cut(cause, "-")
	if rule == "" {
		return "(no cause)"
	}
	return rule
}

// facetsOf turns a label's tags into the conditions errors are grouped by;
// free-form tags (voice, text) are left out and numbers are bucketed.
func facetsOf(l corpus.Label) []string {
	var out []string
	if l.Signal != "" {
		out = append(out, "signal="+l.Signal)
	}
	if l.Code != "" {
		out = append(out, "code="+l.Code)
	}
	if l.BeepHz > 0 {
		out = append(out, "beep=yes")
	} else {
		out = append(out, "beep=no")
	}
	if l.AnswerMs == 0 {
		out = append(out, "ring=none")
	}
	for _, tok := range strings.Fields(l.Notes) {
		k, v, ok := strings.Cut(tok, "=")
		if !ok {
			continue
		}
		switch k {
		case "style", "lang", "codec", "band", "shape", "silence":
			out = append(out, tok)
		case "noise", "ring", "beep":
			kind, _, _ := strings.Cut(v, "/")
			kind, _, _ = strings.Cut(kind, "×")
			out = append(out, k+"="+kind)
			if k == "noise" {
				out = append(out, "snr="+bucket(numberIn(v[strings.Index(v, "/")+1:]), 10, "dB"))
			}
		case "clip", "dc", "then":
			out = append(out, k+"=yes")
		case "speech_ms", "greeting_ms":
			out = append(out, k+"="+bucket(numberIn(v)/1000, 1, "s"))
		case "init":
			out = append(out, k+"="+bucket(numberIn(v)/1000, 0.5, "s"))
		case "peak", "level", "beep_dbm0":
			out = append(out, k+"="+bucket(numberIn(v), 5, "dB"))
		case "beep_spec":
			out = append(out, tok)
		}
	}
	return out
}

// numberIn parses the leading number of s ("17dB" → 17, "-12.5dBm0" → -12.5).
func numberIn(s string) float64 {
	end := 0
	for end < len(s) && strings.ContainsRune("+-.0123456789", rune(s[end])) {
		end++
	}
	f, _ := strconv.ParseFloat(s[:end], 64)
	return f
}

// bucket names the interval [lo, lo+width) containing x.
func bucket(x, width float64, unit string) string {
	lo := math.Floor(x/width) * width
	return fmt.Sprintf("%g..%g%s", lo, lo+width, unit)
}

func inc(m map[string]map[string]int, row, col string) {
	if m[row] == nil {
		m[row] = map[string]int{}
	}
	m[row][col]++
}

func share(m map[string]map[string]int, row, col string) float64 {
	n := 0
	for _, v := range m[row] {
		n += v
	}
	if n == 0 {
		return 0
	}
	return float64(m[row][col]) / float64(n)
}

func pct(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return 100 * float64(a) / float64(b)
}

// Write prints the report; verbose adds every miss.
func (rep Report) Write(w io.Writer, verbose bool) {
	fmt.Fprintf(w, "%d files scored, %d without a result\n\n", rep.Files, rep.Missing)
	fmt.Fprintln(w, "default profile (rows: label, columns: result)")
	writeMatrix(w, rep.Confusion, []string{"HUMAN", "MACHINE", "FAX", "SIT", "SILENCE", "NOTSURE"})
	fmt.Fprintf(w, "balanced human/machine accuracy %.1f %% (human %.1f %%, machine %.1f %%)\n", 100*rep.Balanced, 100*rep.HumanAcc, 100*rep.MachineAcc)
	fmt.Fprintf(w, "humans called MACHINE %.1f %%, NOTSURE %.1f %%\n", 100*rep.HumanAsMachine, 100*rep.HumanNotSure)
	fmt.Fprintf(w, "fax/modem recall %.1f %% detected, %.1f %% with the right signal (%d files)\n",
		pct(rep.FaxDetected, rep.Faxes), pct(rep.FaxRight, rep.Faxes), rep.Faxes)
	fmt.Fprintf(w, "SIT recall %.1f %% detected, %.1f %% with the right code (%d files)\n",
		pct(rep.SITDetected, rep.SITs), pct(rep.SITRight, rep.SITs), rep.SITs)
	fmt.Fprintf(w, "beep recall (±5 %%) %.1f %% of %d in spec (≥15 dB SNR, no GSM, no clipping), %.1f %% of all %d\n",
		pct(rep.BeepsInSpecOK, rep.BeepsInSpec), rep.BeepsInSpec, pct(rep.BeepsOK, rep.Beeps), rep.Beeps)
	fmt.Fprintf(w, "beep frequency error |Hz| over %d reported: median %d, p95 %d, max %d (max %.1f %%)\n",
		rep.BeepErrHz.N, rep.BeepErrHz.P50, rep.BeepErrHz.P95, rep.BeepErrHz.Max, rep.BeepErrMaxPct)
	fmt.Fprintf(w, "false beeps: %d of %d humans (%.1f per 100), %d of %d machines without a beep\n",
		rep.FalseBeepsHuman, rep.Humans, pct(rep.FalseBeepsHuman, rep.Humans), rep.FalseBeepsMachineNoBeep, rep.MachinesNoBeep)
	fmt.Fprintln(w, "decision_ms after the answer, correct results only:")
	writeLatency(w, rep.Latency)
	fmt.Fprintln(w, "\nasterisk profile on the same files (rows: label, columns: AMDSTATUS)")
	writeMatrix(w, rep.Asterisk, []string{"HUMAN", "MACHINE", "NOTSURE", "HANGUP"})
	fmt.Fprintf(w, "asterisk balanced human/machine accuracy %.1f %% (human %.1f %%, machine %.1f %%); humans called MACHINE %.1f %%\n",
		100*rep.AstBalanced, 100*rep.AstHumanAcc, 100*rep.AstMachineAcc, 100*rep.AstHumanAsMachine)
	fmt.Fprintln(w, "asterisk decision_ms after the answer, correct results only:")
	writeLatency(w, rep.AstLatency)
	fmt.Fprintln(w, "\nwrong results by the rule that decided them")
	var causes []string
	for c := range rep.MissCauses {
		causes = append(causes, c)
	}
	sort.Slice(causes, func(i, j int) bool {
		if a, b := rep.MissCauses[causes[i]], rep.MissCauses[causes[j]]; a != b {
			return a > b
		}
		return causes[i] < causes[j]
	})
	for _, c := range causes {
		fmt.Fprintf(w, "  %4d  %s\n", rep.MissCauses[c], c)
	}
	fmt.Fprintln(w, "\nerror rate by condition (default profile; conditions with ≥ 4 files and ≥ 1 error; the worst 12 per class, all with -v)")
	for _, label := range []string{"HUMAN", "MACHINE", "FAX", "SIT", "SILENCE"} {
		shown := 0
		for _, f := range rep.Facets[label] {
			if f.N >= 4 && f.Wrong > 0 && (verbose || shown < 12) {
				shown++
				fmt.Fprintf(w, "  %-8s %-28s %3d/%-3d wrong (%.0f %%)\n", label, f.Name, f.Wrong, f.N, pct(f.Wrong, f.N))
			}
		}
	}
	if verbose {
		fmt.Fprintln(w, "\nmisses (file, label→result, why, cause, tags):")
		for _, m := range rep.Misses {
			fmt.Fprintln(w, "  "+m)
		}
	}
}

func writeLatency(w io.Writer, lat map[string]Percentiles) {
	for _, label := range []string{"HUMAN", "MACHINE", "FAX", "SIT", "SILENCE"} {
		if p, ok := lat[label]; ok {
			fmt.Fprintf(w, "  %-8s n=%-4d p50 %5d  p90 %5d  p95 %5d  max %5d\n", label, p.N, p.P50, p.P90, p.P95, p.Max)
		}
	}
}

func writeMatrix(w io.Writer, m map[string]map[string]int, cols []string) {
	fmt.Fprintf(w, "%-8s", "")
	for _, c := range cols {
		fmt.Fprintf(w, "%9s", c)
	}
	fmt.Fprintln(w)
	var rows []string
	for r := range m {
		rows = append(rows, r)
	}
	sort.Strings(rows)
	for _, r := range rows {
		fmt.Fprintf(w, "%-8s", r)
		for _, c := range cols {
			fmt.Fprintf(w, "%9d", m[r][c])
		}
		fmt.Fprintln(w)
	}
}

// WriteChanges prints how the headline figures moved between two runs on
// the same labels and which files were fixed or broken (the first 25 of
// each, all when verbose): what a tuner needs to see that a change helps a
// pattern without trading it for another.
func WriteChanges(w io.Writer, labels []corpus.Label, before, after Report, verbose bool) {
	const shown = 25
	fmt.Fprintln(w, "\nchanges against the earlier run")
	row := func(name string, a, b float64) {
		fmt.Fprintf(w, "  %-34s %6.1f %% → %6.1f %% (%+.1f)\n", name, 100*a, 100*b, 100*(b-a))
	}
	row("balanced human/machine accuracy", before.Balanced, after.Balanced)
	row("humans called MACHINE", before.HumanAsMachine, after.HumanAsMachine)
	row("machine accuracy", before.MachineAcc, after.MachineAcc)
	fmt.Fprintf(w, "  %-34s %6d ms → %6d ms\n", "human decision p50", before.Latency["HUMAN"].P50, after.Latency["HUMAN"].P50)
	fmt.Fprintf(w, "  %-34s %6d ms → %6d ms\n", "machine decision p50", before.Latency["MACHINE"].P50, after.Latency["MACHINE"].P50)
	fixed, broken, changed := 0, 0, 0
	for _, l := range labels {
		was, now := before.Wrong[l.File], after.Wrong[l.File]
		switch {
		case was != "" && now == "":
			if fixed++; verbose || fixed <= shown {
				fmt.Fprintf(w, "  fixed   %s: was %s [%s]\n", l.File, was, l.Notes)
			}
		case was == "" && now != "":
			if broken++; verbose || broken <= shown {
				fmt.Fprintf(w, "  broken  %s: now %s [%s]\n", l.File, now, l.Notes)
			}
		case was != now:
			if changed++; verbose || changed <= shown {
				fmt.Fprintf(w, "  changed %s: was %s, now %s\n", l.File, was, now)
			}
		}
	}
	fmt.Fprintf(w, "%d files fixed, %d broken, %d still wrong in another way\n", fixed, broken, changed)
}
