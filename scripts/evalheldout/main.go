// Command evalheldout generates the held-out AMD corpus (internal/heldout)
// and scores `khompctl amd analyze --json` output on it. It is what
// scripts/eval_heldout.sh runs; the held-out corpus is for measurement only.
//
//	go run ./scripts/evalheldout -ensure ROOT         # generate (cached), print the directory
//	go run ./scripts/evalheldout -gen DIR             # generate into DIR
//	go run ./scripts/evalheldout -labels DIR/labels.tsv [-v] results.jsonl
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"time"

	"github.com/khompctl/khompctl/internal/corpus"
	"github.com/khompctl/khompctl/internal/heldout"
)

func main() { os.Exit(run()) }

func run() int {
	cfg := heldout.DefaultConfig()
	gen := flag.String("gen", "", "generate the corpus into this directory")
	ensure := flag.String("ensure", "", "generate the corpus under this cache root unless present; print its directory")
	labelsPath := flag.String("labels", "", "labels.tsv of the analysed corpus (scoring mode)")
	verbose := flag.Bool("v", false, "list every miss with its tags")
	before := flag.String("before", "", "results of an earlier run: also print what changed (fixed and broken files)")
	flag.IntVar(&cfg.Humans, "humans", cfg.Humans, "number of human files")
	flag.IntVar(&cfg.Machines, "machines", cfg.Machines, "number of answering-machine files")
	flag.IntVar(&cfg.Faxes, "faxes", cfg.Faxes, "number of fax/modem files")
	flag.IntVar(&cfg.SITs, "sits", cfg.SITs, "number of SIT files")
	flag.IntVar(&cfg.Silences, "silences", cfg.Silences, "number of silent files")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed (same seed, same corpus)")
	flag.StringVar(&cfg.SoundsDir, "sounds", cfg.SoundsDir, "Asterisk sounds directory")
	flag.IntVar(&cfg.Workers, "j", 0, "parallel workers (0: all cores)")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	switch {
	case *gen != "" || *ensure != "":
		return generate(ctx, cfg, *gen, *ensure)
	case *labelsPath != "" && flag.NArg() <= 1:
		return score(*labelsPath, flag.Arg(0), *before, *verbose)
	}
	fmt.Fprintln(os.Stderr, "usage: evalheldout -gen DIR | -ensure ROOT | -labels DIR/labels.tsv [-v] [-before old.jsonl] [results.jsonl]")
	return 2
}

func generate(ctx context.Context, cfg heldout.Config, dir, root string) int {
	start := time.Now()
	var err error
	if root != "" {
		dir, err = heldout.Ensure(ctx, root, cfg)
	} else {
		_, err = heldout.Generate(ctx, cfg, dir)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "evalheldout:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "evalheldout: corpus %s ready (%s, key %s)\n", dir, time.Since(start).Round(time.Millisecond), cfg.Key())
	fmt.Println(dir)
	return 0
}

func score(labelsPath, resultsPath, beforePath string, verbose bool) int {
	labels, err := corpus.ReadLabels(labelsPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "evalheldout:", err)
		return 2
	}
	results, err := readResults(resultsPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "evalheldout:", err)
		return 2
	}
	rep := heldout.Score(labels, results)
	rep.Write(os.Stdout, verbose)
	if beforePath == "" {
		return 0
	}
	old, err := readResults(beforePath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "evalheldout:", err)
		return 2
	}
	heldout.WriteChanges(os.Stdout, labels, heldout.Score(labels, old), rep, verbose)
	return 0
}

// readResults reads amd analyze --json lines from a file ("" or "-": stdin).
func readResults(path string) (map[string]heldout.Result, error) {
	in := io.Reader(os.Stdin)
	if path != "" && path != "-" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		in = f
	}
	res, err := heldout.ReadResults(in)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return res, nil
}
