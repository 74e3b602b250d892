package audio

import (
	"errors"
	"strings"
	"testing"
)

// stereo16 interleaves two channels as 16-bit PCM.
func stereo16(l, r []float32) []byte {
	var s []int16
	for i := range l {
		s = append(s, toInt16(l[i]), toInt16(r[i]))
	}
	return pcm16(s...)
}

func TestChannelSelection(t *testing.T) {
	n := 8000
	quiet := sine(n, 8000, 440, 300)
	loud := sine(n, 8000, 1000, 9000)
	spec := wavSpec{tag: tagPCM, channels: 2, rate: 8000, bits: 16, dataSize: -1, data: stereo16(quiet, loud)}
	b := spec.bytes()

	s := openBytes(t, "st.wav", b, DefaultOptions())
	got := readAll(t, s)
	info := s.Info()
	if info.Channel != 1 || !strings.HasPrefix(info.ChannelNote, "channel 1 of 2 (louder by 29.5 dB") {
		t.Errorf("auto: channel %d, note %q", info.Channel, info.ChannelNote)
	}
	if len(got) != n || got[100] != float32(toInt16(loud[100])) {
		t.Errorf("auto: %d samples, got[100]=%v", len(got), got[100])
	}

	s = openBytes(t, "st.wav", b, Options{Channel: 0})
	got = readAll(t, s)
	if s.Info().ChannelNote != "channel 0 of 2 (requested)" || got[100] != float32(toInt16(quiet[100])) {
		t.Errorf("channel 0: note %q got[100]=%v", s.Info().ChannelNote, got[100])
	}

	s = openBytes(t, "st.wav", b, Options{Channel: ChannelMix})
	got = readAll(t, s)
	want := (float32(toInt16(quiet[100])) + float32(toInt16(loud[100]))) / 2
	if s.Info().Channel != ChannelMix || s.Info().ChannelNote != "mix of 2 channels (average)" || got[100] != want {
		t.Errorf("mix: %+v got[100]=%v want %v", s.Info(), got[100], want)
	}

	for _, ch := range []int{2, -3} {
		_, err := NewStream(strings.NewReader(string(b)), "st.wav", Options{Channel: ch})
		if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), "st.wav: channel: ") {
			t.Errorf("channel %d: %v", ch, err)
		}
	}
}

// Silent or equal channels go to the first channel, and the note says so;
// a DC offset does not make a silent channel "louder".
func TestChannelAutoTies(t *testing.T) {
	n := 4000
	zero := make([]float32, n)
	dc := make([]float32, n)
	for i := range dc {
		dc[i] = 5000
	}
	tone := sine(n, 8000, 700, 1000)
	cases := []struct {
		l, r    []float32
		channel int
		note    string
	}{
		{zero, zero, 0, "channel 0 of 2 (first; all channels silent over the first 0.5 s)"},
		{tone, tone, 0, "channel 0 of 2 (first; channels equally loud over the first 0.5 s)"},
		{dc, tone, 1, "channel 1 of 2 (louder: the only one with sound over the first 0.5 s)"},
		{tone, sine(n, 8000, 700, 500), 0, "channel 0 of 2 (louder by 6.0 dB over the first 0.5 s)"},
	}
	for _, tc := range cases {
		spec := wavSpec{tag: tagPCM, channels: 2, rate: 8000, bits: 16, dataSize: -1, data: stereo16(tc.l, tc.r)}
		s := openBytes(t, "t.wav", spec.bytes(), DefaultOptions())
		if got := readAll(t, s); len(got) != n {
			t.Errorf("%d samples", len(got))
		}
		if s.Info().Channel != tc.channel || !strings.HasPrefix(s.Info().ChannelNote, tc.note) {
			t.Errorf("channel %d note %q, want %d %q", s.Info().Channel, s.Info().ChannelNote, tc.channel, tc.note)
		}
	}
}

// The look-ahead is bounded: a long file with the louder channel only after
// the first 5 s keeps the first choice, and all of it is still returned.
func TestChannelLookAheadBounded(t *testing.T) {
	n := 8000 * 8
	l := sine(n, 8000, 500, 2000)
	r := make([]float32, n)
	copy(r[6*8000:], sine(2*8000, 8000, 500, 20000))
	spec := wavSpec{tag: tagPCM, channels: 2, rate: 8000, bits: 16, dataSize: -1, data: stereo16(l, r)}
	s := openBytes(t, "t.wav", spec.bytes(), DefaultOptions())
	got := readAll(t, s)
	if s.Info().Channel != 0 || !strings.Contains(s.Info().ChannelNote, "first 5.0 s") || len(got) != n {
		t.Errorf("info %+v, %d samples", s.Info(), len(got))
	}
	for i := range got {
		if got[i] != float32(toInt16(l[i])) {
			t.Fatalf("sample %d = %v, want %v", i, got[i], l[i])
		}
	}
}

// A stereo file cut short: the look-ahead sees the end of the file, the
// louder channel is still chosen, and the truncation is reported.
func TestChannelAutoOnTruncatedFile(t *testing.T) {
	n := 100
	spec := wavSpec{tag: tagPCM, channels: 2, rate: 16000, bits: 16, dataSize: 4000 * 4,
		data: stereo16(sine(n, 16000, 500, 100), sine(n, 16000, 500, 3000))}
	s := openBytes(t, "cut.wav", spec.bytes(), DefaultOptions())
	got := readAll(t, s)
	if len(got) != n/2 || !s.Truncated() || s.Info().Channel != 1 || s.Info().HeaderFrames != 4000 {
		t.Errorf("%d samples (want %d), truncated %v, info %+v", len(got), n/2, s.Truncated(), s.Info())
	}
}
