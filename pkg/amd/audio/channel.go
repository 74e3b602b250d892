package audio

import (
	"fmt"
	"io"
	"math"
)

const (
	// lookAheadSeconds is how much audio the automatic channel choice
	// listens to: the part of the call an AMD decision is made on.
	lookAheadSeconds = 5
	// lookAheadMaxBytes bounds the look-ahead buffer whatever the format.
	lookAheadMaxBytes = 4 << 20
)

// chooseChannel validates the requested channel and, for ChannelAuto on a
// multichannel file, picks the louder one over the first seconds.
func (s *Stream) chooseChannel(req int) error {
	n := s.src.channels
	switch {
	case req < ChannelMix:
		return &Error{File: s.name, Field: "channel", Kind: ErrUnsupported,
			Msg: fmt.Sprintf("invalid channel %d (want 0..%d, -1 auto or -2 mix)", req, n-1)}
	case n == 1:
		if req > 0 {
			return s.channelError(req)
		}
		s.ch = 0
		s.info.ChannelNote = "mono"
	case req >= 0:
		if req >= n {
			return s.channelError(req)
		}
		s.ch = req
		s.info.ChannelNote = fmt.Sprintf("channel %d of %d (requested)", req, n)
	case req == ChannelMix:
		s.ch = ChannelMix
		s.info.ChannelNote = fmt.Sprintf("mix of %d channels (average)", n)
	default: // ChannelAuto
		return s.chooseLouder()
	}
	s.info.Channel = s.ch
	return nil
}

func (s *Stream) channelError(req int) error {
	return &Error{File: s.name, Field: "channel", Kind: ErrUnsupported,
		Msg: fmt.Sprintf("channel %d requested but the file has %d channel(s) (0-based)", req, s.src.channels)}
}

// chooseLouder buffers the first seconds of data, measures each channel's
// AC power and keeps the loudest; ties (and all-silent files) go to the
// first channel. The buffered bytes are replayed by readData.
func (s *Stream) chooseLouder() error {
	n := s.src.channels
	want := int64(lookAheadSeconds) * int64(s.src.rate) * int64(s.block)
	want = min(want, lookAheadMaxBytes/int64(s.block)*int64(s.block))
	buf, err := s.readLookAhead(int(want))
	if err != nil {
		return err
	}
	got := len(buf)
	frames := got / s.block
	power := channelPowers(s.src.enc, n, buf[:frames*s.block])

	best := 0
	for c := 1; c < n; c++ {
		if power[c] > power[best] {
			best = c
		}
	}
	s.ch, s.info.Channel = best, best
	s.info.ChannelNote = louderNote(best, power, float64(frames)/float64(s.src.rate))
	// readData replays the look-ahead before reading on.
	s.pre = buf
	if len(s.pre) == 0 {
		s.pre = nil
	}
	return nil
}

// louderNote explains the automatic choice of channel best.
func louderNote(best int, power []float64, secs float64) string {
	n := len(power)
	second := 0.0 // the loudest of the other channels
	for c, p := range power {
		if c != best && p > second {
			second = p
		}
	}
	switch {
	case power[best] == 0:
		return fmt.Sprintf("channel 0 of %d (first; all channels silent over the first %.1f s)", n, secs)
	case second == power[best]:
		return fmt.Sprintf("channel %d of %d (first; channels equally loud over the first %.1f s)", best, n, secs)
	case second == 0:
		return fmt.Sprintf("channel %d of %d (louder: the only one with sound over the first %.1f s)", best, n, secs)
	}
	db := 10 * math.Log10(power[best]/second)
	return fmt.Sprintf("channel %d of %d (louder by %.1f dB over the first %.1f s)", best, n, db, secs)
}

// readLookAhead reads up to want data bytes. The buffer grows with what
// actually arrives, so a short file with a header claiming 64 channels at
// a high rate does not allocate the full look-ahead.
func (s *Stream) readLookAhead(want int) ([]byte, error) {
	buf := make([]byte, 0, min(want, 64<<10))
	for len(buf) < want {
		if len(buf) == cap(buf) {
			buf = append(buf, make([]byte, min(cap(buf), want-len(buf)))...)[:len(buf)]
		}
		m, err := s.readData(buf[len(buf):min(cap(buf), want)])
		buf = buf[:len(buf)+m]
		if err == io.EOF {
			break // the file is shorter than the look-ahead
		}
		if err != nil {
			return nil, &Error{File: s.name, Field: "data chunk", Msg: fmt.Sprintf("read error: %v", err), Kind: err}
		}
	}
	return buf, nil
}

// channelPowers returns each channel's mean square after removing its DC
// offset (a DC-biased silent channel must not win).
func channelPowers(enc encoding, channels int, data []byte) []float64 {
	width := enc.bytes()
	stride := width * channels
	frames := len(data) / stride
	power := make([]float64, channels)
	tmp := make([]float32, min(frames, chunkFrames))
	for c := range channels {
		var sum, sq float64
		for start := 0; start < frames; start += len(tmp) {
			k := min(len(tmp), frames-start)
			decodeChannel(enc, data[start*stride:], stride, c*width, tmp[:k])
			for _, v := range tmp[:k] {
				x := float64(v)
				sum += x
				sq += x * x
			}
		}
		if frames > 0 {
			mean := sum / float64(frames)
			power[c] = math.Max(sq/float64(frames)-mean*mean, 0)
		}
	}
	return power
}
