package tones

import (
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Benchmarks report the CPU cost per second of 8 kHz audio (ns/op is one
// second of audio). The budget (docs/amd.md): ≤ 100 µs per detector per
// second, ≤ 300 µs for all four.

// benchFrames precomputes the front end's frames, so only the detector is
// measured.
func benchFrames(s sig) []dsp.Frame {
	var out []dsp.Frame
	frames(s, func(f *dsp.Frame) {
		c := *f
		c.Samples = append([]float32(nil), f.Samples...)
		out = append(out, c)
	})
	return out
}

// benchSignals: mostly speech (the common case) and a tone-heavy mix
// (answer tone with reversals, V.21 flags, SIT, beeps, ringback) where the
// sample-level analyses run.
func benchSignals() map[string][]dsp.Frame {
	speech := sig{}
	for len(speech) < 10*rate {
		speech = speech.append(greeting())
	}
	sitTone, _ := sitSignal("RO", 100, 0, 0, [3]float64{}, 200)
	tones := sig{}.append(ans(2100, 3000, -15, 450, 0.2)).append(v21Flags(80, -15)).append(sitTone).
		silence(100).tone(1000, 500, -20).silence(200).dual(440, 480, 2000, -19).silence(1000).tone(1100, 500, -20)
	return map[string][]dsp.Frame{
		"speech": benchFrames(speech[:10*rate].noise(-45, 1)),
		"tones":  benchFrames(tones.noise(-45, 2)),
	}
}

type processor interface{ Process(*dsp.Frame) }

func benchDetector(b *testing.B, mk func() processor) {
	for name, fs := range benchSignals() {
		b.Run(name, func(b *testing.B) {
			seconds := float64(len(fs)) * dsp.FrameMs / 1000
			b.ReportAllocs()
			b.ResetTimer()
			for b.Loop() {
				d := mk()
				for i := range fs {
					d.Process(&fs[i])
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/seconds, "ns/audio-s")
		})
	}
}

func BenchmarkFax(b *testing.B)      { benchDetector(b, func() processor { return NewFax() }) }
func BenchmarkSIT(b *testing.B)      { benchDetector(b, func() processor { return NewSIT() }) }
func BenchmarkBeep(b *testing.B)     { benchDetector(b, func() processor { return NewBeep() }) }
func BenchmarkProgress(b *testing.B) { benchDetector(b, func() processor { return NewProgress() }) }

type bankProc struct{ b *Bank }

func (p bankProc) Process(f *dsp.Frame) { p.b.Process(f) }

// BenchmarkBank is what the pipeline pays for all four detectors and the
// tone mask together.
func BenchmarkBank(b *testing.B) { benchDetector(b, func() processor { return bankProc{NewBank()} }) }

func BenchmarkToneMask(b *testing.B) {
	benchDetector(b, func() processor { return maskProc{NewToneMask()} })
}

type maskProc struct{ m *ToneMask }

func (p maskProc) Process(f *dsp.Frame) { p.m.Process(f) }

type funcProc func(*dsp.Frame)

func (p funcProc) Process(f *dsp.Frame) { p(f) }

func BenchmarkIsTone(b *testing.B) {
	benchDetector(b, func() processor { return funcProc(func(f *dsp.Frame) { IsTone(f) }) })
}
