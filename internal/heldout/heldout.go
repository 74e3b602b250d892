// Package heldout builds a HELD-OUT labelled corpus for measuring
// `khompctl amd analyze` honestly: languages, voices, speeds, greeting
// shapes, noises (babble, hum, pink, brown), codec chains (µ-law→A-law,
// GSM, 3 kHz low-pass), clipping, DC offset, levels (−25..−3 dBFS),
// ringback cadences (UK, FR, DE, JP, IN, AU, RU, US), beeps (300–3400 Hz,
// 70–1500 ms, double beeps), fax/modem (−35..−10 dBm0) and SIT (with the
// specified tolerances) that the development corpus (internal/corpus) does
// not use. It is for measurement, not for tuning or regression tests: see
// scripts/eval_heldout.sh and docs/heldout.md.
//
// The labels.tsv has the development corpus's format (corpus.WriteLabels),
// so scripts/eval_amd.sh can score it too; its notes column holds
// space-separated key=value tags (kind=, style=, lang=, noise=, codec=, ...)
// that Score uses to break errors down by condition.
//
// The output is deterministic: each file has its own random stream seeded by
// (Config.Seed, class, index), and external tools run without dither.
package heldout

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/khompctl/khompctl/internal/corpus"
)

// Version changes whenever the generator's output changes; it keys the
// cache directory.
const Version = "heldout-2"

// Config says how many files of each class to make.
type Config struct {
	Humans, Machines, Faxes, SITs, Silences int
	Seed                                    uint64
	SoundsDir                               string // Asterisk sounds root (followme/, dictate/ prompts)
	Espeak, Sox                             string // tool paths; "" looks them up in PATH
	Workers                                 int    // 0 = all cores
}

// DefaultConfig is the held-out corpus: 190 humans, 180 machines, 48
// fax/modem (8 of each signal), 45 SIT (5 of each code), 24 silences = 487
// files. The seed differs from the development corpus's on purpose.
func DefaultConfig() Config {
	return Config{Humans: 190, Machines: 180, Faxes: 48, SITs: 45, Silences: 24, Seed: 0x48454c44,
		SoundsDir: "/usr/share/asterisk/sounds"}
}

// Key identifies the output of a Config (generator version included).
func (c Config) Key() string {
	h := sha256.Sum256([]byte(fmt.Sprintf("%s|%d|%d|%d|%d|%d|%d|%s", Version,
		c.Humans, c.Machines, c.Faxes, c.SITs, c.Silences, c.Seed, c.SoundsDir)))
	return hex.EncodeToString(h[:6])
}

// Ensure returns the directory of the corpus for cfg under root, generating
// it first if needed (into a temporary directory renamed at the end, so a
// half-made corpus is never used).
func Ensure(ctx context.Context, root string, cfg Config) (string, error) {
	dir := filepath.Join(root, "khompctl-heldout-"+cfg.Key())
	if _, err := os.Stat(filepath.Join(dir, corpus.LabelsFile)); err == nil {
		return dir, nil
	}
	if err := os.MkdirAll(root, 0o755); err != nil {
		return "", err
	}
	tmp, err := os.MkdirTemp(root, ".heldout-tmp-")
	if err != nil {
		return "", err
	}
	if _, err := Generate(ctx, cfg, tmp); err != nil {
		os.RemoveAll(tmp)
		return "", err
	}
	if err := os.Rename(tmp, dir); err != nil {
		os.RemoveAll(tmp)
		if _, serr := os.Stat(filepath.Join(dir, corpus.LabelsFile)); serr == nil {
			return dir, nil // another process made it first; the content is identical
		}
		return "", err
	}
	return dir, nil
}

// job is one file to make.
type job struct {
	class string // human, machine, fax, sit, silence
	index int
	sub   string // fax signal or SIT code
}

func (j job) fileName() string { return fmt.Sprintf("ho-%s-%03d.wav", j.class, j.index) }

var faxSignals = []string{"CNG", "CED", "ANS_PR", "ANSAM", "V21", "BELL2225"}

var sitCodeNames = []string{"IC", "NC", "VC", "RO", "NC2", "RO2", "IO", "RESERVED", "ITU"}

// plan lists the files in a fixed order.
func plan(cfg Config) []job {
	var jobs []job
	add := func(class string, n int, subs []string) {
		for i := 0; i < n; i++ {
			j := job{class: class, index: i}
			if len(subs) > 0 {
				j.sub = subs[i%len(subs)]
			}
			jobs = append(jobs, j)
		}
	}
	add("human", cfg.Humans, nil)
	add("machine", cfg.Machines, nil)
	add("fax", cfg.Faxes, faxSignals)
	add("sit", cfg.SITs, sitCodeNames)
	add("silence", cfg.Silences, nil)
	return jobs
}

// generator holds what every job shares (read-only once built).
type generator struct {
	cfg      Config
	espeak   string
	sox      string
	babble   []float32 // unit-RMS babble bank, looped
	prompts  []string  // Asterisk followme/dictate prompt paths, sorted
	asterisk sync.Map  // prompt path → trimmed samples
}

// Generate writes the corpus into dir and returns its labels, sorted by
// file name.
func Generate(ctx context.Context, cfg Config, dir string) ([]corpus.Label, error) {
	g, err := newGenerator(ctx, cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	jobs := plan(cfg)
	labels := make([]corpus.Label, len(jobs))
	errs := make([]error, len(jobs))
	workers := cfg.Workers
	if workers <= 0 {
		workers = runtime.NumCPU()
	}
	runCtx, cancel := context.WithCancel(ctx)
	defer cancel()
	next := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range next {
				if runCtx.Err() != nil {
					continue // drain: a file failed or the caller gave up
				}
				if labels[i], errs[i] = g.make(runCtx, jobs[i], dir); errs[i] != nil {
					cancel()
				}
			}
		}()
	}
	for i := range jobs {
		next <- i
	}
	close(next)
	wg.Wait()
	for _, err := range errs { // the first real error, not the cancellations it caused
		if err != nil && !errors.Is(err, context.Canceled) {
			return nil, err
		}
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	for _, err := range errs {
		if err != nil {
			return nil, err
		}
	}
	sort.Slice(labels, func(i, j int) bool { return labels[i].File < labels[j].File })
	if err := corpus.WriteLabels(filepath.Join(dir, corpus.LabelsFile), labels); err != nil {
		return nil, err
	}
	return labels, nil
}

func newGenerator(ctx context.Context, cfg Config) (*generator, error) {
	g := &generator{cfg: cfg}
	var err error
	if g.espeak, err = lookTool(cfg.Espeak, "espeak-ng"); err != nil {
		return nil, err
	}
	if g.sox, err = lookTool(cfg.Sox, "sox"); err != nil {
		return nil, err
	}
	g.prompts = listPrompts(cfg.SoundsDir)
	if g.babble, err = g.makeBabble(ctx); err != nil {
		return nil, err
	}
	return g, nil
}

func lookTool(path, name string) (string, error) {
	if path != "" {
		return path, nil
	}
	p, err := exec.LookPath(name)
	if err != nil {
		return "", fmt.Errorf("heldout: %s not found in PATH (install it: scripts/deps.sh)", name)
	}
	return p, nil
}

// listPrompts returns the Asterisk prompts the development corpus does not
// use (it takes only the top-level en/ and es/ files): the followme/ and
// dictate/ sub-directories. Missing directories just give fewer prompts.
func listPrompts(root string) []string {
	var out []string
	for _, sub := range []string{"en/followme", "en/dictate", "es/followme", "es/dictate"} {
		ents, err := os.ReadDir(filepath.Join(root, sub))
		if err != nil {
			continue
		}
		for _, e := range ents {
			if info, err := e.Info(); err == nil && strings.HasSuffix(e.Name(), ".wav") && info.Size() > 16000 {
				out = append(out, filepath.Join(root, sub, e.Name()))
			}
		}
	}
	sort.Strings(out)
	return out
}

// makeBabble renders a 12 s bank of four overlapping talkers (held-out
// voices, never the voice of a file it is mixed into by construction of
// chance) for the babble noise type.
func (g *generator) makeBabble(ctx context.Context) ([]float32, error) {
	r := rand.New(rand.NewPCG(g.cfg.Seed, 0xbabb1e))
	bank := make([]float32, msToN(12000))
	for talker := 0; talker < 4; talker++ {
		v := randomVoice(r)
		l := languages[v.lang]
		pos := r.IntN(msToN(1500))
		for pos < len(bank) {
			x, err := g.speak(ctx, v, pick(r, l.greeting))
			if err != nil {
				return nil, err
			}
			scaleTo(x, -20)
			for i, s := range x {
				bank[(pos+i)%len(bank)] += s
			}
			pos += len(x) + msToN(uniform(r, 100, 600))
		}
	}
	normalise(bank)
	return bank, nil
}

// rngFor gives each file its own stream, independent of scheduling.
func (g *generator) rngFor(j job) *rand.Rand {
	h := sha256.Sum256([]byte(fmt.Sprintf("heldout/%d/%s/%d/%s", g.cfg.Seed, j.class, j.index, j.sub)))
	var a, b uint64
	for i := 0; i < 8; i++ {
		a = a<<8 | uint64(h[i])
		b = b<<8 | uint64(h[8+i])
	}
	return rand.New(rand.NewPCG(a, b))
}

// make renders, degrades and writes one file.
func (g *generator) make(ctx context.Context, j job, dir string) (corpus.Label, error) {
	r := g.rngFor(j)
	var it *item
	var err error
	switch j.class {
	case "human":
		it, err = g.human(ctx, r)
	case "machine":
		it, err = g.machine(ctx, r)
	case "fax":
		it = g.fax(r, j.sub)
	case "sit":
		it, err = g.sit(ctx, r, j.sub)
	default:
		it = g.silent(r)
	}
	if err != nil {
		return corpus.Label{}, err
	}
	enc, err := g.degrade(ctx, r, it)
	if err != nil {
		return corpus.Label{}, err
	}
	it.label.File = j.fileName()
	it.label.Notes = strings.Join(append([]string{"kind=" + j.class}, it.tags...), " ")
	if err := corpus.WriteWAVFile(filepath.Join(dir, it.label.File), enc, it.x); err != nil {
		return corpus.Label{}, err
	}
	return it.label, nil
}
