package cadence

import (
	"errors"
	"fmt"
	"io"
	"math"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/khompctl/khompctl/pkg/amd/audio"
	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

const sounds = "/usr/share/asterisk/sounds/en/"

// loadWAV reads a real recording (the Asterisk prompts installed by
// scripts/deps.sh) through the project's reader.
func loadWAV(t testing.TB, name string) []float32 { return loadWAVPath(t, sounds+name) }

func loadWAVPath(t testing.TB, name string) []float32 {
	t.Helper()
	st, err := audio.Open(name, audio.Options{Channel: -1})
	if err != nil {
		t.Fatalf("%s: %v (install the Asterisk sounds: scripts/deps.sh)", name, err)
	}
	defer st.Close()
	var out []float32
	buf := make([]float32, 4096)
	for {
		n, err := st.Read(buf)
		out = append(out, buf[:n]...)
		if errors.Is(err, io.EOF) {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
	}
}

func quiet(ms int) []float32 { return make([]float32, ms*8) }

func sine(ms int, hz, amp float64) []float32 {
	x := make([]float32, ms*8)
	for i := range x {
		x[i] = float32(amp * math.Sin(2*math.Pi*hz*float64(i)/8000))
	}
	return x
}

func join(parts ...[]float32) []float32 {
	var out []float32
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}

func scaled(x []float32, db float64) []float32 {
	g := float32(math.Pow(10, db/20))
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = max(-32768, min(32767, v*g))
	}
	return out
}

// withNoise adds white noise at snrDB below the RMS of ref.
func withNoise(x []float32, ref []float32, snrDB float64, seed uint64) []float32 {
	var ms float64
	for _, v := range ref {
		ms += float64(v) * float64(v)
	}
	rms := math.Sqrt(ms/float64(len(ref))) * math.Pow(10, -snrDB/20)
	r := rand.New(rand.NewPCG(seed, 1))
	out := make([]float32, len(x))
	for i, v := range x {
		out[i] = v + float32(r.NormFloat64()*rms)
	}
	return out
}

// run feeds a signal and returns the first decision (Finish at the end).
// answerAt > 0 calls Answer(answerAt) once the frame at callAt is reached.
func run(t testing.TB, x []float32, p Params, answerAt, callAt int) (*Decision, *Cadence) {
	t.Helper()
	c := New(p)
	var mask ToneMask
	an := dsp.NewAnalyzer()
	end := 0
	an.Write(x, func(f *dsp.Frame) {
		c.Process(f, mask.Process(f))
		end = f.EndMs()
		if answerAt > 0 && end == callAt {
			c.Answer(answerAt)
		}
	})
	if d := c.Decision(); d != nil {
		return d, c
	}
	return c.Finish(end), c
}

func trimmed(t testing.TB, name string) []float32 {
	x := loadWAV(t, name)
	lo, hi := 0, len(x)
	for lo < hi && math.Abs(float64(x[lo])) < 300 {
		lo++
	}
	for hi > lo && math.Abs(float64(x[hi-1])) < 300 {
		hi--
	}
	return x[lo:hi]
}

func TestHumanHelloDecidesSoonAfterGreeting(t *testing.T) {
	hello := trimmed(t, "hello.wav")
	helloEnd := 700 + len(hello)/8
	for _, tc := range []struct {
		name string
		x    []float32
	}{
		{"clean", join(quiet(700), hello, quiet(3000))},
		{"gain-10dB", scaled(join(quiet(700), hello, quiet(3000)), -10)},
		{"gain+6dB", scaled(join(quiet(700), hello, quiet(3000)), 6)},
		{"noise-10dB-SNR", withNoise(join(quiet(700), hello, quiet(3000)), hello, 10, 1)},
		{"noise-20dB-SNR-gain-8dB", scaled(withNoise(join(quiet(700), hello, quiet(3000)), hello, 20, 2), -8)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := run(t, tc.x, DefaultParams(), 0, 0)
			if d.Result != Human || !strings.HasPrefix(d.Cause, "HUMAN-") {
				t.Fatalf("got %+v, want HUMAN by after-greeting silence", d)
			}
			if lat := d.DecidedMs - helloEnd; lat < 700 || lat > 1000 {
				t.Errorf("decided %d ms after the greeting ended, want 800-900 (±100)", lat)
			}
			if d.Stats.Words < 1 || d.Stats.TotalVoiceMs < 300 || d.Stats.TotalVoiceMs > 900 {
				t.Errorf("stats %+v: want one short greeting", d.Stats)
			}
		})
	}
}

// A recording that starts at the answer while the person is already
// speaking: the first word sets no noise floor of its own, it is heard.
func TestSpeechFromTheFirstSampleIsHeard(t *testing.T) {
	hello := trimmed(t, "hello.wav")[8*60:] // cut into its first vowel
	for _, tc := range []struct {
		name string
		x    []float32
	}{
		{"clean", join(hello, quiet(3000))},
		{"noise-20dB", withNoise(join(hello, quiet(3000)), hello, 20, 7)},
		{"after-20ms", join(quiet(20), hello, quiet(3000))},
	} {
		d, c := run(t, tc.x, DefaultParams(), 0, 0)
		if d.Result != Human {
			t.Errorf("%s: got %+v, want HUMAN", tc.name, d)
		}
		if segs := c.Segments(); len(segs) == 0 || segs[0].StartMs > 300 {
			t.Errorf("%s: segments %v, want the word from the start", tc.name, segs)
		}
	}
}

// A recorded greeting keeps talking, with pauses between its phrases of up
// to 1.3 s: MACHINE while it talks, never HUMAN in one of its pauses.
func TestMachineGreetingDecidesWhileItTalks(t *testing.T) {
	for _, pause := range []int{300, 900, 1300} {
		greeting := join(trimmed(t, "vm-nobodyavail.wav"), quiet(pause), trimmed(t, "vm-leavemsg.wav"), quiet(pause),
			trimmed(t, "vm-intro.wav"))
		greetingEnd := 500 + len(greeting)/8
		for _, tc := range []struct {
			name string
			x    []float32
		}{
			{"clean", join(quiet(500), greeting, quiet(2000))},
			{"gain-10dB-noise-20dB", scaled(withNoise(join(quiet(500), greeting, quiet(2000)), greeting, 20, 3), -10)},
		} {
			// (At 15 dB SNR the VAD loses word tails and a 1.3 s pause
			// measures up to 1.9 s: the limit of this rule, see docs/amd.md.)
			t.Run(fmt.Sprintf("pause-%dms-%s", pause, tc.name), func(t *testing.T) {
				d, c := run(t, tc.x, DefaultParams(), 0, 0)
				if d.Result != Machine {
					t.Fatalf("got %+v, want MACHINE", d)
				}
				if d.DecidedMs >= greetingEnd {
					t.Errorf("decided at %d ms, want while the greeting talks (until %d ms)", d.DecidedMs, greetingEnd)
				}
				if len(c.Segments()) < 2 {
					t.Errorf("segments %v: want the greeting's words", c.Segments())
				}
			})
		}
	}
}

// A person who answers with a whole sentence and then waits is HUMAN:
// the decision is on what follows the speech, not on its length alone.
func TestSentenceThenSilenceIsHuman(t *testing.T) {
	for _, name := range []string{"conf-onlyperson.wav", "vm-nobodyavail.wav", "vm-tocancelmsg.wav"} {
		sentence := trimmed(t, name)
		end := 600 + len(sentence)/8
		d, _ := run(t, join(quiet(600), sentence, quiet(4000)), DefaultParams(), 0, 0)
		if d.Result != Human {
			t.Errorf("%s (%d ms of speech): got %+v, want HUMAN", name, len(sentence)/8, d)
			continue
		}
		p := DefaultParams()
		// The trimmed prompt ends with a low tail the VAD already calls
		// silence, hence the lower bound.
		if lat := d.DecidedMs - end; lat < p.LongPauseMs-600 || lat > p.LongPauseMs+300 {
			t.Errorf("%s: decided %d ms after the sentence, want about long-pause (%d ms) after its last voiced frame", name, lat, p.LongPauseMs)
		}
	}
}

// Picking up and speaking 2–3.5 s later is ordinary: not SILENCE.
func TestLateAnswerIsNotSilence(t *testing.T) {
	hello := trimmed(t, "hello.wav")
	for _, late := range []int{2600, 3500} {
		d, _ := run(t, join(quiet(late), hello, quiet(3000)), DefaultParams(), 0, 0)
		if d.Result != Human {
			t.Errorf("hello after %d ms: got %+v, want HUMAN", late, d)
		}
	}
}

// babble sums four prompts, each starting at a different point, scaled to
// below dB under ref's RMS: the speech-shaped background of a room, a TV or
// a call centre, whose dips keep a minimum-statistics floor low.
func babble(t *testing.T, n int, ref []float32, below float64) []float32 {
	var talkers []float32
	for _, name := range []string{"vm-intro.wav", "vm-rec-name.wav", "conf-onlyperson.wav", "vm-tocancelmsg.wav"} {
		talkers = append(talkers, trimmed(t, name)...)
	}
	out := make([]float32, n)
	for k := 0; k < 4; k++ {
		at := k * len(talkers) / 4
		for i := range out {
			out[i] += talkers[(at+i)%len(talkers)]
		}
	}
	return scaled(out, 20*math.Log10(rms(ref)/rms(out))-below)
}

func rms(x []float32) float64 {
	var s float64
	for _, v := range x {
		s += float64(v) * float64(v)
	}
	return math.Sqrt(s / float64(max(1, len(x))))
}

// Background talk well below the callee must not turn "Hello?" into one
// endless utterance: the foreground gate keeps the silence clocks running.
func TestBabbleBehindHelloStaysHuman(t *testing.T) {
	hello := trimmed(t, "hello.wav")
	x := join(quiet(700), hello, quiet(4000))
	for _, below := range []float64{10, 14, 20, 26} {
		b := babble(t, len(x), hello, below)
		y := append([]float32(nil), x...)
		for i := range y {
			y[i] += b[i]
		}
		d, _ := run(t, y, DefaultParams(), 0, 0)
		if d.Result != Human {
			t.Errorf("babble %g dB below: got %+v, want HUMAN", below, d)
		}
	}
}

func TestSilenceAfterInitialSilence(t *testing.T) {
	x := withNoise(quiet(5000), sine(100, 1000, 3000), 40, 4) // line hiss 40 dB under speech level
	d, c := run(t, x, DefaultParams(), 0, 0)
	if d.Result != Silence || d.DecidedMs != 4000 {
		t.Fatalf("got %+v, want SILENCE at 4000 ms", d)
	}
	if c.Stats().Words != 0 {
		t.Errorf("stats %+v: noise counted as words", c.Stats())
	}
}

func TestToneIsNeverAWord(t *testing.T) {
	for _, hz := range []float64{440, 1000, 1400, 2100} {
		x := join(quiet(500), sine(1200, hz, 8000), quiet(3000))
		d, c := run(t, x, DefaultParams(), 0, 0)
		st := c.Stats()
		if st.Words != 0 || d.Result == Human || d.Result == Machine {
			t.Errorf("%g Hz: %+v %+v: a tone was taken for speech", hz, d, st)
		}
		if st.ToneMs < 1000 {
			t.Errorf("%g Hz: tone_ms %d, want ≥ 1000", hz, st.ToneMs)
		}
	}
}

func TestBeepAfterShortGreetingDelaysHuman(t *testing.T) {
	hello := trimmed(t, "hello.wav")
	// A short greeting, 500 ms pause, a 600 ms beep: the beep is not
	// silence, so HUMAN cannot fire at greeting end + 800 ms.
	x := join(quiet(500), hello, quiet(500), sine(600, 1000, 6000), quiet(3000))
	d, _ := run(t, x, DefaultParams(), 0, 0)
	beepEnd := 500 + len(hello)/8 + 500 + 600
	if d.Result == Human && d.DecidedMs < beepEnd+800 {
		t.Fatalf("HUMAN at %d ms, before the beep (ends %d) was followed by 800 ms of silence", d.DecidedMs, beepEnd)
	}
}

func TestAnswerReplaysFromTheAnswerPoint(t *testing.T) {
	hello := trimmed(t, "hello.wav")
	ring := join(sine(2000, 440, 3000), quiet(2000)) // one US-style ring, answered 2 s after it
	var ringback []float32
	for i := range ring { // 440+480 Hz dual tone for the first 2 s
		v := ring[i]
		if i < 16000 {
			v += float32(3000 * math.Sin(2*math.Pi*480*float64(i)/8000))
		}
		ringback = append(ringback, v)
	}
	x := join(ringback, quiet(600), hello, quiet(3000))
	// The call-progress detector learns the answer late: at 5000 ms.
	d, c := run(t, x, DefaultParams(), 4000, 5000)
	if d.Result != Human {
		t.Fatalf("got %+v, want HUMAN", d)
	}
	helloEnd := 4600 + len(hello)/8
	if d.DecidedMs < helloEnd+700 || d.DecidedMs > helloEnd+1000 {
		t.Errorf("decided at %d, want ~%d", d.DecidedMs, helloEnd+800)
	}
	if st := c.Stats(); st.AnswerMs != 4000 || st.InitialSilenceMs < 500 || st.InitialSilenceMs > 750 {
		t.Errorf("stats %+v: want answer 4000 and ~600 ms initial silence", st)
	}
}

// A double ring (UK, AU, IN: 0.4 s on, 0.2 s off, 0.4 s on, 2 s off) is
// one long ringback tone: the answer may come a ring-off period later, so
// the initial-silence clock must not run out before the person speaks.
func TestDoubleRingbackExtendsInitialSilence(t *testing.T) {
	hello := trimmed(t, "hello.wav")
	burst := func() []float32 {
		a, b := sine(400, 400, 2000), sine(400, 450, 2000)
		for i := range a {
			a[i] += b[i]
		}
		return a
	}
	ring := join(burst(), quiet(200), burst(), quiet(2000))
	x := join(ring, ring, burst(), quiet(200), burst(), quiet(500), quiet(4000), hello, quiet(4000))
	d, c := run(t, x, DefaultParams(), 0, 0)
	if d.Result != Human {
		t.Fatalf("got %+v, want HUMAN (the person spoke 4.5 s after the last ring)", d)
	}
	if c.Stats().ToneMs < 1500 {
		t.Errorf("tone_ms %d: the rings were not taken for tones", c.Stats().ToneMs)
	}
}

func TestLateAnswerDatesReplayedDecision(t *testing.T) {
	hello := trimmed(t, "hello.wav")
	x := join(quiet(1000), hello, quiet(4000))
	// Everything (greeting and 800 ms of silence) is heard before Answer
	// is called at 4500 ms: the decision exists only from then on.
	d, _ := run(t, x, DefaultParams(), 500, 4500)
	if d.Result != Human || d.DecidedMs != 4500 {
		t.Fatalf("got %+v, want HUMAN dated 4500 ms", d)
	}
}

func TestFinishDecidesWithWhatWasHeard(t *testing.T) {
	hello := trimmed(t, "hello.wav")
	d, _ := run(t, join(quiet(500), hello, quiet(200)), DefaultParams(), 0, 0)
	if d.Result != Human || !strings.HasPrefix(d.Cause, "ENDOFAUDIO") || d.Confidence > 0.6 {
		t.Errorf("short file: %+v, want a low-confidence HUMAN at end of audio", d)
	}
	d, _ = run(t, quiet(800), DefaultParams(), 0, 0)
	if d.Result != Silence || d.DecidedMs != 800 {
		t.Errorf("silent short file: %+v, want SILENCE at 800 ms", d)
	}
}

func TestToneMaskSparesSpeech(t *testing.T) {
	speech := join(trimmed(t, "vm-nobodyavail.wav"), trimmed(t, "vm-leavemsg.wav"), trimmed(t, "hello.wav"))
	var m ToneMask
	tonal, n := 0, 0
	dsp.NewAnalyzer().Write(speech, func(f *dsp.Frame) {
		n++
		if m.Process(f) {
			tonal++
		}
	})
	if share := float64(tonal) / float64(n); share > 0.1 {
		t.Errorf("%.0f %% of speech frames flagged as tone", 100*share)
	}
	var m2 ToneMask
	hit := 0
	dsp.NewAnalyzer().Write(sine(500, 1776.7, 4000), func(f *dsp.Frame) {
		if m2.Process(f) {
			hit++
		}
	})
	if hit < 40 {
		t.Errorf("500 ms tone: %d tone frames, want ≥ 40", hit)
	}
}

func TestParamsValidate(t *testing.T) {
	if err := DefaultParams().Validate(); err != nil {
		t.Fatalf("defaults: %v", err)
	}
	p := DefaultParams()
	p.AfterGreetingSilenceMs = 0
	if err := p.Validate(); err == nil || !strings.Contains(err.Error(), "after-greeting-silence") {
		t.Errorf("zero after-greeting-silence: %v", err)
	}
	p = DefaultParams()
	p.HoldDB = p.OnsetDB + 1
	if err := p.Validate(); err == nil {
		t.Error("hold above onset accepted")
	}
}

// BenchmarkCadence measures the cadence profile alone (its tone mask, the
// VAD, the decision) on precomputed frames; reported per second of audio.
func BenchmarkCadence(b *testing.B) {
	x := join(quiet(700), trimmed(b, "hello.wav"), quiet(1500), trimmed(b, "vm-nobodyavail.wav"), quiet(2000))
	x = withNoise(x, x, 25, 5)
	var frames []dsp.Frame
	dsp.NewAnalyzer().Write(x, func(f *dsp.Frame) {
		g := *f
		g.Samples = append([]float32(nil), f.Samples...)
		frames = append(frames, g)
	})
	seconds := float64(len(frames)) / 100
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		c := New(DefaultParams())
		for j := range frames {
			c.Process(&frames[j], false) // the detector's own tone mask still runs
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/seconds, "ns/audio-s")
}
