package corpus

import (
	"math"
	"math/rand/v2"
)

// addNoise mixes noise at snrDB below the active level of ref (the content
// the SNR is defined against: speech or tone).
func addNoise(x []float32, refRMS, snrDB float64, lowpass bool, r *rand.Rand) {
	rms := refRMS * math.Pow(10, -snrDB/20)
	n := gaussNoise(len(x), rms, lowpass, r)
	for i := range x {
		x[i] += n[i]
	}
}

// gain multiplies by db and clips to int16 range like a real recorder.
func gain(x []float32, db float64) {
	g := float32(math.Pow(10, db/20))
	for i := range x {
		v := x[i] * g
		x[i] = max(-32768, min(32767, v))
	}
}

// biquad is a direct-form-I second-order section (RBJ cookbook).
type biquad struct{ b0, b1, b2, a1, a2, x1, x2, y1, y2 float64 }

func newBiquad(highpass bool, f0 float64) *biquad {
	w := 2 * math.Pi * f0 / rate
	cw, sw := math.Cos(w), math.Sin(w)
	const q = 1 / math.Sqrt2 // Butterworth
	alpha := sw / (2 * q)
	var b0, b1, b2 float64
	if highpass {
		b0, b1, b2 = (1+cw)/2, -(1 + cw), (1+cw)/2
	} else {
		b0, b1, b2 = (1-cw)/2, 1-cw, (1-cw)/2
	}
	a0 := 1 + alpha
	return &biquad{b0: b0 / a0, b1: b1 / a0, b2: b2 / a0, a1: -2 * cw / a0, a2: (1 - alpha) / a0}
}

func (q *biquad) run(x []float32) {
	for i, v := range x {
		in := float64(v)
		y := q.b0*in + q.b1*q.x1 + q.b2*q.x2 - q.a1*q.y1 - q.a2*q.y2
		q.x2, q.x1 = q.x1, in
		q.y2, q.y1 = q.y1, y
		x[i] = float32(y)
	}
}

// bandLimit applies a telephone channel: 4th-order high-pass at lo and
// 4th-order low-pass at hi (two Butterworth sections each).
func bandLimit(x []float32, lo, hi float64) {
	for i := 0; i < 2; i++ {
		newBiquad(true, lo).run(x)
		newBiquad(false, hi).run(x)
	}
}

// dcShare is the part of the files recorded with a DC offset (a cheap
// sound card or a gateway with a biased converter): 200–1500 in int16.
const dcShare = 0.1

// offset adds a constant (DC) to every sample.
func offset(x []float32, dc float64) {
	for i := range x {
		x[i] += float32(dc)
	}
}
