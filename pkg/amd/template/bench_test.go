package template

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"sync"
	"syscall"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Benchmarks report ns per second of audio ("ns/audio-s"); the real-time
// factor is 1e9 / that. scripts/bench_templates.sh prints the ratios.

// precomputedFrames runs the shared front end once so that matcher
// benchmarks measure only the matcher.
func precomputedFrames(samples []float32) []dsp.Frame {
	var out []dsp.Frame
	an := dsp.NewAnalyzer()
	keep := func(f *dsp.Frame) {
		c := *f
		c.Samples = nil
		out = append(out, c)
	}
	an.Write(samples, keep)
	an.Flush(keep)
	return out
}

// benchQuery is 30 s of prompts that are not in the benchmark libraries
// (es prompts for the en libraries), so the matcher never stops early.
func benchQuery(b *testing.B) []float32 {
	files, _ := filepath.Glob(filepath.Join(soundsDir, "es", "conf-*.wav"))
	var q []float32
	for _, f := range files {
		s, err := ReadAudioFile(f, 0)
		if err != nil {
			b.Fatal(err)
		}
		q = append(q, s...)
		if len(q) >= 30*8000 {
			break
		}
	}
	if len(q) < 10*8000 {
		b.Skip("Asterisk Spanish prompts not installed")
	}
	return q
}

func benchMatcher(b *testing.B, lib *Library) {
	frames := precomputedFrames(benchQuery(b))
	m := lib.NewMatcher()
	cpu0 := cpuTime()
	b.ResetTimer()
	for b.Loop() {
		m.Reset()
		for i := range frames {
			m.Process(&frames[i])
		}
		if m.Match() != nil {
			b.Fatalf("false match %s", m.Match().Name)
		}
	}
	audioSec := float64(len(frames)) / 100
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/audioSec, "ns/audio-s")
	// CPU time does not grow when other processes share the cores.
	b.ReportMetric(float64(cpuTime()-cpu0)/float64(b.N)/audioSec, "cpu-ns/audio-s")
}

// cpuTime is the process's user+system CPU time in ns.
func cpuTime() int64 {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return ru.Utime.Nano() + ru.Stime.Nano()
}

// BenchmarkMatch100: 100 real English prompts enrolled.
func BenchmarkMatch100(b *testing.B) {
	benchMatcher(b, promptLibrary(b, 100))
}

// BenchmarkMatch10k: 10,000 templates (English prompts and speed/reverse
// variants of them: distinct fingerprints with real speech statistics).
func BenchmarkMatch10k(b *testing.B) {
	lib := bigLibrary(b)
	// The big library must still identify its templates (here a degraded
	// call) before its speed means anything.
	q := withLeadIn(addNoise(ulawRoundTrip(prompt(b, "en/vm-nobodyavail")), 15, 2), 2000, 1)
	if m := matchSamples(lib, q); m == nil || m.Name != "vm-nobodyavail.wav-v0" {
		b.Fatalf("10k library: match %+v", m)
	}
	benchMatcher(b, lib)
}

// BenchmarkIndexLoad10k: opening the compiled index of 10,000 templates.
func BenchmarkIndexLoad10k(b *testing.B) {
	lib := bigLibrary(b)
	path := filepath.Join(b.TempDir(), IndexFile)
	if err := writeIndexFile(path, lib); err != nil {
		b.Fatal(err)
	}
	st, _ := os.Stat(path)
	b.SetBytes(st.Size())
	b.ResetTimer()
	for b.Loop() {
		if _, err := readIndexFile(path); err != nil {
			b.Fatal(err)
		}
	}
	var ms runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
	b.ReportMetric(float64(len(lib.ix.entries)), "entries")
}

// BenchmarkFingerprint: enrolment cost (3 speeds) per second of template.
func BenchmarkFingerprint(b *testing.B) {
	s := prompt(b, "en/vm-nobodyavail")
	for b.Loop() {
		enrollLandmarks(s)
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/(float64(len(s))/8000), "ns/audio-s")
}

func englishPrompts(b *testing.B) []string {
	var files []string
	root, _ := filepath.EvalSymlinks(filepath.Join(soundsDir, "en"))
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".wav" {
			files = append(files, p)
		}
		return nil
	})
	sort.Strings(files)
	if len(files) < 500 {
		b.Skip("Asterisk English prompts not installed")
	}
	return files
}

func promptLibrary(b *testing.B, n int) *Library {
	files := englishPrompts(b)[:n]
	tpls := make([]Template, n)
	lists := make([][]Landmark, n)
	for i, f := range files {
		s, err := ReadAudioFile(f, 0)
		if err != nil {
			b.Fatal(err)
		}
		tpls[i] = Template{Name: filepath.Base(f), Class: DefaultClass, Path: filepath.Base(f)}
		var base int
		lists[i], base = enrollLandmarks(s)
		describe(&tpls[i], s, base)
	}
	return newLibrary("", tpls, lists)
}

var (
	bigOnce sync.Once
	bigLib  *Library
)

// bigLibrary builds (once per process, in parallel, cached on disk between
// runs) a library of 10,000 templates: every English prompt at several
// playback speeds, forwards and reversed.
func bigLibrary(b *testing.B) *Library {
	files := englishPrompts(b)
	bigOnce.Do(func() {
		cache := filepath.Join(os.TempDir(), fmt.Sprintf("khompctl-bench-10k-v%d-f%d.idx", fingerprintVersion, indexFormat))
		if lib, err := readIndexFile(cache); err == nil && lib != nil {
			bigLib = lib
			return
		}
		const n = 10000
		speeds := []float64{1, 0.9, 0.94, 0.97, 1.04, 1.08, 1.12, 0.86, 1.16}
		tpls := make([]Template, n)
		lists := make([][]Landmark, n)
		var wg sync.WaitGroup
		work := make(chan int)
		for w := 0; w < runtime.GOMAXPROCS(0); w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range work {
					f := files[i%len(files)]
					v := i / len(files)
					s, _ := ReadAudioFile(f, 0)
					if v%2 == 1 {
						s = reversed(s)
					}
					if sp := speeds[(v/2)%len(speeds)]; sp != 1 {
						s = resample(s, sp)
					}
					var base int
					lists[i], base = enrollLandmarks(s)
					tpls[i] = Template{Name: fmt.Sprintf("%s-v%d", filepath.Base(f), v), Class: DefaultClass}
					describe(&tpls[i], s, base)
				}
			}()
		}
		for i := 0; i < n; i++ {
			work <- i
		}
		close(work)
		wg.Wait()
		bigLib = newLibrary("", tpls, lists)
		_ = writeIndexFile(cache, bigLib)
	})
	return bigLib
}

func reversed(s []float32) []float32 {
	out := make([]float32, len(s))
	for i, v := range s {
		out[len(s)-1-i] = v
	}
	return out
}
