package heldout

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"strings"

	"github.com/khompctl/khompctl/internal/corpus"
	"github.com/khompctl/khompctl/pkg/amd/audio"
)

// item is a rendered file before the channel degradations.
type item struct {
	x       []float32
	refRMS  float64 // active level of the content the SNR refers to
	label   corpus.Label
	tags    []string
	speech  bool    // level (−25..0 dBFS peak) and clipping apply
	gsmOK   bool    // a GSM hop is realistic for the class
	minSNR  float64 // lowest SNR drawn for the class
	ringOK  bool    // may start with ringback
	beep    bool    // carries a labelled beep
	beepHz  float64 // its frequency
	beepRMS float64 // its RMS (int16 scale), for its own SNR
}

func (it *item) tag(format string, args ...any) {
	it.tags = append(it.tags, fmt.Sprintf(format, args...))
}

// scalePeak sets the peak of x to dbfs (0 = full scale).
func scalePeak(x []float32, dbfs float64) {
	var p float32
	for _, v := range x {
		p = max(p, v, -v)
	}
	if p == 0 {
		return
	}
	g := float32(32767*math.Pow(10, dbfs/20)) / p
	for i := range x {
		x[i] *= g
	}
}

// say renders a text, re-rendering faster when it comes out longer than
// maxMs (slow voices make even a short sentence long) and slower when it is
// shorter than minMs (a 130 ms "Hello?" is not a human word).
func (g *generator) say(ctx context.Context, v voice, text string, minMs, maxMs float64) ([]float32, error) {
	x, err := g.speak(ctx, v, text)
	if err != nil {
		return nil, err
	}
	ms := float64(nToMs(len(x)))
	switch {
	case maxMs > 0 && ms > maxMs:
		v.speed = 240
	case ms < minMs:
		v.speed = 100
	default:
		return x, nil
	}
	return g.speak(ctx, v, text)
}

// humanStyles: how a person answers, with their weights.
var humanStyles = []struct {
	name   string
	weight float64
}{
	{"word", 0.24}, {"two-words", 0.12}, {"repeat", 0.12}, {"sentence", 0.22},
	{"immediate", 0.10}, {"late", 0.08}, {"word+sentence", 0.12},
}

func pickStyle(r *rand.Rand) string {
	u := r.Float64()
	for _, s := range humanStyles {
		if u < s.weight {
			return s.name
		}
		u -= s.weight
	}
	return humanStyles[0].name
}

// human: a person answers (a word, two words, a repeated "hello", a whole
// sentence, straight away or late) and then waits in silence.
func (g *generator) human(ctx context.Context, r *rand.Rand) (*item, error) {
	it := &item{label: corpus.Label{Label: corpus.LabelHuman}, speech: true, gsmOK: true, ringOK: true}
	v := randomVoice(r)
	l := languages[v.lang]
	style := pickStyle(r)
	init := uniform(r, 200, 1800)
	var parts [][]float32
	var texts []string
	sayOne := func(list []string, maxMs float64) error {
		const minWordMs = 300
		t := pick(r, list)
		x, err := g.say(ctx, v, t, minWordMs, maxMs)
		if err == nil {
			parts = append(parts, x)
			texts = append(texts, t)
		}
		return err
	}
	gap := func(lo, hi float64) { parts = append(parts, silence(uniform(r, lo, hi))) }
	var err error
	switch style {
	case "word":
		err = sayOne(l.greet, 1600)
	case "immediate":
		init = uniform(r, 0, 120)
		err = sayOne(l.greet, 1600)
	case "late":
		init = uniform(r, 2000, 3200)
		err = sayOne(l.greet, 1600)
	case "two-words":
		if err = sayOne(l.greet, 1000); err == nil {
			gap(150, 500)
			err = sayOne(l.greet, 1000)
		}
	case "repeat":
		if err = sayOne(l.greet, 1600); err == nil {
			gap(1500, 3000)
			err = sayOne(l.greet, 1600)
		}
	case "sentence":
		err = sayOne(l.sentence, 4000)
	default: // word+sentence: "Hello? … Yes, who's calling?"
		if err = sayOne(l.greet, 1200); err == nil {
			gap(400, 900)
			err = sayOne(l.sentence, 3500)
		}
	}
	if err != nil {
		return nil, err
	}
	speech := join(parts...)
	peak := uniform(r, -25, 0)
	scalePeak(speech, peak)
	it.refRMS = activeRMS(speech)
	it.x = join(silence(init), speech, silence(uniform(r, 2000, 6000)))
	it.tag("style=%s", style)
	it.tag("lang=%s", v.lang)
	it.tag("voice=%s", v)
	it.tag("speech_ms=%d", nToMs(len(speech)))
	it.tag("init=%.0f", init)
	it.tag("peak=%.0fdBFS", peak)
	it.tag("text=%s", strings.ReplaceAll(strings.Join(texts, "|"), " ", "_"))
	return it, nil
}

// machineStyles: long greetings, short ones that end in a beep, IVR-like
// Asterisk prompts the development corpus does not use, and personal
// greetings that start like a human ("Hi, this is John … leave a message").
func pickMachineStyle(r *rand.Rand, havePrompts bool) string {
	u := r.Float64()
	switch {
	case u < 0.55:
		return "long"
	case u < 0.72:
		return "short+beep"
	case u < 0.84 && havePrompts:
		return "ivr"
	default:
		return "personal"
	}
}

// machine: a recorded greeting, often followed by a beep, then silence.
func (g *generator) machine(ctx context.Context, r *rand.Rand) (*item, error) {
	it := &item{label: corpus.Label{Label: corpus.LabelMachine}, speech: true, gsmOK: true, ringOK: true}
	v := randomVoice(r)
	l := languages[v.lang]
	style := pickMachineStyle(r, len(g.prompts) > 0)
	// Greeting length: log-uniform 3–25 s.
	target := msToN(math.Exp(uniform(r, math.Log(3000), math.Log(25000))))
	var greeting []float32
	appendPhrase := func(x []float32) {
		if len(greeting) > 0 {
			greeting = append(greeting, silence(uniform(r, 150, 1200))...)
		}
		greeting = append(greeting, x...)
	}
	switch style {
	case "short+beep":
		x, err := g.say(ctx, v, pick(r, l.short), 500, 2500)
		if err != nil {
			return nil, err
		}
		appendPhrase(x)
	case "ivr":
		for len(greeting) < target {
			x, err := g.prompt(pick(r, g.prompts))
			if err != nil {
				return nil, err
			}
			appendPhrase(x)
		}
	case "personal":
		x, err := g.say(ctx, v, pick(r, l.sentence), 0, 4000)
		if err != nil {
			return nil, err
		}
		appendPhrase(x)
		fallthrough
	default:
		for len(greeting) < target {
			x, err := g.speak(ctx, v, pick(r, l.greeting))
			if err != nil {
				return nil, err
			}
			appendPhrase(x)
		}
	}
	peak := uniform(r, -25, 0)
	scalePeak(greeting, peak)
	it.refRMS = activeRMS(greeting)
	parts := [][]float32{silence(uniform(r, 80, 1500)), greeting}
	if style == "short+beep" || r.Float64() < 0.55 {
		parts = append(parts, silence(uniform(r, 50, 1500)), g.beep(r, it, peak))
	}
	parts = append(parts, silence(uniform(r, 500, 3000)))
	it.x = join(parts...)
	it.tags = append([]string{"style=" + style, "lang=" + v.lang, "voice=" + v.String(),
		fmt.Sprintf("greeting_ms=%d", nToMs(len(greeting))), fmt.Sprintf("peak=%.0fdBFS", peak)}, it.tags...)
	if style == "ivr" {
		it.tags[1], it.tags[2] = "lang=asterisk", "voice=asterisk-followme"
	}
	return it, nil
}

// prompt reads (once) and trims an Asterisk prompt.
func (g *generator) prompt(path string) ([]float32, error) {
	if x, ok := g.asterisk.Load(path); ok {
		return append([]float32(nil), x.([]float32)...), nil
	}
	st, err := audio.Open(path, audio.Options{Channel: -1})
	if err != nil {
		return nil, err
	}
	defer st.Close()
	var x []float32
	buf := make([]float32, 4096)
	for {
		n, err := st.Read(buf)
		x = append(x, buf[:n]...)
		if err != nil {
			break
		}
	}
	x = trimQuiet(x)
	if len(x) == 0 {
		return nil, fmt.Errorf("heldout: %s: no audio", path)
	}
	g.asterisk.Store(path, x)
	return append([]float32(nil), x...), nil
}

// beepFreq draws a beep frequency in 300–3400 Hz: a third at common
// voicemail values the development list lacks, the rest anywhere, away from
// the fax/modem answer tones and the V.21 band (a 2100 Hz "beep" is a CED
// by definition).
func beepFreq(r *rand.Rand) float64 {
	if r.IntN(3) == 0 {
		return pick(r, []float64{350, 400, 425, 660, 700, 880, 900, 1050, 1250, 1300, 1330, 2400, 2600, 2900, 3200})
	}
	for {
		f := math.Round(uniform(r, 300, 3400))
		if math.Abs(f-1100) > 50 && math.Abs(f-2100) > 50 && math.Abs(f-2225) > 40 && (f < 1600 || f > 1900) {
			return f
		}
	}
}

// beep returns a voicemail beep (single, 70–1500 ms log-uniform, or a
// double beep of two 80–250 ms bursts) whose peak is 0–12 dB below the
// greeting's, and labels it. Most beep files keep the beep goal's
// conditions (≥ 15 dB SNR, no GSM); the rest are tagged out of spec later.
func (g *generator) beep(r *rand.Rand, it *item, greetingPeak float64) []float32 {
	hz := beepFreq(r)
	peak := greetingPeak - uniform(r, 0, 12)
	dbm0 := 20*math.Log10(32767*math.Pow(10, peak/20)/32768) + 3.17
	edge := uniform(r, 1, 10)
	var b []float32
	if r.IntN(4) == 0 {
		on1, on2 := uniform(r, 80, 250), uniform(r, 80, 250)
		gapMs := uniform(r, 60, 250)
		b = join(sine(r, on1, dbm0, edge, hz), silence(gapMs), sine(r, on2, dbm0, edge, hz))
		it.tag("beep=double/%.0fHz/%.0f+%.0f+%.0fms", hz, on1, gapMs, on2)
	} else {
		d := math.Exp(uniform(r, math.Log(70), math.Log(1500)))
		b = sine(r, d, dbm0, edge, hz)
		it.tag("beep=single/%.0fHz/%.0fms", hz, d)
	}
	it.tag("beep_dbm0=%.1f", dbm0)
	it.label.BeepHz = hz
	it.beep, it.beepHz, it.beepRMS = true, hz, peakOfDBm0(dbm0)/math.Sqrt2
	if r.Float64() < 0.85 { // keep the beep itself ≥ 15 dB above the noise set against the greeting
		gap := 20 * math.Log10(it.refRMS/it.beepRMS)
		it.minSNR, it.gsmOK = math.Min(30, math.Max(15, 15+gap)), false
	}
	return b
}

// fax: a fax machine or modem answering (or calling), at −35..−10 dBm0,
// with the frequency and timing tolerances of the specifications.
func (g *generator) fax(r *rand.Rand, signal string) *item {
	it := &item{label: corpus.Label{Label: corpus.LabelFax, Signal: signal}, ringOK: true, minSNR: 12}
	lvl := uniform(r, -35, -10)
	var sig []float32
	switch signal {
	case "CNG": // 1100 ± 38 Hz, 0.5 s ± 15 % on, 3 s ± 15 % off
		f := 1100 + uniform(r, -35, 35)
		bursts := 2 + r.IntN(2)
		for i := 0; i < bursts; i++ {
			sig = join(sig, sine(r, uniform(r, 450, 570), lvl, 3, f), silence(uniform(r, 2600, 3400)))
		}
		it.tag("cng=%.0fHz×%d", f, bursts)
	case "CED": // 2100 ± 15 Hz for 2.6–4 s, then often the V.21 preamble
		f := 2100 + uniform(r, -14, 14)
		d := uniform(r, 2600, 4000)
		sig = sine(r, d, lvl, 3, f)
		it.tag("ced=%.0fHz/%.0fms", f, d)
		if r.Float64() < 0.4 {
			sig = join(sig, silence(uniform(r, 55, 95)), fskFlags(r, uniform(r, 800, 1500), lvl, uniform(r, -8, 8), 40))
			it.tag("then=v21")
		}
	case "ANS_PR": // reversals every 450 ± 25 ms
		f := 2100 + uniform(r, -14, 14)
		rev := uniform(r, 430, 470)
		sig = phaseReversed(r, uniform(r, 2600, 4000), lvl, f, rev)
		it.tag("ans_pr=%.0fHz/rev%.0f", f, rev)
	case "ANSAM": // 15 ± 0.1 Hz, 20 % AM
		f := 2100 + uniform(r, -12, 12)
		m := 15 + uniform(r, -0.1, 0.1)
		sig = amTone(r, uniform(r, 2600, 5000), lvl, f, m, uniform(r, 0.18, 0.22))
		it.tag("ansam=%.0fHz/%.2fHz", f, m)
	case "V21":
		off := uniform(r, -10, 10)
		sig = fskFlags(r, uniform(r, 1000, 2500), lvl, off, r.IntN(80))
		it.tag("v21_offset=%+.0fHz", off)
	default: // BELL2225: 2225 ± 15 Hz
		f := 2225 + uniform(r, -12, 12)
		sig = sine(r, uniform(r, 1800, 3500), lvl, 3, f)
		it.tag("bell=%.0fHz", f)
	}
	it.x = join(silence(uniform(r, 0, 3500)), sig, silence(uniform(r, 800, 2500)))
	it.refRMS = peakOfDBm0(lvl) / math.Sqrt2
	it.tag("level=%.1fdBm0", lvl)
	return it
}

// sitSegs: segment 1 and 2 frequency (L/H) and duration (S/L) of each
// NANP code; segment 3 is always 1776.7 Hz long.
var sitSegs = map[string][2]string{
	"IC": {"LS", "LS"}, "NC": {"HL", "HL"}, "VC": {"HL", "LS"}, "RO": {"LS", "HL"},
	"NC2": {"LL", "LL"}, "RO2": {"HS", "LL"}, "IO": {"LL", "HS"}, "RESERVED": {"HS", "HS"},
}

// sitTones renders a SIT within its tolerances: NANP frequency ± 0.2 %,
// duration ± 5 %, gaps ≤ 4 ms; ITU 950/1400/1800 ± 40 Hz, 330 ± 60 ms,
// gaps ≤ 30 ms; segment levels within ± 1.5 dB of dbm0.
func sitTones(r *rand.Rand, code string, dbm0 float64) []float32 {
	type seg struct{ hz, ms float64 }
	var segs [3]seg
	maxGap := 4.0
	if code == "ITU" {
		for i, hz := range []float64{950, 1400, 1800} {
			segs[i] = seg{hz + uniform(r, -40, 40), 330 + uniform(r, -60, 60)}
		}
		maxGap = 30
	} else {
		low := [2]float64{913.8, 1370.6}
		high := [2]float64{985.2, 1428.5}
		for i, s := range sitSegs[code] {
			hz, ms := low[i], 274.0
			if s[0] == 'H' {
				hz = high[i]
			}
			if s[1] == 'L' {
				ms = 380
			}
			segs[i] = seg{hz, ms}
		}
		segs[2] = seg{1776.7, 380}
		for i := range segs {
			segs[i].hz *= 1 + uniform(r, -0.002, 0.002)
			segs[i].ms *= 1 + uniform(r, -0.05, 0.05)
		}
	}
	var parts [][]float32
	for i, s := range segs {
		parts = append(parts, sine(r, s.ms, dbm0+uniform(r, -1.5, 1.5), 2, s.hz))
		if i < 2 {
			parts = append(parts, silence(uniform(r, 0, maxGap)))
		}
	}
	return join(parts...)
}

// sit: a SIT and the carrier's announcement in a held-out language
// (sometimes the pair repeats, sometimes no announcement follows).
func (g *generator) sit(ctx context.Context, r *rand.Rand, code string) (*item, error) {
	it := &item{label: corpus.Label{Label: corpus.LabelSIT, Code: code}, ringOK: true, minSNR: 15}
	lvl := uniform(r, -30, -16)
	v := randomVoice(r)
	ann, err := g.speak(ctx, v, pick(r, languages[v.lang].announce))
	if err != nil {
		return nil, err
	}
	// The SIT is 2 dB below the announcement (active speech RMS ≈ tone RMS).
	scaleTo(ann, lvl-3.17+2)
	parts := [][]float32{silence(uniform(r, 50, 1500)), sitTones(r, code, lvl)}
	shape := "sit+announcement"
	switch u := r.Float64(); {
	case u < 0.1:
		shape = "sit-only"
		parts = append(parts, silence(3000))
	case u < 0.3:
		shape = "twice"
		parts = append(parts, silence(uniform(r, 0, 300)), ann, silence(uniform(r, 300, 800)), sitTones(r, code, lvl), silence(uniform(r, 0, 300)), ann)
	default:
		parts = append(parts, silence(uniform(r, 0, 300)), ann)
	}
	it.x = join(append(parts, silence(1000))...)
	it.refRMS = peakOfDBm0(lvl) / math.Sqrt2
	it.tag("shape=%s", shape)
	it.tag("lang=%s", v.lang)
	it.tag("level=%.1fdBm0", lvl)
	return it, nil
}

// silent: nobody and nothing answers: DC-offset silence, mains buzz, pink or
// brown line noise.
func (g *generator) silent(r *rand.Rand) *item {
	it := &item{label: corpus.Label{Label: corpus.LabelSilence}, gsmOK: true}
	n := msToN(uniform(r, 5000, 9000))
	kinds := []string{"dc", noiseHum50, noiseHum60, noisePink, noiseBrown, noiseWhite}
	k := pick(r, kinds)
	if k == "dc" {
		it.x = make([]float32, n)
		addDC(it.x, float32(uniform(r, -600, 600)))
		it.tag("silence=dc")
	} else {
		dbm0 := uniform(r, -68, -45)
		if k == noiseHum50 || k == noiseHum60 {
			dbm0 = uniform(r, -50, -36)
		}
		it.x = colouredNoise(r, k, n)
		applyGainDB(it.x, 20*math.Log10(peakOfDBm0(dbm0)/math.Sqrt2))
		it.tag("silence=%s/%.0fdBm0", k, dbm0)
	}
	return it
}

// degrade applies the channel: ringback before the answer, noise, filters,
// clipping, DC offset and a codec chain; it returns the WAV encoding.
func (g *generator) degrade(ctx context.Context, r *rand.Rand, it *item) (string, error) {
	if it.ringOK && r.Float64() < 0.2 {
		reg := pick(r, ringbackRegions)
		cycles := 1 + r.IntN(3)
		pre := ringback(r, reg, cycles, uniform(r, 200, 2000))
		it.label.AnswerMs = nToMs(len(pre))
		it.x = join(pre, it.x)
		it.tag("ring=%s×%d", reg.name, cycles)
	}
	snr := 0.0
	if it.refRMS > 0 {
		colours := []string{"", "", "", noiseWhite, noisePink, noiseBrown, noiseHum50, noiseHum60}
		if it.speech {
			colours = append(colours, noiseBabble, noiseBabble)
		}
		if c := pick(r, colours); c != "" {
			snr = math.Round(uniform(r, math.Max(10, it.minSNR), 30))
			g.addNoise(r, it.x, c, it.refRMS, snr)
			it.tag("noise=%s/%.0fdB", c, snr)
		}
	}
	lowPassed := false
	switch u := r.Float64(); {
	case u < 0.2:
		lowPass(it.x, 3000)
		lowPassed = true
		it.tag("band=lp3k")
	case u < 0.35:
		highPass(it.x, 300)
		lowPass(it.x, 3400)
		it.tag("band=300-3400")
	}
	clipped := false
	if it.speech && r.Float64() < 0.1 {
		db := uniform(r, 6, 14)
		applyGainDB(it.x, db)
		it.tag("clip=+%.0fdB", db)
		clipped = true
	}
	if r.Float64() < 0.1 {
		dc := float32(math.Round(uniform(r, 200, 1500)))
		if r.IntN(2) == 0 {
			dc = -dc
		}
		addDC(it.x, dc)
		it.tag("dc=%+.0f", dc)
	}
	hardClip(it.x)
	enc, codec := "pcm16", "pcm16"
	switch u := r.Float64(); {
	case u < 0.2:
		enc, codec = "ulaw", "ulaw"
	case u < 0.35:
		enc, codec = "alaw", "alaw"
	case u < 0.55:
		g711Pass(it.x, "ulaw")
		enc, codec = "alaw", "ulaw>alaw"
	case u < 0.65:
		g711Pass(it.x, "alaw")
		enc, codec = "ulaw", "alaw>ulaw"
	case u < 0.8 && it.gsmOK:
		y, err := g.gsmPass(ctx, it.x)
		if err != nil {
			return "", err
		}
		it.x, codec = y, "gsm"
	}
	it.tag("codec=%s", codec)
	if it.beep {
		it.tag("beep_spec=%s", beepSpec(it, snr, codec, clipped, lowPassed))
	}
	return enc, nil
}

// beepSpec says whether a beep is within the conditions of the beep goal:
// its own SNR ≥ 15 dB (the noise is set against the greeting, and the beep
// may be up to 12 dB quieter), no GSM hop, no clipping, and not above 2.7 kHz
// behind the 3 kHz low-pass (which attenuates it).
func beepSpec(it *item, snr float64, codec string, clipped, lowPassed bool) string {
	if snr > 0 {
		noiseRMS := it.refRMS * math.Pow(10, -snr/20)
		if 20*math.Log10(it.beepRMS/noiseRMS) < 15 {
			return "out"
		}
	}
	if codec == "gsm" || clipped || (lowPassed && it.beepHz > 2700) {
		return "out"
	}
	return "in"
}
