package audio

import (
	"bytes"
	"io"
	"runtime"
	"testing"
)

// synthReader serves a WAV header followed by a repeating pattern of data
// bytes: an arbitrarily long recording without holding it in memory, and
// not seekable (like a pipe).
type synthReader struct {
	hdr     []byte
	pattern []byte
	left    int64 // data bytes still to serve
	off     int   // position in pattern
}

func (r *synthReader) Read(p []byte) (int, error) {
	if len(r.hdr) > 0 {
		n := copy(p, r.hdr)
		r.hdr = r.hdr[n:]
		return n, nil
	}
	if r.left == 0 {
		return 0, io.EOF
	}
	if int64(len(p)) > r.left {
		p = p[:r.left]
	}
	n := 0
	for n < len(p) {
		m := copy(p[n:], r.pattern[r.off:])
		n += m
		r.off = (r.off + m) % len(r.pattern)
	}
	r.left -= int64(n)
	return n, nil
}

// streamingHeader is a WAV header with the 0xFFFFFFFF sizes of a streaming
// recorder: nothing tells the reader how long the file is.
func streamingHeader(tag uint16, channels, rate, bits int) []byte {
	spec := wavSpec{tag: tag, channels: channels, rate: rate, bits: bits, dataSize: 0xFFFFFFFF}
	return spec.bytes()
}

// heapAllocated runs fn and returns the bytes it allocated.
func heapAllocated(fn func()) uint64 {
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	fn()
	runtime.ReadMemStats(&after)
	return after.TotalAlloc - before.TotalAlloc
}

// One hour of 8 kHz audio through a non-seekable reader: every sample comes
// out right, and reading allocates nothing after NewStream.
func TestOneHourStreamsInConstantMemory(t *testing.T) {
	const seconds = 3600
	pattern := make([]int16, 8000) // one second, all sample values distinct per position
	for i := range pattern {
		pattern[i] = int16(i*7 - 28000)
	}
	src := &synthReader{hdr: streamingHeader(tagPCM, 1, 8000, 16), pattern: pcm16(pattern...), left: seconds * 16000}

	var s *Stream
	openBytes := heapAllocated(func() {
		var err error
		if s, err = NewStream(src, "hour.wav", DefaultOptions()); err != nil {
			t.Fatal(err)
		}
	})
	buf := make([]float32, 4000)
	var total int64
	readBytes := heapAllocated(func() {
		for {
			n, err := s.Read(buf)
			for i, v := range buf[:n] {
				if v != float32(pattern[(total+int64(i))%8000]) {
					t.Fatalf("sample %d = %v, want %d", total+int64(i), v, pattern[(total+int64(i))%8000])
				}
			}
			total += int64(n)
			if err == io.EOF {
				return
			}
			if err != nil {
				t.Fatal(err)
			}
		}
	})
	if total != seconds*8000 || s.Truncated() {
		t.Fatalf("read %d samples, want %d; truncated %v", total, seconds*8000, s.Truncated())
	}
	t.Logf("open allocated %d bytes, reading 1 h allocated %d bytes", openBytes, readBytes)
	if openBytes > 256<<10 || readBytes > 16<<10 {
		t.Errorf("open allocated %d bytes (limit 256 KiB), reading 1 h allocated %d bytes (limit 16 KiB)", openBytes, readBytes)
	}
}

// The resampling, channel-choosing path: reading 6x more audio allocates
// no more memory.
func TestResampledStereoMemoryDoesNotGrow(t *testing.T) {
	tone := sine(44100, 44100, 440, 8000)
	var frames []int16
	for _, v := range tone {
		frames = append(frames, toInt16(v/10), toInt16(v))
	}
	pattern := pcm16(frames...)
	run := func(seconds int64) (alloc uint64, samples int64) {
		src := &synthReader{hdr: streamingHeader(tagPCM, 2, 44100, 16), pattern: pattern, left: seconds * int64(len(pattern))}
		alloc = heapAllocated(func() {
			s, err := NewStream(src, "st.wav", DefaultOptions())
			if err != nil {
				t.Fatal(err)
			}
			buf := make([]float32, 1600)
			for {
				n, err := s.Read(buf)
				samples += int64(n)
				if err != nil {
					break
				}
			}
		})
		return alloc, samples
	}
	shortAlloc, shortN := run(10)
	longAlloc, longN := run(60)
	t.Logf("10 s: %d bytes, 60 s: %d bytes", shortAlloc, longAlloc)
	if shortN != 10*8000 || longN != 60*8000 {
		t.Fatalf("samples %d and %d, want %d and %d", shortN, longN, 10*8000, 60*8000)
	}
	if longAlloc > shortAlloc+16<<10 {
		t.Errorf("60 s allocated %d bytes, 10 s %d: memory grows with length", longAlloc, shortAlloc)
	}
	if longAlloc > 4<<20 {
		t.Errorf("60 s allocated %d bytes, want < 4 MiB", longAlloc)
	}
}

// Headers claiming huge sizes allocate nothing in proportion: a few bytes
// of data behind them cost little memory.
func TestHostileHeadersAllocateLittle(t *testing.T) {
	cases := map[string][]byte{
		"64 channels float64 192 kHz": (wavSpec{tag: tagFloat, channels: 64, rate: 192000, bits: 64, dataSize: 0xFFFFFFF0, data: make([]byte, 1024)}).bytes(),
		"odd rate 191999":             (wavSpec{tag: tagPCM, channels: 1, rate: 191999, bits: 16, dataSize: 0xFFFFFFF0, data: make([]byte, 1024)}).bytes(),
		"4 GiB LIST chunk":            []byte("RIFF\xff\xff\xff\xffWAVELIST\xff\xff\xff\xff\x00\x00"),
		"4 GiB fmt chunk":             []byte("RIFF\xff\xff\xff\xffWAVEfmt \xff\xff\xff\xff\x01\x00\x01\x00\x40\x1f\x00\x00\x80\x3e\x00\x00\x02\x00\x10\x00"),
	}
	for name, data := range cases {
		alloc := heapAllocated(func() {
			s, err := NewStream(bytes.NewReader(data), "h.wav", DefaultOptions())
			if err == nil {
				buf := make([]float32, 512)
				for {
					if _, err := s.Read(buf); err != nil {
						break
					}
				}
			}
		})
		if alloc > 3<<20 {
			t.Errorf("%s: allocated %d bytes for a %d-byte file", name, alloc, len(data))
		}
	}
}
