package main

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/khompctl/khompctl/pkg/amd"
	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/cadence"
	"github.com/khompctl/khompctl/pkg/amd/template"
)

// cadenceFlags exposes the default cadence profile's parameters as
// --cadence-<name> flags (the names are those of cadence.Params' docs).
type cadenceFlags struct {
	p  cadence.Params
	fs *pflag.FlagSet
}

func defaultCadenceFlags() cadenceFlags { return cadenceFlags{p: cadence.DefaultParams()} }

// cadenceIntFlags and cadenceFloatFlags list the flag-ready parameters.
var cadenceIntFlags = []struct {
	name, usage string
	field       func(*cadence.Params) *int
}{
	{"initial-silence", "no speech this long after the answer → SILENCE (ms)", func(p *cadence.Params) *int { return &p.InitialSilenceMs }},
	{"after-greeting-silence", "silence after a short greeting → HUMAN (ms)", func(p *cadence.Params) *int { return &p.AfterGreetingSilenceMs }},
	{"long-pause", "silence needed for HUMAN after a long greeting (ms)", func(p *cadence.Params) *int { return &p.LongPauseMs }},
	{"wary-voice", "speech after which long-pause applies (ms)", func(p *cadence.Params) *int { return &p.WaryVoiceMs }},
	{"machine-voice", "cumulative speech → MACHINE (ms)", func(p *cadence.Params) *int { return &p.MachineVoiceMs }},
	{"max-utterance", "one utterance this long → MACHINE (ms)", func(p *cadence.Params) *int { return &p.MaxUtteranceMs }},
	{"max-words", "more words than this (with max-words-voice of speech) → MACHINE", func(p *cadence.Params) *int { return &p.MaxWords }},
	{"max-words-voice", "speech needed for the max-words rule (ms)", func(p *cadence.Params) *int { return &p.MinWordsVoiceMs }},
	{"total-analysis-time", "best decision at this time after the answer (ms)", func(p *cadence.Params) *int { return &p.TotalAnalysisMs }},
	{"min-word", "a voice segment counts as speech from this length (ms)", func(p *cadence.Params) *int { return &p.MinWordMs }},
	{"utterance-gap", "words closer than this form one utterance (ms)", func(p *cadence.Params) *int { return &p.UtteranceGapMs }},
	{"vad-voice-on", "voiced time that opens a segment (ms)", func(p *cadence.Params) *int { return &p.VoiceOnMs }},
	{"vad-hangover", "unvoiced time that closes a segment (ms)", func(p *cadence.Params) *int { return &p.HangoverMs }},
	{"vad-floor-window", "noise floor = minimum level over this window (ms)", func(p *cadence.Params) *int { return &p.FloorWindowMs }},
}

var cadenceFloatFlags = []struct {
	name, usage string
	field       func(*cadence.Params) *float64
}{
	{"vad-onset-db", "voice starts this far above the noise floor (dB)", func(p *cadence.Params) *float64 { return &p.OnsetDB }},
	{"vad-hold-db", "voice continues this far above the noise floor (dB)", func(p *cadence.Params) *float64 { return &p.HoldDB }},
	{"vad-min-level-db", "absolute band level below which nothing is voice (dB)", func(p *cadence.Params) *float64 { return &p.MinLevelDB }},
	{"vad-foreground-db", "a word starts at most this far below the loudest speech so far (dB)", func(p *cadence.Params) *float64 { return &p.ForegroundDB }},
}

func (c *cadenceFlags) register(fs *pflag.FlagSet) {
	c.fs = fs
	for _, f := range cadenceIntFlags {
		fs.IntVar(f.field(&c.p), "cadence-"+f.name, *f.field(&c.p), "default profile: "+f.usage)
	}
	for _, f := range cadenceFloatFlags {
		fs.Float64Var(f.field(&c.p), "cadence-"+f.name, *f.field(&c.p), "default profile: "+f.usage)
	}
}

// apply copies the flags the user gave onto base.
func (c *cadenceFlags) apply(base cadence.Params) cadence.Params {
	changed := func(name string) bool { return c.fs == nil || c.fs.Changed("cadence-"+name) }
	for _, f := range cadenceIntFlags {
		if changed(f.name) {
			*f.field(&base) = *f.field(&c.p)
		}
	}
	for _, f := range cadenceFloatFlags {
		if changed(f.name) {
			*f.field(&base) = *f.field(&c.p)
		}
	}
	return base
}

// analyzeCapture saves material from analysed calls: with --capture-media
// the analysed audio (8 kHz mono 16-bit WAV, what the detectors heard) of
// the calls whose result was chosen, with the result as a JSON sidecar;
// with --capture-templates the greeting of every MACHINE call that matched
// no template, as a candidate for `amd learn`.
type analyzeCapture struct {
	media    *mediaCapture
	greeting *template.Capture
}

type mediaCapture struct {
	dir     string
	results map[string]bool
}

func (o *amdAnalyzeOptions) capturer() (*analyzeCapture, error) {
	c := &analyzeCapture{}
	if o.CaptureTemplate != "" {
		if err := os.MkdirAll(o.CaptureTemplate, 0o755); err != nil {
			return nil, fmt.Errorf("--capture-templates: %w", err)
		}
		c.greeting = &template.Capture{Dir: o.CaptureTemplate}
	}
	if o.CaptureMedia != "" {
		if err := os.MkdirAll(o.CaptureMedia, 0o755); err != nil {
			return nil, fmt.Errorf("--capture-media: %w", err)
		}
		c.media = &mediaCapture{dir: o.CaptureMedia, results: map[string]bool{}}
		for _, r := range o.CaptureResults {
			r = strings.ToUpper(strings.TrimSpace(r))
			switch r {
			case amd.Human, amd.Machine, amd.Fax, amd.SIT, amd.Silence, amd.NotSure:
				c.media.results[r] = true
			default:
				return nil, fmt.Errorf("--capture-results: %q is not a result (HUMAN, MACHINE, FAX, SIT, SILENCE, NOTSURE)", r)
			}
		}
	}
	if c.media == nil && c.greeting == nil {
		return nil, nil
	}
	return c, nil
}

// save captures what the flags asked for from one analysed call.
func (c *analyzeCapture) save(path string, opts audio.Options, res *amd.Result) error {
	if c.media != nil {
		if err := c.media.save(path, opts, res); err != nil {
			return err
		}
	}
	if c.greeting == nil {
		return nil
	}
	cand := template.Candidate{Source: path, Result: res.Result, Conclusion: res.Conclusion, Pattern: res.Pattern,
		Cause: res.Cause, DecisionMs: res.DecisionMs, VoiceStartMs: -1, AnsweredAtMs: res.AnsweredAtMs,
		Matched: res.Template != nil}
	if st := res.Cadence; st != nil && st.Stats.Words > 0 {
		cand.VoiceStartMs = st.Stats.AnswerMs + st.Stats.InitialSilenceMs
	}
	if !c.greeting.ShouldSave(cand) {
		return nil
	}
	s, err := audio.Open(path, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	_, err = c.greeting.Save(s, cand)
	return err
}

// save writes <name>-<hash>.wav and .json for a chosen result. The hash of
// the path keeps files of the same name from different directories apart.
func (c *mediaCapture) save(path string, opts audio.Options, res *amd.Result) error {
	if !c.results[res.Result] {
		return nil
	}
	sum := sha256.Sum256([]byte(path))
	base := strings.TrimSuffix(filepath.Base(path), filepath.Ext(path)) + "-" + hex.EncodeToString(sum[:4])
	wavPath := filepath.Join(c.dir, base+".wav")
	if err := copyAnalysedAudio(path, opts, wavPath); err != nil {
		return err
	}
	meta, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(c.dir, base+".json"), append(meta, '\n'), 0o644)
}

// copyAnalysedAudio re-reads the recording and streams it, as the pipeline
// saw it, into a 16-bit WAV (written to a temporary name, then renamed).
func copyAnalysedAudio(src string, opts audio.Options, dst string) (err error) {
	s, err := audio.Open(src, opts)
	if err != nil {
		return err
	}
	defer s.Close()
	tmp := dst + ".tmp"
	out, err := os.Create(tmp)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			out.Close()
			os.Remove(tmp)
		}
	}()
	ww, err := audio.NewWAVWriter(out, audio.OutputRate, "pcm16", -1)
	if err != nil {
		return err
	}
	buf := make([]float32, 4000)
	for {
		n, rerr := s.Read(buf)
		if err = ww.Write(buf[:n]); err != nil {
			return err
		}
		if errors.Is(rerr, io.EOF) {
			break
		}
		if rerr != nil {
			return rerr
		}
	}
	if err = ww.Close(); err != nil {
		return err
	}
	if err = out.Close(); err != nil {
		return err
	}
	return os.Rename(tmp, dst)
}
