package corpus

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os/exec"
	"path/filepath"
	"sync"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// sources loads the speech material: Asterisk prompt files (read once and
// cached) and espeak-ng renderings (resampled to 8 kHz by sox).
type sources struct {
	soundsDir string
	espeak    string
	sox       string

	mu    sync.Mutex
	clips map[string][]float32
}

// asteriskClip returns a trimmed Asterisk prompt, e.g. "en/hello". The
// slice is shared by every caller: copy it before changing it.
func (s *sources) asteriskClip(name string) ([]float32, error) {
	s.mu.Lock()
	c, ok := s.clips[name]
	s.mu.Unlock()
	if ok {
		return c, nil
	}
	path := filepath.Join(s.soundsDir, filepath.FromSlash(name)+".wav")
	x, err := readAll(path)
	if err != nil {
		return nil, err
	}
	x = trim(x)
	if len(x) == 0 {
		return nil, fmt.Errorf("corpus: %s: no speech in the file", path)
	}
	s.mu.Lock()
	s.clips[name] = x
	s.mu.Unlock()
	return x, nil
}

// readAll reads a whole (short) file through the project's audio reader.
func readAll(path string) ([]float32, error) {
	st, err := audio.Open(path, audio.Options{Channel: -1})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var out []float32
	buf := make([]float32, 4096)
	for {
		n, err := st.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out, nil
		}
		if err != nil {
			return nil, fmt.Errorf("corpus: %s: %w", path, err)
		}
	}
}

// voice is one espeak-ng rendering setup.
type voice struct {
	name  string // e.g. "en-us+f3"
	speed int    // words per minute
	pitch int    // 0..99
}

func (v voice) String() string { return fmt.Sprintf("%s/s%d/p%d", v.name, v.speed, v.pitch) }

// speak renders text with espeak-ng and resamples it to 8 kHz (sox, float
// output, -D: no dither, so the result is deterministic).
func (s *sources) speak(ctx context.Context, v voice, text string) ([]float32, error) {
	es := exec.CommandContext(ctx, s.espeak, "-v", v.name, "-s", fmt.Sprint(v.speed), "-p", fmt.Sprint(v.pitch), "--stdout", text)
	wav, err := es.Output()
	if err != nil {
		return nil, fmt.Errorf("corpus: espeak-ng -v %s %q: %w", v.name, text, err)
	}
	raw, err := s.soxRaw(ctx, wav, "-t", "wav", "-")
	if err != nil {
		return nil, err
	}
	x := trim(raw)
	if len(x) == 0 {
		return nil, fmt.Errorf("corpus: espeak-ng -v %s %q: rendered no speech", v.name, text)
	}
	return x, nil
}

// soxRaw runs sox with the given input spec and returns 8 kHz mono float
// samples in int16 scale.
func (s *sources) soxRaw(ctx context.Context, in []byte, inSpec ...string) ([]float32, error) {
	args := append(append([]string{"-D"}, inSpec...), "-t", "raw", "-e", "floating-point", "-b", "32", "-r", "8000", "-c", "1", "-")
	cmd := exec.CommandContext(ctx, s.sox, args...)
	cmd.Stdin = bytes.NewReader(in)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return nil, fmt.Errorf("corpus: sox %v: %w: %s", inSpec, err, bytes.TrimSpace(stderr.Bytes()))
	}
	x := make([]float32, len(out)/4)
	for i := range x {
		x[i] = math.Float32frombits(binary.LittleEndian.Uint32(out[4*i:])) * 32768
	}
	return x, nil
}

// gsmRoundTrip encodes to GSM 06.10 and back with sox.
func (s *sources) gsmRoundTrip(ctx context.Context, x []float32) ([]float32, error) {
	raw := make([]byte, 4*len(x))
	for i, v := range x {
		binary.LittleEndian.PutUint32(raw[4*i:], math.Float32bits(v/32768))
	}
	enc := exec.CommandContext(ctx, s.sox, "-D", "-t", "raw", "-e", "floating-point", "-b", "32", "-r", "8000", "-c", "1", "-", "-t", "gsm", "-")
	enc.Stdin = bytes.NewReader(raw)
	gsm, err := enc.Output()
	if err != nil {
		return nil, fmt.Errorf("corpus: sox to gsm: %w", err)
	}
	y, err := s.soxRaw(ctx, gsm, "-t", "gsm", "-")
	if err != nil {
		return nil, err
	}
	if len(y) > len(x) {
		y = y[:len(x)]
	}
	return y, nil
}

// trim cuts leading and trailing low-level audio: everything outside the
// first and last 10 ms block within 40 dB of the loudest block.
func trim(x []float32) []float32 {
	const block = 80
	peak := 0.0
	nb := len(x) / block
	ms := make([]float64, nb)
	for b := 0; b < nb; b++ {
		var s float64
		for _, v := range x[b*block : (b+1)*block] {
			s += float64(v) * float64(v)
		}
		ms[b] = s / block
		peak = math.Max(peak, ms[b])
	}
	if peak == 0 {
		return nil
	}
	lo, hi := -1, -1
	for b, v := range ms {
		if v >= peak*1e-4 {
			if lo < 0 {
				lo = b
			}
			hi = b
		}
	}
	return append([]float32(nil), x[lo*block:(hi+1)*block]...)
}

// activeRMS is the RMS over the 10 ms blocks within 30 dB of the loudest:
// the level of the speech itself, not diluted by its pauses.
func activeRMS(x []float32) float64 {
	const block = 80
	nb := len(x) / block
	if nb == 0 {
		return 0
	}
	ms := make([]float64, nb)
	peak := 0.0
	for b := range ms {
		var s float64
		for _, v := range x[b*block : (b+1)*block] {
			s += float64(v) * float64(v)
		}
		ms[b] = s / block
		peak = math.Max(peak, ms[b])
	}
	var sum float64
	n := 0
	for _, v := range ms {
		if v >= peak*1e-3 {
			sum += v
			n++
		}
	}
	if n == 0 {
		return 0
	}
	return math.Sqrt(sum / float64(n))
}

// setLevel scales x so its active RMS is dbfs (dB relative to 32768, the
// int16 full scale).
func setLevel(x []float32, dbfs float64) {
	r := activeRMS(x)
	if r == 0 {
		return
	}
	g := float32(32768 * math.Pow(10, dbfs/20) / r)
	for i := range x {
		x[i] *= g
	}
}
