package corpus

import (
	"bufio"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"

	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// Example is one of the small committed recordings under examples/.
type Example struct {
	Label
	Encoding string // WAV encoding written
	Expect   string // what amd analyze should say, for the README
}

// Examples writes the four README examples into dir (clean recordings,
// each well under 100 KB) and returns their descriptions.
func Examples(cfg Config, dir string) ([]Example, error) {
	g, err := newGenerator(cfg)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	r := rand.New(rand.NewPCG(cfg.Seed, 1))
	clip := func(name string, dbfs float64) ([]float32, error) {
		c, err := g.src.asteriskClip(name)
		if err != nil {
			return nil, err
		}
		x := append([]float32(nil), c...)
		setLevel(x, dbfs)
		return x, nil
	}
	hello, err := clip("en/hello", -20)
	if err != nil {
		return nil, err
	}
	nobody, err := clip("en/vm-nobodyavail", -20)
	if err != nil {
		return nil, err
	}
	leave, err := clip("en/vm-leavemsg", -20)
	if err != nil {
		return nil, err
	}
	noService, err := clip("en/ss-noservice", -22)
	if err != nil {
		return nil, err
	}
	hiss := func(x []float32) []float32 { // a quiet line, -65 dBm0
		n := gaussNoise(len(x), dBm0Peak(-65)/1.4142, true, r)
		for i := range x {
			x[i] += n[i]
		}
		return x
	}
	examples := []struct {
		ex Example
		x  []float32
	}{
		{Example{Label: Label{File: "human-hello.wav", Label: LabelHuman, Notes: "0.7 s silence, Allison \"Hello?\", then the person waits"},
			Encoding: "pcm16", Expect: "HUMAN about 0.8 s after the greeting ends"},
			hiss(concat(silence(700), hello, silence(3000)))},
		{Example{Label: Label{File: "voicemail-beep-1000hz.wav", Label: LabelMachine, BeepHz: 1000,
			Notes: "Allison voicemail greeting (5 s) then a 1000 Hz beep of 500 ms"},
			Encoding: "ulaw", Expect: "MACHINE within ~2.5 s, beep 1000 Hz → \"Voice mail 1000Hz\""},
			hiss(concat(silence(500), nobody, silence(350), leave, silence(400), tone(500, -12, 1000), silence(1200)))},
		{Example{Label: Label{File: "fax-ced.wav", Label: LabelFax, Signal: "CED",
			Notes: "fax answering: 1.8 s silence, CED 2100 Hz for 3 s, then the V.21 HDLC flag preamble"},
			Encoding: "alaw", Expect: "FAX, signal CED → \"Fax 2100Hz\""},
			hiss(concat(silence(1800), tone(3000, -12, 2100), silence(75), v21Flags(1000, -12, 40, r), silence(500)))},
		{Example{Label: Label{File: "sit-intercept.wav", Label: LabelSIT, Code: "IC",
			Notes: "SIT IC (913.8/1370.6/1776.7 Hz, short-short-long) then \"the number you have dialed is not in service\""},
			Encoding: "ulaw", Expect: "SIT, code IC → \"Interception announcement\""},
			hiss(concat(silence(300), sit("IC", -24, r), silence(100), noService, silence(500)))},
	}
	var out []Example
	for _, e := range examples {
		if err := WriteWAVFile(filepath.Join(dir, e.ex.File), e.ex.Encoding, e.x); err != nil {
			return nil, err
		}
		out = append(out, e.ex)
	}
	labels := make([]Label, len(out))
	for i, e := range out {
		labels[i] = e.Label
	}
	if err := WriteLabels(filepath.Join(dir, LabelsFile), labels); err != nil {
		return nil, err
	}
	return out, nil
}

// WriteWAVFile writes 8 kHz samples to path in the given encoding
// ("pcm16", "ulaw", "alaw"). The held-out generator uses it too.
func WriteWAVFile(path, enc string, x []float32) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	if err := audio.WriteWAV(w, rate, enc, x); err != nil {
		f.Close()
		return fmt.Errorf("%s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}
