// Package dsp is the shared front end of the AMD pipeline: it cuts 8 kHz
// audio into 10 ms frames and computes, once per frame, what several
// detectors need (energy and a 256-point power spectrum), so that no
// detector repeats that work in the hot loop.
package dsp

import "math"

const (
	// SampleRate is the rate of every signal inside the pipeline.
	SampleRate = 8000
	// FrameSamples is the hop: 10 ms at 8 kHz.
	FrameSamples = 80
	// FrameMs is the frame duration in milliseconds.
	FrameMs = 10
	// FFTSize is the analysis window (32 ms), Hann-windowed.
	FFTSize = 256
	// Bins is the number of power-spectrum bins (DC..Nyquist).
	Bins = FFTSize/2 + 1
	// BinHz is the spectral resolution.
	BinHz = float64(SampleRate) / FFTSize
)

// Frame is one 10 ms step of the analysis. Samples are in int16 scale
// (full scale ±32768) and are the 80 new samples of this frame; Spectrum is
// the power spectrum of the last 256 samples (this frame's 80 and the 176
// before it, zeros before the start of the file).
type Frame struct {
	Index    int       // frame number from the start of the audio
	Samples  []float32 // the 80 new samples
	Energy   float64   // mean square of Samples
	MeanAbs  float64   // mean absolute value of Samples
	Spectrum [Bins]float32
	// SpecEnergy is the sum of Spectrum over 300-3400 Hz (the telephone band).
	SpecEnergy float64
}

// StartMs is the time of the first sample of the frame.
func (f *Frame) StartMs() int { return f.Index * FrameMs }

// EndMs is the time just after the last sample of the frame: the moment a
// decision taken on this frame becomes available.
func (f *Frame) EndMs() int { return (f.Index + 1) * FrameMs }

// Analyzer turns a stream of samples into Frames. It keeps a fixed-size
// history and allocates nothing per frame.
type Analyzer struct {
	hist    [FFTSize]float32 // ring of the last FFTSize samples, oldest first after rotate
	pending []float32        // samples not yet forming a whole frame
	frame   Frame
	fft     *realFFT
	window  [FFTSize]float64
	index   int
	lo, hi  int // telephone band bins
}

// NewAnalyzer returns an Analyzer positioned at time 0.
func NewAnalyzer() *Analyzer {
	a := &Analyzer{fft: newRealFFT(FFTSize), pending: make([]float32, 0, FrameSamples)}
	for i := range a.window {
		a.window[i] = 0.5 - 0.5*math.Cos(2*math.Pi*float64(i)/FFTSize)
	}
	a.lo = int(math.Ceil(300 / BinHz))
	a.hi = int(math.Floor(3400 / BinHz))
	return a
}

// Write feeds samples (8 kHz, int16 scale) and calls fn for every complete
// frame, in order. The *Frame passed to fn is reused: fn must not keep it.
func (a *Analyzer) Write(samples []float32, fn func(*Frame)) {
	for len(samples) > 0 {
		n := FrameSamples - len(a.pending)
		if n > len(samples) {
			n = len(samples)
		}
		a.pending = append(a.pending, samples[:n]...)
		samples = samples[n:]
		if len(a.pending) == FrameSamples {
			a.emit(fn)
			a.pending = a.pending[:0]
		}
	}
}

// Flush pads a partial last frame with zeros and emits it. Call it once at
// the end of the audio.
func (a *Analyzer) Flush(fn func(*Frame)) {
	if len(a.pending) == 0 {
		return
	}
	for len(a.pending) < FrameSamples {
		a.pending = append(a.pending, 0)
	}
	a.emit(fn)
	a.pending = a.pending[:0]
}

func (a *Analyzer) emit(fn func(*Frame)) {
	copy(a.hist[:], a.hist[FrameSamples:])
	copy(a.hist[FFTSize-FrameSamples:], a.pending)

	f := &a.frame
	f.Index = a.index
	a.index++
	f.Samples = a.hist[FFTSize-FrameSamples:]
	var sq, ab float64
	for _, s := range f.Samples {
		v := float64(s)
		sq += v * v
		ab += math.Abs(v)
	}
	f.Energy = sq / FrameSamples
	f.MeanAbs = ab / FrameSamples

	a.fft.powerWindowed(a.hist[:], a.window[:], f.Spectrum[:])
	var band float64
	for _, p := range f.Spectrum[a.lo : a.hi+1] {
		band += float64(p)
	}
	f.SpecEnergy = band
	fn(f)
}

// PeakBin returns the bin of the largest power in [lo, hi] and a refined
// frequency in Hz by parabolic interpolation on log power.
func (f *Frame) PeakBin(lo, hi int) (bin int, freqHz float64) {
	if lo < 1 {
		lo = 1
	}
	if hi > Bins-2 {
		hi = Bins - 2
	}
	bin = lo
	for k := lo + 1; k <= hi; k++ {
		if f.Spectrum[k] > f.Spectrum[bin] {
			bin = k
		}
	}
	a := math.Log(float64(f.Spectrum[bin-1]) + 1e-9)
	b := math.Log(float64(f.Spectrum[bin]) + 1e-9)
	c := math.Log(float64(f.Spectrum[bin+1]) + 1e-9)
	delta := 0.0
	if d := a - 2*b + c; d < 0 {
		delta = 0.5 * (a - c) / d
	}
	return bin, (float64(bin) + delta) * BinHz
}

// HzToBin returns the nearest bin to a frequency.
func HzToBin(hz float64) int { return int(math.Round(hz / BinHz)) }
