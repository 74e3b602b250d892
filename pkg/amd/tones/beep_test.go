package tones

import (
	"math"
	"sync"
	"testing"
)

// greeting is a stand-in voicemail greeting: voiced sounds with pauses.
// It is synthesised once; callers get their own copy.
func greeting() sig { return append(sig(nil), greetingOnce()...) }

var greetingOnce = sync.OnceValue(func() sig {
	s := sig{}.silence(200)
	for i := range 4 {
		s = s.append(vowel(110+float64(i)*25, 400, uint64(i))).silence(120)
	}
	return s
})

func TestBeepDetection(t *testing.T) {
	type want struct {
		freq         float64
		start, endMs int
	}
	type tc struct {
		name string
		s    sig
		w    *want
	}
	var cases []tc
	for _, hz := range []float64{300, 440, 720, 1000, 1400, 2000, 3400} {
		for _, ms := range []int{70, 200, 1000, 1500} {
			g := greeting()
			start := endMsOf(g) + 300
			s := g.silence(300).tone(hz, ms, -20).silence(600)
			cases = append(cases, tc{name: "clean", s: s, w: &want{hz, start, start + ms}})
		}
	}
	g := greeting()
	start := endMsOf(g) + 300
	cases = append(cases,
		tc{"15 dB SNR µ-law 1000 Hz", g.silence(300).tone(1000, 300, -20).silence(600).noise(-35, 9).ulaw(), &want{1000, start, start + 300}},
		tc{"15 dB SNR A-law 1400 Hz 80 ms", g.silence(300).tone(1400, 80, -20).silence(600).noise(-35, 10).alaw(), &want{1400, start, start + 80}},
		tc{"10 dB SNR 720 Hz", g.silence(300).tone(720, 400, -20).silence(600).noise(-30, 11), &want{720, start, start + 400}},
		tc{"-43 dBm0", g.silence(300).tone(1000, 300, -43).silence(600), &want{1000, start, start + 300}},
		tc{"odd frequency 1234.5 Hz", g.silence(300).tone(1234.5, 250, -20).silence(600), &want{1234.5, start, start + 250}},
		tc{"immediately after speech", g.tone(1000, 250, -20).silence(600), &want{1000, endMsOf(g), endMsOf(g) + 250}},
		tc{"-50 dBm0: too quiet", g.silence(300).tone(1000, 300, -50).silence(600), nil},
		tc{"55 ms: too short", g.silence(300).tone(1000, 55, -20).silence(600), nil},
		tc{"1700 ms: too long", g.silence(300).tone(1000, 1700, -20).silence(600), nil},
		tc{"4 kHz: out of band", g.silence(300).tone(3700, 300, -20).silence(600), nil},
	)
	for _, c := range cases {
		bs := runBeep(c.s)
		if c.w == nil {
			if len(bs) != 0 {
				t.Errorf("%s: false beeps %+v", c.name, bs)
			}
			continue
		}
		if len(bs) != 1 {
			t.Errorf("%s %.0f Hz %d ms: got %+v, want one beep", c.name, c.w.freq, c.w.endMs-c.w.start, bs)
			continue
		}
		b := bs[0]
		if math.Abs(b.FreqHz-c.w.freq) > 5 {
			t.Errorf("%s %.0f Hz: measured %.2f Hz", c.name, c.w.freq, b.FreqHz)
		}
		if math.Abs(float64(b.StartMs-c.w.start)) > 10 || math.Abs(float64(b.EndMs-c.w.endMs)) > 10 {
			t.Errorf("%s %.0f Hz: %d-%d ms, want %d-%d", c.name, c.w.freq, b.StartMs, b.EndMs, c.w.start, c.w.endMs)
		}
		maxLatency := 100
		if c.w.freq >= progressLoHz && c.w.freq <= progressHiHz {
			maxLatency = progressHoldMs + 10
		}
		if b.DetectedMs < c.w.endMs+40 || b.DetectedMs > c.w.endMs+maxLatency {
			t.Errorf("%s %.0f Hz %d ms: detected at %d, tone ended at %d", c.name, c.w.freq, c.w.endMs-c.w.start, b.DetectedMs, c.w.endMs)
		}
	}
}

func TestBeepLevel(t *testing.T) {
	bs := runBeep(greeting().silence(300).tone(1000, 300, -17).silence(300))
	if len(bs) != 1 || math.Abs(bs[0].LevelDB+17) > 0.5 {
		t.Fatalf("got %+v, want one beep at -17 dBm0", bs)
	}
}

func TestBeepRejectsProgressAndMultiTones(t *testing.T) {
	dtmf := [][2]float64{{697, 1209}, {770, 1336}, {852, 1477}, {941, 1633}, {697, 1477}, {941, 1336}}
	digits := sig{}.silence(200)
	for _, d := range dtmf {
		digits = digits.dual(d[0], d[1], 100, -10).silence(100)
	}
	fast := sig{}.silence(200)
	for _, d := range dtmf { // 40 ms digits, 40 ms pauses: the fastest legal dialling
		fast = fast.dual(d[0], d[1], 40, -10).silence(40)
	}
	twisted := sig{}.silence(200)
	for _, d := range dtmf { // high group 6 dB stronger: allowed DTMF twist
		twisted = twisted.append(mix(sig{}.tone(d[0], 120, -16), sig{}.tone(d[1], 120, -10))).silence(80)
	}
	usRing := sig{}
	for range 3 {
		usRing = usRing.dual(440, 480, 2000, -19).silence(4000)
	}
	euRing := sig{}
	for range 3 {
		euRing = euRing.tone(425, 1000, -10).silence(4000)
	}
	euBusyAfterVoice := greeting()
	for range 6 {
		euBusyAfterVoice = euBusyAfterVoice.tone(425, 500, -10).silence(500)
	}
	brBusy := greeting()
	for range 8 {
		brBusy = brBusy.tone(425, 250, -10).silence(250)
	}
	usBusy := sig{}
	for range 6 {
		usBusy = usBusy.dual(480, 620, 500, -24).silence(500)
	}
	ukRing := sig{}
	for range 2 {
		ukRing = ukRing.dual(400, 450, 400, -19).silence(200).dual(400, 450, 400, -19).silence(2000)
	}
	sitTone, _ := sitSignal("IC", 200, 0, 0, [3]float64{}, 500)
	cases := map[string]sig{
		"DTMF":               digits,
		"DTMF 6 dB twist":    twisted,
		"DTMF fast":          fast,
		"US ringback":        usRing,
		"EU/BR ringback":     euRing,
		"EU ringback, noisy": euRing.noise(-35, 14), // the line noise between rings counts as "voice"
		"EU busy":            euBusyAfterVoice,
		"BR busy":            brBusy,
		"US busy":            usBusy,
		"UK ringback":        ukRing,
		"SIT":                sitTone,
		"greeting":           greeting(),
		"greeting 10dB SNR":  greeting().addNoise(10, 12),
	}
	for name, s := range cases {
		if bs := runBeep(s); len(bs) != 0 {
			t.Errorf("%s: false beeps %+v", name, bs)
		}
	}
}

// mix adds two signals of equal length.
func mix(a, b sig) sig {
	out := make(sig, len(a))
	for i := range a {
		out[i] = a[i] + b[i]
	}
	return out
}

func TestBeep425AfterVoiceIsABeep(t *testing.T) {
	g := greeting()
	bs := runBeep(g.silence(200).tone(425, 400, -15).silence(1500))
	if len(bs) != 1 || math.Abs(bs[0].FreqHz-425) > 5 {
		t.Fatalf("got %+v, want one 425 Hz beep", bs)
	}
}
