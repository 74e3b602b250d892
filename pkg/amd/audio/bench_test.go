package audio

import (
	"bytes"
	"testing"
	"time"
)

// Benchmarks report "ns/audio-s" (wall time) and "cpu-ns/audio-s" (process
// CPU time, which does not depend on other load) to decode one second of
// audio into 8 kHz mono. The 8 kHz paths must stay under 50 µs per second,
// a small part of the pipeline's 1 ms budget.

const benchSeconds = 10

func benchStream(b *testing.B, file []byte, name string, opts Options) {
	b.Helper()
	buf := make([]float32, 1600)
	b.SetBytes(int64(len(file)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu0 := processCPU()
	for range b.N {
		s, err := NewStream(bytes.NewReader(file), name, opts)
		if err != nil {
			b.Fatal(err)
		}
		for {
			if _, err := s.Read(buf); err != nil {
				break
			}
		}
	}
	cpu := processCPU() - cpu0
	perAudioSecond := float64(b.Elapsed()) / float64(b.N) / benchSeconds
	cpuPerAudioSecond := float64(cpu) / float64(b.N) / benchSeconds
	b.ReportMetric(perAudioSecond, "ns/audio-s")
	b.ReportMetric(cpuPerAudioSecond, "cpu-ns/audio-s")
	b.ReportMetric(float64(time.Second)/cpuPerAudioSecond, "x-realtime-cpu")
}

func BenchmarkDecode8kPCM16(b *testing.B) {
	var w bytes.Buffer
	_ = WriteWAV(&w, 8000, "pcm16", sine(benchSeconds*8000, 8000, 1000, 10000))
	benchStream(b, w.Bytes(), "b.wav", DefaultOptions())
}

func BenchmarkDecode8kULaw(b *testing.B) {
	var w bytes.Buffer
	_ = WriteWAV(&w, 8000, "ulaw", sine(benchSeconds*8000, 8000, 1000, 10000))
	benchStream(b, w.Bytes(), "b.wav", DefaultOptions())
}

func BenchmarkDecode8kRawSln(b *testing.B) {
	var s []int16
	for _, v := range sine(benchSeconds*8000, 8000, 1000, 10000) {
		s = append(s, toInt16(v))
	}
	benchStream(b, pcm16(s...), "b.sln", DefaultOptions())
}

func BenchmarkDecode16kResample(b *testing.B) {
	var w bytes.Buffer
	_ = WriteWAV(&w, 16000, "pcm16", sine(benchSeconds*16000, 16000, 1000, 10000))
	benchStream(b, w.Bytes(), "b.wav", DefaultOptions())
}

func BenchmarkDecode44kStereoResample(b *testing.B) {
	tone := sine(benchSeconds*44100, 44100, 440, 8000)
	var frames []int16
	for _, v := range tone {
		frames = append(frames, toInt16(v/4), toInt16(v))
	}
	spec := wavSpec{tag: tagPCM, channels: 2, rate: 44100, bits: 16, dataSize: -1, data: pcm16(frames...)}
	benchStream(b, spec.bytes(), "b.wav", DefaultOptions())
}
