package dsp

import (
	"math"
	"testing"
)

func testBlock() []float64 {
	x := make([]float64, FFTSize)
	for i := range x {
		x[i] = 3000*math.Sin(float64(i)*0.37) + 800*math.Cos(float64(i)*1.9) + float64(i%7)*40 - 100
	}
	return x
}

// TestRealFFTMatchesComplexFFT: the packed real transform gives the same
// power spectrum as a full complex FFT of the real block.
func TestRealFFTMatchesComplexFFT(t *testing.T) {
	x := testBlock()
	re := append([]float64(nil), x...)
	im := make([]float64, FFTSize)
	NewFFT(FFTSize).Transform(re, im)
	got := make([]float32, Bins)
	newRealFFT(FFTSize).power(x, got)
	for k := 0; k < Bins; k++ {
		want := re[k]*re[k] + im[k]*im[k]
		if math.Abs(float64(got[k])-want) > 1e-5*want+1e-3 {
			t.Fatalf("bin %d: %g, want %g", k, got[k], want)
		}
	}
}

func BenchmarkRealFFT(b *testing.B) {
	x := testBlock()
	out := make([]float32, Bins)
	r := newRealFFT(FFTSize)
	for b.Loop() {
		r.power(x, out)
	}
}

func BenchmarkComplexFFT(b *testing.B) {
	x := testBlock()
	re, im := make([]float64, FFTSize), make([]float64, FFTSize)
	f := NewFFT(FFTSize)
	for b.Loop() {
		copy(re, x)
		clear(im)
		f.Transform(re, im)
	}
}
