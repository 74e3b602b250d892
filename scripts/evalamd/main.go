// Command evalamd scores `khompctl amd analyze --json` output against a
// labels.tsv (see internal/corpus) and prints the confusion matrix and the
// accuracy figures of issue 5. Exit status 1 when a goal is missed.
//
//	khompctl amd analyze --json DIR > out.jsonl
//	go run ./scripts/evalamd -labels DIR/labels.tsv out.jsonl
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/khompctl/khompctl/internal/corpus"
)

// line is the part of one `amd analyze --json` object evalamd needs.
type line struct {
	File       string `json:"file"`
	Result     string `json:"result"`
	DecisionMs int    `json:"decision_ms"`
	Error      string `json:"error"`
	Asterisk   *struct {
		Status string `json:"status"`
	} `json:"asterisk"`
	Beep *struct {
		FreqHz float64 `json:"freq_hz"`
	} `json:"beep"`
	Fax *struct {
		Signal string `json:"signal"`
	} `json:"fax"`
	SIT *struct {
		Code string `json:"code"`
	} `json:"sit"`
}

func main() { os.Exit(run()) }

func run() int {
	labelsPath := flag.String("labels", "", "labels.tsv of the analysed directory (required)")
	verbose := flag.Bool("v", false, "list every wrong file")
	flag.Parse()
	if *labelsPath == "" || flag.NArg() > 1 {
		fmt.Fprintln(os.Stderr, "usage: evalamd -labels DIR/labels.tsv [results.jsonl]")
		return 2
	}
	labels, err := corpus.ReadLabels(*labelsPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "evalamd:", err)
		return 2
	}
	in := io.Reader(os.Stdin)
	if flag.NArg() == 1 {
		f, err := os.Open(flag.Arg(0))
		if err != nil {
			fmt.Fprintln(os.Stderr, "evalamd:", err)
			return 2
		}
		defer f.Close()
		in = f
	}
	byName := map[string]line{}
	sc := bufio.NewScanner(in)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for n := 1; sc.Scan(); n++ {
		var l line
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil {
			fmt.Fprintf(os.Stderr, "evalamd: results line %d: %v\n", n, err)
			return 2
		}
		byName[filepath.Base(l.File)] = l
	}
	if err := sc.Err(); err != nil {
		fmt.Fprintln(os.Stderr, "evalamd:", err)
		return 2
	}
	var outs []corpus.Outcome
	missing := 0
	for _, lb := range labels {
		l, ok := byName[filepath.Base(lb.File)]
		if !ok || l.Error != "" {
			fmt.Fprintf(os.Stderr, "evalamd: %s: no result %s\n", lb.File, l.Error)
			missing++
			continue
		}
		o := corpus.Outcome{Label: lb, Result: l.Result, DecisionMs: l.DecisionMs}
		if l.Asterisk != nil {
			o.AsteriskStatus = l.Asterisk.Status
		}
		if l.Beep != nil {
			o.BeepHz = l.Beep.FreqHz
		}
		if l.Fax != nil {
			o.FaxSignal = l.Fax.Signal
		}
		if l.SIT != nil {
			o.SITCode = l.SIT.Code
		}
		outs = append(outs, o)
	}
	th := corpus.Goals()
	rep := corpus.Score(outs, th)
	fmt.Printf("%d labelled files scored (%d without a result)\n%s", len(outs), missing, rep)
	if *verbose {
		for _, m := range rep.Misses {
			fmt.Println("miss:", m)
		}
	}
	fails := rep.Failures(th)
	for _, f := range fails {
		fmt.Println("GOAL MISSED:", f)
	}
	if len(fails) > 0 || missing > 0 {
		return 1
	}
	return 0
}
