package heldout

import (
	"bytes"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"math/rand/v2"
	"os/exec"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// ringbackRegion is a national ringback cadence: on/off pairs in ms,
// repeated, and how the tone is made.
type ringbackRegion struct {
	name    string
	cadence []float64 // on, off, on, off ... ms
	freqs   []float64 // summed sines
	modHz   float64   // > 0: freqs[0] amplitude-modulated by modHz (100 %)
	dbm0    float64
}

// ringbackRegions are the held-out cadences. The development corpus uses
// US, EU (CEPT 1/4 s) and BR; these add the double rings and modulated
// tones of other administrations (ITU-T E.180 Supplement 2).
var ringbackRegions = []ringbackRegion{
	{name: "UK", cadence: []float64{400, 200, 400, 2000}, freqs: []float64{400, 450}, dbm0: -19},
	{name: "FR", cadence: []float64{1500, 3500}, freqs: []float64{440}, dbm0: -15},
	{name: "DE", cadence: []float64{1000, 4000}, freqs: []float64{425}, dbm0: -16},
	{name: "JP", cadence: []float64{1000, 2000}, freqs: []float64{400}, modHz: 16, dbm0: -16},
	{name: "IN", cadence: []float64{400, 200, 400, 2000}, freqs: []float64{400}, modHz: 25, dbm0: -17},
	{name: "AU", cadence: []float64{400, 200, 400, 2000}, freqs: []float64{425}, modHz: 25, dbm0: -15},
	{name: "RU", cadence: []float64{800, 3200}, freqs: []float64{425}, dbm0: -14},
	{name: "US", cadence: []float64{2000, 4000}, freqs: []float64{440, 480}, dbm0: -19},
}

// ringback renders cycles of a region's cadence; the call is answered
// answerAfterMs into the last silence (cut there). The level varies ±3 dB.
func ringback(r *rand.Rand, reg ringbackRegion, cycles int, answerAfterMs float64) []float32 {
	lvl := reg.dbm0 + uniform(r, -3, 3)
	var parts [][]float32
	for c := 0; c < cycles; c++ {
		for i := 0; i < len(reg.cadence); i += 2 {
			on, off := reg.cadence[i], reg.cadence[i+1]
			if reg.modHz > 0 {
				parts = append(parts, amTone(r, on, lvl, reg.freqs[0], reg.modHz, 0.9))
			} else {
				parts = append(parts, sine(r, on, lvl, 8, reg.freqs...))
			}
			last := c == cycles-1 && i+2 >= len(reg.cadence)
			if last {
				off = math.Min(off, answerAfterMs)
			}
			parts = append(parts, silence(off))
		}
	}
	return join(parts...)
}

// addNoise mixes noise of a colour at snrDB below refRMS. Babble comes from
// the bank (overlapping held-out voices) at a random offset.
func (g *generator) addNoise(r *rand.Rand, x []float32, colour string, refRMS, snrDB float64) {
	var n []float32
	if colour == noiseBabble {
		n = g.babbleSlice(r, len(x))
	} else {
		n = colouredNoise(r, colour, len(x))
	}
	a := float32(refRMS * math.Pow(10, -snrDB/20))
	for i := range x {
		x[i] += a * n[i]
	}
}

// babbleSlice returns n samples of unit-RMS babble starting at a random
// point of the (looped) bank.
func (g *generator) babbleSlice(r *rand.Rand, n int) []float32 {
	out := make([]float32, n)
	off := r.IntN(len(g.babble))
	for i := range out {
		out[i] = g.babble[(off+i)%len(g.babble)]
	}
	return out
}

// biquad is a transposed direct-form-II second-order section.
type biquad struct{ b0, b1, b2, a1, a2, z1, z2 float64 }

// butter2 returns a Butterworth low-pass or high-pass section at f0 Hz
// (bilinear transform, RBJ form).
func butter2(highpass bool, f0 float64) *biquad {
	w := 2 * math.Pi * f0 / rate
	c, alpha := math.Cos(w), math.Sin(w)/math.Sqrt2
	a0 := 1 + alpha
	q := &biquad{a1: -2 * c / a0, a2: (1 - alpha) / a0}
	if highpass {
		q.b0, q.b1, q.b2 = (1+c)/2/a0, -(1+c)/a0, (1+c)/2/a0
	} else {
		q.b0, q.b1, q.b2 = (1-c)/2/a0, (1-c)/a0, (1-c)/2/a0
	}
	return q
}

func (q *biquad) run(x []float32) {
	for i, v := range x {
		in := float64(v)
		y := q.b0*in + q.z1
		q.z1 = q.b1*in - q.a1*y + q.z2
		q.z2 = q.b2*in - q.a2*y
		x[i] = float32(y)
	}
}

// lowPass is a 6th-order Butterworth low-pass (three identical sections:
// steeper than the development corpus's 300–3400 Hz band filter).
func lowPass(x []float32, hz float64) {
	for i := 0; i < 3; i++ {
		butter2(false, hz).run(x)
	}
}

// highPass is a 4th-order Butterworth high-pass.
func highPass(x []float32, hz float64) {
	for i := 0; i < 2; i++ {
		butter2(true, hz).run(x)
	}
}

// applyGainDB multiplies x by db.
func applyGainDB(x []float32, db float64) {
	g := float32(math.Pow(10, db/20))
	for i := range x {
		x[i] *= g
	}
}

// hardClip limits x to the int16 range and reports how many samples hit it.
func hardClip(x []float32) int {
	n := 0
	for i, v := range x {
		if v > 32767 {
			x[i], n = 32767, n+1
		} else if v < -32768 {
			x[i], n = -32768, n+1
		}
	}
	return n
}

// addDC adds a constant offset (a badly biased ADC or recorder).
func addDC(x []float32, dc float32) {
	for i := range x {
		x[i] += dc
	}
}

// g711Pass quantises x through µ-law or A-law and back (a codec hop).
func g711Pass(x []float32, law string) {
	for i, v := range x {
		s := int16(max(-32768, min(32767, math.Round(float64(v)))))
		if law == "ulaw" {
			x[i] = float32(audio.ULawDecode(audio.ULawEncode(s)))
		} else {
			x[i] = float32(audio.ALawDecode(audio.ALawEncode(s)))
		}
	}
}

// gsmPass encodes x to GSM 06.10 and back with sox (16-bit integer I/O,
// no dither: deterministic).
func (g *generator) gsmPass(ctx context.Context, x []float32) ([]float32, error) {
	pcm := make([]byte, 2*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint16(pcm[2*i:], uint16(int16(max(-32768, min(32767, math.Round(float64(v)))))))
	}
	gsm, err := g.runSox(ctx, pcm, "-D", "-t", "raw", "-e", "signed-integer", "-b", "16", "-r", "8000", "-c", "1", "-", "-t", "gsm", "-")
	if err != nil {
		return nil, err
	}
	back, err := g.runSox(ctx, gsm, "-D", "-t", "gsm", "-r", "8000", "-c", "1", "-", "-t", "raw", "-e", "signed-integer", "-b", "16", "-")
	if err != nil {
		return nil, err
	}
	y := make([]float32, len(x))
	for i := 0; i < len(y) && 2*i+1 < len(back); i++ {
		y[i] = float32(int16(binary.LittleEndian.Uint16(back[2*i:])))
	}
	return y, nil
}

// runSox pipes in through sox with args and returns its stdout.
func (g *generator) runSox(ctx context.Context, in []byte, args ...string) ([]byte, error) {
	cmd := exec.CommandContext(ctx, g.sox, args...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("heldout: sox %v: %w: %s", args, err, bytes.TrimSpace(stderr.Bytes()))
	}
	return out, nil
}
