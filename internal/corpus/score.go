package corpus

import (
	"fmt"
	"math"
	"sort"
	"strings"
)

// Outcome is what amd analyze said about one labelled file.
type Outcome struct {
	Label      Label
	Result     string  // HUMAN, MACHINE, FAX, SIT, SILENCE, NOTSURE
	FaxSignal  string  // "" when no fax/modem signal was reported
	SITCode    string  // "" when no SIT was reported
	BeepHz     float64 // 0 when no beep was reported
	DecisionMs int
	// AsteriskStatus is the Asterisk profile's AMDSTATUS on the same file,
	// for comparison ("" if not reported).
	AsteriskStatus string
}

// Thresholds are the accuracy goals of issue 5.
type Thresholds struct {
	BalancedHM     float64 // balanced human/machine accuracy, minimum
	HumanAsMachine float64 // humans called MACHINE, maximum
	FaxRecall      float64 // with the right signal, minimum
	SITRecall      float64 // with the right code, minimum
	BeepRecall     float64 // with the frequency within BeepTolerance, minimum
	BeepTolerance  float64 // relative frequency error
}

// Goals returns the figures.
func Goals() Thresholds {
	return Thresholds{BalancedHM: 0.97, HumanAsMachine: 0.01, FaxRecall: 0.99, SITRecall: 0.99, BeepRecall: 0.98, BeepTolerance: 0.05}
}

// Report holds the figures of a run over a labelled corpus.
type Report struct {
	Confusion map[string]map[string]int // label → result → count
	Asterisk  map[string]map[string]int // label → Asterisk status → count

	BalancedHM, HumanAcc, MachineAcc, HumanAsMachine float64
	AsteriskBalancedHM, AsteriskHumanAsMachine       float64
	FaxRecall, SITRecall, BeepRecall, SilenceRecall  float64
	Faxes, SITs, Beeps, Silences                     int
	HumanLatencyP50, MachineLatencyP50               int // decision_ms after the answer
	HumanLatencyP95, MachineLatencyP95               int
	Misses                                           []string // one line per wrong file
}

// Score computes the figures.
func Score(outs []Outcome, th Thresholds) Report {
	r := Report{Confusion: map[string]map[string]int{}, Asterisk: map[string]map[string]int{}}
	var faxOK, sitOK, beepOK, silOK int
	var humanLat, machineLat []int
	for _, o := range outs {
		l := o.Label
		inc(r.Confusion, l.Label, o.Result)
		if o.AsteriskStatus != "" {
			inc(r.Asterisk, l.Label, o.AsteriskStatus)
		}
		ok := o.Result == l.Label
		why := ""
		switch l.Label {
		case LabelFax:
			r.Faxes++
			if ok && o.FaxSignal != l.Signal {
				ok, why = false, fmt.Sprintf("signal %s, want %s", o.FaxSignal, l.Signal)
			}
			if ok {
				faxOK++
			}
		case LabelSIT:
			r.SITs++
			if ok && o.SITCode != l.Code {
				ok, why = false, fmt.Sprintf("code %s, want %s", o.SITCode, l.Code)
			}
			if ok {
				sitOK++
			}
		case LabelSilence:
			r.Silences++
			if ok {
				silOK++
			}
		case LabelHuman:
			if ok {
				humanLat = append(humanLat, o.DecisionMs-l.AnswerMs)
			}
		case LabelMachine:
			if ok {
				machineLat = append(machineLat, o.DecisionMs-l.AnswerMs)
			}
		}
		if l.BeepHz > 0 {
			r.Beeps++
			if o.BeepHz > 0 && math.Abs(o.BeepHz-l.BeepHz) <= th.BeepTolerance*l.BeepHz {
				beepOK++
			} else {
				why = strings.TrimSpace(why + fmt.Sprintf(" beep %.0f Hz, want %.0f Hz", o.BeepHz, l.BeepHz))
				r.Misses = append(r.Misses, fmt.Sprintf("%s: %s (%s) [%s]", l.File, o.Result, why, l.Notes))
				continue
			}
		}
		if !ok {
			if why == "" {
				why = "want " + l.Label
			}
			r.Misses = append(r.Misses, fmt.Sprintf("%s: %s (%s) [%s]", l.File, o.Result, why, l.Notes))
		}
	}
	r.HumanAcc = share(r.Confusion, LabelHuman, LabelHuman)
	r.MachineAcc = share(r.Confusion, LabelMachine, LabelMachine)
	r.BalancedHM = (r.HumanAcc + r.MachineAcc) / 2
	r.HumanAsMachine = share(r.Confusion, LabelHuman, LabelMachine)
	r.AsteriskBalancedHM = (share(r.Asterisk, LabelHuman, "HUMAN") + share(r.Asterisk, LabelMachine, "MACHINE")) / 2
	r.AsteriskHumanAsMachine = share(r.Asterisk, LabelHuman, "MACHINE")
	r.FaxRecall = ratio(faxOK, r.Faxes)
	r.SITRecall = ratio(sitOK, r.SITs)
	r.BeepRecall = ratio(beepOK, r.Beeps)
	r.SilenceRecall = ratio(silOK, r.Silences)
	r.HumanLatencyP50, r.HumanLatencyP95 = percentile(humanLat, 50), percentile(humanLat, 95)
	r.MachineLatencyP50, r.MachineLatencyP95 = percentile(machineLat, 50), percentile(machineLat, 95)
	sort.Strings(r.Misses)
	return r
}

// Failures lists the goals the report misses (empty: all met). A class
// with no files is not judged.
func (r Report) Failures(th Thresholds) []string {
	var f []string
	if r.BalancedHM < th.BalancedHM {
		f = append(f, fmt.Sprintf("balanced human/machine accuracy %.1f %% < %.1f %%", 100*r.BalancedHM, 100*th.BalancedHM))
	}
	if r.HumanAsMachine > th.HumanAsMachine {
		f = append(f, fmt.Sprintf("humans called MACHINE %.1f %% > %.1f %%", 100*r.HumanAsMachine, 100*th.HumanAsMachine))
	}
	if r.Faxes > 0 && r.FaxRecall < th.FaxRecall {
		f = append(f, fmt.Sprintf("fax/modem recall with the right signal %.1f %% < %.1f %%", 100*r.FaxRecall, 100*th.FaxRecall))
	}
	if r.SITs > 0 && r.SITRecall < th.SITRecall {
		f = append(f, fmt.Sprintf("SIT recall with the right code %.1f %% < %.1f %%", 100*r.SITRecall, 100*th.SITRecall))
	}
	if r.Beeps > 0 && r.BeepRecall < th.BeepRecall {
		f = append(f, fmt.Sprintf("beep recall within %.0f %% of the frequency %.1f %% < %.1f %%", 100*th.BeepTolerance, 100*r.BeepRecall, 100*th.BeepRecall))
	}
	return f
}

// String prints the confusion matrices and the figures.
func (r Report) String() string {
	var sb strings.Builder
	sb.WriteString("default profile (rows: label, columns: result)\n")
	writeMatrix(&sb, r.Confusion, []string{"HUMAN", "MACHINE", "FAX", "SIT", "SILENCE", "NOTSURE"})
	fmt.Fprintf(&sb, "balanced human/machine accuracy %.1f %% (human %.1f %%, machine %.1f %%); humans called MACHINE %.1f %%\n",
		100*r.BalancedHM, 100*r.HumanAcc, 100*r.MachineAcc, 100*r.HumanAsMachine)
	fmt.Fprintf(&sb, "fax/modem recall (right signal) %.1f %% of %d; SIT recall (right code) %.1f %% of %d; beep recall (±5 %%) %.1f %% of %d; silence %.1f %% of %d\n",
		100*r.FaxRecall, r.Faxes, 100*r.SITRecall, r.SITs, 100*r.BeepRecall, r.Beeps, 100*r.SilenceRecall, r.Silences)
	fmt.Fprintf(&sb, "decision after answer: human median %d ms, p95 %d ms; machine median %d ms, p95 %d ms\n",
		r.HumanLatencyP50, r.HumanLatencyP95, r.MachineLatencyP50, r.MachineLatencyP95)
	if len(r.Asterisk) > 0 {
		sb.WriteString("asterisk profile, same files (rows: label, columns: AMDSTATUS)\n")
		writeMatrix(&sb, r.Asterisk, []string{"HUMAN", "MACHINE", "NOTSURE", "HANGUP"})
		fmt.Fprintf(&sb, "asterisk balanced human/machine accuracy %.1f %%; humans called MACHINE %.1f %%\n",
			100*r.AsteriskBalancedHM, 100*r.AsteriskHumanAsMachine)
	}
	return sb.String()
}

func writeMatrix(sb *strings.Builder, m map[string]map[string]int, cols []string) {
	fmt.Fprintf(sb, "%-8s", "")
	for _, c := range cols {
		fmt.Fprintf(sb, "%9s", c)
	}
	sb.WriteString("\n")
	var rows []string
	for r := range m {
		rows = append(rows, r)
	}
	sort.Strings(rows)
	for _, r := range rows {
		fmt.Fprintf(sb, "%-8s", r)
		for _, c := range cols {
			fmt.Fprintf(sb, "%9d", m[r][c])
		}
		sb.WriteString("\n")
	}
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
	return ratio(m[row][col], n)
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 0
	}
	return float64(a) / float64(b)
}

func percentile(xs []int, p int) int {
	if len(xs) == 0 {
		return 0
	}
	s := append([]int(nil), xs...)
	sort.Ints(s)
	return s[min(len(s)-1, len(s)*p/100)]
}
