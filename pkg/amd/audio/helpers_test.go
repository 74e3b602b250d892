package audio

import (
	"bytes"
	"encoding/binary"
	"io"
	"math"
	"testing"
)

// wavSpec builds WAV files byte by byte, independently of WriteWAV, so that
// tests can produce every layout the reader must accept (and break them).
type wavSpec struct {
	riff       string // "RIFF" (default) or "RF64"
	tag        uint16
	channels   int
	rate       int
	bits       int         // wBitsPerSample
	blockAlign int         // 0: channels*ceil(bits/8)
	extensible uint16      // when non-zero: WAVE_FORMAT_EXTENSIBLE with this sub-format
	before     [][2]string // extra chunks (id, body) before fmt
	between    [][2]string // extra chunks between fmt and data
	dataSize   int64       // -1: the real size; otherwise written as is
	data       []byte
	truncateTo int // when > 0, cut the file to this many bytes
}

func (w wavSpec) bytes() []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	riff := w.riff
	if riff == "" {
		riff = "RIFF"
	}
	b.WriteString(riff)
	le(uint32(0)) // patched below
	b.WriteString("WAVE")
	chunk := func(id, body string) {
		b.WriteString(id)
		le(uint32(len(body)))
		b.WriteString(body)
		if len(body)%2 == 1 {
			b.WriteByte(0)
		}
	}
	realSize := int64(len(w.data))
	if riff == "RF64" {
		var ds bytes.Buffer
		_ = binary.Write(&ds, binary.LittleEndian, [3]uint64{0, uint64(realSize), 0})
		_ = binary.Write(&ds, binary.LittleEndian, uint32(0))
		chunk("ds64", ds.String())
	}
	for _, c := range w.before {
		chunk(c[0], c[1])
	}
	align := w.blockAlign
	if align == 0 {
		align = w.channels * ((w.bits + 7) / 8)
	}
	var f bytes.Buffer
	fle := func(v any) { _ = binary.Write(&f, binary.LittleEndian, v) }
	tag := w.tag
	if w.extensible != 0 {
		tag = tagExtensible
	}
	fle(tag)
	fle(uint16(w.channels))
	fle(uint32(w.rate))
	fle(uint32(w.rate * align))
	fle(uint16(align))
	fle(uint16(w.bits))
	if w.extensible != 0 {
		fle(uint16(22))
		fle(uint16(w.bits))
		fle(uint32(0))
		fle(w.extensible)
		f.WriteString(extensibleGUIDTail)
	}
	chunk("fmt ", f.String())
	for _, c := range w.between {
		chunk(c[0], c[1])
	}
	b.WriteString("data")
	switch {
	case riff == "RF64":
		le(uint32(0xFFFFFFFF))
	case w.dataSize >= 0:
		le(uint32(w.dataSize))
	default:
		le(uint32(realSize))
	}
	b.Write(w.data)
	out := b.Bytes()
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	if w.truncateTo > 0 && w.truncateTo < len(out) {
		out = out[:w.truncateTo]
	}
	return out
}

// pcm16 encodes int16 samples little-endian.
func pcm16(s ...int16) []byte {
	b := make([]byte, 0, 2*len(s))
	for _, v := range s {
		b = binary.LittleEndian.AppendUint16(b, uint16(v))
	}
	return b
}

// readAll drains a stream with an odd-sized buffer (to exercise partial
// reads) and fails the test on any error other than io.EOF.
func readAll(t testing.TB, s *Stream) []float32 {
	t.Helper()
	var out []float32
	buf := make([]float32, 997)
	for {
		n, err := s.Read(buf)
		out = append(out, buf[:n]...)
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatalf("Read: %v", err)
		}
		if n == 0 {
			t.Fatal("Read returned 0, nil")
		}
	}
}

// openBytes opens an in-memory file through NewStream.
func openBytes(t testing.TB, name string, data []byte, opts Options) *Stream {
	t.Helper()
	s, err := NewStream(bytes.NewReader(data), name, opts)
	if err != nil {
		t.Fatalf("NewStream(%s): %v", name, err)
	}
	return s
}

// sine returns n samples of a tone at freq Hz, sampled at rate, peak amp.
func sine(n, rate int, freq, amp float64) []float32 {
	out := make([]float32, n)
	for i := range out {
		out[i] = float32(amp * math.Sin(2*math.Pi*freq*float64(i)/float64(rate)))
	}
	return out
}

// toneLevelDB measures the amplitude of freq in x (at 8 kHz) by correlation,
// in dB relative to amp; the edges are skipped (resampler warm-up).
func toneLevelDB(x []float32, freq, amp float64) float64 {
	skip := len(x) / 10
	x = x[skip : len(x)-skip]
	var re, im float64
	for i, v := range x {
		ph := 2 * math.Pi * freq * float64(i) / OutputRate
		re += float64(v) * math.Cos(ph)
		im += float64(v) * math.Sin(ph)
	}
	mag := 2 * math.Hypot(re, im) / float64(len(x))
	return 20 * math.Log10(mag/amp+1e-30)
}
