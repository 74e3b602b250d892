package audio

import (
	"bufio"
	"encoding/binary"
	"fmt"
	"io"
	"math"
)

// WriteWAV writes mono samples (int16 scale) as a WAV file at the given
// rate. enc is "pcm16", "ulaw" or "alaw". Samples are rounded to the
// nearest int16 and clipped; G.711 files carry the fact chunk the format
// requires for non-PCM data.
func WriteWAV(w io.Writer, rate int, enc string, samples []float32) error {
	ww, err := NewWAVWriter(w, rate, enc, int64(len(samples)))
	if err != nil {
		return err
	}
	if err := ww.Write(samples); err != nil {
		return err
	}
	return ww.Close()
}

// WAVWriter writes a mono WAV file sample block by sample block. When the
// total is not known in advance (frames < 0) it writes 0xFFFFFFFF sizes,
// which this package (and sox) read to the end of the file, and patches the
// real sizes on Close if the writer is an io.WriteSeeker.
type WAVWriter struct {
	w      io.Writer
	bw     *bufio.Writer
	enc    string
	tag    uint16
	width  int
	rate   int
	frames int64 // announced, -1 unknown
	wrote  int64
	buf    []byte
	closed bool
}

// NewWAVWriter writes the header and returns a writer for the samples.
func NewWAVWriter(w io.Writer, rate int, enc string, frames int64) (*WAVWriter, error) {
	ww := &WAVWriter{w: w, bw: bufio.NewWriter(w), enc: enc, rate: rate, frames: frames}
	switch enc {
	case "pcm16":
		ww.tag, ww.width = tagPCM, 2
	case "ulaw":
		ww.tag, ww.width = tagULaw, 1
	case "alaw":
		ww.tag, ww.width = tagALaw, 1
	default:
		return nil, fmt.Errorf("WriteWAV: encoding %q: %w (want pcm16, ulaw or alaw)", enc, ErrUnsupported)
	}
	if rate <= 0 || rate > maxRate {
		return nil, fmt.Errorf("WriteWAV: sample rate %d: %w", rate, ErrUnsupported)
	}
	if _, err := ww.bw.Write(ww.header(frames)); err != nil {
		return nil, err
	}
	ww.buf = make([]byte, 0, 4096)
	return ww, nil
}

// header returns the RIFF header for the given number of frames (-1:
// unknown sizes).
func (ww *WAVWriter) header(frames int64) []byte {
	fmtSize := uint32(16)
	if ww.tag != tagPCM {
		fmtSize = 18 // non-PCM formats carry cbSize
	}
	dataSize := uint32(0xFFFFFFFF)
	riffSize := uint32(0xFFFFFFFF)
	if frames >= 0 {
		dataSize = uint32(min(frames*int64(ww.width), math.MaxUint32-64))
	}
	h := make([]byte, 0, 64)
	h = append(h, "RIFF"...)
	sizePos := len(h)
	h = binary.LittleEndian.AppendUint32(h, 0)
	h = append(h, "WAVEfmt "...)
	h = binary.LittleEndian.AppendUint32(h, fmtSize)
	h = binary.LittleEndian.AppendUint16(h, ww.tag)
	h = binary.LittleEndian.AppendUint16(h, 1) // mono
	h = binary.LittleEndian.AppendUint32(h, uint32(ww.rate))
	h = binary.LittleEndian.AppendUint32(h, uint32(ww.rate*ww.width))
	h = binary.LittleEndian.AppendUint16(h, uint16(ww.width))
	h = binary.LittleEndian.AppendUint16(h, uint16(8*ww.width))
	if ww.tag != tagPCM {
		h = binary.LittleEndian.AppendUint16(h, 0) // cbSize
		h = append(h, "fact"...)
		h = binary.LittleEndian.AppendUint32(h, 4)
		h = binary.LittleEndian.AppendUint32(h, dataSize/uint32(ww.width))
	}
	h = append(h, "data"...)
	h = binary.LittleEndian.AppendUint32(h, dataSize)
	if dataSize != 0xFFFFFFFF {
		riffSize = uint32(len(h)-8) + dataSize + dataSize%2
	}
	binary.LittleEndian.PutUint32(h[sizePos:], riffSize)
	return h
}

// Write appends samples (int16 scale).
func (ww *WAVWriter) Write(samples []float32) error {
	for len(samples) > 0 {
		n := min(len(samples), cap(ww.buf)/2)
		b := ww.buf[:0]
		for _, v := range samples[:n] {
			s := toInt16(v)
			switch ww.tag {
			case tagULaw:
				b = append(b, ULawEncode(s))
			case tagALaw:
				b = append(b, ALawEncode(s))
			default:
				b = binary.LittleEndian.AppendUint16(b, uint16(s))
			}
		}
		if _, err := ww.bw.Write(b); err != nil {
			return err
		}
		ww.wrote += int64(n)
		samples = samples[n:]
	}
	return nil
}

// Close flushes, adds the pad byte of an odd-sized data chunk and, when the
// header sizes were unknown or wrong and the writer can seek, patches them.
// On a non-seekable writer with unknown sizes no pad byte is written: the
// reader takes everything to the end of the file as samples.
// It does not close the underlying writer.
func (ww *WAVWriter) Close() error {
	if ww.closed {
		return nil
	}
	ww.closed = true
	if err := ww.bw.Flush(); err != nil {
		return err
	}
	dataBytes := ww.wrote * int64(ww.width)
	ws, seekable := ww.w.(io.WriteSeeker)
	var end int64
	if seekable {
		var err error
		if end, err = ws.Seek(0, io.SeekCurrent); err != nil {
			seekable = false // a pipe behind an *os.File
		}
	}
	if dataBytes%2 == 1 && (ww.frames >= 0 || seekable) {
		if _, err := ww.w.Write([]byte{0}); err != nil {
			return err
		}
		end++
	}
	if ww.wrote == ww.frames {
		return nil
	}
	if !seekable {
		if ww.frames >= 0 {
			return fmt.Errorf("WriteWAV: wrote %d samples, header announced %d", ww.wrote, ww.frames)
		}
		return nil
	}
	header := ww.header(ww.wrote)
	if _, err := ws.Seek(end-int64(len(header))-dataBytes-dataBytes%2, io.SeekStart); err != nil {
		return err
	}
	if _, err := ws.Write(header); err != nil {
		return err
	}
	_, err := ws.Seek(end, io.SeekStart)
	return err
}

// toInt16 rounds to the nearest int16 with clipping (NaN becomes 0).
func toInt16(v float32) int16 {
	switch {
	case v != v:
		return 0
	case v >= 32767:
		return 32767
	case v <= -32768:
		return -32768
	}
	return int16(math.RoundToEven(float64(v)))
}
