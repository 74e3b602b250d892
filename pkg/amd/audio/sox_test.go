package audio

import (
	"encoding/binary"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Cross-checks against sox, an independent implementation: sox writes the
// files (at test time, into t.TempDir) and also decodes them to raw
// float64, which is the reference for our decoder. sox is a test
// dependency installed by scripts/deps.sh.

func soxPath(t *testing.T) string {
	t.Helper()
	p, err := exec.LookPath("sox")
	if err != nil {
		t.Fatalf("sox is required by these tests (install it with scripts/deps.sh): %v", err)
	}
	return p
}

func runSox(t *testing.T, args ...string) {
	t.Helper()
	out, err := exec.Command(soxPath(t), args...).CombinedOutput()
	if err != nil {
		t.Fatalf("sox %s: %v\n%s", strings.Join(args, " "), err, out)
	}
}

// soxReference decodes path with sox (optionally through extra effects) to
// float64 in int16 scale.
func soxReference(t *testing.T, path string, effects ...string) []float64 {
	t.Helper()
	ref := path + ".f64"
	runSox(t, append([]string{"-V1", path, "-t", "raw", "-e", "floating-point", "-b", "64", ref}, effects...)...)
	b, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(b)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])) * 32768
	}
	return out
}

func openFile(t *testing.T, path string, opts Options) (*Stream, []float32) {
	t.Helper()
	s, err := Open(path, opts)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	return s, readAll(t, s)
}

// Formats sox writes, decoded bit-exactly like sox decodes them.
func TestSoxFormatsBitExact(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		file     string
		soxArgs  []string // output options before the file name
		encoding string
	}{
		{"ulaw.wav", []string{"-e", "u-law"}, "ulaw"},
		{"alaw.wav", []string{"-e", "a-law"}, "alaw"},
		{"pcm8.wav", []string{"-b", "8"}, "pcm8"},
		{"pcm16.wav", []string{"-b", "16"}, "pcm16"},
		{"pcm24.wav", []string{"-b", "24"}, "pcm24"}, // sox writes EXTENSIBLE here
		{"pcm32.wav", []string{"-b", "32"}, "pcm32"},
		{"float.wav", []string{"-e", "floating-point", "-b", "32"}, "float32"},
		{"double.wav", []string{"-e", "floating-point", "-b", "64"}, "float64"},
		{"raw.ul", []string{"-t", "ul"}, "ulaw"},
		{"raw.al", []string{"-t", "al"}, "alaw"},
		{"raw.sln", []string{"-t", "raw", "-e", "signed-integer", "-b", "16"}, "pcm16"},
	}
	for _, tc := range cases {
		t.Run(tc.file, func(t *testing.T) {
			path := filepath.Join(dir, tc.file)
			args := append([]string{"-V1", "-n", "-r", "8000", "-c", "1"}, tc.soxArgs...)
			runSox(t, append(args, path, "synth", "0.5", "sine", "300-3000", "vol", "0.9")...)
			rawType := []string{}
			if !strings.HasSuffix(tc.file, ".wav") {
				rawType = tc.soxArgs
			}
			want := soxReferenceTyped(t, path, rawType)
			s, got := openFile(t, path, DefaultOptions())
			if s.Info().Encoding != tc.encoding {
				t.Errorf("encoding %q, want %q", s.Info().Encoding, tc.encoding)
			}
			if len(got) != 4000 || len(want) != 4000 {
				t.Fatalf("got %d samples, sox %d, want 4000", len(got), len(want))
			}
			for i := range got {
				if got[i] != float32(want[i]) {
					t.Fatalf("sample %d = %v, sox says %v", i, got[i], want[i])
				}
			}
		})
	}
}

// soxReferenceTyped is soxReference for raw files, whose type must be
// given to sox before the input name.
func soxReferenceTyped(t *testing.T, path string, inType []string) []float64 {
	if len(inType) == 0 {
		return soxReference(t, path)
	}
	ref := path + ".f64"
	args := append([]string{"-V1", "-r", "8000", "-c", "1"}, inType...)
	runSox(t, append(args, path, "-t", "raw", "-e", "floating-point", "-b", "64", ref)...)
	b, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float64, len(b)/8)
	for i := range out {
		out[i] = math.Float64frombits(binary.LittleEndian.Uint64(b[8*i:])) * 32768
	}
	return out
}

// Our encoders match sox's: a file we write in G.711 decodes (by sox) to
// the same values we decode.
func TestSoxReadsOurG711(t *testing.T) {
	dir := t.TempDir()
	in := sine(8000, 8000, 1234.5, 20000)
	for i := range in {
		in[i] += float32(i%97) - 48 // not a pure tone: all codewords' neighbourhoods
	}
	for _, enc := range []string{"ulaw", "alaw"} {
		path := filepath.Join(dir, enc+".wav")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := WriteWAV(f, 8000, enc, in); err != nil {
			t.Fatal(err)
		}
		f.Close()
		want := soxReference(t, path, "vol", "1")
		for i, v := range in {
			q := toInt16(v)
			got := float64(ULawDecode(ULawEncode(q)))
			if enc == "alaw" {
				got = float64(ALawDecode(ALawEncode(q)))
			}
			if got != want[i] {
				t.Fatalf("%s sample %d (%d): we decode %v, sox %v", enc, i, q, got, want[i])
			}
		}
	}
}

// 44.1 kHz stereo: the louder channel is chosen and resampled; sox's own
// high-quality resampler of the same channel agrees to better than -40 dB.
func TestSoxStereo44k(t *testing.T) {
	path := filepath.Join(t.TempDir(), "stereo.wav")
	runSox(t, "-V1", "-n", "-r", "44100", "-c", "2", "-b", "16", path,
		"synth", "2", "sine", "1000", "sine", "440", "remix", "1v0.05", "2v0.5")
	want := soxReference(t, path, "remix", "2", "rate", "-v", "8000")
	s, got := openFile(t, path, DefaultOptions())
	info := s.Info()
	if info.Channel != 1 || !strings.HasPrefix(info.ChannelNote, "channel 1 of 2 (louder by 20.0 dB") ||
		info.SampleRate != 44100 || !info.Resampled || info.Frames != 88200 {
		t.Fatalf("info %+v", info)
	}
	if len(got) != 16000 || len(want) != 16000 {
		t.Fatalf("got %d samples, sox %d, want 16000", len(got), len(want))
	}
	var sig, diff float64
	for i := 800; i < len(got)-800; i++ {
		sig += want[i] * want[i]
		d := float64(got[i]) - want[i]
		diff += d * d
	}
	if db := 10 * math.Log10(diff/sig); db > -40 {
		t.Errorf("difference from sox's resampler: %.1f dB, want ≤ -40 dB", db)
	}
	if db := toneLevelDB(got, 440, 0.5*32768); math.Abs(db) > 0.2 {
		t.Errorf("440 Hz level %.2f dB, want 0 ±0.2", db)
	}
}

// sox writing to a pipe leaves a placeholder data size: NewStream on the
// pipe reads to the end and does not call the file truncated.
func TestSoxPipe(t *testing.T) {
	cmd := exec.Command(soxPath(t), "-V1", "-n", "-r", "16000", "-b", "16", "-t", "wav", "-", "synth", "3", "sine", "700", "gain", "-n", "-6")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s, err := NewStream(out, "-", DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	got := readAll(t, s)
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if len(got) != 24000 || s.Truncated() || s.Info().Frames != -1 || s.Info().HeaderFrames != -1 {
		t.Errorf("%d samples (want 24000), truncated %v, info %+v", len(got), s.Truncated(), s.Info())
	}
	if db := toneLevelDB(got, 700, 0.5*32768); math.Abs(db) > 0.2 { // normalised to -6 dBFS
		t.Errorf("700 Hz level %.2f dB", db)
	}
}

// GSM-in-WAV (Asterisk's "WAV"/wav49) is decoded like sox decodes it
// (gsm_test.go checks the decoder in depth); ADPCM is refused with a
// clear message.
func TestSoxGSMWAVAndADPCM(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "gsm.WAV")
	runSox(t, "-V1", "-n", "-r", "8000", "-e", "gsm-full-rate", "-t", "wav", path, "synth", "0.2", "sine", "1000")
	s, got := openFile(t, path, DefaultOptions())
	want := soxReference(t, path)
	if s.Info().Encoding != "gsm-ms" || len(got) != len(want) || len(got) < 1600 {
		t.Fatalf("info %+v, %d samples, sox %d", s.Info(), len(got), len(want))
	}
	for i := range got {
		if float64(got[i]) != want[i] {
			t.Fatalf("sample %d = %v, sox says %v", i, got[i], want[i])
		}
	}
	path = filepath.Join(dir, "adpcm.wav")
	runSox(t, "-V1", "-n", "-r", "8000", "-e", "ima-adpcm", "-t", "wav", path, "synth", "0.2", "sine", "1000")
	_, err := Open(path, DefaultOptions())
	if !errors.Is(err, ErrUnsupported) || !strings.Contains(err.Error(), path+": fmt chunk: unsupported format 0x0011 (IMA ADPCM); convert with: sox") {
		t.Errorf("error %v", err)
	}
}
