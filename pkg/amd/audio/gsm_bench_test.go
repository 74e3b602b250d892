package audio

import (
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"testing"
	"time"
)

// GSM decoding cost per second of audio. Target: well under 1 ms (the
// whole AMD pipeline's budget), aim < 200 µs.

// gsmBenchFile encodes benchSeconds of Asterisk prompts with sox in the
// given sox output type ("gsm", or "wav" with -e gsm-full-rate).
func gsmBenchFile(b *testing.B, name string, soxOut ...string) []byte {
	b.Helper()
	all, _ := filepath.Glob(filepath.Join(asteriskSoundsEN, "*.wav"))
	if len(all) < 24 {
		b.Fatal("the Asterisk English prompts are required (scripts/deps.sh)")
	}
	slices.Sort(all)
	var picked []string
	for i := 0; i < len(all); i += 12 {
		picked = append(picked, all[i])
	}
	path := filepath.Join(b.TempDir(), name)
	args := append(append([]string{"-V1"}, picked...), "-r", "8000", "-c", "1")
	args = append(append(args, soxOut...), path, "trim", "0", "10")
	if out, err := exec.Command("sox", args...).CombinedOutput(); err != nil {
		b.Fatalf("sox: %v\n%s", err, out)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		b.Fatal(err)
	}
	return data
}

func BenchmarkDecode8kGSM(b *testing.B) {
	data := gsmBenchFile(b, "b.gsm", "-t", "gsm")
	if len(data) != benchSeconds*50*gsmFrameBytes {
		b.Fatalf("%d bytes, want %d s of frames", len(data), benchSeconds)
	}
	benchStream(b, data, "b.gsm", DefaultOptions())
}

func BenchmarkDecode8kGSMWAV49(b *testing.B) {
	data := gsmBenchFile(b, "b.wav", "-t", "wav", "-e", "gsm-full-rate")
	benchStream(b, data, "b.wav", DefaultOptions())
}

// BenchmarkGSMFrame is the decoder alone: unpacking and synthesis of one
// 20 ms frame, reported also per second of audio (50 frames).
func BenchmarkGSMFrame(b *testing.B) {
	data := gsmBenchFile(b, "f.gsm", "-t", "gsm")
	frames := len(data) / gsmFrameBytes
	dec := newGSMDecoder()
	var p gsmParams
	out := make([]float32, gsmFrameSamples)
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for i := range b.N {
		off := (i % frames) * gsmFrameBytes
		unpackGSMFrame(data[off:off+gsmFrameBytes], &p)
		dec.decode(&p, out)
	}
	cpu := processCPU() - cpu0
	b.ReportMetric(float64(cpu)/float64(b.N)*50, "cpu-ns/audio-s")
	b.ReportMetric(float64(time.Second)/(float64(cpu)/float64(b.N)*50), "x-realtime-cpu")
}
