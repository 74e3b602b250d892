package tones

import (
	"encoding/binary"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// FuzzBank feeds arbitrary 16-bit audio to every detector: they must never
// panic, and whatever they report must be self-consistent.
func FuzzBank(f *testing.F) {
	sitTone, _ := sitSignal("NC", 100, 0, 0, [3]float64{}, 200)
	for _, s := range []sig{
		sig{}.tone(1100, 600, -10),
		sig{}.append(ans(2100, 1200, -10, 450, 0.2)),
		v21Flags(12, -10),
		sitTone,
		greeting().silence(100).tone(1000, 200, -20).silence(100),
		sig{}.dual(440, 480, 1000, -19).silence(500),
		sig{}.tone(425, 250, -3).silence(250).tone(425, 250, -3).silence(250).tone(425, 250, -3).silence(250),
	} {
		f.Add(encode(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s := make(sig, len(data)/2)
		for i := range s {
			s[i] = float32(int16(binary.LittleEndian.Uint16(data[2*i:])))
		}
		b := NewBank()
		var end int
		frames(s, func(fr *dsp.Frame) { b.Process(fr); end = fr.EndMs() })
		b.Flush(end)
		checkConsistent(t, b, end)
	})
}

func encode(s sig) []byte {
	out := make([]byte, 2*len(s))
	for i, v := range s {
		binary.LittleEndian.PutUint16(out[2*i:], uint16(int16(max(-32768, min(32767, v)))))
	}
	return out
}

func checkConsistent(t *testing.T, b *Bank, endMs int) {
	t.Helper()
	if r := b.Fax.Result(); r != nil {
		if r.StartMs < -dsp.FrameMs || r.DetectedMs < r.StartMs || r.DetectedMs > endMs {
			t.Fatalf("fax %+v (end %d)", r, endMs)
		}
	}
	if r := b.SIT.Result(); r != nil {
		if len(r.Segments) != 3 || r.DetectedMs < r.StartMs || r.DetectedMs > endMs {
			t.Fatalf("SIT %+v (end %d)", r, endMs)
		}
	}
	for _, be := range b.Beep.Beeps() {
		if be.DurMs() < beepMinMs-beepDurSlackMs || be.DurMs() > beepMaxMs+beepDurSlackMs || be.DetectedMs < be.EndMs || be.DetectedMs > endMs {
			t.Fatalf("beep %+v (end %d)", be, endMs)
		}
	}
	p := b.Progress.State()
	if p.AnsweredAtMs > endMs || p.LastToneEndMs > endMs || p.Rings < 0 || (p.Ringback != (p.Rings > 0)) {
		t.Fatalf("progress %+v (end %d)", p, endMs)
	}
}
