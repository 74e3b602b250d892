package template

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Errors of the library management functions, for exit codes.
var (
	ErrExists   = errors.New("template already exists")
	ErrNotFound = errors.New("no such template")
	ErrBadName  = errors.New("invalid name")
	// ErrUnusable: the audio cannot identify a recording (silence, a beep
	// or tone, steady noise): Add refuses it.
	ErrUnusable = errors.New("unusable as a template")
)

// Reliability limits used by Check (and reported by Add).
const (
	minVoiceMs       = 1500 // the "about 1.5 s of overlapping audio"
	minLevelDBFS     = -40.0
	minLandmarksPerS = 10.0
)

// ValidName checks a template name or class: it becomes a file or
// directory name, so no path separators, no leading dot, no control
// characters.
func ValidName(kind, s string) error {
	switch {
	case strings.TrimSpace(s) == "":
		return fmt.Errorf("%s is empty: %w", kind, ErrBadName)
	case len(s) > 200:
		return fmt.Errorf("%s %q is longer than 200 bytes: %w", kind, s[:40]+"...", ErrBadName)
	case strings.HasPrefix(s, "."):
		return fmt.Errorf("%s %q starts with a dot (hidden files are ignored): %w", kind, s, ErrBadName)
	case strings.ContainsAny(s, "/\\"):
		return fmt.Errorf("%s %q contains a path separator: %w", kind, s, ErrBadName)
	}
	for _, r := range s {
		if r < 0x20 || r == 0x7f {
			return fmt.Errorf("%s %q contains a control character: %w", kind, s, ErrBadName)
		}
	}
	return nil
}

// TemplatePath is where a template of this class and name is stored:
// class DefaultClass (or "") at the root, others in a directory named
// after the class.
func TemplatePath(dir, class, name string) string {
	if class == "" || class == DefaultClass {
		return filepath.Join(dir, name+".wav")
	}
	return filepath.Join(dir, class, name+".wav")
}

// Add stores samples (8 kHz, int16 scale) as a new template, refusing to
// replace an existing template of the same class and name. It does not
// rebuild the index: the next Open does (the CLI opens it right away).
func Add(dir, class, name string, samples []float32) (string, error) {
	if class == "" {
		class = DefaultClass
	}
	if err := ValidName("class", class); err != nil {
		return "", err
	}
	if err := ValidName("name", name); err != nil {
		return "", err
	}
	if len(samples) < dsp.FrameSamples {
		return "", errors.New("no audio to add (empty selection)")
	}
	if why := Assess(samples); why != "" {
		return "", fmt.Errorf("%s/%s: %s: %w", class, name, why, ErrUnusable)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", fmt.Errorf("template library %s: %w", dir, err)
	}
	files, _, err := scan(dir)
	if err != nil {
		return "", err
	}
	for _, f := range files {
		if f.Class == class && f.Name == name {
			return "", fmt.Errorf("%s: %w (remove it first with: khompctl amd template rm)", filepath.Join(dir, filepath.FromSlash(f.Path)), ErrExists)
		}
	}
	path := TemplatePath(dir, class, name)
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return "", err
	}
	var b bytes.Buffer
	if err := writeWAV16(&b, samples); err != nil {
		return "", err
	}
	if err := writeFileAtomic(path, b.Bytes()); err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	return path, nil
}

// Assess fingerprints samples (8 kHz, int16 scale) as a template would
// be and says why they could never identify a recording ("" when usable):
// silence, a beep or other steady tone, steady noise or hum.
func Assess(samples []float32) string {
	var t Template
	_, base := enrollLandmarks(samples[:min(len(samples), maxTemplateSamples)])
	describe(&t, samples, base)
	return unusable(&t)
}

// Remove deletes the template named ref: its name, "class/name", or its
// path relative to the library. An ambiguous name is an error listing the
// candidates. It returns the removed file's path.
func Remove(dir, ref string) (string, error) {
	files, _, err := scan(dir)
	if err != nil {
		return "", err
	}
	ref = strings.TrimSuffix(filepath.ToSlash(ref), "/")
	var hits []Template
	for _, f := range files {
		if f.Name == ref || f.Class+"/"+f.Name == ref || f.Path == ref {
			hits = append(hits, f)
		}
	}
	switch len(hits) {
	case 0:
		return "", fmt.Errorf("%q in %s: %w", ref, dir, ErrNotFound)
	case 1:
	default:
		var names []string
		for _, h := range hits {
			names = append(names, h.Class+"/"+h.Name)
		}
		return "", fmt.Errorf("%q is ambiguous in %s: %s; give class/name", ref, dir, strings.Join(names, ", "))
	}
	path := filepath.Join(dir, filepath.FromSlash(hits[0].Path))
	if err := os.Remove(path); err != nil {
		return "", err
	}
	return path, nil
}

// Problem is something Check found about one template.
type Problem struct {
	Path   string `json:"path"`
	Name   string `json:"name"`
	Class  string `json:"class"`
	Kind   string `json:"kind"` // "unusable", "overlap", "short", "quiet", "sparse", "tonal"
	Detail string `json:"detail"`
}

// Check looks for templates that cannot work well: ones that match other
// templates (the same recording twice, or prompts sharing a long stretch
// of identical audio: a hit would be ambiguous), and ones too short,
// too quiet or with too few fingerprints to be matched reliably.
func (l *Library) Check() ([]Problem, error) {
	var out []Problem
	for _, sk := range l.skipped {
		out = append(out, Problem{Path: sk.file.Path, Name: nameOf(sk.file.Path), Class: classOf(sk.file.Path), Kind: "unusable", Detail: sk.warning})
	}
	for tid := range l.templates {
		t := &l.templates[tid]
		out = append(out, reliability(t)...)
		samples, err := ReadAudioFile(filepath.Join(l.Dir, filepath.FromSlash(t.Path)), maxTemplateSamples)
		if err != nil && !errors.Is(err, errTooLong) {
			return nil, err
		}
		for _, m := range l.matchAll(samples, tid) {
			out = append(out, Problem{Path: t.Path, Name: t.Name, Class: t.Class, Kind: "overlap",
				Detail: fmt.Sprintf("matches %s/%s (%d consistent fingerprints, its audio from %.1f s)", m.Class, m.Name, m.Hashes, float64(m.OffsetMs)/1000)})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out, nil
}

// reliability reports the size and level problems of one template.
func nameOf(rel string) string {
	base := path.Base(rel)
	return strings.TrimSuffix(base, path.Ext(base))
}

func reliability(t *Template) []Problem {
	var out []Problem
	add := func(kind, format string, args ...any) {
		out = append(out, Problem{Path: t.Path, Name: t.Name, Class: t.Class, Kind: kind, Detail: fmt.Sprintf(format, args...)})
	}
	if t.VoiceMs < minVoiceMs {
		add("short", "only %.1f s of voice; at least %.1f s is needed to match reliably", float64(t.VoiceMs)/1000, float64(minVoiceMs)/1000)
	}
	if t.LevelDBFS < minLevelDBFS {
		add("quiet", "voice level %.1f dBFS, below %.0f dBFS: normalise it (sox --norm=-16)", t.LevelDBFS, minLevelDBFS)
	}
	if t.ToneMs > t.VoiceMs {
		add("tonal", "%.1f s of steady tone against %.1f s of speech: cut the beep or tone away (add --start/--end)", float64(t.ToneMs)/1000, float64(t.VoiceMs)/1000)
	}
	if t.DurationMs > 0 {
		if rate := float64(t.Landmarks) * 1000 / float64(t.DurationMs); rate < minLandmarksPerS {
			add("sparse", "%.1f fingerprints/s (%d in all), below %.0f/s: mostly silence or steady tones", rate, t.Landmarks, minLandmarksPerS)
		}
	}
	return out
}
