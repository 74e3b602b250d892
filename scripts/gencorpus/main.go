// Command gencorpus builds the labelled AMD development corpus (or, with
// -examples, the small recordings committed under examples/).
//
//	go run ./scripts/gencorpus -out DIR
//	go run ./scripts/gencorpus -examples -out examples
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/khompctl/khompctl/internal/corpus"
)

func main() {
	os.Exit(run())
}

func run() int {
	cfg := corpus.DefaultConfig()
	out := flag.String("out", "", "output directory (required)")
	examples := flag.Bool("examples", false, "write the four README examples instead of the corpus")
	flag.IntVar(&cfg.Humans, "humans", cfg.Humans, "number of human files")
	flag.IntVar(&cfg.Machines, "machines", cfg.Machines, "number of answering-machine files")
	flag.IntVar(&cfg.Faxes, "faxes", cfg.Faxes, "number of fax/modem files")
	flag.IntVar(&cfg.SITs, "sits", cfg.SITs, "number of SIT files")
	flag.IntVar(&cfg.Silences, "silences", cfg.Silences, "number of silent files")
	flag.Uint64Var(&cfg.Seed, "seed", cfg.Seed, "random seed (same seed, same corpus)")
	flag.StringVar(&cfg.SoundsDir, "sounds", cfg.SoundsDir, "Asterisk sounds directory")
	flag.IntVar(&cfg.Workers, "j", 0, "parallel workers (0: all cores)")
	flag.StringVar(&cfg.Voices, "voices", cfg.Voices, "voice set: dev, or heldout (other languages and voices, for held-out checks)")
	flag.Parse()
	if *out == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: gencorpus -out DIR [-examples] [-seed N] [-humans N ...]")
		return 2
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	start := time.Now()
	if *examples {
		ex, err := corpus.Examples(cfg, *out)
		if err != nil {
			fmt.Fprintln(os.Stderr, "gencorpus:", err)
			return 1
		}
		for _, e := range ex {
			fmt.Printf("%s\t%s\t%s\n", e.File, e.Label.Label, e.Expect)
		}
		return 0
	}
	labels, err := corpus.Generate(ctx, cfg, *out)
	if err != nil {
		fmt.Fprintln(os.Stderr, "gencorpus:", err)
		return 1
	}
	fmt.Fprintf(os.Stderr, "gencorpus: %d files in %s (%s, key %s)\n", len(labels), *out,
		time.Since(start).Round(time.Millisecond), cfg.Key())
	return 0
}
