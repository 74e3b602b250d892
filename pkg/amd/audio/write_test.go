package audio

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

// A WAVWriter of unknown length on a file patches the sizes on Close; on a
// pipe it leaves 0xFFFFFFFF, which the reader takes as "to the end".
func TestWAVWriterUnknownLength(t *testing.T) {
	in := sine(1001, 8000, 500, 12000) // odd: the µ-law data chunk needs a pad byte
	for _, enc := range []string{"pcm16", "ulaw"} {
		path := filepath.Join(t.TempDir(), enc+".wav")
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		ww, err := NewWAVWriter(f, 8000, enc, -1)
		if err != nil {
			t.Fatal(err)
		}
		for i := 0; i < len(in); i += 300 {
			if err := ww.Write(in[i:min(i+300, len(in))]); err != nil {
				t.Fatal(err)
			}
		}
		if err := ww.Close(); err != nil {
			t.Fatal(err)
		}
		f.Close()
		s, got := openFile(t, path, DefaultOptions())
		if len(got) != len(in) || s.Info().HeaderFrames != int64(len(in)) {
			t.Errorf("%s file: %d samples, header frames %d, want %d", enc, len(got), s.Info().HeaderFrames, len(in))
		}
		// sox agrees on the patched header.
		if want := soxReference(t, path); len(want) != len(in) {
			t.Errorf("%s: sox reads %d samples, want %d", enc, len(want), len(in))
		}

		var pipe bytes.Buffer // not a WriteSeeker
		ww, err = NewWAVWriter(&pipe, 8000, enc, -1)
		if err != nil {
			t.Fatal(err)
		}
		if err := ww.Write(in); err != nil {
			t.Fatal(err)
		}
		if err := ww.Close(); err != nil {
			t.Fatal(err)
		}
		s = openBytes(t, "pipe.wav", pipe.Bytes(), DefaultOptions())
		if got := readAll(t, s); len(got) != len(in) || s.Truncated() || s.Info().HeaderFrames != -1 {
			t.Errorf("%s pipe: %d samples, truncated %v, info %+v", enc, len(got), s.Truncated(), s.Info())
		}
	}
}

func TestWriteWAVErrors(t *testing.T) {
	if err := WriteWAV(io.Discard, 8000, "gsm", nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("gsm: %v", err)
	}
	if err := WriteWAV(io.Discard, 0, "pcm16", nil); !errors.Is(err, ErrUnsupported) {
		t.Errorf("rate 0: %v", err)
	}
	ww, err := NewWAVWriter(io.Discard, 8000, "pcm16", 10)
	if err != nil {
		t.Fatal(err)
	}
	if err := ww.Write(make([]float32, 3)); err != nil {
		t.Fatal(err)
	}
	if err := ww.Close(); err == nil {
		t.Error("Close after 3 of 10 announced samples on a non-seekable writer: no error")
	}
}

// After io.EOF, Read keeps returning io.EOF; an empty dst reads nothing.
func TestReadAfterEOF(t *testing.T) {
	for _, name := range []string{"a.sln", "a.sln16"} {
		s := openBytes(t, name, pcm16(1, 2, 3, 4), DefaultOptions())
		if n, err := s.Read(nil); n != 0 || err != nil {
			t.Errorf("%s: Read(nil) = %d, %v", name, n, err)
		}
		readAll(t, s)
		for range 3 {
			if n, err := s.Read(make([]float32, 10)); n != 0 || err != io.EOF {
				t.Errorf("%s: Read after EOF = %d, %v", name, n, err)
			}
		}
		if err := s.Close(); err != nil {
			t.Error(err)
		}
	}
}
