package cadence

import (
	"os"
	"sort"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/internal/corpus"
)

func TestZZSweep(t *testing.T) {
	dir := os.Getenv("SWEEP_DIR")
	if dir == "" {
		t.Skip()
	}
	variants := map[string]func(*Params){
		"mv3200lp18": func(p *Params) { p.MachineVoiceMs = 3200; p.LongPauseMs = 1800 },
	}
	res0 := map[string][]outcome{}
	for name, f := range variants {
		p := DefaultParams()
		f(&p)
		res0[name] = runCorpus(t, dir, p, func(l corpus.Label) bool {
			return l.Label == corpus.LabelHuman || l.Label == corpus.LabelMachine || l.Label == corpus.LabelSilence
		})
	}
	for name, res := range res0 {
		n := map[string]int{}
		ok := map[string]int{}
		hm := 0
		var mlat []int
		for _, o := range res {
			n[o.label.Label]++
			if o.d.Result == o.label.Label {
				ok[o.label.Label]++
			} else if os.Getenv("SWEEP_V") != "" {
				t.Logf("%s want %s got %s %s at %d %+v [%s]", o.label.File, o.label.Label, o.d.Result, o.d.Cause, o.d.DecidedMs, o.d.Stats, o.label.Notes)
			}
			if os.Getenv("SWEEP_H") != "" && o.label.Label == os.Getenv("SWEEP_H") {
				st := o.d.Stats
				t.Logf("H %s %s %-28s voice %4d utt %d first %4d longestUtt %4d pause %4d words %2d [%s]", o.label.File, o.d.Result, o.d.Cause, st.TotalVoiceMs, st.Utterances, st.FirstUtteranceMs, st.LongestUtteranceMs, st.LongestPauseMs, st.Words, o.label.Notes)
			}
			if o.label.Label == "HUMAN" && o.d.Result == "MACHINE" {
				hm++
			}
			if o.label.Label == "MACHINE" && o.d.Result == "MACHINE" {
				mlat = append(mlat, o.d.DecidedMs-o.label.AnswerMs)
			}
		}
		sort.Ints(mlat)
		h := float64(ok["HUMAN"]) / float64(n["HUMAN"])
		m := float64(ok["MACHINE"]) / float64(n["MACHINE"])
		t.Logf("%-10s bal %.1f h %.1f m %.1f h→M %d sil %d/%d mlat p50 %d p90 %d", name, 50*(h+m), 100*h, 100*m, hm, ok["SILENCE"], n["SILENCE"], pct(mlat, 50), pct(mlat, 90))
		_ = strings.Contains
	}
}
