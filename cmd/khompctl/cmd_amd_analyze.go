package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/khompctl/khompctl/pkg/amd"
	"github.com/khompctl/khompctl/pkg/amd/asterisk"
	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/template"
	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/install"
)

// amdAnalyzeOptions are the flags and inputs of `amd analyze`.
type amdAnalyzeOptions struct {
	Inputs  []string
	JSON    bool
	Events  bool
	Jobs    int
	Map     string // "", "db" or a file
	Profile string
	Format  string
	Channel string // "auto", "mix" or a 0-based channel number
	AMDConf string // an Asterisk amd.conf whose [general] keys apply first
	AMDArgs string // AMD()'s positional arguments, as in extensions.conf
	// AnswerAt is where the call was answered in every recording, when
	// known (0: at the start, or found from the ringback).
	AnswerAt time.Duration

	// Asterisk holds the amd.conf flags; astSet says which were given, so
	// that they override --amd-conf and the others keep its values.
	Asterisk asterisk.Params
	astSet   func(name string) bool

	Cadence cadenceFlags

	Templates       string
	CaptureTemplate string
	CaptureMedia    string
	CaptureResults  []string

	// Dependencies.
	In         io.Reader
	Out        io.Writer
	ErrOut     io.Writer
	ProgressTo io.Writer // nil: no progress bar (stderr is not a terminal)
	DB         func(ctx context.Context) (*container.StatusMap, error)
	Version    string
	Now        func() time.Time
}

func newAMDAnalyzeCmd(f *Factory) *cobra.Command {
	opts := &amdAnalyzeOptions{Asterisk: asterisk.DefaultParams(), Cadence: defaultCadenceFlags()}
	cmd := &cobra.Command{
		Use:   "analyze [flags] FILE|DIR|- ...",
		Short: "Detect answering machines, fax/modem, SIT and beeps in recordings",
		Long: `Analyse call recordings offline, as a dialer's answering-machine detection would have heard
them, and explain the decision.

Each recording is read once (streaming: memory does not grow with its length) and every
detector runs on the same 10 ms frames:
  - Asterisk's AMD(), reproduced exactly (the "asterisk" field, always present);
  - the default cadence profile: an adaptive voice detector that ignores tones and decides
    on the whole utterance pattern;
  - fax/modem (CNG, CED, ANS/, ANSam, V.21 preamble, Bell 2225 Hz), SIT (the eight North-
    American codes and ITU), voicemail beeps, ringback/busy before the answer;
  - with --templates, a library of known greetings and announcements.

The result follows the precedence fax > SIT > template > cadence + beep (a beep after a
greeting means a voicemail). --profile asterisk makes the result follow Asterisk's AMDSTATUS
instead. decision_ms is the moment in the audio at which the decision was available.

Inputs are files, directories (searched recursively for .wav, .sln, .ul, .al ... files, in
sorted order) and "-" (a list of paths on standard input, one per line). Without --json a
table is printed, one row per file, and a summary line; --json prints one JSON object per
file per line, in input order. See docs/amd.md for the fields.

The amd.conf parameters (--initial_silence ... --maximum_word_length, also spelled with
dashes) configure the Asterisk profile, with Asterisk's defaults. As in Asterisk, later
sources override earlier ones: the defaults, then --amd-conf (an amd.conf file), then
--amd-args (the AMD() arguments of your dialplan), then the individual flags.

A file that cannot be read is reported (an "error" object with --json) and the batch goes on;
the exit status is then 2.
` + exitStatusHelp,
		Example: `  # The example recordings
  khompctl amd analyze examples/

  # A day of recordings, 8 workers, JSON lines, with what VICIdial would do
  khompctl amd analyze -j 8 --json --map db /var/spool/asterisk/monitorDONE/

  # Why was this call a machine? (voice segments, tones, decisions, in time order)
  khompctl amd analyze --events --json call.wav

  # What Asterisk's AMD() said, with a longer initial silence
  khompctl amd analyze --profile asterisk --initial_silence 3500 call.wav

  # ... with the AMD() line of VICIdial's dialplan (extensions.conf)
  khompctl amd analyze --profile asterisk --amd-args "2000,2000,1000,5000,120,50,4,256" call.wav

  # Paths from another command
  find /recordings -name '*.wav' -mtime -1 | khompctl amd analyze --json -`,
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Inputs = args
			if len(args) == 0 {
				return usageError(errors.New("amd analyze: no input: give files, directories or - (paths on stdin)"))
			}
			opts.astSet = func(name string) bool { return cmd.Flags().Changed(name) }
			opts.In, opts.Out, opts.ErrOut = f.IO.In, f.IO.Out, f.IO.ErrOut
			if f.IO.StderrTTY {
				opts.ProgressTo = f.IO.ErrOut
			}
			opts.DB = func(ctx context.Context) (*container.StatusMap, error) {
				db, err := f.DB(ctx)
				if err != nil {
					return nil, err
				}
				return container.LoadStatusMap(ctx, db)
			}
			opts.Version, opts.Now = f.Version, f.Now
			return amdAnalyzeRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.JSON, "json", false, "one JSON object per file per line, in input order")
	fl.BoolVar(&opts.Events, "events", false, "add the timestamped voice/tone/decision events (and all parameters)")
	fl.IntVarP(&opts.Jobs, "jobs", "j", runtime.NumCPU(), "files analysed in parallel")
	fl.StringVar(&opts.Map, "map", "", "also show the VICIdial action/status: a KHOMPSTATUSMAP `FILE`, \"db\" (the database's) or \"default\" (the map VICIdial ships)")
	fl.StringVar(&opts.Profile, "profile", amd.ProfileDefault, "what result follows: default (all detectors) or asterisk (AMD()'s AMDSTATUS)")
	fl.StringVar(&opts.Format, "format", "", "force the input format: wav, sln, sln16, ul, al or gsm (default: by header, then extension)")
	fl.DurationVar(&opts.AnswerAt, "answer-at", 0, "the recordings start this long before the answer (e.g. 4.5s): every detector starts there")
	fl.StringVar(&opts.Channel, "channel", "auto", "channel of a stereo file: auto (the louder), mix, or a 0-based number")
	fl.StringVar(&opts.AMDConf, "amd-conf", "", "read the amd.conf parameters from this Asterisk amd.conf `file` ([general])")
	fl.StringVar(&opts.AMDArgs, "amd-args", "", "AMD()'s arguments as in extensions.conf, e.g. \"2000,2000,1000,5000,120,50,4,256\" (override --amd-conf)")
	for _, k := range asterisk.Keys {
		fl.IntVar(k.Field(&opts.Asterisk), k.Name, *k.Field(&opts.Asterisk), "amd.conf "+k.Name+": "+k.Usage)
	}
	opts.Cadence.register(fl)
	fl.StringVar(&opts.Templates, "templates", "", "match greetings against the template library in `DIR`")
	fl.StringVar(&opts.CaptureTemplate, "capture-templates", "", "save the greeting of each MACHINE call that matched no template, as a candidate, in `DIR`")
	fl.StringVar(&opts.CaptureMedia, "capture-media", "", "save the analysed audio of the calls whose result is in --capture-results, in `DIR`")
	fl.StringSliceVar(&opts.CaptureResults, "capture-results", []string{amd.Machine, amd.NotSure}, "results whose audio --capture-media saves")
	// amd.conf names use underscores; accept dashes too.
	fl.SetNormalizeFunc(func(_ *pflag.FlagSet, name string) pflag.NormalizedName {
		if u := strings.ReplaceAll(name, "-", "_"); isAMDConfKey(u) {
			return pflag.NormalizedName(u)
		}
		return pflag.NormalizedName(name)
	})
	return cmd
}

func isAMDConfKey(name string) bool {
	for _, k := range asterisk.Keys {
		if k.Name == name {
			return true
		}
	}
	return false
}

// amdAnalyzeRun analyses every input and prints the results in input order.
func amdAnalyzeRun(ctx context.Context, opts *amdAnalyzeOptions) error {
	job, err := opts.prepare(ctx)
	if err != nil {
		return err
	}
	files, err := expandAnalyzeInputs(opts.Inputs, opts.In)
	if err != nil {
		return err
	}
	start := opts.now()
	bar := newAnalyzeBar(opts.ProgressTo, len(files))
	out := newAnalyzeOutput(opts, job.statusMap)
	out.bar = bar
	err = runAnalyzeOrdered(ctx, files, opts.Jobs, job.analyze, func(a *analyzed) error {
		bar.add()
		return out.emit(a)
	})
	bar.finish()
	if err != nil {
		return err
	}
	if err := out.finish(opts.now().Sub(start)); err != nil {
		return err
	}
	if out.failed > 0 {
		return silentExit(exitUsage)
	}
	if out.captureFailed > 0 {
		return fmt.Errorf("amd analyze: %d captures failed (see above)", out.captureFailed)
	}
	return nil
}

// analyzeJob is everything the flags resolve to before the first file.
type analyzeJob struct {
	cfg       amd.Config
	audioOpts audio.Options
	statusMap *container.StatusMap
	capture   *analyzeCapture
}

// prepare checks the flags and loads the status map and template library.
func (o *amdAnalyzeOptions) prepare(ctx context.Context) (*analyzeJob, error) {
	if o.Jobs < 1 {
		return nil, usageError(fmt.Errorf("--jobs: %d: need at least 1", o.Jobs))
	}
	var job analyzeJob
	var err error
	if job.cfg, err = o.config(); err != nil {
		return nil, usageError(err)
	}
	if job.audioOpts, err = o.audioOptions(); err != nil {
		return nil, usageError(err)
	}
	if job.statusMap, err = o.loadMap(ctx); err != nil {
		return nil, err
	}
	if o.Templates != "" {
		lib, warnings, err := template.Open(o.Templates)
		for _, w := range warnings {
			fmt.Fprintf(o.ErrOut, "khompctl: warning: %s\n", w)
		}
		if err != nil {
			return nil, usageError(err)
		}
		job.cfg.Templates = lib
	}
	if job.capture, err = o.capturer(); err != nil {
		return nil, usageError(err)
	}
	return &job, nil
}

// analyze is one worker's job on one input.
func (j *analyzeJob) analyze(ctx context.Context, in analyzeInput) *analyzed {
	if in.err != nil {
		return &analyzed{res: &amd.Result{File: in.path, Error: in.err.Error()}}
	}
	a := &analyzed{res: analyzeFile(ctx, in.path, j.audioOpts, j.cfg)}
	if a.res.Error == "" && j.capture != nil {
		if err := j.capture.save(in.path, j.audioOpts, a.res); err != nil {
			a.captureErr = fmt.Errorf("%s: capture: %w", in.path, err)
		}
	}
	return a
}

func (o *amdAnalyzeOptions) now() time.Time {
	if o.Now == nil {
		return time.Now()
	}
	return o.Now()
}

// config turns the flags into the pipeline's configuration.
func (o *amdAnalyzeOptions) config() (amd.Config, error) {
	cfg := amd.DefaultConfig()
	cfg.Profile, cfg.Events, cfg.Version = o.Profile, o.Events, o.Version
	if o.AnswerAt < 0 {
		return cfg, fmt.Errorf("--answer-at %v: must not be negative", o.AnswerAt)
	}
	cfg.AnswerAtMs = int(o.AnswerAt.Milliseconds())
	ast := asterisk.DefaultParams()
	if o.AMDConf != "" {
		fh, err := os.Open(o.AMDConf)
		if err != nil {
			return cfg, fmt.Errorf("--amd-conf: %w", err)
		}
		ast, err = asterisk.ParseConf(fh, ast)
		fh.Close()
		if err != nil {
			return cfg, fmt.Errorf("--amd-conf %s: %w", o.AMDConf, err)
		}
	}
	if o.AMDArgs != "" {
		var err error
		if ast, err = asterisk.ParseArgs(o.AMDArgs, ast); err != nil {
			return cfg, fmt.Errorf("--amd-args: %w", err)
		}
	}
	for _, k := range asterisk.Keys {
		if o.astSet == nil || o.astSet(k.Name) {
			*k.Field(&ast) = *k.Field(&o.Asterisk)
		}
	}
	cfg.Asterisk = ast
	cfg.Cadence = o.Cadence.apply(cfg.Cadence)
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	return cfg, nil
}

func (o *amdAnalyzeOptions) audioOptions() (audio.Options, error) {
	opts := audio.DefaultOptions()
	opts.Format = o.Format
	switch strings.ToLower(o.Channel) {
	case "", "auto":
	case "mix":
		opts.Channel = audio.ChannelMix
	default:
		n, err := strconv.Atoi(o.Channel)
		if err != nil || n < 0 {
			return opts, fmt.Errorf("--channel %q: want auto, mix or a channel number from 0", o.Channel)
		}
		opts.Channel = n
	}
	return opts, nil
}

// loadMap reads KHOMPSTATUSMAP from a file or the database.
func (o *amdAnalyzeOptions) loadMap(ctx context.Context) (*container.StatusMap, error) {
	switch o.Map {
	case "":
		return nil, nil
	case "default":
		return container.ParseStatusMap(install.DefaultStatusMap()), nil
	case "db":
		m, err := o.DB(ctx)
		if err != nil {
			return nil, fmt.Errorf("--map db: %w", err)
		}
		return m, nil
	}
	m, err := container.LoadStatusMapFile(o.Map)
	if err != nil {
		return nil, usageError(fmt.Errorf("--map: %w", err))
	}
	return m, nil
}

// analyzeFile reads and analyses one recording; a failure becomes the
// result's error.
func analyzeFile(ctx context.Context, path string, opts audio.Options, cfg amd.Config) *amd.Result {
	s, err := audio.Open(path, opts)
	if err != nil {
		return &amd.Result{File: path, Error: oneLine(err)}
	}
	defer s.Close()
	res, err := amd.Analyze(ctx, s, cfg)
	if err != nil {
		if !strings.HasPrefix(err.Error(), path+":") { // reader errors already name the file
			err = fmt.Errorf("%s: %w", path, err)
		}
		return &amd.Result{File: path, Error: oneLine(err)}
	}
	res.File = path
	return res
}

// analyzed is one file's outcome as the workers hand it to the output.
type analyzed struct {
	res        *amd.Result
	captureErr error // the analysis worked but saving its capture did not
}

// analyzeInput is one file to analyse, or an input that could not be listed.
type analyzeInput struct {
	path string
	err  error
}

// expandAnalyzeInputs turns the arguments into the list of files: files as given,
// directories searched recursively (audio extensions only, hidden entries
// skipped, sorted), "-" replaced by the paths read from stdin.
func expandAnalyzeInputs(args []string, stdin io.Reader) ([]analyzeInput, error) {
	var out []analyzeInput
	stdinUsed := false
	for _, a := range args {
		if a == "-" {
			if stdinUsed {
				return nil, usageError(errors.New("amd analyze: \"-\" given twice"))
			}
			stdinUsed = true
			paths, err := readAnalyzePathList(stdin)
			if err != nil {
				return nil, usageError(fmt.Errorf("reading paths from stdin: %w", err))
			}
			for _, p := range paths {
				out = append(out, expandAnalyzePath(p)...)
			}
			continue
		}
		out = append(out, expandAnalyzePath(a)...)
	}
	return out, nil
}

func readAnalyzePathList(r io.Reader) ([]string, error) {
	var paths []string
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 64*1024), 1<<20)
	for sc.Scan() {
		if p := strings.TrimRight(sc.Text(), "\r"); strings.TrimSpace(p) != "" {
			paths = append(paths, p)
		}
	}
	return paths, sc.Err()
}

func expandAnalyzePath(p string) []analyzeInput {
	st, err := os.Stat(p)
	if err != nil {
		return []analyzeInput{{path: p, err: fmt.Errorf("%s: %w", p, analyzePathErr(err))}}
	}
	if !st.IsDir() {
		return []analyzeInput{{path: p}}
	}
	var out []analyzeInput
	err = filepath.WalkDir(p, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			out = append(out, analyzeInput{path: path, err: fmt.Errorf("%s: %w", path, analyzePathErr(err))})
			if d != nil && d.IsDir() && path != p {
				return fs.SkipDir
			}
			return nil
		}
		if path != p && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if !d.IsDir() && audio.IsAudioName(d.Name()) { // the reader's formats, by extension
			out = append(out, analyzeInput{path: path})
		}
		return nil
	})
	if err != nil {
		out = append(out, analyzeInput{path: p, err: err})
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].path < out[j].path })
	return out
}

func analyzePathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// runAnalyzeOrdered analyses the inputs with n workers and hands the results to
// emit in input order, as soon as each one and all before it are done.
// Memory holds at most 4n+16 results that finished ahead of a slow file.
func runAnalyzeOrdered(ctx context.Context, files []analyzeInput, n int, analyze func(context.Context, analyzeInput) *analyzed, emit func(*analyzed) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	type done struct {
		i   int
		res *analyzed
	}
	jobs := make(chan int)
	results := make(chan done, n)
	var wg sync.WaitGroup
	for range min(n, max(len(files), 1)) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range jobs {
				results <- done{i, analyze(ctx, files[i])}
			}
		}()
	}
	// A file is handed out only while fewer than `window` results wait to
	// be printed, so a slow file early in a long batch cannot make the
	// results behind it pile up in memory.
	window := make(chan struct{}, 4*n+16)
	go func() {
		defer close(jobs)
		for i := range files {
			select {
			case window <- struct{}{}:
			case <-ctx.Done():
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() { wg.Wait(); close(results) }()

	pending := make(map[int]*analyzed)
	next := 0
	var firstErr error
	for d := range results {
		if firstErr == nil && ctx.Err() != nil {
			firstErr = ctx.Err() // interrupted: what is left is not reported
		}
		if firstErr != nil {
			continue // drain so the workers can finish
		}
		pending[d.i] = d.res
		for {
			r, ok := pending[next]
			if !ok {
				break
			}
			delete(pending, next)
			next++
			<-window
			if err := emit(r); err != nil {
				firstErr = err
				cancel()
				break
			}
		}
	}
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

// analyzeProgress is the optional progress bar on a terminal.
type analyzeProgress struct{ bar *progressbar.ProgressBar }

func newAnalyzeBar(w io.Writer, total int) *analyzeProgress {
	if w == nil || total < 2 {
		return &analyzeProgress{}
	}
	return &analyzeProgress{bar: progressbar.NewOptions(total,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("analysing"),
		progressbar.OptionShowCount(),
		progressbar.OptionSetElapsedTime(true),
		progressbar.OptionClearOnFinish(),
		progressbar.OptionThrottle(100*time.Millisecond),
	)}
}

func (p *analyzeProgress) add() {
	if p.bar != nil {
		_ = p.bar.Add(1)
	}
}

// clear erases the bar so that a message can be printed on its line; it is
// redrawn with the next step.
func (p *analyzeProgress) clear() {
	if p != nil && p.bar != nil {
		_ = p.bar.Clear()
	}
}

func (p *analyzeProgress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}

// analyzeOutput prints results as JSON lines or collects them for the table.
type analyzeOutput struct {
	opts      *amdAnalyzeOptions
	bar       *analyzeProgress
	statusMap *container.StatusMap
	enc       *json.Encoder
	rows      [][]string
	counts    map[string]int
	failed    int
	// captureFailed counts files whose capture could not be saved.
	captureFailed int
	// explained keeps the results whose events the table mode prints
	// after the table (--events without --json).
	explained []*amd.Result
	audioMs   int64
	files     int
}

func newAnalyzeOutput(opts *amdAnalyzeOptions, m *container.StatusMap) *analyzeOutput {
	o := &analyzeOutput{opts: opts, statusMap: m, counts: map[string]int{}}
	if opts.JSON {
		o.enc = json.NewEncoder(opts.Out)
		o.enc.SetEscapeHTML(false)
	}
	return o
}

// analyzeErrorLine is the JSON object of a file that could not be analysed.
type analyzeErrorLine struct {
	File  string `json:"file"`
	Error string `json:"error"`
}

func (o *analyzeOutput) emit(a *analyzed) error {
	r := a.res
	o.files++
	if a.captureErr != nil {
		o.captureFailed++
		o.bar.clear()
		fmt.Fprintf(o.opts.ErrOut, "khompctl: %s\n", oneLine(a.captureErr))
	}
	if r.Error != "" {
		o.failed++
		o.bar.clear()
		fmt.Fprintf(o.opts.ErrOut, "khompctl: %s\n", r.Error)
		if o.enc != nil {
			return o.enc.Encode(analyzeErrorLine{File: r.File, Error: r.Error})
		}
		o.rows = append(o.rows, []string{r.File, "ERROR", "", "", "", "", strings.TrimPrefix(r.Error, r.File+": ")})
		return nil
	}
	o.counts[r.Result]++
	o.audioMs += int64(r.DurationMs)
	if o.statusMap != nil {
		l := o.statusMap.Lookup(r.Conclusion, r.Pattern)
		r.VICIdial = &amd.VICIdialAction{Action: l.Action, Status: l.Status, DialStatus: l.DialStatus, Rule: string(l.Rule)}
	}
	if o.enc != nil {
		return o.enc.Encode(r)
	}
	o.rows = append(o.rows, o.row(r))
	if o.opts.Events {
		o.explained = append(o.explained, r)
	}
	return nil
}

func (o *analyzeOutput) row(r *amd.Result) []string {
	khomp := r.Conclusion
	if r.Pattern != "" {
		khomp += " / " + r.Pattern
	}
	row := []string{r.File, r.Result, fmt.Sprintf("%.2f", float64(r.DecisionMs)/1000), fmt.Sprintf("%.2f", r.Confidence), khomp,
		r.Asterisk.Status + " " + r.Asterisk.Cause, analyzeDetails(r)}
	if o.statusMap != nil {
		v := r.VICIdial
		row = append(row, strings.TrimRight(v.Action+" "+v.Status+" "+v.DialStatus, " "))
	}
	return row
}

// analyzeDetails summarises the evidence in a few words for the table.
func analyzeDetails(r *amd.Result) string {
	var parts []string
	if r.Fax != nil {
		parts = append(parts, fmt.Sprintf("fax %s @%.1fs", r.Fax.Signal, float64(r.Fax.StartMs)/1000))
	}
	if r.SIT != nil {
		parts = append(parts, fmt.Sprintf("SIT %s @%.1fs", r.SIT.Code, float64(r.SIT.StartMs)/1000))
	}
	if r.Template != nil {
		parts = append(parts, fmt.Sprintf("template %s/%s", r.Template.Class, r.Template.Name))
	}
	if r.Beep != nil {
		parts = append(parts, fmt.Sprintf("beep %.0fHz @%.1fs", r.Beep.FreqHz, float64(r.Beep.StartMs)/1000))
	}
	if r.AnsweredAtMs > 0 {
		parts = append(parts, fmt.Sprintf("answered @%.1fs", float64(r.AnsweredAtMs)/1000))
	} else if r.Progress != nil && r.Progress.Ringback {
		parts = append(parts, "ringback, no answer")
	}
	if len(parts) == 0 && r.Cadence != nil {
		st := r.Cadence.Stats
		parts = append(parts, fmt.Sprintf("%d %s, %.1fs voice", st.Words, analyzePlural(st.Words, "word", "words"), float64(st.TotalVoiceMs)/1000))
	}
	if r.Audio.Truncated {
		parts = append(parts, "truncated file")
	}
	return strings.Join(parts, "; ")
}

// finish renders the table and the summary line (table mode only).
func (o *analyzeOutput) finish(elapsed time.Duration) error {
	if o.enc != nil {
		return nil
	}
	if len(o.rows) > 0 {
		header := []string{"FILE", "RESULT", "DECISION S", "CONF", "CONCLUSION / PATTERN", "ASTERISK", "DETAILS"}
		if o.statusMap != nil {
			header = append(header, "VICIDIAL")
		}
		if err := renderTable(o.opts.Out, header, o.rows); err != nil {
			return err
		}
	}
	for _, r := range o.explained {
		writeAnalyzeEvents(o.opts.Out, r)
	}
	if len(o.explained) > 0 {
		fmt.Fprintln(o.opts.Out)
	}
	fmt.Fprintln(o.opts.Out, o.summary(elapsed))
	return nil
}

// writeAnalyzeEvents prints one file's events for people: time, what, detail.
func writeAnalyzeEvents(w io.Writer, r *amd.Result) {
	fmt.Fprintf(w, "\n%s: %s at %.2f s (%s)\n", r.File, r.Result, float64(r.DecisionMs)/1000, r.Cause)
	for _, e := range r.Events {
		line := fmt.Sprintf("  %8.2f s  %-12s", float64(e.TMs)/1000, e.Type)
		if e.EndMs > 0 {
			line += fmt.Sprintf(" to %.2f s", float64(e.EndMs)/1000)
		}
		if e.Detail != "" {
			line += "  " + e.Detail
		}
		fmt.Fprintln(w, strings.TrimRight(line, " "))
	}
}

func (o *analyzeOutput) summary(elapsed time.Duration) string {
	var parts []string
	for _, k := range []string{amd.Human, amd.Machine, amd.Fax, amd.SIT, amd.Silence, amd.NotSure} {
		if n := o.counts[k]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, k))
		}
	}
	if o.failed > 0 {
		parts = append(parts, fmt.Sprintf("%d unreadable", o.failed))
	}
	s := fmt.Sprintf("%d %s: %s", o.files, analyzePlural(o.files, "file", "files"), strings.Join(parts, ", "))
	if o.files == 0 {
		s = "0 files: no recordings found"
	}
	if secs := elapsed.Seconds(); o.audioMs > 0 && secs > 0 {
		s += fmt.Sprintf("; %.1f s of audio in %.2f s", float64(o.audioMs)/1000, secs)
	}
	return s
}

func analyzePlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}
