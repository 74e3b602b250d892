package audio

import (
	"io"
	"math"
)

// Anti-alias design for any rate -> 8 kHz: flat to 3.4 kHz (the telephone
// band), at least 70 dB down from 4 kHz (the new Nyquist frequency) up, so
// nothing above 4 kHz folds back into the band the detectors look at.
//
// Rates above twoStageAbove go through 16 kHz first: that stage only has
// to keep what would fold into 0-4 kHz out (stopband from 12 kHz, a wide
// transition, so ~25 taps), and the sharp 3.4-4 kHz filter then runs at
// 16 kHz instead of the input rate: about half the work at 44.1/48 kHz.
const (
	passbandHz     = 3400.0
	stopbandHz     = 4000.0
	stopbandAttnDB = 70.0
	midRate        = 16000
	twoStageAbove  = 24000
	// firstStageAttnDB: the first stage is cheap, so it gets extra margin
	// over Kaiser's length estimate (measured ≥ 65 dB with 70).
	firstStageAttnDB = 80.0
	// maxExactPhases bounds the polyphase table when the rate ratio has a
	// large numerator (e.g. 8001 Hz): beyond it the table holds fewer phases
	// and outputs interpolate linearly between neighbours (error < -90 dB).
	maxExactPhases   = 512
	interpolatePhase = 256
)

// resampler is a streaming rational polyphase FIR resampler with a
// Kaiser-windowed-sinc kernel. Output sample k sits exactly at input time
// k*down/up (zero delay: the kernel is centred), input before the start
// and after the end is taken as silence. Buffers are fixed after creation.
type resampler struct {
	up, down int       // output rate / input rate = up / down, reduced
	phases   int       // rows in the kernel table
	exact    bool      // phases == up: no interpolation between rows
	taps     int       // kernel length in input samples (even)
	half     int       // taps / 2
	table    []float32 // (phases+1) rows of taps, row p = kernel at fraction p/phases, reversed

	buf  []float32 // input samples; buf[0] is input sample number base
	base int64

	pos  int64 // integer part of the next output's input position
	frac int   // fractional part, in units of 1/up

	inTotal  int64 // input samples written
	outCount int64 // output samples produced
	flushed  bool  // input ended: trailing zeros appended

	upstream func([]float32) (int, error) // where pull gets its input
	in       []float32                    // input chunk buffer for pull
}

// newResampleChain returns the pull function of a resampler from inRate
// to OutputRate (one or two stages) reading from upstream.
func newResampleChain(inRate int, upstream func([]float32) (int, error)) func([]float32) (int, error) {
	if inRate > twoStageAbove {
		first := newResampler(inRate, midRate, midRate-stopbandHz, firstStageAttnDB, chunkFrames, upstream)
		upstream = first.pull
		inRate = midRate
	}
	return newResampler(inRate, OutputRate, stopbandHz, stopbandAttnDB, chunkFrames, upstream).pull
}

// newResampler builds a resampler from inRate to outRate, flat to
// passbandHz and attnDB down from stopHz, pulling chunks of up to chunk
// samples from upstream.
func newResampler(inRate, outRate int, stopHz, attnDB float64, chunk int, upstream func([]float32) (int, error)) *resampler {
	g := gcd(inRate, outRate)
	r := &resampler{up: outRate / g, down: inRate / g, upstream: upstream, in: make([]float32, chunk)}
	r.phases = r.up
	r.exact = true
	if r.up > maxExactPhases {
		r.phases = interpolatePhase
		r.exact = false
	}
	// Kaiser's estimate of the length for the attenuation and transition.
	transition := (stopHz - passbandHz) / float64(inRate)
	n := int(math.Ceil((attnDB - 7.95) / (14.36 * transition)))
	r.taps = n + n%2
	r.half = r.taps / 2
	r.table = kernelTable(r.phases, r.taps, (passbandHz+stopHz)/2/float64(inRate), 0.1102*(attnDB-8.7))

	r.buf = make([]float32, r.half, r.taps+chunk+r.half+8)
	r.base = -int64(r.half)
	return r
}

// kernelTable returns phases+1 rows of the windowed-sinc kernel with
// normalised cutoff fc (cycles per input sample) and Kaiser parameter beta. Row p holds the taps for
// an output at fraction p/phases past an input sample, reversed so that the
// inner loop is a forward dot product, and scaled to unit DC gain so that
// the phases do not add a ripple of their own.
func kernelTable(phases, taps int, fc, beta float64) []float32 {
	half := taps / 2
	i0beta := besselI0(beta)
	table := make([]float32, (phases+1)*taps)
	row := make([]float64, taps)
	for p := 0; p <= phases; p++ {
		f := float64(p) / float64(phases)
		sum := 0.0
		for m := range taps {
			t := f + float64(half-1-m) // distance from output time to input sample
			row[m] = windowedSinc(t, fc, float64(half), beta, i0beta)
			sum += row[m]
		}
		for m := range taps {
			table[p*taps+m] = float32(row[m] / sum)
		}
	}
	return table
}

// windowedSinc is the ideal low-pass impulse response at distance t (input
// samples) times a Kaiser window of half-width halfWidth.
func windowedSinc(t, fc, halfWidth, beta, i0beta float64) float64 {
	r := t / halfWidth
	if r <= -1 || r >= 1 {
		return 0
	}
	x := 2 * fc * t
	s := 2 * fc
	if x != 0 {
		s = math.Sin(math.Pi*x) / (math.Pi * t)
	}
	return s * besselI0(beta*math.Sqrt(1-r*r)) / i0beta
}

// besselI0 is the modified Bessel function of order 0 (power series).
func besselI0(x float64) float64 {
	sum, term := 1.0, 1.0
	for k := 1; k < 50; k++ {
		term *= (x / (2 * float64(k))) * (x / (2 * float64(k)))
		sum += term
		if term < sum*1e-17 {
			break
		}
	}
	return sum
}

func gcd(a, b int) int {
	for b != 0 {
		a, b = b, a%b
	}
	return a
}

// pull fills dst with output samples, pulling input from upstream as
// needed. It returns n > 0 with a nil error while there is output, then
// 0, io.EOF.
func (r *resampler) pull(dst []float32) (int, error) {
	n := 0
	for n < len(dst) {
		m := r.read(dst[n:])
		n += m
		if n == len(dst) || r.done() || (r.flushed && m == 0) {
			break
		}
		if r.flushed {
			continue // the tail after the end of the input
		}
		k, err := r.upstream(r.in)
		r.write(r.in[:k])
		if err == io.EOF {
			r.flush()
		} else if err != nil {
			return n, err
		}
	}
	if n == 0 && r.flushed {
		return 0, io.EOF
	}
	return n, nil
}

// write appends input samples; len(in) must not exceed the chunk given to
// newResampler. Samples no longer needed are dropped first.
func (r *resampler) write(in []float32) {
	r.compact()
	r.buf = append(r.buf, in...)
	r.inTotal += int64(len(in))
}

// flush marks the end of the input.
func (r *resampler) flush() {
	if r.flushed {
		return
	}
	r.compact()
	for range r.half + 1 {
		r.buf = append(r.buf, 0)
	}
	r.flushed = true
}

// done reports whether every output sample has been read.
func (r *resampler) done() bool {
	return r.flushed && r.outCount >= r.totalOut()
}

// totalOut is the number of output samples for the input written so far.
func (r *resampler) totalOut() int64 {
	return (r.inTotal*int64(r.up) + int64(r.down) - 1) / int64(r.down)
}

// compact drops the samples before the first one the next output needs.
func (r *resampler) compact() {
	keep := r.pos - int64(r.half) + 1 - r.base
	if keep <= 0 {
		return
	}
	keep = min(keep, int64(len(r.buf)))
	n := copy(r.buf, r.buf[keep:])
	r.buf = r.buf[:n]
	r.base += keep
}

// read produces as many output samples as the buffered input allows.
func (r *resampler) read(dst []float32) int {
	n := 0
	limit := r.base + int64(len(r.buf)) // first input index not yet available
	for n < len(dst) {
		if r.pos+int64(r.half) >= limit {
			break
		}
		if r.flushed && r.outCount >= r.totalOut() {
			break
		}
		start := r.pos - int64(r.half) + 1 - r.base
		x := r.buf[start : start+int64(r.taps)]
		dst[n] = r.sample(x)
		n++
		r.outCount++
		r.frac += r.down
		r.pos += int64(r.frac / r.up)
		r.frac %= r.up
	}
	return n
}

// sample computes one output from the input window x.
func (r *resampler) sample(x []float32) float32 {
	if r.exact {
		return dot(r.table[r.frac*r.taps:(r.frac+1)*r.taps], x)
	}
	scaled := r.frac * r.phases
	q := scaled / r.up
	w := float32(scaled%r.up) / float32(r.up)
	a := dot(r.table[q*r.taps:(q+1)*r.taps], x)
	if w == 0 {
		return a
	}
	b := dot(r.table[(q+1)*r.taps:(q+2)*r.taps], x)
	return a + w*(b-a)
}

// dot is the FIR inner loop: four accumulators keep the FPU pipelines
// busy, and re-slicing by four lets the compiler drop the bounds checks.
func dot(h, x []float32) float32 {
	x = x[:len(h)]
	var s0, s1, s2, s3 float32
	for len(h) >= 4 && len(x) >= 4 {
		s0 += h[0] * x[0]
		s1 += h[1] * x[1]
		s2 += h[2] * x[2]
		s3 += h[3] * x[3]
		h, x = h[4:], x[4:]
	}
	for i := range h {
		s0 += h[i] * x[i]
	}
	return (s0 + s1) + (s2 + s3)
}
