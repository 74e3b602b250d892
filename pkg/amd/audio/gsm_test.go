package audio

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// GSM 06.10 is bit-exact by definition: every conforming decoder turns the
// same frames into the same samples. sox decodes with libgsm, an
// independent implementation, so our output must equal sox's sample for
// sample. sox also encodes the test files (raw .gsm and WAV49) at test
// time from the Asterisk prompts (asterisk-core-sounds-en-wav, installed
// by scripts/deps.sh).

const asteriskSoundsEN = "/usr/share/asterisk/sounds/en"

// gsmSpeechSource concatenates every 24th English Asterisk prompt (15 of
// them, about 80 s of speech) into one 8 kHz WAV in dir.
func gsmSpeechSource(t *testing.T, dir string) string {
	t.Helper()
	all, err := filepath.Glob(filepath.Join(asteriskSoundsEN, "*.wav"))
	if err != nil || len(all) < 24 {
		t.Fatalf("the Asterisk English prompts are required (install asterisk-core-sounds-en-wav with scripts/deps.sh): %d files, %v", len(all), err)
	}
	slices.Sort(all)
	var picked []string
	for i := 0; i < len(all); i += 24 {
		picked = append(picked, all[i])
	}
	out := filepath.Join(dir, "prompts.wav")
	runSox(t, append(append([]string{"-V1"}, picked...), "-r", "8000", "-c", "1", "-b", "16", out)...)
	return out
}

// soxDecodeS16 decodes a GSM file with sox to 16-bit samples.
func soxDecodeS16(t *testing.T, path string) []float32 {
	t.Helper()
	ref := path + ".s16"
	runSox(t, "-V1", path, "-t", "raw", "-e", "signed-integer", "-b", "16", ref)
	b, err := os.ReadFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	out := make([]float32, len(b)/2)
	for i := range out {
		out[i] = float32(int16(binary.LittleEndian.Uint16(b[2*i:])))
	}
	return out
}

// assertSameSamples fails on the first sample that differs.
func assertSameSamples(t *testing.T, got, want []float32) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%d samples, sox decodes %d", len(got), len(want))
	}
	for i := range got {
		if got[i] != want[i] {
			t.Fatalf("sample %d (frame %d) = %v, sox decodes %v", i, i/gsmFrameSamples, got[i], want[i])
		}
	}
}

// snrDB is the ratio of ref's power to the power of got - ref, over
// their common length.
func snrDB(ref, got []float32) float64 {
	var sig, noise float64
	for i := range min(len(ref), len(got)) {
		d := float64(got[i]) - float64(ref[i])
		sig += float64(ref[i]) * float64(ref[i])
		noise += d * d
	}
	return 10 * math.Log10(sig/noise)
}

// Speech, clipped speech (+20 dB: the saturating paths) and full-scale
// noise and square waves, in both layouts: bit-exact with sox.
func TestGSMDecodesLikeSox(t *testing.T) {
	dir := t.TempDir()
	speech := gsmSpeechSource(t, dir)
	sources := []struct {
		name           string
		input, effects []string
	}{
		{"speech", []string{speech}, nil},
		{"clipped", []string{speech}, []string{"gain", "20"}},
		{"synth", []string{"-n"}, []string{"synth", "4", "whitenoise", "synth", "4", "square", "mix", "150-3000", "vol", "0.99"}},
	}
	layouts := []struct {
		ext, encoding, format string
		soxOut                []string
	}{
		{".gsm", "gsm", "gsm", []string{"-t", "gsm"}},
		{"-49.wav", "gsm-ms", "wav", []string{"-t", "wav", "-e", "gsm-full-rate"}},
	}
	for _, src := range sources {
		for _, l := range layouts {
			t.Run(src.name+l.ext, func(t *testing.T) {
				path := filepath.Join(dir, src.name+l.ext)
				args := append(append([]string{"-V1"}, src.input...), "-r", "8000", "-c", "1")
				args = append(append(args, l.soxOut...), path)
				runSox(t, append(args, src.effects...)...)
				want := soxDecodeS16(t, path)
				s, got := openFile(t, path, DefaultOptions())
				assertSameSamples(t, got, want)
				info := s.Info()
				if info.Encoding != l.encoding || info.Format != l.format || info.SampleRate != 8000 ||
					info.Frames != int64(len(got)) || s.Truncated() || info.Resampled {
					t.Errorf("info %+v, truncated %v, %d samples", info, s.Truncated(), len(got))
				}
				t.Logf("%d samples (%.1f s) identical", len(got), float64(len(got))/8000)
				if len(got) < 3*8000 {
					t.Errorf("only %d samples: the source is too short to test much", len(got))
				}
				if src.name == "speech" { // and it is the speech that went in
					_, orig := openFile(t, speech, DefaultOptions())
					snr := snrDB(orig, got)
					t.Logf("round trip SNR %.1f dB", snr)
					if snr < 10 {
						t.Errorf("decoded speech is %.1f dB from the original, want a GSM round trip's >= 10 dB", snr)
					}
				}
			})
		}
	}
}

// randomGSMParams draws frames over the whole parameter space: invalid
// lags (which reuse the last valid one), all gains, grid positions and
// block maxima from silence to the loudest (which saturates the filters).
func randomGSMParams(rng *rand.Rand) gsmParams {
	var p gsmParams
	for i, n := range gsmLARBits {
		p.LARc[i] = rng.Int32N(1 << n)
	}
	loudest := rng.Int32N(64) + 1
	for j := range gsmSubframes {
		p.Nc[j] = rng.Int32N(128)
		p.bc[j] = rng.Int32N(4)
		p.Mc[j] = rng.Int32N(4)
		p.xmaxc[j] = rng.Int32N(loudest)
		for i := range gsmPulses {
			p.xMc[j][i] = rng.Int32N(8)
		}
	}
	return p
}

// gsmWAV wraps Microsoft GSM blocks in a WAV file as Windows writes it:
// a 20-byte fmt chunk with wSamplesPerBlock 320, a fact chunk, and the
// pad byte after an odd-sized data chunk.
func gsmWAV(blocks []byte) []byte {
	var b bytes.Buffer
	le := func(v any) { _ = binary.Write(&b, binary.LittleEndian, v) }
	b.WriteString("RIFF")
	le(uint32(0))
	b.WriteString("WAVEfmt ")
	le(uint32(20))
	le(uint16(tagGSM))
	le(uint16(1))
	le(uint32(8000))
	le(uint32(1625)) // 8000 / 320 * 65 bytes per second
	le(uint16(gsmMSBlockSize))
	le(uint16(0))
	le(uint16(2))
	le(uint16(gsmMSSamplesPerBlock))
	b.WriteString("fact")
	le(uint32(4))
	le(uint32(len(blocks) / gsmMSBlockSize * gsmMSSamplesPerBlock))
	b.WriteString("data")
	le(uint32(len(blocks)))
	b.Write(blocks)
	if len(blocks)%2 == 1 {
		b.WriteByte(0)
	}
	out := b.Bytes()
	binary.LittleEndian.PutUint32(out[4:], uint32(len(out)-8))
	return out
}

// Random parameter sets, packed both ways, decode like sox decodes them:
// this reaches the corners speech rarely does (invalid lags, saturation).
func TestGSMRandomFramesLikeSox(t *testing.T) {
	rng := rand.New(rand.NewPCG(6, 10))
	const frames = 600
	var raw, ms []byte
	params := make([]gsmParams, frames)
	for i := range params {
		params[i] = randomGSMParams(rng)
		raw = append(raw, packGSMFrame(&params[i])...)
	}
	for i := 0; i < frames; i += 2 {
		ms = append(ms, packMSBlock(&params[i], &params[i+1])...)
	}
	dir := t.TempDir()
	rawPath, msPath := filepath.Join(dir, "random.gsm"), filepath.Join(dir, "random.wav")
	if err := os.WriteFile(rawPath, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(msPath, gsmWAV(ms), 0o600); err != nil {
		t.Fatal(err)
	}
	_, gotRaw := openFile(t, rawPath, DefaultOptions())
	assertSameSamples(t, gotRaw, soxDecodeS16(t, rawPath))
	_, gotMS := openFile(t, msPath, DefaultOptions())
	assertSameSamples(t, gotMS, soxDecodeS16(t, msPath))
	if !equalSamples(gotRaw, gotMS) {
		t.Error("the same frames decode differently in the raw and the Microsoft layout")
	}
}

// The bit packers agree with the readers, field by field, in both orders.
func TestGSMPackingRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200 {
		a, b := randomGSMParams(rng), randomGSMParams(rng)
		frame := packGSMFrame(&a)
		if len(frame) != gsmFrameBytes || frame[0]>>4 != gsmSignature {
			t.Fatalf("packed frame % x", frame)
		}
		var got gsmParams
		if !unpackGSMFrame(frame, &got) || got != a {
			t.Fatalf("raw frame: got %+v, want %+v", got, a)
		}
		block := packMSBlock(&a, &b)
		var g1, g2 gsmParams
		if len(block) != gsmMSBlockSize {
			t.Fatalf("block of %d bytes", len(block))
		}
		unpackMSBlock(block, &g1, &g2)
		if g1 != a || g2 != b {
			t.Fatalf("Microsoft block: got %+v %+v, want %+v %+v", g1, g2, a, b)
		}
	}
	// A known layout: LARc[0] = 0b101010 straddles the signature byte.
	var p gsmParams
	p.LARc[0] = 0x2A
	if f := packGSMFrame(&p); f[0] != 0xDA || f[1] != 0x80 {
		t.Errorf("raw frame starts % x, want da 80", f[:2])
	}
	if b := packMSBlock(&p, &gsmParams{}); b[0] != 0x2A {
		t.Errorf("Microsoft block starts % x, want 2a", b[:1])
	}
}

// The fixed-point helpers stay inside the ranges the decoder relies on.
func TestGSMFixedPointRanges(t *testing.T) {
	for lar := int32(-32768); lar <= 32767; lar++ {
		if rp := larToRP(lar); rp < -32767 || rp > 32767 || (lar < 0) != (rp < 0) {
			t.Fatalf("larToRP(%d) = %d", lar, rp)
		}
	}
	for xmaxc := range int32(64) {
		exp, mant := xmaxcExpMant(xmaxc)
		if exp < -4 || exp > 6 || mant < 0 || mant > 7 {
			t.Fatalf("xmaxc %d: exp %d mant %d", xmaxc, exp, mant)
		}
		// The block maximum the code stands for grows with the code.
		if xmaxc > 0 {
			pe, pm := xmaxcExpMant(xmaxc - 1)
			if exp < pe || (exp == pe && mant <= pm) {
				t.Fatalf("xmaxc %d (exp %d mant %d) not above xmaxc %d (exp %d mant %d)", xmaxc, exp, mant, xmaxc-1, pe, pm)
			}
		}
	}
	if got := gsmMultR(32767, -32768); got != -32767 {
		t.Errorf("mult_r(32767, -32768) = %d", got)
	}
	if got := gsmAdd(30000, 30000); got != 32767 {
		t.Errorf("add saturates to %d", got)
	}
	if got := gsmSub(-30000, 30000); got != -32768 {
		t.Errorf("sub saturates to %d", got)
	}
}

// encodeGSMWithSox writes speech as a raw .gsm file and returns its bytes.
func encodeGSMWithSox(t *testing.T, dir, name string) []byte {
	t.Helper()
	speech := filepath.Join(asteriskSoundsEN, "agent-loggedoff.wav")
	path := filepath.Join(dir, name)
	runSox(t, "-V1", speech, "-r", "8000", "-c", "1", "-t", "gsm", path)
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 20*gsmFrameBytes || len(b)%gsmFrameBytes != 0 {
		t.Fatalf("sox wrote %d bytes", len(b))
	}
	return b
}

// A file cut in the middle of a frame: every whole frame is decoded (the
// ones sox decodes), the partial one is dropped and reported.
func TestGSMTruncatedLastFrame(t *testing.T) {
	dir := t.TempDir()
	full := encodeGSMWithSox(t, dir, "full.gsm")
	cut := full[:len(full)-10]
	path := filepath.Join(dir, "cut.gsm")
	if err := os.WriteFile(path, cut, 0o600); err != nil {
		t.Fatal(err)
	}
	s, got := openFile(t, path, DefaultOptions())
	assertSameSamples(t, got, soxDecodeS16(t, path))
	whole := len(cut) / gsmFrameBytes
	if len(got) != whole*gsmFrameSamples || !s.Truncated() || s.Info().Frames != int64(whole*gsmFrameSamples) {
		t.Errorf("%d samples (want %d), truncated %v, frames %d", len(got), whole*gsmFrameSamples, s.Truncated(), s.Info().Frames)
	}

	// WAV49 whose data ends before its header says, in the second block.
	var ms []byte
	rng := rand.New(rand.NewPCG(3, 4))
	for range 3 {
		a, b := randomGSMParams(rng), randomGSMParams(rng)
		ms = append(ms, packMSBlock(&a, &b)...)
	}
	wav := gsmWAV(ms)
	short := wav[:len(wav)-1-gsmMSBlockSize-20] // drop the pad byte, the last block and 20 bytes
	s = openBytes(t, "cut.wav", short, DefaultOptions())
	got = readAll(t, s)
	if len(got) != gsmMSSamplesPerBlock || !s.Truncated() || s.Info().HeaderFrames != 3*gsmMSSamplesPerBlock {
		t.Errorf("WAV49: %d samples (want %d), truncated %v, info %+v", len(got), gsmMSSamplesPerBlock, s.Truncated(), s.Info())
	}
	full49 := readAll(t, openBytes(t, "full.wav", wav, DefaultOptions()))
	if !equalSamples(got, full49[:len(got)]) {
		t.Error("the blocks before the cut decode differently")
	}
}

// A frame without the 0xD signature: the frames before it are returned,
// then a one-line ErrMalformed naming the file, the frame and its offset.
// A bad first frame is refused when the file is opened.
func TestGSMBadSignature(t *testing.T) {
	dir := t.TempDir()
	data := encodeGSMWithSox(t, dir, "ok.gsm")
	data[12*gsmFrameBytes] = 0x5A // frame 13
	path := filepath.Join(dir, "bad.gsm")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(path, DefaultOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	buf := make([]float32, 1000)
	total := 0
	for {
		n, err := s.Read(buf)
		total += n
		if err == nil {
			continue
		}
		want := path + ": frame 13 (byte 396): GSM 06.10 signature nibble 0x5, want 0xD (corrupt, or not a raw GSM file)"
		if !errors.Is(err, ErrMalformed) || err.Error() != want {
			t.Fatalf("error %q, want %q", err, want)
		}
		break
	}
	if total != 12*gsmFrameSamples {
		t.Errorf("%d samples before the bad frame, want %d", total, 12*gsmFrameSamples)
	}
	if _, err := s.Read(buf); !errors.Is(err, ErrMalformed) {
		t.Errorf("the error is not sticky: %v", err)
	}

	_, err = NewStream(bytes.NewReader([]byte("ID3\x04 an mp3 named .gsm, 33 bytes long")), "song.gsm", DefaultOptions())
	if !errors.Is(err, ErrMalformed) || err.Error() != "song.gsm: frame 1 (byte 0): GSM 06.10 signature nibble 0x4, want 0xD (corrupt, or not a raw GSM file)" {
		t.Errorf("not GSM at all: %v", err)
	}
}

// Empty files and files shorter than one block give no samples; only a
// partial block is called truncated.
func TestGSMEmptyAndShort(t *testing.T) {
	for _, tc := range []struct {
		name      string
		data      []byte
		truncated bool
	}{
		{"empty.gsm", nil, false},
		{"short.gsm", bytes.Repeat([]byte{0xD0}, gsmFrameBytes-1), true},
		{"empty.wav", gsmWAV(nil), false},
		{"short.wav", (wavSpec{tag: tagGSM, channels: 1, rate: 8000, blockAlign: gsmMSBlockSize, dataSize: 200, data: make([]byte, 64)}).bytes(), true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := openBytes(t, tc.name, tc.data, DefaultOptions())
			n, err := s.Read(make([]float32, 100))
			if n != 0 || err != io.EOF || s.Truncated() != tc.truncated {
				t.Errorf("Read = %d, %v; truncated %v, want %v", n, err, s.Truncated(), tc.truncated)
			}
			if !strings.HasPrefix(s.Info().Encoding, "gsm") {
				t.Errorf("info %+v", s.Info())
			}
		})
	}
	// An empty file on disk: Frames is known to be 0.
	path := filepath.Join(t.TempDir(), "empty.gsm")
	if err := os.WriteFile(path, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	s, got := openFile(t, path, DefaultOptions())
	if len(got) != 0 || s.Info().Frames != 0 || s.Truncated() {
		t.Errorf("empty file: %d samples, info %+v", len(got), s.Info())
	}
}

// Options.Format "gsm" reads raw GSM whatever the name; the reader hands
// out a block's samples across short reads.
func TestGSMForcedFormatAndShortReads(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	var data []byte
	for range 7 {
		p := randomGSMParams(rng)
		data = append(data, packGSMFrame(&p)...)
	}
	want := readAll(t, openBytes(t, "a.gsm", data, DefaultOptions()))
	s := openBytes(t, "call.bin", data, Options{Format: "GSM", Channel: ChannelAuto})
	var got []float32
	buf := make([]float32, 7) // never a whole frame
	for {
		n, err := s.Read(buf)
		got = append(got, buf[:n]...)
		if err != nil {
			break
		}
	}
	if len(want) != 7*gsmFrameSamples || !equalSamples(got, want) || s.Info().Format != "gsm" {
		t.Errorf("forced gsm with 7-sample reads: %d samples, want %d the same; info %+v", len(got), len(want), s.Info())
	}
	// A WAV file forced to raw GSM is refused with a hint.
	var wav bytes.Buffer
	if err := WriteWAV(&wav, 8000, "pcm16", make([]float32, 400)); err != nil {
		t.Fatal(err)
	}
	if _, err := NewStream(&wav, "x.wav", Options{Format: "gsm"}); !errors.Is(err, ErrMalformed) || err.Error() != "x.wav: format: a RIFF/WAV file, not raw GSM 06.10 frames: do not force the gsm format" {
		t.Errorf("WAV forced to gsm: %v", err)
	}
}

// fmt chunk checks for Microsoft GSM.
func TestGSMWAVHeaderErrors(t *testing.T) {
	ok := wavSpec{tag: tagGSM, channels: 1, rate: 8000, blockAlign: gsmMSBlockSize, dataSize: -1, data: make([]byte, 130)}
	mod := func(f func(*wavSpec)) []byte { s := ok; f(&s); return s.bytes() }
	spb := func(n uint16) []byte {
		b := gsmWAV(make([]byte, 130))
		binary.LittleEndian.PutUint16(b[38:], n) // wSamplesPerBlock
		return b
	}
	cases := []struct {
		name string
		data []byte
		kind error
		msg  string
	}{
		{"stereo", mod(func(s *wavSpec) { s.channels = 2 }), ErrUnsupported, "call.wav: fmt chunk: GSM 6.10 with 2 channels (want mono)"},
		{"block align", mod(func(s *wavSpec) { s.blockAlign = 33 }), ErrMalformed, "call.wav: fmt chunk: GSM 6.10 block align 33, want 65 (two frames per block)"},
		{"samples per block", spb(160), ErrMalformed, "call.wav: fmt chunk: GSM 6.10 with 160 samples per block, want 320"},
		{"4 kHz", mod(func(s *wavSpec) { s.rate = 4000 }), ErrUnsupported, "call.wav: fmt chunk: sample rate 4000 Hz is below 8000 Hz (too narrow for AMD)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewStream(bytes.NewReader(tc.data), "call.wav", DefaultOptions())
			if !errors.Is(err, tc.kind) || err.Error() != tc.msg {
				t.Errorf("error %v, want %q wrapping %v", err, tc.msg, tc.kind)
			}
		})
	}
	// Without the WAVEFORMATEX extension (a 16-byte fmt chunk), and as a
	// WAVE_FORMAT_EXTENSIBLE sub-format, the blocks are still read.
	for name, data := range map[string][]byte{
		"16-byte fmt": ok.bytes(),
		"extensible":  mod(func(s *wavSpec) { s.tag, s.extensible = 0, tagGSM }),
		"samples 0":   spb(0),
	} {
		s := openBytes(t, "call.wav", data, DefaultOptions())
		if got := readAll(t, s); len(got) != 2*gsmMSSamplesPerBlock || s.Info().Encoding != "gsm-ms" {
			t.Errorf("%s: %d samples, info %+v", name, len(got), s.Info())
		}
	}
}

// Ten (raw) and twenty (WAV49) minutes of GSM from a non-seekable reader, with a
// streaming recorder's 0xFFFFFFFF size: every block comes out and reading
// allocates nothing after NewStream.
func TestGSMStreamsInConstantMemory(t *testing.T) {
	const seconds = 600
	rng := rand.New(rand.NewPCG(9, 10))
	var raw, ms []byte
	for range 50 { // one second
		a, b := randomGSMParams(rng), randomGSMParams(rng)
		raw = append(raw, packGSMFrame(&a)...)
		ms = append(ms, packMSBlock(&a, &b)...)
	}
	msHeader := (wavSpec{tag: tagGSM, channels: 1, rate: 8000, blockAlign: gsmMSBlockSize, dataSize: 0xFFFFFFFF}).bytes()
	for _, tc := range []struct {
		name    string
		hdr     []byte
		pattern []byte
		samples int64
	}{
		{"long.gsm", nil, raw, seconds * 8000},
		{"long.wav", msHeader, ms, 2 * seconds * 8000}, // the blocks hold 2 s of frames
	} {
		src := &synthReader{hdr: tc.hdr, pattern: tc.pattern, left: seconds * int64(len(tc.pattern))}
		s, err := NewStream(src, tc.name, DefaultOptions())
		if err != nil {
			t.Fatal(err)
		}
		var total int64
		buf := make([]float32, 4000)
		alloc := heapAllocated(func() {
			for {
				n, err := s.Read(buf)
				total += int64(n)
				if err != nil {
					if err != io.EOF {
						t.Error(err)
					}
					return
				}
			}
		})
		if total != tc.samples || s.Truncated() || s.Info().Frames != -1 {
			t.Errorf("%s: %d samples, want %d; truncated %v; info %+v", tc.name, total, tc.samples, s.Truncated(), s.Info())
		}
		if alloc > 16<<10 {
			t.Errorf("%s: reading %d s allocated %d bytes", tc.name, seconds, alloc)
		}
	}
}

// The unsaturated fast path of the lattice filter gives the standard's
// saturating result: on normal speech (where it is taken) and on loud
// random frames (where it must fall back).
func TestGSMFastPathMatchesSaturating(t *testing.T) {
	dir := t.TempDir()
	speech := encodeGSMWithSox(t, dir, "speech.gsm")
	rng := rand.New(rand.NewPCG(11, 12))
	var loud []byte
	for range 200 {
		p := randomGSMParams(rng)
		loud = append(loud, packGSMFrame(&p)...)
	}
	for _, tc := range []struct {
		name       string
		data       []byte
		wantReruns bool
	}{{"speech", speech, false}, {"loud", loud, true}} {
		fast, exact := newGSMDecoder(), newGSMDecoder()
		exact.alwaysSaturate = true
		got, want := make([]float32, gsmFrameSamples), make([]float32, gsmFrameSamples)
		var p gsmParams
		for off := 0; off < len(tc.data); off += gsmFrameBytes {
			if !unpackGSMFrame(tc.data[off:off+gsmFrameBytes], &p) {
				t.Fatalf("%s: bad frame at %d", tc.name, off)
			}
			fast.decode(&p, got)
			exact.decode(&p, want)
			if !equalSamples(got, want) {
				t.Fatalf("%s: frame %d differs between the fast and the saturating filter", tc.name, off/gsmFrameBytes)
			}
		}
		if (fast.reruns > 0) != tc.wantReruns {
			t.Errorf("%s: %d segments refiltered with saturation", tc.name, fast.reruns)
		}
	}
}
