package audio

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
)

const (
	// chunkFrames is the most source frames decoded per step.
	chunkFrames = 4096
	// rawBufBytes bounds the undecoded-bytes buffer whatever the header
	// says (64 channels of float64 are 512 bytes a frame: 64 frames a step).
	rawBufBytes = 32 << 10
	readerBuf   = 64 << 10
)

// Stream reads a recording as 8 kHz mono float32 samples in int16 scale.
// It holds fixed-size buffers only: memory does not grow with file length.
// A Stream is not safe for concurrent use.
type Stream struct {
	name   string
	info   Info
	src    source
	block  int // bytes per source frame
	ch     int // channel index or ChannelMix
	br     *bufio.Reader
	closer io.Closer

	remaining int64  // data bytes still expected from the header, or unknownSize
	pre       []byte // look-ahead bytes (auto channel choice) replayed first

	raw     []byte // undecoded bytes, whole frames are decoded from raw[:rawLen]
	rawLen  int
	scratch []float32 // per-channel scratch for ChannelMix
	// resampled pulls 8 kHz samples through the resampler(s); nil when the
	// source is already at 8 kHz and samples are decoded straight into dst.
	resampled func([]float32) (int, error)

	eof       bool // no more data bytes (look-ahead and file both exhausted)
	srcDone   bool // the underlying reader returned io.EOF
	truncated bool
	err       error // sticky read error
}

// Open opens a recording by path. The format is taken from a RIFF header if
// present, else from the extension, unless opts.Format forces it.
func Open(path string, opts Options) (*Stream, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, &Error{File: path, Msg: unwrapPathError(err), Kind: err}
	}
	size := int64(-1)
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	s, err := newStream(f, path, opts, size)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.closer = f
	return s, nil
}

// unwrapPathError drops the "open <path>:" prefix that Error adds anyway.
func unwrapPathError(err error) string {
	var pe *os.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	return err.Error()
}

// NewStream reads a recording from r, which need not be seekable (a pipe
// works). name is used for the extension and in error messages. Close does
// not close r.
func NewStream(r io.Reader, name string, opts Options) (*Stream, error) {
	return newStream(r, name, opts, -1)
}

// newStream parses the header, chooses the channel and sets up the
// resampler. fileSize is the input's total size, or -1 when unknown.
func newStream(r io.Reader, name string, opts Options, fileSize int64) (*Stream, error) {
	br := bufio.NewReaderSize(r, readerBuf)
	src, err := detect(br, name, opts.Format)
	if err != nil {
		return nil, err
	}
	s := &Stream{name: name, src: src, block: src.blockAlign(), br: br}
	s.remaining = src.dataSize
	if s.remaining > 0 {
		s.remaining -= s.remaining % int64(s.block) // an odd tail is not a sample
	}
	s.raw = make([]byte, min(chunkFrames, rawBufBytes/s.block)*s.block)
	s.info = Info{
		Format: src.format, Encoding: src.enc.String(), SampleRate: src.rate,
		Channels: src.channels, Frames: -1, HeaderFrames: -1,
	}
	s.setFrames(fileSize)
	if err := s.chooseChannel(opts.Channel); err != nil {
		return nil, err
	}
	if src.channels > 1 && s.ch == ChannelMix {
		s.scratch = make([]float32, chunkFrames)
	}
	if src.rate != OutputRate {
		s.info.Resampled = true
		s.resampled = newResampleChain(src.rate, s.decode)
	}
	return s, nil
}

// setFrames fills Info.Frames/HeaderFrames from the header and file size.
func (s *Stream) setFrames(fileSize int64) {
	block := int64(s.block)
	perBlock := s.src.blockFrames()
	if s.src.dataSize != unknownSize {
		s.info.HeaderFrames = s.src.dataSize / block * perBlock
		s.info.Frames = s.info.HeaderFrames
	}
	if fileSize >= 0 {
		avail := max(fileSize-s.src.offset, 0) / block * perBlock
		if s.info.Frames < 0 || avail < s.info.Frames {
			s.info.Frames = avail
		}
	}
}

// Info describes the source and the channel choice.
func (s *Stream) Info() Info { return s.info }

// Truncated reports whether the data ended before the size in the header
// (or in the middle of a sample frame). Meaningful once Read returned io.EOF.
func (s *Stream) Truncated() bool { return s.truncated }

// Close releases the file opened by Open.
func (s *Stream) Close() error {
	if s.closer == nil {
		return nil
	}
	err := s.closer.Close()
	s.closer = nil
	return err
}

// Read fills dst with 8 kHz mono samples in int16 scale. It returns
// n > 0 with a nil error while there is audio, then 0, io.EOF.
func (s *Stream) Read(dst []float32) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	if len(dst) == 0 {
		return 0, nil
	}
	var n int
	var err error
	if s.resampled == nil {
		n, err = s.readDirect(dst)
	} else {
		n, err = s.readResampled(dst)
	}
	if err != nil && err != io.EOF {
		s.err = err
	}
	if n > 0 {
		return n, nil
	}
	return 0, err
}

// readDirect decodes straight into dst: 8 kHz input is passed bit-exact.
func (s *Stream) readDirect(dst []float32) (int, error) {
	n := 0
	for n < len(dst) {
		m, err := s.decode(dst[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// readResampled fills dst through the resampler chain.
func (s *Stream) readResampled(dst []float32) (int, error) {
	n := 0
	for n < len(dst) {
		m, err := s.resampled(dst[n:])
		n += m
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// decode reads whole source frames (at most len(dst)) and decodes the
// selected channel into dst. It returns io.EOF only with 0 samples.
func (s *Stream) decode(dst []float32) (int, error) {
	if s.src.gsm != nil {
		return s.decodeGSM(dst)
	}
	limit := min(len(dst)*s.block, len(s.raw))
	for s.rawLen < limit && !s.eof {
		m, err := s.readData(s.raw[s.rawLen:limit])
		s.rawLen += m
		if err == io.EOF {
			s.eof = true
		} else if err != nil {
			return 0, &Error{File: s.name, Field: "data chunk", Msg: fmt.Sprintf("read error: %v", err), Kind: err}
		}
	}
	frames := min(s.rawLen/s.block, len(dst))
	if frames == 0 {
		if s.rawLen > 0 { // a partial frame at the end of the file
			s.truncated = true
			s.rawLen = 0
		}
		return 0, io.EOF
	}
	used := frames * s.block
	decodeMono(s.src.enc, s.src.channels, s.ch, s.raw[:used], dst[:frames], s.scratch)
	s.rawLen = copy(s.raw, s.raw[used:s.rawLen])
	return frames, nil
}

// readData reads sample bytes: the look-ahead first, then the file, never
// past the data size the header gave.
func (s *Stream) readData(p []byte) (int, error) {
	if len(s.pre) > 0 {
		n := copy(p, s.pre)
		s.pre = s.pre[n:]
		if len(s.pre) == 0 {
			s.pre = nil // release the look-ahead buffer
		}
		return n, nil
	}
	if s.remaining == 0 || s.srcDone {
		return 0, io.EOF
	}
	if s.remaining > 0 && int64(len(p)) > s.remaining {
		p = p[:s.remaining]
	}
	n, err := s.br.Read(p)
	if s.remaining > 0 {
		s.remaining -= int64(n)
	}
	if err == io.EOF {
		s.srcDone = true
		if s.remaining > 0 {
			s.truncated = true
		}
	}
	return n, err
}
