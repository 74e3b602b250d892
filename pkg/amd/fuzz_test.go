package amd

import (
	"bytes"
	"context"
	"encoding/binary"
	"math"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// floatWAV is a mono IEEE-float WAV of the given samples (full scale ±1).
func floatWAV(rate int, samples []float32) []byte {
	var b bytes.Buffer
	w := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	w(uint32(36 + 4*len(samples)))
	b.WriteString("WAVEfmt ")
	w(uint32(16))
	w(uint16(3))
	w(uint16(1))
	w(uint32(rate))
	w(uint32(rate * 4))
	w(uint16(4))
	w(uint16(32))
	b.WriteString("data")
	w(uint32(4 * len(samples)))
	for _, s := range samples {
		w(s)
	}
	return b.Bytes()
}

// FuzzAnalyze: whatever bytes a recording holds, the pipeline returns a
// result with a valid `result` or an error, and never panics (extreme,
// NaN and infinite samples included).
func FuzzAnalyze(f *testing.F) {
	tone := make([]float32, 8000)
	for i := range tone {
		tone[i] = float32(0.5 * math.Sin(2*math.Pi*1000*float64(i)/8000))
	}
	f.Add(floatWAV(8000, tone))
	f.Add(floatWAV(16000, []float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), 1e30, -1e30, 0}))
	var pcm bytes.Buffer
	if err := audio.WriteWAV(&pcm, 8000, "ulaw", []float32{32767, -32768, 0, 1, -1, 12000}); err != nil {
		f.Fatal(err)
	}
	f.Add(pcm.Bytes())
	f.Add([]byte("RIFF\xff\xff\xff\xffWAVEfmt \x10\x00\x00\x00\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00data\xff\xff\xff\xff\x00\x80\xff\x7f"))
	valid := map[string]bool{Human: true, Machine: true, Fax: true, SIT: true, Silence: true, NotSure: true}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := audio.NewStream(bytes.NewReader(data), "fuzz.wav", audio.DefaultOptions())
		if err != nil {
			return
		}
		res, err := Analyze(context.Background(), s, DefaultConfig())
		if err != nil {
			return
		}
		if !valid[res.Result] || res.DecisionMs < 0 || res.Asterisk == nil || math.IsNaN(res.Confidence) {
			t.Fatalf("bad result %+v", res)
		}
	})
}
