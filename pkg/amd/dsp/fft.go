package dsp

import "math"

// FFT is an in-place radix-2 complex FFT of a fixed power-of-two size with
// precomputed twiddles and bit reversal: no allocation per call.
type FFT struct {
	n      int
	bitrev []int
	// Twiddles of every stage from size 8 up, stored one stage after the
	// other so the inner loop reads them contiguously.
	twr, twi []float64
}

// NewFFT prepares an FFT of size n (a power of two).
func NewFFT(n int) *FFT {
	if n < 2 || n&(n-1) != 0 {
		panic("dsp.NewFFT: size must be a power of two")
	}
	f := &FFT{n: n, bitrev: make([]int, n)}
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
	for size := 8; size <= n; size <<= 1 {
		for k := 0; k < size/2; k++ {
			f.twr = append(f.twr, math.Cos(2*math.Pi*float64(k)/float64(size)))
			f.twi = append(f.twi, -math.Sin(2*math.Pi*float64(k)/float64(size)))
		}
	}
	return f
}

// Transform computes the forward DFT of (re, im) in place.
func (f *FFT) Transform(re, im []float64) {
	n := f.n
	re, im = re[:n], im[:n]
	for i, j := range f.bitrev {
		if j > i {
			re[i], re[j] = re[j], re[i]
			im[i], im[j] = im[j], im[i]
		}
	}
	// Size-2 butterflies: twiddle 1.
	for i := 0; i+1 < n; i += 2 {
		ar, ai, br, bi := re[i], im[i], re[i+1], im[i+1]
		re[i], im[i], re[i+1], im[i+1] = ar+br, ai+bi, ar-br, ai-bi
	}
	if n < 4 {
		return
	}
	// Size-4 butterflies: twiddles 1 and -i.
	for i := 0; i+3 < n; i += 4 {
		ar, ai, br, bi := re[i], im[i], re[i+2], im[i+2]
		re[i], im[i], re[i+2], im[i+2] = ar+br, ai+bi, ar-br, ai-bi
		cr, ci, dr, di := re[i+1], im[i+1], re[i+3], im[i+3]
		// (dr + i di)·(-i) = di - i dr
		re[i+1], im[i+1], re[i+3], im[i+3] = cr+di, ci-dr, cr-di, ci+dr
	}
	off := 0
	for size := 8; size <= n; size <<= 1 {
		half := size >> 1
		wr, wi := f.twr[off:off+half], f.twi[off:off+half]
		for start := 0; start < n; start += size {
			ar, ai := re[start:start+half], im[start:start+half]
			br, bi := re[start+half:start+size], im[start+half:start+size]
			for k := range half {
				tr := br[k]*wr[k] - bi[k]*wi[k]
				ti := br[k]*wi[k] + bi[k]*wr[k]
				br[k], bi[k] = ar[k]-tr, ai[k]-ti
				ar[k] += tr
				ai[k] += ti
			}
		}
		off += half
	}
}
