package audio

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	goaudiowav "github.com/go-audio/wav"
)

// github.com/go-audio/wav is right for integer PCM (and wrong for G.711,
// float and streaming sizes, which is why this package has its own
// reader). Where it is right it is a second oracle: on sox-made PCM files
// its integers, scaled to int16 range, equal our samples.
func TestGoAudioAgreesOnPCM(t *testing.T) {
	dir := t.TempDir()
	for _, bits := range []int{16, 24, 32} {
		path := filepath.Join(dir, "pcm.wav")
		runSox(t, "-V1", "-n", "-r", "8000", "-c", "1", "-b", strconv.Itoa(bits), path, "synth", "0.3", "sine", "200-3500", "vol", "0.8")
		f, err := os.Open(path)
		if err != nil {
			t.Fatal(err)
		}
		buf, err := goaudiowav.NewDecoder(f).FullPCMBuffer()
		f.Close()
		if err != nil {
			t.Fatal(err)
		}
		_, ours := openFile(t, path, DefaultOptions())
		if len(ours) != len(buf.Data) || len(ours) != 2400 {
			t.Fatalf("%d bits: %d samples, go-audio %d, want 2400", bits, len(ours), len(buf.Data))
		}
		scale := float32(int64(1) << (bits - 16))
		for i, v := range buf.Data {
			if ours[i] != float32(v)/scale {
				t.Fatalf("%d bits: sample %d = %v, go-audio %d/%v", bits, i, ours[i], v, scale)
			}
		}
	}
}
