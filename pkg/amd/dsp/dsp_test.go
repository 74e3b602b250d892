package dsp

import (
	"math"
	"math/cmplx"
	"testing"
)

func TestFFTMatchesDFT(t *testing.T) {
	const n = 16
	re := make([]float64, n)
	im := make([]float64, n)
	in := make([]complex128, n)
	for i := range re {
		re[i] = math.Sin(float64(i)*0.7) + float64(i%3)
		im[i] = math.Cos(float64(i) * 0.3)
		in[i] = complex(re[i], im[i])
	}
	NewFFT(n).Transform(re, im)
	for k := 0; k < n; k++ {
		var want complex128
		for j := 0; j < n; j++ {
			want += in[j] * cmplx.Exp(complex(0, -2*math.Pi*float64(j*k)/n))
		}
		if cmplx.Abs(want-complex(re[k], im[k])) > 1e-9 {
			t.Fatalf("bin %d: got %v want %v", k, complex(re[k], im[k]), want)
		}
	}
}

func TestAnalyzerFramesAndPeak(t *testing.T) {
	const hz = 1004.0
	sig := make([]float32, 8000)
	for i := range sig {
		sig[i] = float32(8000 * math.Sin(2*math.Pi*hz*float64(i)/SampleRate))
	}
	a := NewAnalyzer()
	frames := 0
	var lastFreq, lastEnergy float64
	// Feed in odd-sized chunks to exercise buffering.
	for off := 0; off < len(sig); off += 37 {
		end := min(off+37, len(sig))
		a.Write(sig[off:end], func(f *Frame) {
			if f.Index != frames {
				t.Fatalf("frame index %d, want %d", f.Index, frames)
			}
			frames++
			_, lastFreq = f.PeakBin(HzToBin(300), HzToBin(3400))
			lastEnergy = f.Energy
		})
	}
	if frames != 100 {
		t.Fatalf("frames = %d, want 100", frames)
	}
	if math.Abs(lastFreq-hz) > 5 {
		t.Fatalf("peak %.1f Hz, want %.1f±5", lastFreq, hz)
	}
	if want := 8000.0 * 8000 / 2; math.Abs(lastEnergy-want)/want > 0.05 {
		t.Fatalf("energy %.0f, want ≈%.0f", lastEnergy, want)
	}
}

func BenchmarkAnalyzer(b *testing.B) {
	sig := make([]float32, 8000)
	for i := range sig {
		sig[i] = float32(1000 * math.Sin(float64(i)))
	}
	a := NewAnalyzer()
	b.SetBytes(int64(len(sig) * 2))
	for b.Loop() {
		a.Write(sig, func(*Frame) {})
	}
}
