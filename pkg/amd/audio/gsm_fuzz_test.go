package audio

import (
	"bytes"
	"errors"
	"io"
	"math/rand/v2"
	"slices"
	"testing"
)

// drainStream reads s to the end, returning the samples and the first
// error other than io.EOF.
func drainStream(s *Stream) ([]float32, error) {
	var out []float32
	buf := make([]float32, 509)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// checkGSMSamples: decoded GSM is 13-bit audio in int16 scale (multiples
// of 8), one frame's worth per whole block.
func checkGSMSamples(t *testing.T, got []float32, blocks, perBlock int) {
	t.Helper()
	if len(got) != blocks*perBlock {
		t.Fatalf("%d samples from %d whole blocks, want %d", len(got), blocks, blocks*perBlock)
	}
	for i, v := range got {
		if v != float32(int16(v)) || int16(v)%8 != 0 {
			t.Fatalf("sample %d = %v: not a 13-bit value in int16 scale", i, v)
		}
	}
}

func gsmFuzzSeeds() [][]byte {
	rng := rand.New(rand.NewPCG(7, 8))
	var frames []byte
	for range 4 {
		p := randomGSMParams(rng)
		frames = append(frames, packGSMFrame(&p)...)
	}
	return [][]byte{
		nil,
		frames,
		frames[:50], // truncated second frame
		append(slices.Clone(frames[:gsmFrameBytes]), bytes.Repeat([]byte{0x4F}, gsmFrameBytes)...), // bad signature in frame 2
		bytes.Repeat([]byte{0xD0}, 2*33),     // all-zero parameters
		bytes.Repeat([]byte{0xDF, 0xFF}, 40), // all-ones parameters, loudest
	}
}

// FuzzGSMRaw: any bytes named .gsm either fail with a one-line
// ErrMalformed (a frame without its 0xD signature) or decode to 160
// 13-bit samples per whole frame, a partial last frame being reported as
// truncation. Never a panic.
func FuzzGSMRaw(f *testing.F) {
	for _, s := range gsmFuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := NewStream(bytes.NewReader(data), "fuzz.gsm", DefaultOptions())
		if err != nil {
			checkError(t, err)
			if !errors.Is(err, ErrMalformed) || data[0]>>4 == gsmSignature {
				t.Fatalf("open: %v", err)
			}
			return
		}
		got, err := drainStream(s)
		if err != nil {
			checkError(t, err)
			bad := len(got) / gsmFrameSamples // the frame that failed
			if !errors.Is(err, ErrMalformed) || data[bad*gsmFrameBytes]>>4 == gsmSignature {
				t.Fatalf("read: %v after %d samples", err, len(got))
			}
			return
		}
		checkGSMSamples(t, got, len(data)/gsmFrameBytes, gsmFrameSamples)
		if s.Truncated() != (len(data)%gsmFrameBytes != 0) {
			t.Fatalf("truncated %v with %d bytes", s.Truncated(), len(data))
		}
	})
}

// FuzzGSMWAV: any data behind a Microsoft GSM header decodes to 320
// samples per whole 65-byte block (there is no invalid block).
func FuzzGSMWAV(f *testing.F) {
	for _, s := range gsmFuzzSeeds() {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		s, err := NewStream(bytes.NewReader(gsmWAV(data)), "fuzz.wav", DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		got, err := drainStream(s)
		if err != nil {
			t.Fatal(err)
		}
		checkGSMSamples(t, got, len(data)/gsmMSBlockSize, gsmMSSamplesPerBlock)
	})
}

// FuzzGSMLayouts: the same two frames packed in the raw and in the
// Microsoft layout unpack to the same parameters and decode to the same
// samples.
func FuzzGSMLayouts(f *testing.F) {
	f.Add([]byte{}, []byte{})
	f.Add(bytes.Repeat([]byte{0xFF}, 76), bytes.Repeat([]byte{0x55}, 76))
	f.Add([]byte("long-term lag out of range"), []byte{0, 1, 2, 3, 4, 5, 6, 7})
	f.Fuzz(func(t *testing.T, a, b []byte) {
		p1, p2 := gsmParamsFrom(a), gsmParamsFrom(b)
		raw := append(packGSMFrame(&p1), packGSMFrame(&p2)...)
		viaRaw, err := drainStream(mustStream(t, "f.gsm", raw))
		if err != nil {
			t.Fatal(err)
		}
		viaMS, err := drainStream(mustStream(t, "f.wav", gsmWAV(packMSBlock(&p1, &p2))))
		if err != nil {
			t.Fatal(err)
		}
		checkGSMSamples(t, viaRaw, 2, gsmFrameSamples)
		if !equalSamples(viaRaw, viaMS) {
			t.Fatal("raw and Microsoft layouts decode differently")
		}
	})
}

func mustStream(t *testing.T, name string, data []byte) *Stream {
	t.Helper()
	s, err := NewStream(bytes.NewReader(data), name, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	return s
}
