package tones

import (
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Talk-off: speech, music, whistles and sung vowels must not fire the fax,
// SIT or progress detectors, and must not produce beeps.

// allDetectors runs the four detectors through a Bank, as the pipeline does.
type allDetectors struct {
	bank             *Bank
	fax              *FaxDetector
	sit              *SITDetector
	beep             *BeepDetector
	prog             *ProgressDetector
	end, tonal, loud int
	single           int // frames IsTone flags
}

func newAll() *allDetectors {
	b := NewBank()
	return &allDetectors{bank: b, fax: b.Fax, sit: b.SIT, beep: b.Beep, prog: b.Progress}
}

func (a *allDetectors) process(f *dsp.Frame) {
	if a.bank.Process(f) {
		a.tonal++
	}
	if f.Energy >= energyOfDBm0(-40) {
		a.loud++
		if IsTone(f) {
			a.single++
		}
	}
	a.end = f.EndMs()
}

// verdict describes everything that fired, "" if nothing did.
func (a *allDetectors) verdict() string {
	a.beep.Flush(a.end)
	var out []string
	if r := a.fax.Result(); r != nil {
		out = append(out, fmt.Sprintf("fax %s at %d ms", r.Signal, r.StartMs))
	}
	if r := a.sit.Result(); r != nil {
		out = append(out, fmt.Sprintf("SIT %s at %d ms", r.Code, r.StartMs))
	}
	for _, b := range a.beep.Beeps() {
		out = append(out, fmt.Sprintf("beep %.0f Hz %d-%d ms", b.FreqHz, b.StartMs, b.EndMs))
	}
	if p := a.prog.State(); p.Ringback || p.Busy {
		out = append(out, fmt.Sprintf("progress %+v", p))
	}
	return strings.Join(out, "; ")
}

func analyseSig(s sig) string {
	a := newAll()
	frames(s, a.process)
	return a.verdict()
}

func analyseFile(t *testing.T, path string) (string, int) {
	t.Helper()
	v, ms, _ := analyseFileTonal(t, path)
	return v, ms
}

// analyseFileTonal also returns the share of loud frames IsTone masked.
func analyseFileTonal(t *testing.T, path string) (string, int, [3]int) {
	t.Helper()
	st, err := audio.Open(path, audio.DefaultOptions())
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	defer st.Close()
	a := newAll()
	an := dsp.NewAnalyzer()
	buf := make([]float32, 4096)
	for {
		n, err := st.Read(buf)
		an.Write(buf[:n], a.process)
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			t.Fatalf("%s: %v", path, err)
		}
	}
	an.Flush(a.process)
	return a.verdict(), a.end, [3]int{a.tonal, a.loud, a.single}
}

// promptsWithTones are Asterisk sounds that really are tones.
var promptsWithTones = map[string]bool{
	"beep.wav": true, "beeperr.wav": true, "ascending-2tone.wav": true, "descending-2tone.wav": true,
}

func TestTalkOffAsteriskPrompts(t *testing.T) {
	var files []string
	for _, lang := range []string{"en", "es"} {
		m, _ := filepath.Glob(filepath.Join("/usr/share/asterisk/sounds", lang, "*.wav"))
		files = append(files, m...)
	}
	if len(files) == 0 {
		t.Skip("no Asterisk prompts under /usr/share/asterisk/sounds (scripts/deps.sh installs asterisk-core-sounds-en-wav and -es-wav)")
	}
	var totalMs, fired, tonal, loud, single int
	for _, path := range files {
		v, ms, tl := analyseFileTonal(t, path)
		totalMs += ms
		if promptsWithTones[filepath.Base(path)] {
			continue
		}
		tonal += tl[0]
		loud += tl[1]
		single += tl[2]
		if v != "" {
			fired++
			t.Errorf("%s: %s", path, v)
		}
	}
	t.Logf("%d prompts, %.1f minutes of speech, %d with a false detection; ToneMask masked %d of %d speech frames (%.2f %%)",
		len(files), float64(totalMs)/60000, fired, tonal, loud, 100*float64(tonal)/float64(loud))
	t.Logf("IsTone (single frame) flags %.2f %% of speech frames", 100*float64(single)/float64(loud))
	// The voice detector must not lose speech to the tone mask.
	if float64(tonal) > 0.01*float64(loud) {
		t.Errorf("ToneMask masks %.2f %% of speech frames, want < 1 %%", 100*float64(tonal)/float64(loud))
	}
	// The tone prompts themselves must be found.
	if v, _ := analyseFile(t, "/usr/share/asterisk/sounds/en/beep.wav"); !strings.Contains(v, "beep 700 Hz") {
		t.Errorf("beep.wav: %q, want a 700 Hz beep", v)
	}
}

func TestTalkOffEspeak(t *testing.T) {
	for _, tool := range []string{"espeak-ng", "sox"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("%s not installed (scripts/deps.sh installs it)", tool)
		}
	}
	dir := t.TempDir()
	texts := []struct{ voice, pitch, text string }{
		{"en", "50", "Hello? Yes, this is Mary speaking. Who is calling, please? I can't hear you very well."},
		{"en+f3", "80", "Hi, you've reached the Johnsons. We can't come to the phone right now, so leave a message."},
		{"en+m3", "20", "Ooooh, aaaah, eeeee, mmmmm, hmmmm? Hello-o-o-o, anybody there? One two three four five."},
		{"es", "60", "¿Aló? ¿Quién habla? Sí, sí, dígame. No le escucho bien, ¿puede repetir, por favor?"},
		{"pt-br", "70", "Alô? Pois não, quem fala? Oi, tudo bem? Pode falar, estou ouvindo."},
		{"en+f4", "99", "La la la laaaaa, singing in the rain, do re mi fa so la ti do."},
	}
	for i, tx := range texts {
		raw := filepath.Join(dir, fmt.Sprintf("s%d.wav", i))
		out := filepath.Join(dir, fmt.Sprintf("s%d-8k.wav", i))
		if b, err := exec.Command("espeak-ng", "-v", tx.voice, "-p", tx.pitch, "-w", raw, tx.text).CombinedOutput(); err != nil {
			t.Fatalf("espeak-ng %s: %v %s", tx.voice, err, b)
		}
		if b, err := exec.Command("sox", raw, "-r", "8000", "-c", "1", "-b", "16", out).CombinedOutput(); err != nil {
			t.Fatalf("sox: %v %s", err, b)
		}
		v, ms := analyseFile(t, out)
		if ms < 2000 {
			t.Fatalf("espeak %s produced only %d ms of audio", tx.voice, ms)
		}
		if v != "" {
			t.Errorf("espeak %s %q: %s", tx.voice, tx.text, v)
		}
	}
}

// whistle is a sine with vibrato (depth Hz at rateHz) and a slow drift, like
// a person whistling a long note.
func whistle(hz, depth, rateHz float64, ms int, dBm0 float64) sig {
	a := amplitudeOf(dBm0)
	n := samplesOf(ms)
	out := make(sig, n)
	phase := 0.0
	for i := 0; i < n; i++ {
		t := float64(i) / rate
		f := hz + depth*math.Sin(2*math.Pi*rateHz*t) + 8*t
		phase += 2 * math.Pi * f / rate
		out[i] = float32(a * math.Sin(phase))
	}
	return out
}

// note is a musical note: a fundamental and decaying harmonics.
func note(hz float64, ms int, dBm0 float64, harmonics int) sig {
	a := amplitudeOf(dBm0)
	n := samplesOf(ms)
	out := make(sig, n)
	for i := 0; i < n; i++ {
		t := float64(i) / rate
		env := math.Min(1, t/0.02) * math.Exp(-t*1.5)
		var v float64
		for h := 1; h <= harmonics; h++ {
			if hz*float64(h) < 3900 {
				v += math.Sin(2*math.Pi*hz*float64(h)*t) / float64(h)
			}
		}
		out[i] = float32(a * env * v)
	}
	return out
}

func TestTalkOffMusicWhistlesVowels(t *testing.T) {
	cases := map[string]sig{}
	for _, hz := range []float64{1100, 2100, 2225, 1000, 1750} {
		cases[fmt.Sprintf("whistle %.0f Hz vibrato", hz)] = sig{}.silence(200).append(whistle(hz, 25, 5.5, 2000, -15)).silence(300)
	}
	cases["whistled tune"] = sig{}.append(whistle(950, 15, 5, 400, -15)).append(whistle(1400, 15, 5, 400, -15)).
		append(whistle(1800, 15, 5, 400, -15)).silence(300)
	// Harmonic sequences: a scale and arpeggios with a note on 1100 Hz and
	// one on 2100 Hz, and three-note chords.
	scale := sig{}
	for _, hz := range []float64{523, 587, 659, 698, 784, 880, 988, 1047, 1100, 2100, 1397, 1760} {
		scale = scale.append(note(hz, 450, -15, 4))
	}
	cases["scale"] = scale
	chords := sig{}
	for _, c := range [][3]float64{{523, 659, 784}, {550, 1100, 1650}, {700, 1050, 2100}, {950, 1400, 1800}} {
		chords = chords.append(mix(mix(note(c[0], 800, -20, 3), note(c[1], 800, -20, 3)), note(c[2], 800, -20, 3)))
	}
	cases["chords"] = chords
	// Sung vowels: steady pitch (1 % vibrato) whose 5th harmonic sits on
	// 1100 Hz, or whose formant boosts the harmonics around 2100 Hz.
	cases["sung vowel F0 220"] = sungVowel(220, 1100, 2000)
	cases["sung vowel F0 420"] = sungVowel(420, 2100, 2000)
	cases["sung vowel F0 330"] = sungVowel(330, 1000, 2000)
	cases["DTMF string"] = func() sig {
		s := sig{}
		for _, d := range [][2]float64{{697, 1209}, {697, 1336}, {770, 1477}, {852, 1209}, {941, 1336}, {941, 1633}} {
			s = s.dual(d[0], d[1], 500, -8).silence(100)
		}
		return s
	}()
	cases["vowels in noise"] = greeting().append(greeting()).noise(-40, 13)
	for name, s := range cases {
		if v := analyseSig(s); v != "" {
			t.Errorf("%s: %s", name, v)
		}
	}
}

// sungVowel is a held vowel with 1 % vibrato whose formant sits on
// formantHz (one harmonic strongly favoured, the others still present).
func sungVowel(f0, formantHz float64, ms int) sig {
	n := samplesOf(ms)
	out := make(sig, n)
	phase := 0.0
	for i := 0; i < n; i++ {
		t := float64(i) / rate
		f := f0 * (1 + 0.01*math.Sin(2*math.Pi*5*t))
		phase += 2 * math.Pi * f / rate
		var v float64
		for h := 1; float64(h)*f0 < 3800; h++ {
			hz := float64(h) * f0
			amp := 300 + 4000*math.Exp(-math.Pow((hz-formantHz)/150, 2)) + 1500*math.Exp(-math.Pow((hz-500)/200, 2))
			v += amp * math.Sin(float64(h)*phase)
		}
		out[i] = float32(v)
	}
	return out
}

func TestMain(m *testing.M) {
	os.Exit(m.Run())
}
