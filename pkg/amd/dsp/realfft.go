package dsp

import "math"

// realFFT computes the power spectrum of a real 2N-point block with one
// N-point complex FFT: the even samples go in the real part, the odd ones
// in the imaginary part, and the two half-size spectra are separated and
// recombined afterwards. That halves the front end's dominant cost.
type realFFT struct {
	n      int // real length (256)
	half   *FFT
	re, im []float64 // packed input / half-size spectrum
	wr, wi []float64 // exp(-2πik/n), k = 0..n/2
}

func newRealFFT(n int) *realFFT {
	m := n / 2
	r := &realFFT{n: n, half: NewFFT(m), re: make([]float64, m), im: make([]float64, m),
		wr: make([]float64, m+1), wi: make([]float64, m+1)}
	for k := 0; k <= m; k++ {
		r.wr[k] = math.Cos(2 * math.Pi * float64(k) / float64(n))
		r.wi[k] = -math.Sin(2 * math.Pi * float64(k) / float64(n))
	}
	return r
}

// power writes |X[k]|² for k = 0..n/2 of the real block x (len n) into out
// (len n/2+1).
func (r *realFFT) power(x []float64, out []float32) {
	m := r.n / 2
	re, im := r.re[:m], r.im[:m]
	for i := 0; i < m; i++ {
		re[i] = x[2*i]
		im[i] = x[2*i+1]
	}
	r.powerPacked(out)
}

// powerWindowed is power of x[i]·w[i]: the window is applied while packing,
// which saves the front end a pass over the block per frame.
func (r *realFFT) powerWindowed(x []float32, w []float64, out []float32) {
	m := r.n / 2
	re, im := r.re[:m], r.im[:m]
	x, w = x[:r.n], w[:r.n]
	for i := 0; i < m; i++ {
		re[i] = float64(x[2*i]) * w[2*i]
		im[i] = float64(x[2*i+1]) * w[2*i+1]
	}
	r.powerPacked(out)
}

// powerPacked transforms the packed block in re/im and writes the power
// spectrum.
func (r *realFFT) powerPacked(out []float32) {
	m := r.n / 2
	re, im := r.re[:m], r.im[:m]
	r.half.Transform(re, im)
	// k = 0 and k = m: the even and odd sums.
	out[0] = float32((re[0] + im[0]) * (re[0] + im[0]))
	out[m] = float32((re[0] - im[0]) * (re[0] - im[0]))
	for k := 1; k < m; k++ {
		ar, ai := re[k], im[k]      // Z[k]
		br, bi := re[m-k], -im[m-k] // conj(Z[m-k])
		// Even part E = (Z[k] + conj Z[m-k]) / 2, odd part O = (Z[k] - conj Z[m-k]) / 2i.
		er, ei := 0.5*(ar+br), 0.5*(ai+bi)
		or, oi := 0.5*(ai-bi), -0.5*(ar-br)
		// X[k] = E + W^k O.
		xr := er + r.wr[k]*or - r.wi[k]*oi
		xi := ei + r.wr[k]*oi + r.wi[k]*or
		out[k] = float32(xr*xr + xi*xi)
	}
}
