package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math"
	"strings"
	"testing"
	"testing/iotest"
)

// formatCase is one sample layout with known bytes and known decoded values.
type formatCase struct {
	name       string
	tag        uint16
	bits       int
	blockAlign int
	data       []byte
	want       []float32
	enc        string
}

func formatCases() []formatCase {
	f32 := func(v ...float32) []byte {
		var b []byte
		for _, x := range v {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(x))
		}
		return b
	}
	f64 := func(v ...float64) []byte {
		var b []byte
		for _, x := range v {
			b = binary.LittleEndian.AppendUint64(b, math.Float64bits(x))
		}
		return b
	}
	return []formatCase{
		{name: "pcm8", tag: tagPCM, bits: 8, data: []byte{128, 255, 0, 129},
			want: []float32{0, 127 * 256, -32768, 256}, enc: "pcm8"},
		{name: "pcm16", tag: tagPCM, bits: 16, data: pcm16(0, 32767, -32768, 1234),
			want: []float32{0, 32767, -32768, 1234}, enc: "pcm16"},
		{name: "pcm24", tag: tagPCM, bits: 24,
			data: []byte{0, 0, 0, 0xFF, 0xFF, 0x7F, 0, 0, 0x80, 0x80, 0x00, 0x01},
			want: []float32{0, 8388607.0 / 256, -32768, (0x010080) / 256.0}, enc: "pcm24"},
		{name: "pcm32", tag: tagPCM, bits: 32,
			data: binary.LittleEndian.AppendUint32(binary.LittleEndian.AppendUint32(nil, 0x7FFFFFFF), 0x80000000),
			want: []float32{float32(0x7FFFFFFF) / 65536, -32768}, enc: "pcm32"},
		{name: "pcm24-in-32 (block align wins)", tag: tagPCM, bits: 24, blockAlign: 4,
			data: binary.LittleEndian.AppendUint32(nil, 0x01000000), want: []float32{256}, enc: "pcm32"},
		{name: "float32", tag: tagFloat, bits: 32,
			data: f32(0, 0.5, -1, 2, float32(math.NaN()), float32(math.Inf(-1))),
			want: []float32{0, 16384, -32768, 32767, 0, -32768}, enc: "float32"},
		{name: "float64", tag: tagFloat, bits: 64, data: f64(0.25, -0.25, 1),
			want: []float32{8192, -8192, 32767}, enc: "float64"},
		{name: "ulaw", tag: tagULaw, bits: 8, data: []byte{0xFF, 0x80, 0x00, 0x8F},
			want: []float32{0, 32124, -32124, 16764}, enc: "ulaw"},
		{name: "alaw", tag: tagALaw, bits: 8, data: []byte{0xD5, 0x55, 0xAA, 0x2A},
			want: []float32{8, -8, 32256, -32256}, enc: "alaw"},
	}
}

func TestDecodeEveryFormat(t *testing.T) {
	for _, tc := range formatCases() {
		for _, ext := range []bool{false, true} {
			spec := wavSpec{tag: tc.tag, channels: 1, rate: 8000, bits: tc.bits, blockAlign: tc.blockAlign, data: tc.data, dataSize: -1}
			name := tc.name
			if ext {
				spec.extensible, spec.tag = tc.tag, 0
				name += "/extensible"
			}
			t.Run(name, func(t *testing.T) {
				s := openBytes(t, "f.wav", spec.bytes(), DefaultOptions())
				got := readAll(t, s)
				if !equalSamples(got, tc.want) {
					t.Fatalf("got %v, want %v", got, tc.want)
				}
				if e := s.Info().Encoding; e != tc.enc {
					t.Errorf("encoding %q, want %q", e, tc.enc)
				}
				if s.Truncated() {
					t.Error("Truncated() on a complete file")
				}
			})
		}
	}
}

func equalSamples(a, b []float32) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// Chunks the reader must step over: LIST/fact/odd-sized chunks before and
// after fmt (with their pad byte), and an odd chunk whose writer forgot
// the pad byte.
func TestChunksSkipped(t *testing.T) {
	want := []float32{1, 2, 3, -4}
	cases := map[string]wavSpec{
		"LIST and fact": {before: [][2]string{{"LIST", "INFOISFT\x05\x00\x00\x00sox!\x00"}},
			between: [][2]string{{"fact", "\x04\x00\x00\x00"}}},
		"odd-sized chunks":  {before: [][2]string{{"junk", "abc"}}, between: [][2]string{{"bext", "12345"}, {"cue ", "x"}}},
		"empty chunk":       {between: [][2]string{{"PEAK", ""}}},
		"odd fmt extension": {},
	}
	for name, spec := range cases {
		t.Run(name, func(t *testing.T) {
			spec.tag, spec.channels, spec.rate, spec.bits, spec.dataSize = tagPCM, 1, 8000, 16, -1
			spec.data = pcm16(1, 2, 3, -4)
			got := readAll(t, openBytes(t, "c.wav", spec.bytes(), DefaultOptions()))
			if !equalSamples(got, want) {
				t.Fatalf("got %v, want %v", got, want)
			}
		})
	}
	t.Run("missing pad byte", func(t *testing.T) {
		spec := wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 16, dataSize: -1, data: pcm16(1, 2, 3, -4)}
		b := spec.bytes()
		// Insert "odd!" + size 3 + "abc" without its pad byte after "WAVE".
		bad := append([]byte{}, b[:12]...)
		bad = append(bad, "odd!\x03\x00\x00\x00abc"...)
		bad = append(bad, b[12:]...)
		got := readAll(t, openBytes(t, "p.wav", bad, DefaultOptions()))
		if !equalSamples(got, want) {
			t.Fatalf("got %v, want %v", got, want)
		}
	})
	t.Run("fmt chunk of 18 bytes and odd 19", func(t *testing.T) {
		for _, extra := range []string{"\x00\x00", "\x00\x00\x07"} {
			spec := wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 16, dataSize: -1, data: pcm16(1, 2, 3, -4)}
			b := spec.bytes()
			// Grow the fmt chunk (at offset 12) by the extra bytes (+pad if odd).
			size := binary.LittleEndian.Uint32(b[16:20])
			body := append(append([]byte{}, b[20:20+size]...), extra...)
			if len(body)%2 == 1 {
				body = append(body, 0)
			}
			var out []byte
			out = append(out, b[:16]...)
			out = binary.LittleEndian.AppendUint32(out, size+uint32(len(extra)))
			out = append(out, body...)
			out = append(out, b[20+size:]...)
			got := readAll(t, openBytes(t, "e.wav", out, DefaultOptions()))
			if !equalSamples(got, want) {
				t.Fatalf("extra %q: got %v, want %v", extra, got, want)
			}
		}
	})
}

// Streaming recorders leave 0 or 0xFFFFFFFF as the data size; a data size
// larger than the file means a truncated file: read what is there.
func TestDataSizes(t *testing.T) {
	data := pcm16(5, 6, 7, 8, 9)
	cases := []struct {
		name      string
		size      int64
		cut       int // bytes removed from the end
		want      int
		truncated bool
		frames    int64 // Info().Frames with NewStream (no file size known)
	}{
		{"exact", -1, 0, 5, false, 5},
		{"0xFFFFFFFF", 0xFFFFFFFF, 0, 5, false, -1},
		{"zero", 0, 0, 5, false, -1},
		{"larger than file", 1000, 0, 5, true, 500},
		{"cut mid-sample", -1, 1, 4, true, 5},
		{"odd size stops at whole frames", 7, 0, 3, false, 3},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			spec := wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 16, dataSize: tc.size, data: data}
			b := spec.bytes()
			b = b[:len(b)-tc.cut]
			s := openBytes(t, "d.wav", b, DefaultOptions())
			got := readAll(t, s)
			if len(got) != tc.want || !equalSamples(got, []float32{5, 6, 7, 8, 9}[:tc.want]) {
				t.Fatalf("got %v, want the first %d samples", got, tc.want)
			}
			if s.Truncated() != tc.truncated {
				t.Errorf("Truncated() = %v, want %v", s.Truncated(), tc.truncated)
			}
			if f := s.Info().Frames; f != tc.frames {
				t.Errorf("Info().Frames = %d, want %d", f, tc.frames)
			}
		})
	}
}

func TestRF64(t *testing.T) {
	spec := wavSpec{riff: "RF64", tag: tagPCM, channels: 1, rate: 8000, bits: 16, dataSize: -1, data: pcm16(1, -1, 2, -2)}
	s := openBytes(t, "r.wav", spec.bytes(), DefaultOptions())
	got := readAll(t, s)
	if !equalSamples(got, []float32{1, -1, 2, -2}) || s.Info().Format != "rf64" || s.Info().Frames != 4 {
		t.Fatalf("got %v, info %+v", got, s.Info())
	}
}

// Every rejection is one line naming the file and the field, and wraps
// ErrUnsupported or ErrMalformed.
func TestErrors(t *testing.T) {
	ok := wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 16, dataSize: -1, data: pcm16(1, 2)}
	mod := func(f func(*wavSpec)) []byte { s := ok; f(&s); return s.bytes() }
	cases := []struct {
		name string
		data []byte
		kind error
		msg  string
	}{
		{"gsm bad block align", mod(func(s *wavSpec) { s.tag, s.bits, s.blockAlign = 0x31, 0, 64 }), ErrMalformed,
			"call.wav: fmt chunk: GSM 6.10 block align 64, want 65"},
		{"ima adpcm", mod(func(s *wavSpec) { s.tag, s.bits = 0x11, 4 }), ErrUnsupported, "format 0x0011 (IMA ADPCM)"},
		{"extensible adpcm", mod(func(s *wavSpec) { s.extensible, s.bits = 0x11, 4 }), ErrUnsupported, "format 0x0011"},
		{"4 kHz", mod(func(s *wavSpec) { s.rate = 4000 }), ErrUnsupported, "call.wav: fmt chunk: sample rate 4000 Hz is below 8000 Hz"},
		{"12-bit g711", mod(func(s *wavSpec) { s.tag = tagULaw }), ErrUnsupported, "16-bit G.711"},
		{"not riff", []byte("ID3\x04 this is an mp3 file"), ErrMalformed, "call.wav: RIFF header: not a WAV file"},
		{"not wave", []byte("RIFF\x10\x00\x00\x00AVI LIST"), ErrMalformed, "RIFF type \"AVI \""},
		{"rifx", []byte("RIFX\x00\x00\x00\x10WAVEfmt "), ErrUnsupported, "big-endian"},
		{"short", []byte("RIFF"), ErrMalformed, "call.wav: RIFF header: file ends after 4 bytes"},
		{"empty", nil, ErrMalformed, "call.wav: RIFF header: file ends after 0 bytes"},
		{"no fmt", []byte("RIFF\x04\x00\x00\x00WAVE"), ErrMalformed, "call.wav: fmt chunk: missing"},
		{"no data", mod(func(s *wavSpec) {})[:36], ErrMalformed, "call.wav: data chunk: missing"},
		{"data before fmt", []byte("RIFF\x04\x00\x00\x00WAVEdata\x02\x00\x00\x00\x01\x02"), ErrMalformed, "data chunk: comes before the fmt chunk"},
		{"0 channels", mod(func(s *wavSpec) { s.channels, s.blockAlign = 0, 2 }), ErrMalformed, "fmt chunk: 0 channels"},
		{"bad block align", mod(func(s *wavSpec) { s.blockAlign = 7 }), ErrMalformed, "block align 7"},
		{"short fmt", []byte("RIFF\x04\x00\x00\x00WAVEfmt \x04\x00\x00\x00\x01\x00\x01\x00"), ErrMalformed, "fmt chunk: size 4"},
		{"huge chunk", []byte("RIFF\x04\x00\x00\x00WAVELIST\xff\xff\xff\x7fxx"), ErrMalformed, "LIST chunk: chunk runs past the end"},
		{"bad guid", func() []byte {
			b := mod(func(s *wavSpec) { s.extensible = 1 })
			copy(b[12+8+26:], "\x01\x02") // corrupt the GUID tail
			return b
		}(), ErrUnsupported, "not a standard WAVE format"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewStream(bytes.NewReader(tc.data), "call.wav", DefaultOptions())
			if err == nil {
				t.Fatal("no error")
			}
			if !errors.Is(err, tc.kind) {
				t.Errorf("error %q does not wrap %v", err, tc.kind)
			}
			if !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q, want one line containing %q", err, tc.msg)
			}
		})
	}
}

// A non-seekable reader that returns one byte at a time gives the same
// samples as an in-memory file.
func TestOneByteReader(t *testing.T) {
	in := sine(3000, 44100, 1000, 8000)
	spec := wavSpec{tag: tagPCM, channels: 1, rate: 44100, bits: 16, dataSize: 0xFFFFFFFF}
	for _, v := range in {
		spec.data = binary.LittleEndian.AppendUint16(spec.data, uint16(toInt16(v)))
	}
	b := spec.bytes()
	want := readAll(t, openBytes(t, "a.wav", b, DefaultOptions()))
	s, err := NewStream(iotest.OneByteReader(bytes.NewReader(b)), "a.wav", DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, s)
	if !equalSamples(got, want) {
		t.Fatalf("one-byte reader gave %d samples, in-memory %d (or different values)", len(got), len(want))
	}
	if n := len(want); n != (3000*8000+44099)/44100 {
		t.Errorf("%d output samples for 3000 at 44.1 kHz", n)
	}
}
