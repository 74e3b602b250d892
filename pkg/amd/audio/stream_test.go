package audio

import (
	"bytes"
	"testing"
)

// WriteWAV then read back: PCM16 is exact, G.711 equals the table value of
// the encoded sample.
func TestWriteWAVRoundTrip(t *testing.T) {
	in := []float32{0, 1, -1, 1000, -1000, 32767, -32768, 12345.4, -40000, 40000}
	for _, enc := range []string{"pcm16", "ulaw", "alaw"} {
		var buf bytes.Buffer
		if err := WriteWAV(&buf, 8000, enc, in); err != nil {
			t.Fatalf("%s: WriteWAV: %v", enc, err)
		}
		s := openBytes(t, "x.wav", buf.Bytes(), DefaultOptions())
		got := readAll(t, s)
		if len(got) != len(in) {
			t.Fatalf("%s: got %d samples, want %d", enc, len(got), len(in))
		}
		for i, v := range in {
			q := toInt16(v)
			want := float32(q)
			switch enc {
			case "ulaw":
				want = float32(ULawDecode(ULawEncode(q)))
			case "alaw":
				want = float32(ALawDecode(ALawEncode(q)))
			}
			if got[i] != want {
				t.Errorf("%s: sample %d = %v, want %v", enc, i, got[i], want)
			}
		}
		info := s.Info()
		if info.Encoding != enc || info.SampleRate != 8000 || info.Channels != 1 || info.Frames != int64(len(in)) || s.Truncated() {
			t.Errorf("%s: info %+v truncated %v", enc, info, s.Truncated())
		}
	}
}
