package main

import (
	"encoding/json"
	"fmt"
	"io"

	"github.com/spf13/cobra"

	"github.com/khompctl/khompctl/pkg/amd/template"
)

type amdLearnOptions struct {
	Out, ErrOut io.Writer
	template.LearnOptions
	JSON bool
}

func newAMDLearnCmd(f *Factory) *cobra.Command {
	opts := &amdLearnOptions{Out: f.IO.Out, ErrOut: f.IO.ErrOut}
	cmd := &cobra.Command{
		Use:   "learn --captured DIR --library DIR [--min-count 3] [--dry-run]",
		Short: "Graduate recurring captured greetings into the template library",
		Long: `Group the greetings captured by amd analyze --capture-templates that match each other
(the same recording heard on several calls: a carrier or PBX voicemail prompt) and add
every group seen at least --min-count times to the library as one template, named from
its class and a short hash of its audio (e.g. "Answering machine 3fa2c1"). Groups that
an existing template already matches are reported as known. The members of graduated
and known groups are moved to DIR/.graduated/<name>/ so they are not counted again.
Run with --dry-run first to see what would happen.
` + exitStatusHelp,
		Example: `  khompctl amd analyze --templates lib --capture-templates captured /var/spool/asterisk/monitor
  khompctl amd learn --captured captured --library lib --min-count 3 --dry-run
  khompctl amd learn --captured captured --library lib --min-count 3`,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return amdLearnRun(opts) },
	}
	fl := cmd.Flags()
	fl.StringVar(&opts.CapturedDir, "captured", "", "`DIR` of captured candidate greetings")
	fl.StringVar(&opts.LibraryDir, "library", "", "template library `DIR` to add to")
	fl.IntVar(&opts.MinCount, "min-count", 3, "graduate groups of at least `N` matching candidates")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "only print what would be done")
	fl.BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	_ = cmd.MarkFlagRequired("captured")
	_ = cmd.MarkFlagRequired("library")
	return cmd
}

func amdLearnRun(opts *amdLearnOptions) error {
	if opts.MinCount < 2 {
		return usageError(fmt.Errorf("--min-count %d: must be at least 2", opts.MinCount))
	}
	rep, err := template.Learn(opts.LearnOptions)
	if err != nil {
		return usageError(err)
	}
	printWarnings(opts.ErrOut, rep.Warnings)
	if opts.JSON {
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	}
	counts := map[string]int{}
	for _, g := range rep.Groups {
		counts[g.Action]++
		switch g.Action {
		case "graduated":
			fmt.Fprintf(opts.Out, "graduated %q (%s) from %d candidates: %s\n", g.Name, g.Class, len(g.Members), g.Template)
		case "would graduate":
			fmt.Fprintf(opts.Out, "would graduate %q (%s) from %d candidates, representative %s\n", g.Name, g.Class, len(g.Members), g.Representative)
		case "known":
			fmt.Fprintf(opts.Out, "known: %d candidates match existing template %s\n", len(g.Members), g.Known)
		case "too few":
			fmt.Fprintf(opts.Out, "waiting: %d matching candidates (need %d), e.g. %s\n", len(g.Members), opts.MinCount, g.Representative)
		case "unusable":
			fmt.Fprintf(opts.Out, "not graduated: %d matching candidates, e.g. %s: %s\n", len(g.Members), g.Representative, g.Unusable)
		}
	}
	verb := "graduated"
	if opts.DryRun {
		verb = "would graduate"
	}
	fmt.Fprintf(opts.Out, "%d candidates, %d groups, %d unmatched; %s %d, known %d, waiting %d\n",
		rep.Candidates, len(rep.Groups), rep.Singles, verb, counts["graduated"]+counts["would graduate"], counts["known"], counts["too few"])
	return nil
}
