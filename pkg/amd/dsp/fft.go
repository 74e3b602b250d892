package dsp

import "math"

// FFT is an in-place radix-2 complex FFT of a fixed power-of-two size with
// precomputed twiddles and bit reversal: no allocation per call.
type FFT struct {
	n      int
	cos    []float64
	sin    []float64
	bitrev []int
}

// NewFFT prepares an FFT of size n (a power of two).
func NewFFT(n int) *FFT {
	if n < 2 || n&(n-1) != 0 {
		panic("dsp.NewFFT: size must be a power of two")
	}
	f := &FFT{n: n, cos: make([]float64, n/2), sin: make([]float64, n/2), bitrev: make([]int, n)}
	for i := 0; i < n/2; i++ {
		f.cos[i] = math.Cos(2 * math.Pi * float64(i) / float64(n))
		f.sin[i] = -math.Sin(2 * math.Pi * float64(i) / float64(n))
	}
	bits := 0
	for 1<<bits < n {
		bits++
	}
	for i := 0; i < n; i++ {
		r := 0
		for b := 0; b < bits; b++ {
			if i&(1<<b) != 0 {
				r |= 1 << (bits - 1 - b)
			}
		}
		f.bitrev[i] = r
	}
	return f
}

// Transform computes the forward DFT of (re, im) in place.
func (f *FFT) Transform(re, im []float64) {
	n := f.n
	for i := 0; i < n; i++ {
		if j := f.bitrev[i]; j > i {
			re[i], re[j] = re[j], re[i]
			im[i], im[j] = im[j], im[i]
		}
	}
	for size := 2; size <= n; size <<= 1 {
		half := size >> 1
		step := n / size
		for start := 0; start < n; start += size {
			for k := 0; k < half; k++ {
				wr, wi := f.cos[k*step], f.sin[k*step]
				a, b := start+k, start+k+half
				tr := re[b]*wr - im[b]*wi
				ti := re[b]*wi + im[b]*wr
				re[b], im[b] = re[a]-tr, im[a]-ti
				re[a] += tr
				im[a] += ti
			}
		}
	}
}
