package template

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

func expRun(lib *Library, s []float32, fn func(tid int, v verdict)) *Match {
	m := lib.NewMatcher()
	m.onVerdict = fn
	an := dsp.NewAnalyzer()
	an.Write(s, m.Process)
	an.Flush(m.Process)
	return m.Match()
}

func fmtV(v verdict) string {
	return fmt.Sprintf("hits=%d sl=%d bands=%d tf=%.3f qf=%.3f", v.hits, v.tmplSlices, v.bands, v.tmplFrac, v.queryFrac)
}

func TestExpPositives(t *testing.T) {
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	lib, named := enrolledLibrary(t)
	var all []verdict
	for _, tr := range robustness {
		for _, p := range enrolledPrompts {
			var last verdict
			var got bool
			m := expRun(lib, tr.fn(t, named[p]), func(tid int, v verdict) { last = v; got = true })
			if m == nil {
				t.Logf("%s %s: NO MATCH last=%v %s", tr.name, p, got, fmtV(last))
				continue
			}
			all = append(all, last)
		}
	}
	for _, c := range []struct {
		ms  int
		snr float64
	}{{1500, 20}, {2000, 10}} {
		for _, p := range enrolledPrompts {
			s := named[p]
			if len(s) < 3500*8 {
				continue
			}
			for _, from := range []int{300, 800, 1500} {
				var last verdict
				m := expRun(lib, addNoise(cut(s, from, from+c.ms), c.snr, 5), func(tid int, v verdict) { last = v })
				if m == nil {
					t.Logf("trunc %d %v %s from %d: NO MATCH %s", c.ms, c.snr, p, from, fmtV(last))
					continue
				}
				all = append(all, last)
			}
		}
	}
	report(t, "POS", all)
}

func report(t *testing.T, tag string, all []verdict) {
	q := func(f func(v verdict) float64) string {
		var xs []float64
		for _, v := range all {
			xs = append(xs, f(v))
		}
		sort.Float64s(xs)
		if len(xs) == 0 {
			return "-"
		}
		return fmt.Sprintf("min %.3f p5 %.3f med %.3f max %.3f", xs[0], xs[len(xs)/20], xs[len(xs)/2], xs[len(xs)-1])
	}
	t.Logf("%s n=%d", tag, len(all))
	if strings.HasPrefix(tag, "NEG") && len(all) < 30 {
		for _, v := range all {
			t.Logf("   %s score %.3f ok %v", fmtV(v), math.Sqrt(v.tmplFrac*v.queryFrac), v.ok())
		}
	}
	{
		var xs []float64
		for _, v := range all { xs = append(xs, math.Sqrt(v.tmplFrac*v.queryFrac)) }
		sort.Float64s(xs)
		if len(xs) > 0 { t.Logf(" score min %.3f p5 %.3f", xs[0], xs[len(xs)/20]) }
	}
	t.Logf(" hits  %s", q(func(v verdict) float64 { return float64(v.hits) }))
	t.Logf(" slices %s", q(func(v verdict) float64 { return float64(v.tmplSlices) }))
	t.Logf(" bands %s", q(func(v verdict) float64 { return float64(v.bands) }))
	t.Logf(" tf    %s", q(func(v verdict) float64 { return v.tmplFrac }))
	t.Logf(" qf    %s", q(func(v verdict) float64 { return v.queryFrac }))
}

func TestExpNegatives(t *testing.T) {
	if os.Getenv("EXP") == "" {
		t.Skip()
	}
	files, _ := filepath.Glob(filepath.Join(soundsDir, "en", "*.wav"))
	files2, _ := filepath.Glob(filepath.Join(soundsDir, "es", "*.wav"))
	files = append(files, files2...)
	rev := map[string][]float32{}
	fwd := map[string][]float32{}
	for i, f := range files {
		s, _ := ReadAudioFile(f, 0)
		n := strings.TrimSuffix(f[len(soundsDir)+1:], ".wav")
		fwd[n] = s
		if i%3 == 0 {
			// reversed, with a hiss tail before reversing
			r := reversed(concat(s, addNoiseAbs(silence(3000), 200, uint64(i))))
			rev[n+"-rev"] = r
		}
	}
	// hiss, hum, beep templates
	rev["hiss"] = addNoiseAbs(silence(5000), 1000, 9)
	rev["hum"] = hum(5000, 50, 2000)
	rev["beep"] = tone(1000, 1000, 8000)
	rev["beeps"] = concat(tone(1000, 300, 8000), silence(300), tone(1000, 300, 8000), silence(300), tone(1000, 300, 8000))
	lib := memLibrary(t, "X", rev)
	for _, tp := range lib.Templates() {
		if !strings.HasSuffix(tp.Name, "-rev") {
			t.Logf("%s: %d landmarks voice %d", tp.Name, tp.Landmarks, tp.VoiceMs)
		}
	}
	var all []verdict
	nm := 0
	queries := map[string][]float32{}
	for n, s := range fwd {
		queries[n] = s
	}
	queries["q-hiss"] = addNoiseAbs(silence(5000), 1000, 10)
	queries["q-hum"] = hum(5000, 50, 2000)
	queries["q-beep"] = concat(fwd["en/vm-nobodyavail"], tone(1000, 1000, 8000), silence(500))
	for n, s := range queries {
		m := expRun(lib, s, func(tid int, v verdict) { all = append(all, v); t.Logf("CAND %s -> %s %s", n, lib.templates[tid].Name, fmtV(v)) })
		if m != nil {
			nm++
			t.Logf("MATCH %s -> %s %d %.3f", n, m.Name, m.Hashes, m.Score)
		}
	}
	report(t, "NEG", all)
	elib, _ := enrolledLibrary(t)
	var eall []verdict
	for n, s := range fwd {
		if m := expRun(elib, s, func(tid int, v verdict) {
			eall = append(eall, v)
			if v.tmplFrac*v.queryFrac > 0.01 {
				t.Logf("near %s: %s", n, fmtV(v))
			}
		}); m != nil && !strings.HasPrefix(m.Name, n) {
			t.Logf("ENR MATCH %s -> %s", n, m.Name)
		}
	}
	report(t, "NEG-enrolled (incl. self)", eall)
	t.Logf("matches %d", nm)
}

func addNoiseAbs(s []float32, sigma float64, seed uint64) []float32 {
	rng := rand.New(rand.NewPCG(seed, 1))
	out := make([]float32, len(s))
	for i, v := range s {
		out[i] = v + float32(rng.NormFloat64()*sigma)
	}
	return out
}

func hum(ms int, f0 float64, amp float64) []float32 {
	out := make([]float32, ms*8)
	for i := range out {
		var v float64
		for h := 1; h <= 20; h++ {
			v += amp / float64(h) * math.Sin(2*math.Pi*f0*float64(h)*float64(i)/8000)
		}
		out[i] = float32(v)
	}
	return out
}

func tone(hz float64, ms int, amp float64) []float32 {
	out := make([]float32, ms*8)
	for i := range out {
		out[i] = float32(amp * sinHz(hz, i))
	}
	return out
}
