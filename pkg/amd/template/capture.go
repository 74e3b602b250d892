package template

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"path/filepath"
	"strings"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Candidate describes the call whose greeting Capture saves: what the
// pipeline concluded and where the greeting starts.
type Candidate struct {
	Source     string `json:"source"`      // the analysed file, as given
	Result     string `json:"result"`      // pipeline result (MACHINE...)
	Conclusion string `json:"conclusion"`  // KHOMP conclusion: the class guess
	Pattern    string `json:"pattern"`     // KHOMP pattern, if any
	Cause      string `json:"cause"`       // why the pipeline decided
	DecisionMs int    `json:"decision_ms"` // when it decided
	// VoiceStartMs is the start of the first voice segment (-1: unknown;
	// Capture then finds the first loud frame after AnsweredAtMs).
	VoiceStartMs int `json:"voice_start_ms"`
	// AnsweredAtMs is the answer point when ringback was heard (-1: unknown).
	AnsweredAtMs int `json:"answered_at_ms"`
	// Matched is true when a template matched: such calls are not captured.
	Matched bool `json:"-"`
}

// Sidecar is the JSON saved next to each captured greeting
// (<name>.wav → <name>.json). Learning reads the class guess from it.
type Sidecar struct {
	Candidate
	Class        string `json:"class"`          // class the graduated template gets
	GreetingMs   int    `json:"greeting_ms"`    // length of the saved audio
	StartMs      int    `json:"start_ms"`       // where it starts in the source
	CapturedFrom string `json:"captured_from"`  // "amd analyze"
	SHA256       string `json:"audio_sha256"`   // of the saved samples
	Format       string `json:"format_version"` // "1"
}

// Capture saves the greetings of calls decided MACHINE that matched no
// template, as candidates for `amd learn`. It holds no mutable state, so
// one Capture can serve concurrent workers.
type Capture struct {
	Dir string // where candidates go (created if missing)
	// MaxGreetingMs bounds each saved greeting (default 8000 ms): enough to
	// fingerprint, and memory stays bounded whatever the recording length.
	MaxGreetingMs int
	// LeadMs is kept before the voice start (default 100 ms).
	LeadMs int
}

const (
	defaultMaxGreetingMs = 8000
	defaultLeadMs        = 100
	// minGreetingMs: shorter greetings cannot make a reliable template.
	minGreetingMs = 1000
)

// ShouldSave reports whether a call with this result is a candidate.
func (c *Capture) ShouldSave(cand Candidate) bool {
	return c != nil && c.Dir != "" && strings.EqualFold(cand.Result, "MACHINE") && !cand.Matched
}

// SampleReader is what Save reads: *audio.Stream satisfies it (8 kHz mono
// samples in int16 scale, io.EOF at the end).
type SampleReader interface {
	Read(dst []float32) (int, error)
}

// Save reads the call's audio from r (from its start) and writes the
// greeting as <source base>-<hash>.wav (8 kHz 16-bit) plus a .json
// sidecar, both atomically. It returns the WAV path, or "" with a nil
// error when the call is not a candidate or has no usable greeting.
// Only the first VoiceStart+MaxGreeting of audio is ever held in memory.
func (c *Capture) Save(r SampleReader, cand Candidate) (string, error) {
	if !c.ShouldSave(cand) {
		return "", nil
	}
	maxMs, leadMs := c.MaxGreetingMs, c.LeadMs
	if maxMs <= 0 {
		maxMs = defaultMaxGreetingMs
	}
	if leadMs <= 0 {
		leadMs = defaultLeadMs
	}
	startMs, samples, err := readGreeting(r, cand, maxMs, leadMs)
	if err != nil {
		return "", fmt.Errorf("%s: %w", cand.Source, err)
	}
	if len(samples) < minGreetingMs*dsp.SampleRate/1000 {
		return "", nil
	}
	return c.write(samples, startMs, cand)
}

// readGreeting reads up to the end of the greeting window and returns its
// start (ms) and samples. With a known voice start it takes the window
// from there; otherwise the window starts leadMs before the first frame
// louder than -40 dBFS after the answer point.
func readGreeting(r SampleReader, cand Candidate, maxMs, leadMs int) (int, []float32, error) {
	g := greetingCutter{
		fromSample: -1,
		answered:   max(0, cand.AnsweredAtMs) * dsp.SampleRate / 1000,
		lead:       leadMs * dsp.SampleRate / 1000,
		max:        maxMs * dsp.SampleRate / 1000,
		loud:       math.Pow(32768*math.Pow(10, -40.0/20), 2) * dsp.FrameSamples,
	}
	if cand.VoiceStartMs >= 0 {
		g.fromSample = max(0, cand.VoiceStartMs*dsp.SampleRate/1000-g.lead)
	}
	buf := make([]float32, 4000)
	for !g.full() {
		n, err := r.Read(buf)
		g.write(buf[:n])
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return 0, nil, err
		}
	}
	g.flush()
	if g.fromSample < 0 {
		return 0, nil, nil
	}
	return g.fromSample * 1000 / dsp.SampleRate, g.keep, nil
}

// greetingCutter cuts the greeting window out of a sample stream in 10 ms
// frames, holding at most the window (plus the lead-in while searching).
type greetingCutter struct {
	fromSample int // window start, -1 while searching for the onset
	answered   int // no onset before this sample
	lead, max  int // samples
	loud       float64
	pos        int       // samples consumed into frames
	frame      []float32 // partial frame
	keep       []float32 // the window (or, while searching, the lead-in)
}

func (g *greetingCutter) full() bool { return g.fromSample >= 0 && len(g.keep) >= g.max }

func (g *greetingCutter) write(s []float32) {
	for len(s) > 0 && !g.full() {
		n := min(len(s), dsp.FrameSamples-len(g.frame))
		g.frame = append(g.frame, s[:n]...)
		s = s[n:]
		if len(g.frame) == dsp.FrameSamples {
			g.addFrame(g.frame)
			g.frame = g.frame[:0]
		}
	}
}

func (g *greetingCutter) flush() {
	if len(g.frame) > 0 && g.fromSample >= 0 {
		g.addFrame(g.frame)
	}
}

// addFrame handles one frame starting at sample g.pos.
func (g *greetingCutter) addFrame(f []float32) {
	start := g.pos
	g.pos += len(f)
	if g.fromSample < 0 {
		if start >= g.answered && energy(f) >= g.loud {
			g.fromSample = max(g.answered, start-g.lead, 0)
			// keep holds the samples just before this frame
			g.keep = g.keep[len(g.keep)-min(len(g.keep), start-g.fromSample):]
		} else {
			g.keep = append(g.keep, f...)
			if excess := len(g.keep) - g.lead; excess > 0 {
				g.keep = append(g.keep[:0], g.keep[excess:]...)
			}
			return
		}
	}
	if skip := g.fromSample - start; skip > 0 {
		if skip >= len(f) {
			return
		}
		f = f[skip:]
	}
	g.keep = append(g.keep, f[:min(len(f), g.max-len(g.keep))]...)
}

func energy(s []float32) float64 {
	var e float64
	for _, v := range s {
		e += float64(v) * float64(v)
	}
	return e
}

// write saves the greeting and its sidecar under a content-derived name,
// so the same greeting captured twice from one source is one file.
func (c *Capture) write(samples []float32, startMs int, cand Candidate) (string, error) {
	if err := os.MkdirAll(c.Dir, 0o755); err != nil {
		return "", fmt.Errorf("capture directory %s: %w", c.Dir, err)
	}
	var wav bytes.Buffer
	if err := writeWAV16(&wav, samples); err != nil {
		return "", err
	}
	sum := sha256.Sum256(wav.Bytes())
	digest := hex.EncodeToString(sum[:])
	src := strings.TrimSuffix(filepath.Base(cand.Source), filepath.Ext(cand.Source))
	base := filepath.Join(c.Dir, safeName(src)+"-"+digest[:10])
	class := cand.Conclusion
	if class == "" || class == "Non human answer" {
		class = DefaultClass
	}
	meta := Sidecar{Candidate: cand, Class: class, GreetingMs: len(samples) * 1000 / dsp.SampleRate,
		StartMs: startMs, CapturedFrom: "amd analyze", SHA256: digest, Format: "1"}
	js, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return "", err
	}
	if err := writeFileAtomic(base+".json", append(js, '\n')); err != nil {
		return "", err
	}
	if err := writeFileAtomic(base+".wav", wav.Bytes()); err != nil {
		return "", err
	}
	return base + ".wav", nil
}

// safeName keeps a file name portable: letters, digits, '-', '_', '.'.
func safeName(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('_')
		}
	}
	if b.Len() == 0 {
		return "call"
	}
	return strings.TrimLeft(b.String(), ".")
}

// writeFileAtomic writes data to a temporary file next to path and renames
// it, so readers never see half a file.
func writeFileAtomic(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-*")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// SaveFile re-reads a recording with pkg/amd/audio, with the options amd
// analyze used (so the samples are the ones the detectors heard), and
// saves its greeting as Save does. It is what `amd analyze
// --capture-templates DIR` calls after each file:
//
//	c := &template.Capture{Dir: dir}
//	cand := template.Candidate{Source: path, Result: res.Result, Conclusion: res.Conclusion,
//		Pattern: res.Pattern, Cause: res.Cause, DecisionMs: res.DecisionMs,
//		VoiceStartMs: -1, AnsweredAtMs: res.AnsweredAtMs, Matched: res.Template != nil}
//	wav, err := c.SaveFile(path, audioOpts, cand) // "" when not a candidate
func (c *Capture) SaveFile(path string, opts audio.Options, cand Candidate) (string, error) {
	if !c.ShouldSave(cand) {
		return "", nil
	}
	s, err := audio.Open(path, opts)
	if err != nil {
		return "", err
	}
	defer s.Close()
	return c.Save(s, cand)
}
