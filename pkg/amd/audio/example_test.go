package audio_test

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// Reading any recording as 8 kHz mono: here a 16 kHz WAV made in memory.
func ExampleNewStream() {
	var file bytes.Buffer
	silence := make([]float32, 16000) // 1 s at 16 kHz
	if err := audio.WriteWAV(&file, 16000, "pcm16", silence); err != nil {
		panic(err)
	}
	s, err := audio.NewStream(&file, "call.wav", audio.DefaultOptions())
	if err != nil {
		panic(err)
	}
	info := s.Info()
	buf := make([]float32, 800) // 100 ms
	total := 0
	for {
		n, err := s.Read(buf)
		total += n
		if err == io.EOF {
			break
		}
	}
	fmt.Println(info.Format, info.Encoding, info.SampleRate, info.ChannelNote, info.Resampled, total)
	// Output: wav pcm16 16000 mono true 8000
}

// Errors name the file and the field, and say whether the file is
// unsupported or broken.
func ExampleError() {
	adpcm := "RIFF\x28\x00\x00\x00WAVEfmt \x10\x00\x00\x00\x11\x00\x01\x00\x40\x1f\x00\x00\xd7\x0f\x00\x00\x00\x01\x04\x00"
	_, err := audio.NewStream(strings.NewReader(adpcm), "call.wav", audio.DefaultOptions())
	fmt.Println(errors.Is(err, audio.ErrUnsupported))
	fmt.Println(err)
	// Output:
	// true
	// call.wav: fmt chunk: unsupported format 0x0011 (IMA ADPCM); convert with: sox in.wav -e signed-integer -b 16 out.wav
}
