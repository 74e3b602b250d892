// Package audio reads telephone recordings for the AMD pipeline: RIFF/WAVE
// (PCM 8/16/24/32-bit, IEEE float, µ-law, A-law, Microsoft GSM 6.10,
// WAVE_FORMAT_EXTENSIBLE, RF64) and raw Asterisk formats (.sln, .sln16,
// .ul, .al, .gsm ...). Whatever the input, a Stream yields 8 kHz mono
// float32 samples in int16 scale (full scale ±32768), streaming with
// fixed-size buffers. GSM 06.10 is decoded bit-exactly (gsm.go).
//
// It does not use github.com/go-audio/wav for decoding: that package reads
// G.711 and float data as plain integers and returns no samples when the
// data size is 0xFFFFFFFF (see docs/amd.md).
package audio

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"unicode"
)

// OutputRate is the sample rate of everything a Stream returns.
const OutputRate = 8000

// Channel selectors for Options.Channel (values >= 0 pick that channel).
const (
	ChannelAuto = -1 // the louder channel over the first seconds (mono: channel 0)
	ChannelMix  = -2 // the average of all channels
)

// Errors returned by Open and NewStream wrap one of these, so that callers
// can map them to an exit status with errors.Is.
var (
	// ErrUnsupported: a valid file in a format this package does not decode
	// (ADPCM, MP3, a rate below 8 kHz...).
	ErrUnsupported = errors.New("unsupported audio")
	// ErrMalformed: the file is not what its name or header claims.
	ErrMalformed = errors.New("malformed audio")
)

// Error is a one-line error naming the file and the field at fault, e.g.
// "call.wav: fmt chunk: unsupported format 0x0011 (IMA ADPCM)".
type Error struct {
	File  string // the name given to Open/NewStream
	Field string // "RIFF header", "fmt chunk", "data chunk", "channel", ...
	Msg   string
	Kind  error // ErrUnsupported, ErrMalformed, or an I/O error
}

func (e *Error) Error() string {
	file := e.File
	if strings.ContainsFunc(file, unicode.IsControl) {
		file = strconv.Quote(file) // keep the message on one line
	}
	if e.Field == "" {
		return fmt.Sprintf("%s: %s", file, e.Msg)
	}
	return fmt.Sprintf("%s: %s: %s", file, e.Field, e.Msg)
}

// Unwrap lets errors.Is(err, ErrUnsupported/ErrMalformed) work.
func (e *Error) Unwrap() error { return e.Kind }

// Options choose how a file is read.
type Options struct {
	// Format forces the container: "" (auto: WAV header if present, else
	// the file extension), "wav", "sln"/"raw" (8 kHz s16le), "sln16"
	// (16 kHz s16le), "ul"/"ulaw"/"pcm" (µ-law), "al"/"alaw" (A-law),
	// "gsm" (raw GSM 06.10, 33-byte frames).
	Format string
	// Channel: 0-based channel, ChannelAuto (-1) or ChannelMix (-2). Note
	// that the zero value picks channel 0; callers wanting the automatic
	// choice must set ChannelAuto (see DefaultOptions).
	Channel int
}

// DefaultOptions returns auto format and the automatic channel choice.
func DefaultOptions() Options { return Options{Channel: ChannelAuto} }

// Info describes the source of a Stream.
type Info struct {
	Format string // "wav", "rf64", "sln", "sln16", "ul", "al", "gsm"
	// Encoding: "pcm8", "pcm16", "pcm24", "pcm32", "float32", "float64",
	// "ulaw", "alaw", "gsm" (raw GSM 06.10 frames), "gsm-ms" (Microsoft
	// GSM 6.10 / WAV49 in a WAV file)
	Encoding   string
	SampleRate int // source rate in Hz (the Stream always returns OutputRate)
	Channels   int // source channels
	// Channel is the channel returned (0-based), or ChannelMix.
	Channel int
	// ChannelNote says which channel was used and why, e.g. "mono",
	// "channel 1 of 2 (louder by 14.2 dB over the first 5.0 s)".
	ChannelNote string
	// Frames is the number of source frames (samples per channel) the
	// stream will read when known: from the data size, capped by the file
	// size when the file is a regular file; -1 when unknown (a pipe with a
	// streaming header).
	Frames int64
	// HeaderFrames is the number of frames the header announced (-1 when
	// the header gives no size: 0, 0xFFFFFFFF or sox's pipe placeholder;
	// raw files).
	HeaderFrames int64
	// Resampled is true when the source rate is not OutputRate and a
	// low-pass resampler is in the path.
	Resampled bool
}

// encoding identifies how one source sample is stored.
type encoding int

const (
	encPCM8 encoding = iota + 1 // unsigned 8-bit
	encPCM16
	encPCM24
	encPCM32
	encFloat32
	encFloat64
	encULaw
	encALaw
	encGSM   // GSM 06.10, raw 33-byte frames (decoded by gsmCodec)
	encGSMMS // GSM 06.10, Microsoft 65-byte blocks in WAV (gsmCodec)
)

func (e encoding) String() string {
	switch e {
	case encPCM8:
		return "pcm8"
	case encPCM16:
		return "pcm16"
	case encPCM24:
		return "pcm24"
	case encPCM32:
		return "pcm32"
	case encFloat32:
		return "float32"
	case encFloat64:
		return "float64"
	case encULaw:
		return "ulaw"
	case encALaw:
		return "alaw"
	case encGSM:
		return "gsm"
	case encGSMMS:
		return "gsm-ms"
	}
	return "unknown"
}

// bytes is the storage size of one sample.
func (e encoding) bytes() int {
	switch e {
	case encPCM16:
		return 2
	case encPCM24:
		return 3
	case encPCM32, encFloat32:
		return 4
	case encFloat64:
		return 8
	default:
		return 1
	}
}
