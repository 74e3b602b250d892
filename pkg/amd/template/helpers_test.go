package template

import (
	"bytes"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Test audio is generated at test time from the Asterisk sound packages
// (real recorded carrier-style prompts) with sox and espeak-ng; nothing
// big is committed.

const soundsDir = "/usr/share/asterisk/sounds"

func needTool(t testing.TB, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		t.Skipf("%s not installed (scripts/deps.sh installs it)", name)
	}
}

// prompt reads an Asterisk prompt ("en/ss-noservice") as 8 kHz samples.
func prompt(t testing.TB, name string) []float32 {
	t.Helper()
	p := filepath.Join(soundsDir, name+".wav")
	if _, err := os.Stat(p); err != nil {
		t.Skipf("Asterisk sounds not installed: %v", err)
	}
	s, err := ReadAudioFile(p, 0)
	if err != nil {
		t.Fatalf("read %s: %v", p, err)
	}
	return s
}

// espeak synthesises text (voice e.g. "en-us", "es") at 8 kHz; results
// are memoised because tests reuse sentences.
var espeakCache sync.Map

func espeak(t testing.TB, voice, text string) []float32 {
	t.Helper()
	needTool(t, "espeak-ng")
	needTool(t, "sox")
	key := voice + "\x00" + text
	if v, ok := espeakCache.Load(key); ok {
		return v.([]float32)
	}
	dir := t.TempDir()
	raw := filepath.Join(dir, "e.wav")
	out := filepath.Join(dir, "e8k.wav")
	run(t, "espeak-ng", "-v", voice, "-w", raw, text)
	run(t, "sox", raw, "-r", "8000", "-c", "1", "-b", "16", out)
	s, err := ReadAudioFile(out, 0)
	if err != nil {
		t.Fatal(err)
	}
	espeakCache.Store(key, s)
	return s
}

func run(t testing.TB, name string, args ...string) {
	t.Helper()
	var stderr bytes.Buffer
	cmd := exec.Command(name, args...)
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v: %s", name, strings.Join(args, " "), err, stderr.String())
	}
}

// soxEffect pipes samples through sox with the given output options /
// effects (e.g. "-t", "gsm" round trips are done by soxRoundTrip).
func soxEffect(t testing.TB, samples []float32, effects ...string) []float32 {
	t.Helper()
	needTool(t, "sox")
	dir := t.TempDir()
	in, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "out.wav")
	writeWAVFile(t, in, samples)
	run(t, "sox", append([]string{"-D", in, "-b", "16", "-e", "signed-integer", out}, append(effects, "rate", "8000")...)...)
	s, err := ReadAudioFile(out, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// gsmRoundTrip encodes to GSM 06.10 and back.
func gsmRoundTrip(t testing.TB, samples []float32) []float32 {
	t.Helper()
	needTool(t, "sox")
	dir := t.TempDir()
	in, mid, out := filepath.Join(dir, "in.wav"), filepath.Join(dir, "x.gsm"), filepath.Join(dir, "out.wav")
	writeWAVFile(t, in, samples)
	run(t, "sox", in, mid)
	run(t, "sox", mid, "-b", "16", out)
	s, err := ReadAudioFile(out, 0)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func writeWAVFile(t testing.TB, path string, samples []float32) {
	t.Helper()
	var b bytes.Buffer
	if err := writeWAV16(&b, samples); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

func ulawRoundTrip(s []float32) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(audio.ULawDecode(audio.ULawEncode(clip16(v))))
	}
	return out
}

func alawRoundTrip(s []float32) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(audio.ALawDecode(audio.ALawEncode(clip16(v))))
	}
	return out
}

func clip16(v float32) int16 {
	return int16(math.Max(-32768, math.Min(32767, math.Round(float64(v)))))
}

func gainDB(s []float32, db float64) []float32 {
	g := float32(math.Pow(10, db/20))
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(clip16(v * g))
	}
	return out
}

// activeRMS is the RMS of the 10 ms frames above -50 dBFS (the speech).
func activeRMS(s []float32) float64 {
	var sum float64
	var n int
	thr := math.Pow(32768*math.Pow(10, -50.0/20), 2)
	for i := 0; i+80 <= len(s); i += 80 {
		var e float64
		for _, v := range s[i : i+80] {
			e += float64(v) * float64(v)
		}
		if e/80 > thr {
			sum += e
			n += 80
		}
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(sum / float64(n))
}

// addNoise adds white Gaussian noise at snrDB below the active speech level.
func addNoise(s []float32, snrDB float64, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	sigma := activeRMS(s) * math.Pow(10, -snrDB/20)
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = float32(clip16(v + float32(rng.NormFloat64()*sigma)))
	}
	return out
}

// withLeadIn puts ms of quiet line noise and then ringback (US 440+480 Hz,
// 2 s on / 4 s off) before the audio, like a recording started at dialling.
func withLeadIn(s []float32, ms int, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 2))
	n := ms * 8
	out := make([]float32, n, n+len(s))
	for i := range out {
		tt := float64(i) / 8000
		v := rng.NormFloat64() * 30
		if math.Mod(tt, 6) < 2 && tt > 0.3 {
			v += 2000 * (math.Sin(2*math.Pi*440*tt) + math.Sin(2*math.Pi*480*tt))
		}
		out[i] = float32(v)
	}
	return append(out, s...)
}

// cut returns s[fromMs:toMs] (toMs ≤ 0 means to the end).
func cut(s []float32, fromMs, toMs int) []float32 {
	a := min(len(s), fromMs*8)
	b := len(s)
	if toMs > 0 {
		b = min(len(s), toMs*8)
	}
	return s[a:b]
}

func concat(parts ...[]float32) []float32 {
	var out []float32
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func silence(ms int) []float32 { return make([]float32, ms*8) }

// matchSamples runs a matcher over samples as the pipeline would and
// returns the match (nil if none).
func matchSamples(lib *Library, samples []float32) *Match {
	m := lib.NewMatcher()
	runMatcher(m, samples)
	return m.Match()
}

func runMatcher(m *Matcher, samples []float32) {
	an := dsp.NewAnalyzer()
	feed := func(f *dsp.Frame) { m.Process(f) }
	for off := 0; off < len(samples); off += 800 {
		an.Write(samples[off:min(off+800, len(samples))], feed)
		if m.Match() != nil {
			break
		}
	}
	an.Flush(feed)
}

// memLibrary enrols named sample sets into an in-memory library. The
// enrolment of a sample slice is memoised (by identity), so the shared
// prompts cost their fingerprinting once however many libraries hold
// them; new ones are enrolled in parallel.
func memLibrary(t testing.TB, class string, named map[string][]float32) *Library {
	t.Helper()
	var names []string
	for n := range named {
		names = append(names, n)
	}
	slices.Sort(names)
	tpls := make([]Template, len(names))
	lists := make([][]Landmark, len(names))
	var wg sync.WaitGroup
	sem := make(chan struct{}, runtime.GOMAXPROCS(0))
	for i, n := range names {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			e := enrolOnce(named[n])
			tpls[i] = e.facts
			tpls[i].Name, tpls[i].Class, tpls[i].Path = n, class, class+"/"+n+".wav"
			lists[i] = e.landmarks
		}()
	}
	wg.Wait()
	return newLibrary("", tpls, lists)
}

type enrolment struct {
	landmarks []Landmark
	facts     Template
}

type sampleKey struct {
	first *float32
	n     int
}

var enrolMemo sync.Map // sampleKey → *enrolment

func enrolOnce(s []float32) *enrolment {
	var key sampleKey
	if len(s) > 0 {
		key = sampleKey{&s[0], len(s)}
		if e, ok := enrolMemo.Load(key); ok {
			return e.(*enrolment)
		}
	}
	e := &enrolment{}
	var base int
	e.landmarks, base = enrollLandmarks(s)
	describe(&e.facts, s, base)
	if len(s) > 0 {
		enrolMemo.Store(key, e)
	}
	return e
}

func sinHz(hz float64, i int) float64 { return math.Sin(2 * math.Pi * hz * float64(i) / 8000) }

// promptCorpus is every top-level English and Spanish Asterisk prompt,
// fingerprinted once per test process (in parallel) and shared by the
// tests that need a large set of decoys: fingerprinting is what costs,
// and it does not depend on the library.
type promptFile struct {
	name      string // "en/vm-intro"
	samples   []float32
	landmarks []Landmark
}

var (
	promptsOnce sync.Once
	promptSet   []promptFile
	promptErr   error
)

func allPrompts(t *testing.T) []promptFile {
	t.Helper()
	promptsOnce.Do(func() {
		var files []string
		for _, lang := range []string{"en", "es"} {
			f, _ := filepath.Glob(filepath.Join(soundsDir, lang, "*.wav"))
			files = append(files, f...)
		}
		promptSet = make([]promptFile, len(files))
		var wg sync.WaitGroup
		work := make(chan int)
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					f := files[i]
					s, err := ReadAudioFile(f, 0)
					if err != nil {
						promptErr = err
						continue
					}
					promptSet[i] = promptFile{name: filepath.Base(filepath.Dir(f)) + "/" + strings.TrimSuffix(filepath.Base(f), ".wav"),
						samples: s, landmarks: Fingerprint(s)}
				}
			}()
		}
		for i := range files {
			work <- i
		}
		close(work)
		wg.Wait()
	})
	if promptErr != nil {
		t.Fatal(promptErr)
	}
	if len(promptSet) < 500 {
		t.Skipf("only %d Asterisk prompts found", len(promptSet))
	}
	return promptSet
}

// matchLandmarks feeds precomputed landmarks to a matcher, as Process
// would from the frames (decision times are approximate).
func matchLandmarks(lib *Library, lms []Landmark, onVerdict func(int, verdict)) *Match {
	m := lib.NewMatcher()
	m.onVerdict = onVerdict
	var f dsp.Frame
	for _, lm := range lms {
		f.Index = int(lm.T) + 1
		m.now = &f
		m.votes.now = int32(f.Index)
		m.onLandmark(lm)
		if m.match != nil {
			return m.match
		}
	}
	return nil
}
