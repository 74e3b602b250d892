package audio

import (
	"bytes"
	"errors"
	"strings"
	"testing"
)

// fuzzSeeds is one file per layout the reader knows, plus broken ones.
func fuzzSeeds() [][]byte {
	var seeds [][]byte
	for _, tc := range formatCases() {
		spec := wavSpec{tag: tc.tag, channels: 1, rate: 8000, bits: tc.bits, blockAlign: tc.blockAlign, data: tc.data, dataSize: -1}
		seeds = append(seeds, spec.bytes())
		spec.extensible, spec.tag = tc.tag, 0
		seeds = append(seeds, spec.bytes())
	}
	data := pcm16(1, -2, 300, -400, 5000, -6000, 7000, -8000)
	base := wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 16, dataSize: -1, data: data}
	variants := []func(*wavSpec){
		func(s *wavSpec) { s.dataSize = 0xFFFFFFFF },
		func(s *wavSpec) { s.dataSize = 0 },
		func(s *wavSpec) { s.dataSize = 1 << 20 },
		func(s *wavSpec) { s.truncateTo = 50 },
		func(s *wavSpec) { s.riff = "RF64" },
		func(s *wavSpec) { s.channels, s.rate = 2, 16000 },
		func(s *wavSpec) { s.rate = 44100 },
		func(s *wavSpec) { s.tag, s.bits, s.blockAlign = 0x31, 0, 65 }, // GSM
		func(s *wavSpec) { s.tag, s.blockAlign, s.data = 0x31, 65, make([]byte, 130) },
		func(s *wavSpec) {
			s.before = [][2]string{{"LIST", "odd"}}
			s.between = [][2]string{{"fact", "\x08\x00\x00\x00"}}
		},
	}
	for _, v := range variants {
		s := base
		v(&s)
		seeds = append(seeds, s.bytes())
	}
	return seeds
}

// FuzzOpenWAV: any input either fails with a one-line error wrapping
// ErrUnsupported/ErrMalformed, or reads to io.EOF; it never panics and
// never yields more samples than the bytes could hold.
func FuzzOpenWAV(f *testing.F) {
	for _, s := range fuzzSeeds() {
		f.Add(s, int8(ChannelAuto))
	}
	f.Add([]byte("RIFF\x00\x00\x00\x00WAVE"), int8(0))
	f.Fuzz(func(t *testing.T, data []byte, channel int8) {
		s, err := NewStream(bytes.NewReader(data), "fuzz.wav", Options{Channel: int(channel)})
		if err != nil {
			checkError(t, err)
			return
		}
		buf := make([]float32, 333)
		total := 0
		for {
			n, err := s.Read(buf)
			total += n
			if err != nil {
				if err.Error() != "EOF" {
					t.Fatalf("read error on in-memory data: %v", err)
				}
				break
			}
			if n == 0 {
				t.Fatal("Read returned 0, nil")
			}
			// Decoded samples are within int16 range; the anti-alias
			// filter may overshoot on full-scale steps (Gibbs), but a
			// windowed sinc's taps sum to less than 3 in absolute value.
			for _, v := range buf[:n] {
				if v != v || v > 3*32768 || v < -3*32768 {
					t.Fatalf("sample %v out of range", v)
				}
			}
		}
		// At most one sample per byte, except GSM: 320 samples per 65 bytes.
		if total > len(data)+1 && total > len(data)*gsmMSSamplesPerBlock/gsmMSBlockSize {
			t.Fatalf("%d samples from %d bytes", total, len(data))
		}
	})
}

// FuzzRawFormats: raw files decode one sample per unit of storage, with
// the value of the table, whatever the bytes.
func FuzzRawFormats(f *testing.F) {
	f.Add([]byte{0, 1, 2, 255}, "x.sln")
	f.Add([]byte{0x7F, 0x80}, "x.ul")
	f.Add([]byte{0xD5}, "x.al")
	f.Add([]byte{1, 2, 3}, "x.sln16")
	f.Add(bytes.Repeat([]byte{0xD3}, 70), "x.gsm")
	f.Fuzz(func(t *testing.T, data []byte, name string) {
		s, err := NewStream(bytes.NewReader(data), name, DefaultOptions())
		if err != nil {
			checkError(t, err)
			return
		}
		got, err := drainStream(s)
		if err != nil { // a raw GSM frame without its signature
			checkError(t, err)
			return
		}
		info := s.Info()
		if info.Format == "ul" && len(got) != len(data) {
			t.Fatalf("ulaw: %d samples from %d bytes", len(got), len(data))
		}
		if info.Format == "sln" && (len(got) != len(data)/2 || s.Truncated() != (len(data)%2 == 1)) {
			t.Fatalf("sln: %d samples from %d bytes, truncated %v", len(got), len(data), s.Truncated())
		}
	})
}

func checkError(t *testing.T, err error) {
	t.Helper()
	if !errors.Is(err, ErrUnsupported) && !errors.Is(err, ErrMalformed) {
		t.Fatalf("error %q wraps neither ErrUnsupported nor ErrMalformed", err)
	}
	if msg := err.Error(); strings.ContainsAny(msg, "\n\r") {
		t.Fatalf("multi-line error %q", msg)
	}
}
