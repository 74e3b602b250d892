package tones

import (
	"math"
	"testing"
)

// ans synthesises a 2100 Hz answer tone of ms, optionally with phase
// reversals every revMs and 15 Hz AM of the given depth.
func ans(hz float64, ms int, dBm0 float64, revMs int, amDepth float64) sig {
	a := amplitudeOf(dBm0)
	n := samplesOf(ms)
	out := make(sig, n)
	phase := 0.0
	for i := 0; i < n; i++ {
		t := float64(i) / rate
		if revMs > 0 && i > 0 && i%samplesOf(revMs) == 0 {
			phase += math.Pi
		}
		env := 1 + amDepth*math.Sin(2*math.Pi*15*t)
		out[i] = float32(a * env * math.Sin(2*math.Pi*hz*t+phase))
	}
	return out
}

// v21Flags synthesises continuous-phase V.21 ch2 FSK carrying n HDLC
// flags, preceded by some random-looking bits.
func v21Flags(n int, dBm0 float64) sig {
	var bits []int
	for _, b := range []byte{0x55, 0x00, 0xFF, 0x31} { // not flags
		for k := 7; k >= 0; k-- {
			bits = append(bits, int(b>>k)&1)
		}
	}
	for range n {
		for k := 7; k >= 0; k-- {
			bits = append(bits, int(0x7E>>k)&1)
		}
	}
	a := amplitudeOf(dBm0)
	var out sig
	phase := 0.0
	samplesPerBit := rate / 300.0
	total := int(float64(len(bits)) * samplesPerBit)
	for i := 0; i < total; i++ {
		hz := 1850.0
		if bits[int(float64(i)/samplesPerBit)] == 1 {
			hz = 1650
		}
		phase += 2 * math.Pi * hz / rate
		out = append(out, float32(a*math.Sin(phase)))
	}
	return out
}

func TestFaxCNG(t *testing.T) {
	cases := []struct {
		name string
		s    sig
		want bool
	}{
		{"500 ms burst", sig{}.silence(300).tone(1100, 500, -20).silence(3000).tone(1100, 500, -20), true},
		{"450 ms", sig{}.silence(300).tone(1100, 450, -20).silence(1000), true},
		{"400 ms: too short", sig{}.silence(300).tone(1100, 400, -20).silence(1000), false},
		{"-43 dBm0", sig{}.silence(300).tone(1100, 500, -43).silence(500), true},
		{"-50 dBm0", sig{}.silence(300).tone(1100, 500, -50).silence(500), false},
		{"+35 Hz", sig{}.silence(300).tone(1135, 500, -20).silence(500), true},
		{"-35 Hz", sig{}.silence(300).tone(1065, 500, -20).silence(500), true},
		{"+50 Hz", sig{}.silence(300).tone(1150, 500, -20).silence(500), false},
		{"10 dB SNR", sig{}.silence(300).tone(1100, 500, -20).silence(500).addNoise(10, 3), true},
		{"G.711 A-law", sig{}.silence(300).tone(1100, 500, -30).silence(500).alaw(), true},
	}
	for _, c := range cases {
		r := runFax(c.s)
		if c.want && (r == nil || r.Signal != "CNG") {
			t.Errorf("%s: got %+v, want CNG", c.name, r)
			continue
		}
		if !c.want && r != nil {
			t.Errorf("%s: false %+v", c.name, r)
			continue
		}
		if r != nil {
			if c.name == "500 ms burst" && (r.Bursts != 2 || math.Abs(float64(r.DurMs-500)) > 20) {
				t.Errorf("%s: %d bursts of %d ms, want 2 of 500", c.name, r.Bursts, r.DurMs)
			}
			if math.Abs(float64(r.StartMs-300)) > 10 || r.DetectedMs > 300+450 {
				t.Errorf("%s: start %d detected %d, want 300 / ≤ 750", c.name, r.StartMs, r.DetectedMs)
			}
			if math.Abs(r.FreqHz-1100) > 40 {
				t.Errorf("%s: freq %.1f", c.name, r.FreqHz)
			}
		}
	}
}

func TestFaxAnswerTones(t *testing.T) {
	cases := []struct {
		name       string
		s          sig
		want       string
		maxDetect  int
		minRevs    int
		levelDBm0  float64
		checkLevel bool
	}{
		{name: "CED 3 s", s: sig{}.silence(200).tone(2100, 3000, -15), want: "CED", maxDetect: 200 + 600, levelDBm0: -15, checkLevel: true},
		{name: "ANS 580 ms", s: sig{}.silence(200).tone(2100, 580, -15).silence(300), want: "CED", maxDetect: 200 + 600},
		{name: "ANS 500 ms: too short", s: sig{}.silence(200).tone(2100, 500, -15).silence(300), want: ""},
		{name: "ANS -43 dBm0", s: sig{}.silence(200).tone(2100, 1000, -43), want: "CED", maxDetect: 200 + 600},
		{name: "ANS -50 dBm0", s: sig{}.silence(200).tone(2100, 1000, -50), want: ""},
		{name: "ANS +15 Hz", s: sig{}.silence(200).tone(2115, 1000, -15), want: "CED", maxDetect: 200 + 600},
		{name: "ANS -15 Hz 10 dB SNR", s: sig{}.silence(200).tone(2085, 1000, -15).addNoise(10, 4), want: "CED", maxDetect: 200 + 600},
		{name: "2040 Hz is not ANS", s: sig{}.silence(200).tone(2040, 1000, -15), want: ""},
		{name: "ANS/ phase reversals", s: sig{}.silence(200).append(ans(2100, 3300, -15, 450, 0)), want: "ANS_PR", maxDetect: 200 + 1000, minRevs: 2},
		{name: "ANS/ 10 dB SNR µ-law", s: sig{}.silence(200).append(ans(2100, 3300, -15, 450, 0)).addNoise(10, 5).ulaw(), want: "ANS_PR", maxDetect: 200 + 1000, minRevs: 2},
		{name: "ANSam", s: sig{}.silence(200).append(ans(2100, 3000, -15, 0, 0.2)), want: "ANSAM", maxDetect: 200 + 600},
		{name: "ANSam 10 dB SNR", s: sig{}.silence(200).append(ans(2100, 3000, -15, 0, 0.2)).addNoise(10, 6), want: "ANSAM", maxDetect: 200 + 600},
		{name: "ANSam/", s: sig{}.silence(200).append(ans(2100, 3000, -15, 450, 0.2)), want: "ANSAM", maxDetect: 200 + 1000, minRevs: 2},
		{name: "Bell 2225", s: sig{}.silence(200).tone(2225, 2000, -15), want: "BELL2225", maxDetect: 200 + 600},
	}
	for _, c := range cases {
		r := runFax(c.s)
		if c.want == "" {
			if r != nil {
				t.Errorf("%s: false %+v", c.name, r)
			}
			continue
		}
		if r == nil || r.Signal != c.want {
			t.Errorf("%s: got %+v, want %s", c.name, r, c.want)
			continue
		}
		if r.DetectedMs > c.maxDetect || math.Abs(float64(r.StartMs-200)) > 10 {
			t.Errorf("%s: start %d detected %d, want 200 / ≤ %d", c.name, r.StartMs, r.DetectedMs, c.maxDetect)
		}
		if r.PhaseReversals < c.minRevs {
			t.Errorf("%s: %d phase reversals, want ≥ %d", c.name, r.PhaseReversals, c.minRevs)
		}
		if c.name == "CED 3 s" && math.Abs(float64(r.DurMs-3000)) > 20 {
			t.Errorf("%s: duration %d ms, want 3000", c.name, r.DurMs)
		}
		if c.checkLevel && math.Abs(r.LevelDB-c.levelDBm0) > 0.5 {
			t.Errorf("%s: level %.1f, want %.1f", c.name, r.LevelDB, c.levelDBm0)
		}
	}
}

func (s sig) append(o sig) sig { return append(s, o...) }

func TestFaxV21Preamble(t *testing.T) {
	for _, c := range []struct {
		name string
		s    sig
		want bool
	}{
		{"1 s of flags", sig{}.silence(300).append(v21Flags(37, -15)).silence(300), true},
		{"10 dB SNR µ-law", sig{}.silence(300).append(v21Flags(37, -15)).silence(300).addNoise(10, 8).ulaw(), true},
		{"-43 dBm0", sig{}.silence(300).append(v21Flags(37, -43)).silence(300), true},
		{"3 flags only", sig{}.silence(300).append(v21Flags(3, -15)).silence(300), false},
	} {
		r := runFax(c.s)
		if !c.want {
			if r != nil {
				t.Errorf("%s: false %+v", c.name, r)
			}
			continue
		}
		if r == nil || r.Signal != "V21" {
			t.Errorf("%s: got %+v, want V21", c.name, r)
			continue
		}
		// 32 lead-in bits + 5 flags = 72 bits = 240 ms; allow 200 ms more.
		if r.DetectedMs > 300+240+200 || r.Flags < v21MinFlags {
			t.Errorf("%s: detected at %d ms with %d flags", c.name, r.DetectedMs, r.Flags)
		}
	}
}
