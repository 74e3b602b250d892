package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/template"
)

const templateLibraryHelp = `
A template library is a plain directory tree you can manage with cp and rm:
every audio file under it (.wav, .sln, .ul, .al... any format amd analyze reads) is a
template; its base name is the template (KHOMP pattern) name and its first directory
under the root is its class (KHOMP conclusion), e.g.
  Voice mail/Vivo caixa postal.wav
  Interception announcement/Number changed.wav
Files directly at the root are class "Answering machine". A compiled index
(.khompctl-index) is kept in the library and rebuilt automatically when files change.
`

// amdTemplateOptions holds the flags of the template subcommands.
type amdTemplateOptions struct {
	Out, ErrOut io.Writer
	Library     string
	Class       string
	Name        string
	Start, End  string
	JSON        bool
}

func newAMDTemplateCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "template",
		Short: "Manage the voicemail/announcement template library",
		Long:  "Manage the library of known recordings that amd analyze --templates matches.\n" + templateLibraryHelp + exitStatusHelp,
		Example: `  khompctl amd template add --library /etc/khompctl/templates --class "Voice mail" --name "Vivo caixa postal" vivo.wav
  khompctl amd template add --library lib --name "Office greeting" --start 1.2s --end 6s call-123.wav
  khompctl amd template list --library lib
  khompctl amd template check --library lib
  khompctl amd template rm --library lib "Voice mail/Vivo caixa postal"`,
	}
	cmd.AddCommand(newAMDTemplateAddCmd(f), newAMDTemplateListCmd(f), newAMDTemplateRmCmd(f), newAMDTemplateCheckCmd(f))
	return cmd
}

func templateOpts(f *Factory) *amdTemplateOptions {
	return &amdTemplateOptions{Out: f.IO.Out, ErrOut: f.IO.ErrOut}
}

func libraryFlag(cmd *cobra.Command, opts *amdTemplateOptions) {
	cmd.Flags().StringVar(&opts.Library, "library", "", "the template library `DIR`")
	_ = cmd.MarkFlagRequired("library")
}

func newAMDTemplateAddCmd(f *Factory) *cobra.Command {
	opts := templateOpts(f)
	cmd := &cobra.Command{
		Use:   "add --library DIR [--class C] --name N FILE",
		Short: "Add a recording (or a part of it) to the library",
		Long: `Add FILE (any format amd analyze reads) as a template, stored as 8 kHz 16-bit WAV.
--start and --end cut a part of it (1.2s, 800ms or plain seconds). Audio that can never
identify a recording (silence, a beep or other steady tone, hiss, hum) is refused (exit 2).
The index is rebuilt and the new template is checked: too short, too quiet, mostly tone,
or matching existing templates.
` + exitStatusHelp,
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error { return amdTemplateAddRun(opts, args[0]) },
	}
	libraryFlag(cmd, opts)
	cmd.Flags().StringVar(&opts.Class, "class", template.DefaultClass, "class (KHOMP conclusion), e.g. \"Voice mail\" or \"Interception announcement\"")
	cmd.Flags().StringVar(&opts.Name, "name", "", "template (KHOMP pattern) name")
	cmd.Flags().StringVar(&opts.Start, "start", "", "start of the part to keep (e.g. 1.2s)")
	cmd.Flags().StringVar(&opts.End, "end", "", "end of the part to keep (e.g. 4s)")
	_ = cmd.MarkFlagRequired("name")
	return cmd
}

func amdTemplateAddRun(opts *amdTemplateOptions, file string) error {
	startMs, err := parseOffset("--start", opts.Start, 0)
	if err != nil {
		return usageError(err)
	}
	endMs, err := parseOffset("--end", opts.End, -1)
	if err != nil {
		return usageError(err)
	}
	if endMs >= 0 && endMs <= startMs {
		return usageError(fmt.Errorf("--end %s is not after --start %s", opts.End, opts.Start))
	}
	samples, err := template.ReadAudioFile(file, 0)
	if err != nil {
		return usageError(err)
	}
	part := cutMs(samples, startMs, endMs)
	if len(part) == 0 {
		return usageError(fmt.Errorf("%s: no audio between --start and --end (the file lasts %.2f s)", file, float64(len(samples))/audio.OutputRate))
	}
	path, err := template.Add(opts.Library, opts.Class, opts.Name, part)
	if err != nil {
		if errors.Is(err, template.ErrExists) || errors.Is(err, template.ErrBadName) || errors.Is(err, template.ErrUnusable) {
			return usageError(err)
		}
		return err
	}
	lib, warnings, err := template.Open(opts.Library)
	if err != nil {
		return err
	}
	printWarnings(opts.ErrOut, warnings)
	for _, t := range lib.Find(classSlashName(opts.Class, opts.Name)) {
		fmt.Fprintf(opts.Out, "added %s: %s/%s, %.2f s, %d fingerprints\n", path, t.Class, t.Name, float64(t.DurationMs)/1000, t.Landmarks)
	}
	problems, err := lib.Check()
	if err != nil {
		return err
	}
	for _, p := range problems {
		if p.Class+"/"+p.Name == classSlashName(opts.Class, opts.Name) || strings.Contains(p.Detail, classSlashName(opts.Class, opts.Name)+" ") {
			fmt.Fprintf(opts.ErrOut, "warning: %s/%s: %s: %s\n", p.Class, p.Name, p.Kind, p.Detail)
		}
	}
	return nil
}

func classSlashName(class, name string) string {
	if class == "" {
		class = template.DefaultClass
	}
	return class + "/" + name
}

// parseOffset reads "1.2s", "800ms" or plain seconds "1.2" as milliseconds.
func parseOffset(flag, v string, def int) (int, error) {
	if v == "" {
		return def, nil
	}
	if secs, err := strconv.ParseFloat(v, 64); err == nil {
		if secs < 0 {
			return 0, fmt.Errorf("%s %q: negative", flag, v)
		}
		return int(secs * 1000), nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("%s %q: want a time such as 1.2s, 800ms or 1.2", flag, v)
	}
	return int(d / time.Millisecond), nil
}

// cutMs keeps samples[startMs:endMs] (endMs < 0: to the end).
func cutMs(s []float32, startMs, endMs int) []float32 {
	a := min(len(s), startMs*audio.OutputRate/1000)
	b := len(s)
	if endMs >= 0 {
		b = min(len(s), endMs*audio.OutputRate/1000)
	}
	if b <= a {
		return nil
	}
	return s[a:b]
}

func printWarnings(w io.Writer, warnings []string) {
	for _, m := range warnings {
		fmt.Fprintf(w, "warning: %s\n", m)
	}
}

func newAMDTemplateListCmd(f *Factory) *cobra.Command {
	opts := templateOpts(f)
	cmd := &cobra.Command{
		Use:   "list --library DIR",
		Short: "List the templates: name, class, duration, fingerprint count",
		Long:  "List the templates of a library (rebuilding its index if files changed).\n" + exitStatusHelp,
		Args:  cobra.NoArgs,
		RunE:  func(*cobra.Command, []string) error { return amdTemplateListRun(opts) },
	}
	libraryFlag(cmd, opts)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON array")
	return cmd
}

func openLibrary(opts *amdTemplateOptions) (*template.Library, error) {
	lib, warnings, err := template.Open(opts.Library)
	if err != nil {
		// A missing or unreadable library directory is bad input.
		return nil, usageError(err)
	}
	printWarnings(opts.ErrOut, warnings)
	return lib, nil
}

func amdTemplateListRun(opts *amdTemplateOptions) error {
	lib, err := openLibrary(opts)
	if err != nil {
		return err
	}
	tpls := lib.Templates()
	if opts.JSON {
		if tpls == nil {
			tpls = []template.Template{}
		}
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		return enc.Encode(tpls)
	}
	rows := make([][]string, 0, len(tpls))
	for _, t := range tpls {
		rows = append(rows, []string{t.Name, t.Class, fmt.Sprintf("%.2f", float64(t.DurationMs)/1000), strconv.Itoa(t.Landmarks), fmt.Sprintf("%.1f", t.LevelDBFS), t.Path})
	}
	if err := renderTable(opts.Out, []string{"NAME", "CLASS", "SECONDS", "FINGERPRINTS", "LEVEL dBFS", "FILE"}, rows); err != nil {
		return err
	}
	fmt.Fprintf(opts.Out, "%d templates in %s\n", len(tpls), opts.Library)
	return nil
}

func newAMDTemplateRmCmd(f *Factory) *cobra.Command {
	opts := templateOpts(f)
	cmd := &cobra.Command{
		Use:   "rm --library DIR NAME...",
		Short: "Remove templates by name, class/name or file path",
		Long:  "Remove templates (their files) and rebuild the index. A name found in several classes must be given as class/name.\n" + exitStatusHelp,
		Args:  cobra.MinimumNArgs(1),
		RunE:  func(_ *cobra.Command, args []string) error { return amdTemplateRmRun(opts, args) },
	}
	libraryFlag(cmd, opts)
	return cmd
}

func amdTemplateRmRun(opts *amdTemplateOptions, names []string) error {
	var failed error
	for _, n := range names {
		path, err := template.Remove(opts.Library, n)
		if err != nil {
			fmt.Fprintf(opts.ErrOut, "khompctl: %s\n", oneLine(err))
			failed = silentExit(exitUsage)
			continue
		}
		fmt.Fprintf(opts.Out, "removed %s\n", path)
	}
	if _, warnings, err := template.Open(opts.Library); err == nil {
		printWarnings(opts.ErrOut, warnings)
	}
	return failed
}

func newAMDTemplateCheckCmd(f *Factory) *cobra.Command {
	opts := templateOpts(f)
	cmd := &cobra.Command{
		Use:   "check --library DIR",
		Short: "Find templates that match each other or are too short/quiet to be reliable",
		Long: `Check every template: does it match another template (the same recording twice, or a
long stretch of identical audio: a hit would be ambiguous), is it too short (under 1.5 s
of voice), too quiet (under -40 dBFS), too poor in fingerprints, or mostly a steady tone?
Files that can never identify a recording (silence, a beep or other steady tone, hiss,
hum) are reported as unusable: the library leaves them out.
Exits 1 when something was found.
` + exitStatusHelp,
		Args: cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error { return amdTemplateCheckRun(opts) },
	}
	libraryFlag(cmd, opts)
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print a JSON array of problems")
	return cmd
}

func amdTemplateCheckRun(opts *amdTemplateOptions) error {
	lib, err := openLibrary(opts)
	if err != nil {
		return err
	}
	problems, err := lib.Check()
	if err != nil {
		return err
	}
	if opts.JSON {
		if problems == nil {
			problems = []template.Problem{}
		}
		enc := json.NewEncoder(opts.Out)
		enc.SetIndent("", "  ")
		if err := enc.Encode(problems); err != nil {
			return err
		}
	} else {
		rows := make([][]string, 0, len(problems))
		for _, p := range problems {
			rows = append(rows, []string{p.Class + "/" + p.Name, p.Kind, p.Detail})
		}
		if len(rows) > 0 {
			if err := renderTable(opts.Out, []string{"TEMPLATE", "PROBLEM", "DETAIL"}, rows); err != nil {
				return err
			}
		}
		fmt.Fprintf(opts.Out, "%d templates checked, %d problems\n", lib.Len(), len(problems))
	}
	if len(problems) > 0 {
		return silentExit(exitFailure)
	}
	return nil
}
