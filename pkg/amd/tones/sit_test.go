package tones

import (
	"fmt"
	"math"
	"testing"
)

// sitSignal synthesises a SIT of the given code after lead ms of silence,
// with every frequency scaled by (1+fShift), every duration by (1+dScale),
// segment levels offset by lvl (dB each), then tail ms of silence.
func sitSignal(code string, lead int, fShift, dScale float64, lvl [3]float64, tail int) (sig, int) {
	var c sitCode
	for _, x := range sitCodes {
		if x.name == code {
			c = x
		}
	}
	durs := [3]float64{c.dur1, c.dur2, sitLong}
	if code == "ITU" {
		durs = [3]float64{330, 330, 330}
	}
	freqs := [3]float64{c.f1, c.f2, c.f3}
	s := sig{}.silence(lead)
	total := 0
	for i := range 3 {
		ms := int(math.Round(durs[i] * (1 + dScale)))
		s = s.tone(freqs[i]*(1+fShift), ms, -24+lvl[i])
		total += ms
	}
	return s.silence(tail), lead + total
}

func TestSITDecodesEveryCode(t *testing.T) {
	for _, c := range sitCodes {
		for _, v := range []struct {
			name           string
			fShift, dScale float64
			lvl            [3]float64
			noisy, ulaw    bool
		}{
			{name: "nominal"},
			{name: "+1.5% freq", fShift: 0.015},
			{name: "-1.5% freq", fShift: -0.015},
			{name: "+10% dur", dScale: 0.10},
			{name: "-10% dur", dScale: -0.10},
			{name: "levels ±3 dB", lvl: [3]float64{3, -3, 0}},
			{name: "G.711 + 15 dB SNR", noisy: true, ulaw: true, fShift: 0.005, dScale: -0.05},
			{name: "quiet -40 dBm0", lvl: [3]float64{-16, -16, -16}},
		} {
			t.Run(c.name+"/"+v.name, func(t *testing.T) {
				s, end3 := sitSignal(c.name, 300, v.fShift, v.dScale, v.lvl, 400)
				if v.noisy {
					s = s.addNoise(15, 42)
				}
				if v.ulaw {
					s = s.ulaw()
				}
				r := runSIT(s)
				if r == nil {
					t.Fatalf("no SIT detected")
				}
				if r.Code != c.name {
					t.Fatalf("code %s, want %s (segments %+v)", r.Code, c.name, r.Segments)
				}
				if r.DetectedMs > end3+100 {
					t.Errorf("detected at %d ms, segment 3 ended at %d", r.DetectedMs, end3)
				}
				if math.Abs(float64(r.StartMs-300)) > 15 {
					t.Errorf("start %d ms, want 300", r.StartMs)
				}
				if len(r.Segments) != 3 {
					t.Fatalf("segments %+v", r.Segments)
				}
			})
		}
	}
}

func TestSITSegmentMeasurements(t *testing.T) {
	s, _ := sitSignal("RO", 200, 0, 0, [3]float64{}, 500)
	r := runSIT(s)
	if r == nil || r.Code != "RO" {
		t.Fatalf("got %+v", r)
	}
	want := []Segment{{913.8, 274}, {1428.5, 380}, {1776.7, 380}}
	for i, w := range want {
		g := r.Segments[i]
		if math.Abs(g.FreqHz-w.FreqHz) > 3 || math.Abs(float64(g.DurMs-w.DurMs)) > 15 {
			t.Errorf("segment %d = %+v, want %+v", i+1, g, w)
		}
	}
	if math.Abs(r.LevelDB+24) > 1 {
		t.Errorf("level %.1f dBm0, want -24", r.LevelDB)
	}
}

func TestSITRejects(t *testing.T) {
	cases := map[string]sig{
		"two segments only": sig{}.silence(200).tone(913.8, 274, -24).tone(1370.6, 274, -24).silence(600),
		"wrong order":       sig{}.silence(200).tone(1776.7, 380, -24).tone(1370.6, 274, -24).tone(913.8, 274, -24).silence(600),
		"segments too short": sig{}.silence(200).tone(913.8, 150, -24).tone(1370.6, 150, -24).tone(1776.7, 380, -24).
			silence(600),
		"long gap between segments": sig{}.silence(200).tone(913.8, 274, -24).silence(150).tone(1370.6, 274, -24).
			silence(150).tone(1776.7, 380, -24).silence(600),
		"too quiet (-50 dBm0)": func() sig { s, _ := sitSignal("IC", 200, 0, 0, [3]float64{-26, -26, -26}, 400); return s }(),
		"dual tones":           sig{}.silence(200).dual(913.8, 1200, 274, -24).dual(1370.6, 700, 274, -24).dual(1776.7, 500, 380, -24).silence(400),
		"harmonic vowels":      append(append(vowel(110, 600, 1), vowel(150, 600, 2)...), vowel(190, 600, 3)...),
	}
	for name, s := range cases {
		if r := runSIT(s); r != nil {
			t.Errorf("%s: false SIT %+v", name, r)
		}
	}
}

func ExampleSITDetector() {
	s, _ := sitSignal("VC", 500, 0, 0, [3]float64{}, 300)
	d := NewSIT()
	frames(s, d.Process)
	r := d.Result()
	fmt.Println(r.Code, r.StartMs, len(r.Segments))
	// Output: VC 500 3
}
