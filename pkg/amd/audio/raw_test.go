package audio

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRawByExtension(t *testing.T) {
	lin := pcm16(0, 100, -100, 32767)
	cases := []struct {
		name   string
		data   []byte
		format string // Info().Format
		rate   int
		want   []float32 // nil: only the count is checked (resampled)
	}{
		{"a.sln", lin, "sln", 8000, []float32{0, 100, -100, 32767}},
		{"a.raw", lin, "sln", 8000, []float32{0, 100, -100, 32767}},
		{"a.SLN", lin, "sln", 8000, []float32{0, 100, -100, 32767}},
		{"a.ul", []byte{0xFF, 0x80}, "ul", 8000, []float32{0, 32124}},
		{"a.ulaw", []byte{0xFF, 0x80}, "ul", 8000, []float32{0, 32124}},
		{"a.pcm", []byte{0xFF, 0x80}, "ul", 8000, []float32{0, 32124}},
		{"a.al", []byte{0xD5, 0x2A}, "al", 8000, []float32{8, -32256}},
		{"a.alaw", []byte{0xD5, 0x2A}, "al", 8000, []float32{8, -32256}},
		{"a.sln16", pcm16(make([]int16, 320)...), "sln16", 16000, nil},
		{"a.sln48", pcm16(make([]int16, 960)...), "sln48", 48000, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := openBytes(t, tc.name, tc.data, DefaultOptions())
			got := readAll(t, s)
			info := s.Info()
			if info.Format != tc.format || info.SampleRate != tc.rate || info.Channels != 1 || info.ChannelNote != "mono" {
				t.Errorf("info %+v", info)
			}
			if tc.want == nil {
				if len(got) != 160 {
					t.Errorf("got %d samples, want 160 (20 ms at 8 kHz)", len(got))
				}
				return
			}
			if !equalSamples(got, tc.want) {
				t.Errorf("got %v, want %v", got, tc.want)
			}
		})
	}
}

// Options.Format overrides the extension; a RIFF header wins over a raw
// extension unless the format is forced; odd trailing bytes are reported.
func TestRawFormatOptions(t *testing.T) {
	ul := []byte{0xFF, 0x80, 0x00}
	got := readAll(t, openBytes(t, "x.bin", ul, Options{Format: "ulaw"}))
	if !equalSamples(got, []float32{0, 32124, -32124}) {
		t.Errorf("forced ulaw: %v", got)
	}
	got = readAll(t, openBytes(t, "x.ul", ul, Options{Format: "al"}))
	if !equalSamples(got, []float32{float32(ALawDecode(0xFF)), float32(ALawDecode(0x80)), float32(ALawDecode(0x00))}) {
		t.Errorf("forced alaw: %v", got)
	}

	var wav bytes.Buffer
	if err := WriteWAV(&wav, 8000, "pcm16", []float32{7, 8}); err != nil {
		t.Fatal(err)
	}
	s := openBytes(t, "really-a-wav.raw", wav.Bytes(), DefaultOptions())
	if got := readAll(t, s); !equalSamples(got, []float32{7, 8}) || s.Info().Format != "wav" {
		t.Errorf("RIFF in .raw: %v %+v", got, s.Info())
	}
	s = openBytes(t, "x.sln", pcm16(1, 2, 3)[:5], DefaultOptions())
	if got := readAll(t, s); !equalSamples(got, []float32{1, 2}) || !s.Truncated() {
		t.Errorf("odd sln: %v truncated=%v", got, s.Truncated())
	}

	// Raw samples that happen to spell "RIFF" are still raw samples.
	s = openBytes(t, "x.sln", []byte("RIFFabcdefgh"), DefaultOptions())
	if got := readAll(t, s); len(got) != 6 || got[0] != float32(int16('R')|int16('I')<<8) {
		t.Errorf("RIFF-looking sln: %v", got)
	}
	if _, err := NewStream(bytes.NewReader([]byte("RIFF\x04\x00\x00\x00AVI LIST")), "x.avi", DefaultOptions()); !errors.Is(err, ErrMalformed) ||
		!strings.Contains(err.Error(), `x.avi: RIFF header: RIFF type "AVI "`) {
		t.Errorf("RIFF AVI: %v", err)
	}

	for name, msg := range map[string]string{
		"x.g729": "x.g729: format: G.729 is not supported",
		"x.mp3":  "MP3 is not supported",
		"x.data": "unknown file type",
		"-":      "unknown file type",
	} {
		_, err := NewStream(bytes.NewReader([]byte("abcdefgh")), name, DefaultOptions())
		if !errors.Is(err, ErrUnsupported) || err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: error %v, want ErrUnsupported containing %q", name, err, msg)
		}
	}
	_, err := NewStream(bytes.NewReader(nil), "x.wav", Options{Format: "mp4"})
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), `x.wav: format: unknown format "mp4"`) {
		t.Errorf("bad forced format: %v", err)
	}
}

// Open reads from disk, knows the file size for Info().Frames and closes.
func TestOpenFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "call.wav")
	spec := wavSpec{tag: tagPCM, channels: 1, rate: 8000, bits: 16, dataSize: 0, data: pcm16(1, 2, 3)}
	if err := os.WriteFile(path, spec.bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	if f := s.Info().Frames; f != 3 {
		t.Errorf("Frames = %d with a 0 data size, want 3 from the file size", f)
	}
	if got := readAll(t, s); !equalSamples(got, []float32{1, 2, 3}) {
		t.Errorf("got %v", got)
	}
	if err := s.Close(); err != nil {
		t.Error(err)
	}
	_, err = Open(filepath.Join(dir, "missing.wav"), DefaultOptions())
	if !errors.Is(err, os.ErrNotExist) || !strings.HasPrefix(err.Error(), filepath.Join(dir, "missing.wav")+": ") {
		t.Errorf("missing file: %v", err)
	}
}

func TestIsAudioName(t *testing.T) {
	for name, want := range map[string]bool{
		"a.wav": true, "B.WAV": true, "c.gsm": true, "d.sln16": true, "e.ul": true, "f.alaw": true,
		"g.mp3": false, "h.txt": false, "noext": false, "i.wav.bak": false,
	} {
		if got := IsAudioName(name); got != want {
			t.Errorf("IsAudioName(%q) = %v, want %v", name, got, want)
		}
	}
}
