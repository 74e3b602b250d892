package template

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// DefaultClass is the class of templates stored at the root of a library.
const DefaultClass = "Answering machine"

// IndexFile is the compiled index cache kept at the root of a library.
const IndexFile = ".khompctl-index"

// Template is one library entry.
type Template struct {
	Name  string `json:"name"`  // base name without extension: the KHOMP pattern
	Class string `json:"class"` // first directory under the root: the KHOMP conclusion
	Path  string `json:"path"`  // relative to the library root, '/'-separated
	// Audio facts, computed when the file is fingerprinted.
	DurationMs int     `json:"duration_ms"`
	Landmarks  int     `json:"fingerprints"` // landmark hashes
	VoiceMs    int     `json:"voice_ms"`     // loud audio that is not a steady tone (speech)
	ToneMs     int     `json:"tone_ms"`      // loud audio that is a steady tone (beeps, hum)
	LevelDBFS  float64 `json:"level_dbfs"`   // RMS of the speech frames
	// File identity, for the cache signature.
	Size    int64 `json:"size"`
	ModTime int64 `json:"mtime_ns"`
}

// Library is an opened template library: the templates and their index.
// It is read-only after Open and safe for concurrent NewMatcher calls.
type Library struct {
	Dir       string
	templates []Template
	ix        *index
	// skipped are the files that could not be used, with their warning:
	// kept in the index cache so that an unchanged bad file does not force
	// a rebuild (and its warning is repeated) on every Open.
	skipped []skippedFile
}

type skippedFile struct {
	file    Template // Path, Size, ModTime
	warning string
}

// Templates returns the library entries in path order.
func (l *Library) Templates() []Template { return l.templates }

// Len is the number of templates.
func (l *Library) Len() int { return len(l.templates) }

// Find returns the templates whose name is name, or whose "class/name" is.
func (l *Library) Find(name string) []*Template {
	var out []*Template
	for i := range l.templates {
		t := &l.templates[i]
		if t.Name == name || t.Class+"/"+t.Name == name || t.Path == name {
			out = append(out, t)
		}
	}
	return out
}

// Open loads a library directory. It reuses the compiled index when no
// template file changed (same paths, sizes and modification times) and
// otherwise fingerprints what changed and rewrites the index atomically.
// Files that cannot be used are reported as warnings (one line each,
// naming the file) and skipped; only an unusable directory is an error.
func Open(dir string) (*Library, []string, error) {
	st, err := os.Stat(dir)
	if err != nil {
		return nil, nil, fmt.Errorf("template library %s: %w", dir, err)
	}
	if !st.IsDir() {
		return nil, nil, fmt.Errorf("template library %s: not a directory", dir)
	}
	files, warnings, err := scan(dir)
	if err != nil {
		return nil, warnings, err
	}
	cached, cerr := readIndexFile(filepath.Join(dir, IndexFile))
	if cerr != nil && !errors.Is(cerr, fs.ErrNotExist) {
		warnings = append(warnings, fmt.Sprintf("%s: %v; rebuilding it", filepath.Join(dir, IndexFile), cerr))
		cached = nil
	}
	if cached != nil && sameFiles(cached.allFiles(), files) {
		cached.Dir = dir
		for _, sk := range cached.skipped {
			warnings = append(warnings, sk.warning)
		}
		return cached, warnings, nil
	}
	lib, bw := rebuild(dir, files, cached)
	warnings = append(warnings, bw...)
	if err := writeIndexFile(filepath.Join(dir, IndexFile), lib); err != nil {
		warnings = append(warnings, fmt.Sprintf("%s: cannot save the index (%v); it will be rebuilt next time", filepath.Join(dir, IndexFile), err))
	}
	return lib, warnings, nil
}

// scan lists the template files of a library, in path order, with their
// class and name. Hidden files and directories (the index, captured or
// graduated material) are ignored. Duplicate names within a class are
// warned about and only the first (by path) is kept.
func scan(dir string) ([]Template, []string, error) {
	var files []Template
	var warnings []string
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			if p == dir {
				return err
			}
			warnings = append(warnings, fmt.Sprintf("%s: %v; skipped", p, err))
			if d != nil && d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if p != dir && strings.HasPrefix(d.Name(), ".") {
			if d.IsDir() {
				return fs.SkipDir
			}
			return nil
		}
		if d.IsDir() || !IsAudioFile(d.Name()) {
			return nil
		}
		info, err := d.Info()
		if err != nil {
			warnings = append(warnings, fmt.Sprintf("%s: %v; skipped", p, err))
			return nil
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		rel, _ := filepath.Rel(dir, p)
		rel = filepath.ToSlash(rel)
		files = append(files, Template{
			Name: strings.TrimSuffix(d.Name(), filepath.Ext(d.Name())), Class: classOf(rel), Path: rel,
			Size: info.Size(), ModTime: info.ModTime().UnixNano(),
		})
		return nil
	})
	if err != nil {
		return nil, warnings, fmt.Errorf("template library %s: %w", dir, err)
	}
	sort.Slice(files, func(i, j int) bool { return files[i].Path < files[j].Path })
	return dedupeNames(files, warnings)
}

func classOf(rel string) string {
	if i := strings.IndexByte(rel, '/'); i > 0 {
		return rel[:i]
	}
	return DefaultClass
}

func dedupeNames(files []Template, warnings []string) ([]Template, []string, error) {
	seen := make(map[string]string, len(files))
	out := files[:0]
	for _, f := range files {
		key := f.Class + "\x00" + f.Name
		if first, dup := seen[key]; dup {
			warnings = append(warnings, fmt.Sprintf("%s: duplicate template name %q in class %q (already %s); skipped", f.Path, f.Name, f.Class, first))
			continue
		}
		seen[key] = f.Path
		out = append(out, f)
	}
	if len(out) > maxTmplIDs {
		return nil, warnings, fmt.Errorf("template library: %d templates, at most %d are supported", len(out), maxTmplIDs)
	}
	return out, warnings, nil
}

// allFiles lists the templates and the skipped files, in path order.
func (l *Library) allFiles() []Template {
	out := make([]Template, 0, len(l.templates)+len(l.skipped))
	out = append(out, l.templates...)
	for _, sk := range l.skipped {
		out = append(out, sk.file)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Path < out[j].Path })
	return out
}

// sameFiles reports whether the cached templates are exactly these files.
func sameFiles(cached, files []Template) bool {
	if len(cached) != len(files) {
		return false
	}
	for i := range files {
		if !sameFile(&cached[i], &files[i]) {
			return false
		}
	}
	return true
}

func sameFile(a, b *Template) bool {
	return a.Path == b.Path && a.Size == b.Size && a.ModTime == b.ModTime
}

// rebuild fingerprints the files that the cache does not already describe
// (in parallel, one worker per CPU) and builds a new index. Unreadable or
// empty files become warnings, in path order.
func rebuild(dir string, files []Template, cached *Library) (*Library, []string) {
	results := make([]fileResult, len(files))
	var todo []int
	reused := reusable(cached, files)
	for i := range files {
		if r, ok := reused[i]; ok {
			results[i] = r
		} else {
			todo = append(todo, i)
		}
	}
	fingerprintAll(dir, files, todo, results)
	var warnings []string
	lib := &Library{Dir: dir}
	var lists [][]Landmark
	for i, r := range results {
		if r.warning != "" {
			warnings = append(warnings, r.warning)
		}
		if r.landmarks == nil {
			lib.skipped = append(lib.skipped, skippedFile{file: files[i], warning: r.warning})
			continue
		}
		lib.templates = append(lib.templates, r.template)
		lists = append(lists, r.landmarks)
	}
	lib.ix = buildIndex(lists)
	return lib, warnings
}

// fileResult is one template file after fingerprinting (landmarks nil:
// not usable).
type fileResult struct {
	template  Template
	landmarks []Landmark
	warning   string
}

// reusable returns, by position in files, the cached templates whose file
// did not change.
func reusable(cached *Library, files []Template) map[int]fileResult {
	out := map[int]fileResult{}
	if cached == nil {
		return out
	}
	old := make(map[string]int, len(cached.templates))
	for i := range cached.templates {
		old[cached.templates[i].Path] = i
	}
	var oldLists [][]Landmark
	for i := range files {
		j, ok := old[files[i].Path]
		if !ok || !sameFile(&cached.templates[j], &files[i]) {
			continue
		}
		if oldLists == nil {
			oldLists = cached.ix.perTemplate(len(cached.templates))
		}
		if oldLists[j] != nil {
			out[i] = fileResult{template: cached.templates[j], landmarks: oldLists[j]}
		}
	}
	for _, sk := range cached.skipped {
		for i := range files {
			if sameFile(&sk.file, &files[i]) {
				out[i] = fileResult{warning: sk.warning}
			}
		}
	}
	return out
}

// fingerprintAll fingerprints files[i] for every i in todo into results.
func fingerprintAll(dir string, files []Template, todo []int, results []fileResult) {
	work := make(chan int)
	var wg sync.WaitGroup
	for w := 0; w < min(runtime.GOMAXPROCS(0), len(todo)); w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				t := files[i]
				lms, err := fingerprintFile(filepath.Join(dir, filepath.FromSlash(t.Path)), &t)
				results[i] = fileResult{template: t, landmarks: lms}
				if err != nil {
					results[i].warning = err.Error()
				}
			}
		}()
	}
	for _, i := range todo {
		work <- i
	}
	close(work)
	wg.Wait()
}

// fingerprintFile decodes and fingerprints one template, filling its audio
// facts. It returns nil landmarks (and an error naming the file) when the
// file cannot be used at all.
func fingerprintFile(path string, t *Template) ([]Landmark, error) {
	samples, err := ReadAudioFile(path, maxTemplateSamples)
	if err != nil && !errors.Is(err, errTooLong) {
		return nil, fmt.Errorf("%v; skipped", err)
	}
	if len(samples) < dsp.FrameSamples {
		return nil, fmt.Errorf("%s: empty file (no audio); skipped", path)
	}
	lms, base := enrollLandmarks(samples)
	describe(t, samples, base)
	if why := unusable(t); why != "" {
		return nil, fmt.Errorf("%s: %s; skipped", path, why)
	}
	if err != nil {
		return lms, fmt.Errorf("%s: %v", path, err)
	}
	return lms, nil
}

// voiceLevel is the frame energy above which a frame counts as sound
// (-45 dBFS).
var voiceLevel = math.Pow(32768*math.Pow(10, -45.0/20), 2)

// A frame whose two strongest spectral peaks (each with its Hann main
// lobe, ±2 bins) hold toneFraction of the 300-3400 Hz energy is tonal; a
// run of at least toneMinFrames tonal frames whose strongest peak stays
// within a bin is a steady tone (a beep, DTMF, a test tone), not speech:
// voiced speech can be that pure for a frame or two, not for 100 ms at a
// fixed frequency.
const (
	toneFraction  = 0.9
	toneMinFrames = 10
)

// describe fills the audio facts of a template: duration, landmark count,
// speech time (loud frames that are not steady tones), tone time and the
// level of the speech.
func describe(t *Template, samples []float32, landmarks int) {
	t.DurationMs = len(samples) * 1000 / dsp.SampleRate
	t.Landmarks = landmarks
	var tc toneCounter
	an := dsp.NewAnalyzer()
	an.Write(samples, tc.add)
	an.Flush(tc.add)
	t.VoiceMs = tc.voiced * dsp.FrameMs
	t.ToneMs = tc.tonal * dsp.FrameMs
	t.LevelDBFS = -99
	if tc.voiced > 0 {
		t.LevelDBFS = math.Round(10*10*math.Log10(tc.sum/float64(tc.voiced)/(32768*32768))) / 10
	}
}

// toneCounter splits the loud frames of a recording into speech (voiced,
// with their energy summed) and steady tones.
type toneCounter struct {
	voiced, tonal int
	sum           float64
	runBin, run   int     // current run of tonal frames at one frequency
	runSum        float64 // energy of the run's frames counted as voiced
}

func (c *toneCounter) add(f *dsp.Frame) {
	if f.Energy < voiceLevel {
		c.run = 0
		return
	}
	bin, pure := tonalPeak(f)
	if !pure || (c.run > 0 && (bin < c.runBin-1 || bin > c.runBin+1)) {
		c.run, c.runSum = 0, 0
	}
	if pure {
		if c.run == 0 {
			c.runBin = bin
		}
		c.run++
	}
	switch {
	case c.run > toneMinFrames:
		c.tonal++
	case c.run == toneMinFrames: // the run is a tone: move it over
		c.voiced -= toneMinFrames - 1
		c.sum -= c.runSum
		c.tonal += toneMinFrames
	default:
		c.voiced++
		c.sum += f.Energy
		if pure {
			c.runSum += f.Energy
		}
	}
}

// tonalPeak returns the strongest band bin of a frame and whether the
// frame's band energy is concentrated in one or two narrow peaks.
func tonalPeak(f *dsp.Frame) (int, bool) {
	spec := f.Spectrum[loBin : hiBin+1]
	first := peakBin(spec, -1)
	if f.SpecEnergy <= 0 || first < 0 {
		return first, false
	}
	e := lobeEnergy(spec, first)
	if second := peakBin(spec, first); second >= 0 {
		e += lobeEnergy(spec, second)
	}
	return first, e >= toneFraction*f.SpecEnergy
}

// peakBin is the strongest bin of spec at least 5 bins away from not
// (-1: anywhere); -1 if none.
func peakBin(spec []float32, not int) int {
	best := -1
	for k, p := range spec {
		if not >= 0 && k >= not-4 && k <= not+4 {
			continue
		}
		if best < 0 || p > spec[best] {
			best = k
		}
	}
	return best
}

func lobeEnergy(spec []float32, k int) float64 {
	var e float64
	for j := max(0, k-2); j <= min(len(spec)-1, k+2); j++ {
		e += float64(spec[j])
	}
	return e
}

// Usability: below these a template can never identify a recording, so
// it is refused by Add and left out of the index (with a warning) by Open.
const (
	minUsableSpeechMs  = 300         // loud non-tone audio
	minUsableLandmarks = 2 * minHits // landmarks at normal speed
)

// unusable explains why a described template cannot be used, or "".
func unusable(t *Template) string {
	switch {
	case t.VoiceMs < minUsableSpeechMs && t.ToneMs > 0:
		return fmt.Sprintf("mostly a steady tone (%.1f s of tone, %.1f s of other sound): a beep or tone cannot identify a recording", float64(t.ToneMs)/1000, float64(t.VoiceMs)/1000)
	case t.VoiceMs < minUsableSpeechMs:
		return fmt.Sprintf("only %.1f s of sound above -45 dBFS: silence cannot identify a recording", float64(t.VoiceMs)/1000)
	case t.Landmarks < minUsableLandmarks:
		return fmt.Sprintf("only %d fingerprints (steady noise, hum or silence; at least %d needed): it can never match reliably", t.Landmarks, minUsableLandmarks)
	}
	return ""
}

// newLibrary builds an in-memory library (tests, benchmarks, learning).
func newLibrary(dir string, templates []Template, lists [][]Landmark) *Library {
	return &Library{Dir: dir, templates: templates, ix: buildIndex(lists)}
}
