// Package corpus builds the labelled development corpus of amd analyze:
// humans (short greetings, whole sentences of 1.5–4 s, late answers, then
// silence), machines (long greetings with pauses of up to 1.3 s, with and
// without beeps), fax/modem answers, SIT intercepts and silence, from the
// Asterisk prompts, espeak-ng voices and synthesised tones, with telephone
// degradations (G.711 µ-law/A-law, GSM 06.10, white/low-passed noise,
// babble, background talk, DC offset, gain, ringback before answer with
// random phases and UK double rings, band-limiting).
//
// The output is deterministic: every file is made from its own random
// stream seeded by (Config.Seed, kind, index), source lists are sorted, and
// resampling uses sox with float output (no dither). The same Config on the
// same tools gives byte-identical files.
package corpus

import (
	"cmp"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Version changes whenever the generator's output changes; it keys the
// cache directory so tests never reuse a stale corpus.
const Version = "cadence-corpus-9"

// Labels of the corpus (the amd analyze result classes).
const (
	LabelHuman   = "HUMAN"
	LabelMachine = "MACHINE"
	LabelFax     = "FAX"
	LabelSIT     = "SIT"
	LabelSilence = "SILENCE"
)

// Config says how many files of each class to make and where the tools
// and sources are.
type Config struct {
	Humans, Machines, Faxes, SITs, Silences int
	Seed                                    uint64
	SoundsDir                               string // Asterisk sounds root (has en/, es/)
	Espeak, Sox                             string // tool paths; "" looks them up in PATH
	Workers                                 int    // 0 = all cores
	// Voices is the voice set: "dev" (default: English, Spanish,
	// Portuguese, French, German, Italian, Asterisk's Allison) or
	// "heldout" (Dutch, Swedish, Polish, Russian, Turkish, Indonesian,
	// other espeak-ng variants and speeds, no Asterisk recordings).
	Voices string
}

// DefaultConfig is the development corpus: 150 humans, 150 machines, 60
// fax/modem, 63 SIT (7 of each of the 9 codes), 20 silences.
func DefaultConfig() Config {
	return Config{Humans: 150, Machines: 150, Faxes: 60, SITs: 63, Silences: 20, Seed: 20261126,
		SoundsDir: "/usr/share/asterisk/sounds", Voices: "dev"}
}

// Key identifies the output of a Config (generator version included).
func (c Config) Key() string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%d|%d|%d|%d|%d|%d|%s|%s", Version,
		c.Humans, c.Machines, c.Faxes, c.SITs, c.Silences, c.Seed, c.SoundsDir, c.Voices)))
	return hex.EncodeToString(h[:6])
}

// Label is one row of labels.tsv.
type Label struct {
	File     string  // file name inside the corpus directory
	Label    string  // HUMAN, MACHINE, FAX, SIT, SILENCE
	Signal   string  // fax/modem signal: CNG, CED, ANS_PR, ANSAM, V21, BELL2225
	Code     string  // SIT code: IC, NC, VC, RO, NC2, RO2, IO, RESERVED, ITU
	BeepHz   float64 // voicemail beep frequency, 0 if none
	AnswerMs int     // answer point (after ringback), 0 if none
	Notes    string  // how it was made
}

// labelsHeader is the first line of labels.tsv.
const labelsHeader = "file\tlabel\tsignal\tcode\tbeep_hz\tanswer_ms\tnotes"

// LabelsFile is the name of the label table inside a corpus directory.
const LabelsFile = "labels.tsv"

// Ensure returns the directory of the corpus for cfg under root, generating
// it first if it is not there (atomically: a half-made corpus is never
// seen). Concurrent callers in different processes may both generate; the
// first rename wins and the result is identical anyway.
func Ensure(ctx context.Context, root string, cfg Config) (string, error) {
	dir := filepath.Join(root, "khompctl-corpus-"+cfg.Key())
	if _, err := os.Stat(filepath.Join(dir, LabelsFile)); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(root, ".corpus-tmp-")
	if err != nil {
		return "", err
	}
	if _, err := Generate(ctx, cfg, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, LabelsFile)); serr == nil {
			return dir, nil // another process won the race
		}
		return "", err
	}
	return dir, nil
}

// DefaultRoot is where tests cache corpora: $KHOMPCTL_CORPUS_CACHE, else the
// user cache directory, else the temp directory.
func DefaultRoot() string {
	if d := os.Getenv("KHOMPCTL_CORPUS_CACHE"); d != "" {
		return d
	}
	if d, err := os.UserCacheDir(); err == nil {
		return filepath.Join(d, "khompctl")
	}
	return filepath.Join(os.TempDir(), "khompctl-cache")
}

// job is one file to make.
type job struct {
	kind  string
	index int
	sub   string // fax signal or SIT code
}

// Generate writes the corpus into dir (created if needed) and returns its
// labels, sorted by file name.
func Generate(ctx context.Context, cfg Config, dir string) ([]Label, error) {
	g, err := newGenerator(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	jobs := plan(cfg)
	labels := make([]Label, len(jobs))
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	var once sync.Once
	var firstErr error
	next := make(chan int)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				l, err := g.make(ctx, jobs[i], dir)
				if err != nil {
					once.Do(func() { firstErr = err; cancel() })
					continue
				}
				labels[i] = l
			}
		}()
	}
feed:
	for i := range jobs {
		select {
		case next <- i:
		case <-ctx.Done():
			break feed
		}
	}
	close(next)
	wg.Wait()
	if firstErr != nil {
		return nil, firstErr
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	sort.Slice(labels, func(i, j int) bool { return labels[i].File < labels[j].File })
	if err := WriteLabels(filepath.Join(dir, LabelsFile), labels); err != nil {
		return nil, err
	}
	return labels, nil
}

// plan lists the files to make, in a fixed order.
func plan(cfg Config) []job {
	var jobs []job
	for i := 0; i < cfg.Humans; i++ {
		jobs = append(jobs, job{kind: "human", index: i})
	}
	for i := 0; i < cfg.Machines; i++ {
		jobs = append(jobs, job{kind: "machine", index: i})
	}
	for i := 0; i < cfg.Faxes; i++ {
		jobs = append(jobs, job{kind: "fax", index: i, sub: faxSignals[i%len(faxSignals)]})
	}
	for i := 0; i < cfg.SITs; i++ {
		jobs = append(jobs, job{kind: "sit", index: i, sub: sitCodeNames[i%len(sitCodeNames)]})
	}
	for i := 0; i < cfg.Silences; i++ {
		jobs = append(jobs, job{kind: "silence", index: i})
	}
	return jobs
}

// generator holds what every job shares.
type generator struct {
	cfg      Config
	src      *sources
	voices   voiceSet
	prompts  map[string][]string // language → long Asterisk prompts, sorted
	announce map[string][]string // language → SIT announcements present
}

func newGenerator(cfg Config) (*generator, error) {
	espeak, err := lookTool(cfg.Espeak, "espeak-ng")
	if err != nil {
		return nil, err
	}
	sox, err := lookTool(cfg.Sox, "sox")
	if err != nil {
		return nil, err
	}
	vs, ok := voiceSets[cmp.Or(cfg.Voices, "dev")]
	if !ok {
		return nil, fmt.Errorf("corpus: voice set %q: want dev or heldout", cfg.Voices)
	}
	g := &generator{cfg: cfg, voices: vs, src: &sources{soundsDir: cfg.SoundsDir, espeak: espeak, sox: sox, clips: map[string][]float32{}},
		prompts: map[string][]string{}, announce: map[string][]string{}}
	for _, lang := range []string{"en", "es"} {
		names, err := listPrompts(filepath.Join(cfg.SoundsDir, lang))
		if err != nil {
			return nil, err
		}
		g.prompts[lang] = names
		for _, a := range sitAnnouncements {
			if _, err := os.Stat(filepath.Join(cfg.SoundsDir, lang, a+".wav")); err == nil {
				g.announce[lang] = append(g.announce[lang], a)
			}
		}
	}
	if len(g.prompts["en"]) == 0 {
		return nil, fmt.Errorf("corpus: no Asterisk prompts under %s/en (install asterisk-core-sounds-en-wav: scripts/deps.sh)", cfg.SoundsDir)
	}
	return g, nil
}

func lookTool(path, name string) (string, error) {
	if path != "" {
		return path, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("corpus: %s not found in PATH (install it: scripts/deps.sh)", name)
	}
	return p, nil
}

// listPrompts returns the sorted names of the prompts of a language that
// are long enough (> 24 KB, about 1.5 s) to be greeting material.
func listPrompts(dir string) ([]string, error) {
	ents, err := os.ReadDir(dir)
	if err != nil {
		return nil, fmt.Errorf("corpus: Asterisk sounds: %w (install asterisk-core-sounds-*-wav: scripts/deps.sh)", err)
	}
	var names []string
	for _, e := range ents {
		n := e.Name()
		if e.IsDir() || !strings.HasSuffix(n, ".wav") || isToneOrAnnouncement(n) {
			continue
		}
		if info, err := e.Info(); err == nil && info.Size() > 24000 {
			names = append(names, strings.TrimSuffix(n, ".wav"))
		}
	}
	sort.Strings(names)
	return names, nil
}

// isToneOrAnnouncement keeps beeps, tone files and intercept messages out
// of the voicemail-greeting material.
func isToneOrAnnouncement(name string) bool {
	base := strings.TrimSuffix(name, ".wav")
	if strings.Contains(base, "tone") || strings.HasPrefix(base, "beep") || strings.HasPrefix(base, "tt-") {
		return true
	}
	for _, a := range sitAnnouncements {
		if a == base {
			return true
		}
	}
	return false
}

// sitAnnouncements are the Asterisk prompts a carrier plays after a SIT.
var sitAnnouncements = []string{"ss-noservice", "cannot-complete-as-dialed", "check-number-dial-again",
	"all-circuits-busy-now", "number-not-answering", "please-try-call-later"}

// rngFor gives each file its own stream, independent of scheduling.
func (g *generator) rngFor(j job) *rand.Rand {
	h := sha256.Sum256([]byte(fmt.Sprintf("%d/%s/%d/%s", g.cfg.Seed, j.kind, j.index, j.sub)))
	var a, b uint64
	for i := 0; i < 8; i++ {
		a = a<<8 | uint64(h[i])
		b = b<<8 | uint64(h[8+i])
	}
	return rand.New(rand.NewPCG(a, b))
}

// built is a rendered file before degradation.
type built struct {
	x       []float32
	refRMS  float64 // level the SNR is defined against
	label   Label
	notes   []string
	gsmOK   bool    // GSM round trip is realistic for this class
	minSNR  float64 // lowest SNR the class's accuracy goal is defined at
	ringbOK bool
	talkOK  bool // background talk at the callee's end is realistic
}

// backgroundTalk mixes another voice talking 15–25 dB below the callee
// (a TV, a colleague) over the whole answered part of the file.
func (g *generator) backgroundTalk(ctx context.Context, r *rand.Rand, b *built) error {
	lang, v := g.randomVoice(r)
	var track []float32
	for len(track) < len(b.x) {
		phrase, err := g.src.speak(ctx, v, pick(r, g.voices.langs[lang].greeting))
		if err != nil {
			return err
		}
		track = append(track, phrase...)
		track = append(track, silence(uniform(r, 150, 700))...)
	}
	below := uniform(r, 15, 25)
	setLevel(track, 20*math.Log10(b.refRMS/32768)-below)
	for i := range b.x {
		b.x[i] += track[i]
	}
	b.notes = append(b.notes, fmt.Sprintf("background=%s/-%.0fdB", v, below))
	return nil
}

// babbleTalkers is how many voices make the babble of a room, a TV or a
// call centre behind the callee.
const babbleTalkers = 4

// babble mixes several voices talking at once (a smooth, speech-shaped
// background whose dips keep a minimum-statistics noise floor low) at
// 15–30 dB below the callee's active level. Each talker loops one or two
// phrases from a random point.
func (g *generator) babble(ctx context.Context, r *rand.Rand, b *built) error {
	mix := make([]float32, len(b.x))
	var names []string
	for k := 0; k < babbleTalkers; k++ {
		lang, v := g.randomVoice(r)
		texts := g.voices.langs[lang].greeting
		var loop []float32
		for p := 0; p < 2; p++ {
			phrase, err := g.src.speak(ctx, v, pick(r, texts))
			if err != nil {
				return err
			}
			loop = concat(loop, phrase, silence(uniform(r, 50, 300)))
		}
		setLevel(loop, -20)
		at := r.IntN(len(loop))
		for i := range mix {
			mix[i] += loop[(at+i)%len(loop)]
		}
		names = append(names, v.name)
	}
	snr := uniform(r, 15, 30)
	setLevel(mix, 20*math.Log10(b.refRMS/32768)-snr)
	add(b.x, mix)
	b.notes = append(b.notes, fmt.Sprintf("noise=babble/%dtalkers/%.0fdB", len(names), snr))
	return nil
}

func (g *generator) make(ctx context.Context, j job, dir string) (Label, error) {
	r := g.rngFor(j)
	var b *built
	var err error
	switch j.kind {
	case "human":
		b, err = g.human(ctx, r)
	case "machine":
		b, err = g.machine(ctx, r)
	case "fax":
		b = g.fax(r, j.sub)
	case "sit":
		b, err = g.sitItem(ctx, r, j.sub)
	default:
		b = g.silenceItem(r)
	}
	if err != nil {
		return Label{}, err
	}
	enc, err := g.degrade(ctx, r, b)
	if err != nil {
		return Label{}, err
	}
	b.label.File = fmt.Sprintf("%s-%03d.wav", j.kind, j.index)
	b.label.Notes = strings.Join(b.notes, " ")
	if err := WriteWAVFile(filepath.Join(dir, b.label.File), enc, b.x); err != nil {
		return Label{}, err
	}
	return b.label, nil
}

// degrade applies ringback, noise, band-limiting, gain and a codec, and
// returns the WAV encoding to write.
func (g *generator) degrade(ctx context.Context, r *rand.Rand, b *built) (string, error) {
	switch t := r.Float64(); {
	case b.talkOK && t < 0.10:
		if err := g.backgroundTalk(ctx, r, b); err != nil {
			return "", err
		}
	case b.talkOK && t < 0.22:
		if err := g.babble(ctx, r, b); err != nil {
			return "", err
		}
	}
	if b.ringbOK && r.Float64() < 0.15 {
		region := pick(r, []string{"US", "EU", "BR", "UK"})
		rings := 1 + r.IntN(2)
		pre := ringback(region, rings, 300+r.Float64()*3500, uniform(r, 0, 2*math.Pi))
		b.label.AnswerMs = len(pre) * 1000 / rate
		b.x = concat(pre, b.x)
		b.notes = append(b.notes, fmt.Sprintf("ringback=%s×%d", region, rings))
	}
	snrs := []float64{0, 0, 0, 30, 25, 20, 15, 10}
	if snr := snrs[r.IntN(len(snrs))]; snr > 0 && snr >= b.minSNR && b.refRMS > 0 {
		lp := r.IntN(2) == 0
		addNoise(b.x, b.refRMS, snr, lp, r)
		b.notes = append(b.notes, fmt.Sprintf("snr=%gdB", snr))
		if lp {
			b.notes = append(b.notes, "noise=lowpass")
		}
	}
	if r.Float64() < 0.2 {
		bandLimit(b.x, 300, 3400)
		b.notes = append(b.notes, "band=300-3400")
	}
	gdb := math.Round((r.Float64()*16-10)*10) / 10
	if r.Float64() < dcShare {
		dc := math.Round(uniform(r, 200, 1500))
		if r.IntN(2) == 0 {
			dc = -dc
		}
		offset(b.x, dc)
		b.notes = append(b.notes, fmt.Sprintf("dc=%+.0f", dc))
	}
	gain(b.x, gdb)
	b.notes = append(b.notes, fmt.Sprintf("gain=%+.1fdB", gdb))
	c := r.Float64()
	switch {
	case b.gsmOK && c < 0.25:
		y, err := g.src.gsmRoundTrip(ctx, b.x)
		if err != nil {
			return "", err
		}
		b.x = y
		b.notes = append(b.notes, "codec=gsm")
		return "pcm16", nil
	case c < 0.55:
		b.notes = append(b.notes, "codec=ulaw")
		return "ulaw", nil
	case c < 0.75:
		b.notes = append(b.notes, "codec=alaw")
		return "alaw", nil
	}
	return "pcm16", nil
}

// WriteLabels writes a labels.tsv.
func WriteLabels(path string, labels []Label) error {
	var sb strings.Builder
	sb.WriteString(labelsHeader + "\n")
	for _, l := range labels {
		hz := ""
		if l.BeepHz > 0 {
			hz = strconv.FormatFloat(l.BeepHz, 'f', 1, 64)
		}
		fmt.Fprintf(&sb, "%s\t%s\t%s\t%s\t%s\t%d\t%s\n", l.File, l.Label, l.Signal, l.Code, hz, l.AnswerMs,
			strings.ReplaceAll(l.Notes, "\t", " "))
	}
	return os.WriteFile(path, []byte(sb.String()), 0o644)
}

// ReadLabels reads a labels.tsv (the header line is required; unknown
// extra columns are ignored, so hand-made label files may add their own).
func ReadLabels(path string) ([]Label, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	lines := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
	if len(lines) == 0 || !strings.HasPrefix(lines[0], "file\tlabel") {
		return nil, fmt.Errorf("%s: line 1: want the header %q", path, labelsHeader)
	}
	var out []Label
	for i, ln := range lines[1:] {
		if strings.TrimSpace(ln) == "" || strings.HasPrefix(ln, "#") {
			continue
		}
		l, err := parseLabel(ln)
		if err != nil {
			return nil, fmt.Errorf("%s: line %d: %w", path, i+2, err)
		}
		out = append(out, l)
	}
	return out, nil
}

func parseLabel(ln string) (Label, error) {
	f := strings.Split(ln, "\t")
	for len(f) < 7 {
		f = append(f, "")
	}
	l := Label{File: f[0], Label: strings.ToUpper(f[1]), Signal: f[2], Code: f[3], Notes: f[6]}
	if l.File == "" {
		return l, errors.New("empty file name")
	}
	switch l.Label {
	case LabelHuman, LabelMachine, LabelFax, LabelSIT, LabelSilence:
	default:
		return l, fmt.Errorf("label %q: want HUMAN, MACHINE, FAX, SIT or SILENCE", f[1])
	}
	if f[4] != "" {
		hz, err := strconv.ParseFloat(f[4], 64)
		if err != nil || hz < 0 {
			return l, fmt.Errorf("beep_hz %q: not a frequency", f[4])
		}
		l.BeepHz = hz
	}
	if f[5] != "" {
		ms, err := strconv.Atoi(f[5])
		if err != nil || ms < 0 {
			return l, fmt.Errorf("answer_ms %q: not a time in ms", f[5])
		}
		l.AnswerMs = ms
	}
	return l, nil
}
