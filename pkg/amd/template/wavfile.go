package template

import (
	"errors"
	"io"
	"path/filepath"
	"strings"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// maxTemplateSamples bounds what is read of one template (327 s, the
// longest time a landmark can carry); longer files are cut with a warning.
const maxTemplateSamples = maxFrames * 80

// audioExts are the file extensions a library treats as templates: the
// formats amd analyze reads.
var audioExts = map[string]bool{
	".wav": true, ".sln": true, ".sln16": true, ".raw": true,
	".ul": true, ".ulaw": true, ".pcm": true, ".al": true, ".alaw": true,
}

// IsAudioFile reports whether a library file name is a template by its extension.
func IsAudioFile(name string) bool { return audioExts[strings.ToLower(filepath.Ext(name))] }

// errTooLong marks a file cut at maxTemplateSamples.
var errTooLong = errors.New("longer than 327 s: only the start is used")

// ReadAudioFile decodes a whole file with pkg/amd/audio (any format and
// rate amd analyze reads, resampled to 8 kHz mono, int16 scale). At most
// maxSamples are returned (0 = no limit); a longer file returns them with
// errTooLong.
func ReadAudioFile(path string, maxSamples int) ([]float32, error) {
	s, err := audio.Open(path, audio.DefaultOptions())
	if err != nil {
		return nil, err
	}
	defer s.Close()
	return ReadAll(s, maxSamples)
}

// ReadAll reads a sample stream to the end (or to maxSamples, > 0).
func ReadAll(r SampleReader, maxSamples int) ([]float32, error) {
	var out []float32
	buf := make([]float32, 8000)
	for {
		n, err := r.Read(buf)
		out = append(out, buf[:n]...)
		if maxSamples > 0 && len(out) > maxSamples {
			return out[:maxSamples], errTooLong
		}
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return out, err
		}
	}
}

// writeWAV16 writes 8 kHz mono 16-bit PCM WAV (what the library stores).
func writeWAV16(w io.Writer, samples []float32) error {
	return audio.WriteWAV(w, audio.OutputRate, "pcm16", samples)
}
