package audio

import (
	"encoding/binary"
	"fmt"
	"math"
	"testing"
)

// toneThrough writes a tone at rate as a float32 WAV, reads it back at
// 8 kHz and returns the output level relative to the input, in dB (RMS
// over the middle of the file, so aliases count wherever they land).
func toneThrough(t *testing.T, rate int, freq float64) float64 {
	t.Helper()
	const amp = 0.5
	in := sine(rate/2, rate, freq, amp) // 0.5 s
	spec := wavSpec{tag: tagFloat, channels: 1, rate: rate, bits: 32, dataSize: -1}
	for _, v := range in {
		spec.data = binary.LittleEndian.AppendUint32(spec.data, math.Float32bits(v))
	}
	s := openBytes(t, "tone.wav", spec.bytes(), DefaultOptions())
	out := readAll(t, s)
	if want := (len(in)*OutputRate + rate - 1) / rate; len(out) != want {
		t.Fatalf("%d Hz: %d output samples, want %d", rate, len(out), want)
	}
	if !s.Info().Resampled {
		t.Fatalf("%d Hz: Info().Resampled is false", rate)
	}
	mid := out[len(out)/5 : len(out)*4/5]
	var sq float64
	for _, v := range mid {
		sq += float64(v) * float64(v)
	}
	rms := math.Sqrt(sq / float64(len(mid)))
	return 20 * math.Log10(rms/(amp*32768/math.Sqrt2)+1e-30)
}

// The anti-alias filter keeps the telephone band flat and removes what
// would fold back from above 4 kHz: tones swept over the passband and the
// whole stopband (4 kHz to the input's Nyquist frequency), for one-stage
// (≤ 24 kHz) and two-stage rates, exact and interpolated polyphase tables.
func TestResamplerFrequencyResponse(t *testing.T) {
	rates := []int{11025, 16000, 22050, 32000, 44100, 48000, 96000, 8001, 12345, 191999}
	for _, rate := range rates {
		t.Run(fmt.Sprint(rate), func(t *testing.T) {
			for f := 200.0; f <= 3400; f += 400 {
				if db := toneThrough(t, rate, f); math.Abs(db) > 0.5 {
					t.Errorf("%v Hz passband tone: %.2f dB, want within ±0.5 dB", f, db)
				}
			}
			step := max(331, float64(rate)/60) // about 60 tones at most per rate
			for f := 4000.0; f < float64(rate)/2; f += step {
				if db := toneThrough(t, rate, f); db > -60 {
					t.Errorf("%v Hz stopband tone: %.1f dB, want at most -60 dB", f, db)
				}
			}
		})
	}
	// The figures from the issue, stated explicitly.
	if db := toneThrough(t, 16000, 5000); db > -50 {
		t.Errorf("5 kHz at 16 kHz: %.1f dB, want ≤ -50 dB", db)
	}
	if db := toneThrough(t, 16000, 1000); math.Abs(db) > 0.5 {
		t.Errorf("1 kHz at 16 kHz: %.2f dB, want ±0.5 dB", db)
	}
}

// The resampler adds no delay: an impulse at 1 s in the input peaks at
// output sample 8000 whatever the input rate.
func TestResamplerZeroDelay(t *testing.T) {
	for _, rate := range []int{16000, 44100, 48000, 11025, 8001} {
		spec := wavSpec{tag: tagPCM, channels: 1, rate: rate, bits: 16, dataSize: -1}
		in := make([]int16, 2*rate)
		in[rate] = 30000
		spec.data = pcm16(in...)
		out := readAll(t, openBytes(t, "i.wav", spec.bytes(), DefaultOptions()))
		peak := 0
		for i, v := range out {
			if v > out[peak] {
				peak = i
			}
		}
		if peak != OutputRate {
			t.Errorf("%d Hz: impulse at 1 s peaks at output sample %d, want %d", rate, peak, OutputRate)
		}
	}
}

// The output does not depend on how the caller slices its reads.
func TestResamplerReadSizes(t *testing.T) {
	spec := wavSpec{tag: tagPCM, channels: 1, rate: 44100, bits: 16, dataSize: -1}
	var in []int16
	for i, v := range sine(3*44100, 44100, 1234, 10000) {
		in = append(in, toInt16(v)+int16(i%7))
	}
	spec.data = pcm16(in...)
	b := spec.bytes()
	ref := readAll(t, openBytes(t, "r.wav", b, DefaultOptions()))
	for _, size := range []int{1, 13, 160, 4096, 100000} {
		s := openBytes(t, "r.wav", b, DefaultOptions())
		var got []float32
		buf := make([]float32, size)
		for {
			n, err := s.Read(buf)
			got = append(got, buf[:n]...)
			if err != nil {
				break
			}
		}
		if !equalSamples(got, ref) {
			t.Errorf("read size %d: %d samples differ from the reference %d", size, len(got), len(ref))
		}
	}
}
