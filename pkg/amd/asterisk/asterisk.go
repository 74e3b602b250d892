// Package asterisk reproduces the decision of Asterisk's AMD() application
// (apps/app_amd.c) on recorded audio, frame for frame: 20 ms frames of 160
// samples at 8 kHz, the mean-absolute-amplitude silence test of main/dsp.c,
// the word/greeting state machine with its quirks, every amd.conf parameter
// under its own name and default, and the exact AMDSTATUS/AMDCAUSE strings.
//
// It is written from the published description of the algorithm
// (spec/amd-algorithms.md §1), not from Asterisk's source.
//
// Offline the recording replaces the channel: its first sample is the moment
// of answer, and after its end the detector keeps hearing digital silence
// until it decides, exactly as if the far end had gone quiet. A recording
// that ends early therefore never yields NOTSURE by itself.
package asterisk

import (
	"fmt"
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

const (
	// FrameSamples is the size of the voice frames Asterisk reads from a
	// G.711 channel with 20 ms packetisation.
	FrameSamples = 160
	// FrameMs is the duration app_amd adds per voice frame (samples / 8).
	FrameMs = FrameSamples / (dsp.SampleRate / 1000)
)

// AMDSTATUS values.
const (
	StatusMachine = "MACHINE"
	StatusHuman   = "HUMAN"
	StatusNotSure = "NOTSURE"
	StatusHangup  = "HANGUP"
)

// Result is what app_amd sets in the channel variables, plus the moment (in
// ms of audio heard from the answer) at which it decided.
type Result struct {
	Status    string `json:"status"` // AMDSTATUS
	Cause     string `json:"cause"`  // AMDCAUSE
	DecidedMs int    `json:"decision_ms"`
}

// The two states of the word tracker. app_amd starts IN_WORD, which is why
// the first utterance only counts as a word when at least
// between_words_silence of silence came before it.
const (
	stateInWord = iota
	stateInSilence
)

// Detector runs app_amd's per-frame state machine. It is not safe for
// concurrent use; make one per call.
type Detector struct {
	p Params

	// Assembly of 160-sample frames from the 80-sample pipeline frames.
	absSum  int64 // Σ|s| of the samples gathered so far for this frame
	gotSamp int   // samples gathered so far

	// main/dsp.c state: the current run of consecutive silence in ms.
	dspSilence int

	// app_amd state, named after what each counter holds.
	inInitialSilence bool
	inGreeting       bool
	state            int
	voiceMs          int // cumulative voice since the answer (the greeting measure)
	consecutiveMs    int // voice in the current word, bridging short gaps
	wordCount        int
	totalMs          int // audio heard, the analysis clock

	result *Result
}

// New returns a detector positioned at the answer.
func New(p Params) *Detector {
	return &Detector{p: p, inInitialSilence: true, state: stateInWord}
}

// Params returns the parameters the detector runs with.
func (d *Detector) Params() Params { return d.p }

// Result is nil until the detector has decided.
func (d *Detector) Result() *Result { return d.result }

// Done reports whether a decision has been made; later audio is ignored.
func (d *Detector) Done() bool { return d.result != nil }

// Process feeds one pipeline frame (10 ms). Two of them make one app_amd
// voice frame.
func (d *Detector) Process(f *dsp.Frame) { d.ProcessSamples(f.Samples) }

// ProcessSamples feeds any number of 8 kHz samples in int16 scale.
func (d *Detector) ProcessSamples(samples []float32) {
	for _, s := range samples {
		if d.result != nil {
			return
		}
		d.absSum += absInt16(s)
		d.gotSamp++
		if d.gotSamp == FrameSamples {
			d.voiceFrame(d.absSum)
			d.absSum, d.gotSamp = 0, 0
		}
	}
}

// Finish is called at the end of the recording: the rest of a partial frame
// and every frame after it are digital silence, until app_amd decides (at
// the latest when total_analysis_time is reached).
func (d *Detector) Finish() *Result {
	if d.result == nil && d.gotSamp > 0 {
		d.voiceFrame(d.absSum) // zeros add nothing to Σ|s|
		d.absSum, d.gotSamp = 0, 0
	}
	for d.result == nil {
		d.voiceFrame(0)
	}
	return d.result
}

// absInt16 is |s| of the signed-linear sample Asterisk would see: the value
// rounded and clipped to int16 (exact for 16-bit and G.711 input).
func absInt16(s float32) int64 {
	v := math.Round(float64(s))
	if v > math.MaxInt16 {
		v = math.MaxInt16
	} else if v < math.MinInt16 {
		v = math.MinInt16
	}
	if v < 0 {
		v = -v
	}
	return int64(v)
}

// voiceFrame is app_amd's handling of one AST_FRAME_VOICE of 160 samples
// whose absolute values sum to absSum.
func (d *Detector) voiceFrame(absSum int64) {
	d.totalMs += FrameMs
	if d.totalMs >= d.p.TotalAnalysisTime {
		d.decide(StatusNotSure, fmt.Sprintf("TOOLONG-%d", d.totalMs))
		return
	}
	if d.silent(absSum) {
		d.silentFrame()
	} else {
		d.voicedFrame()
	}
}

// silent is ast_dsp_silence: the integer mean of |s| over the frame below
// the threshold. floor(Σ/n) < t ⇔ Σ < t·n for integers, so no division.
// The run of consecutive silence it keeps is updated here too.
func (d *Detector) silent(absSum int64) bool {
	if absSum < int64(d.p.SilenceThreshold)*FrameSamples {
		d.dspSilence += FrameMs
		return true
	}
	d.dspSilence = 0
	return false
}

func (d *Detector) silentFrame() {
	silenceMs := d.dspSilence
	if silenceMs >= d.p.BetweenWordsSilence {
		// A word shorter than min_word_length just ends here: Asterisk only
		// logs it, it neither counts nor resets the greeting.
		d.state = stateInSilence
		d.consecutiveMs = 0
	}
	if d.inInitialSilence && silenceMs >= d.p.InitialSilence {
		d.decide(StatusMachine, fmt.Sprintf("INITIALSILENCE-%d-%d", silenceMs, d.p.InitialSilence))
		return
	}
	if d.inGreeting && silenceMs >= d.p.AfterGreetingSilence {
		d.decide(StatusHuman, fmt.Sprintf("HUMAN-%d-%d", silenceMs, d.p.AfterGreetingSilence))
	}
}

func (d *Detector) voicedFrame() {
	d.consecutiveMs += FrameMs
	d.voiceMs += FrameMs
	if d.consecutiveMs >= d.p.MinimumWordLength && d.state == stateInSilence {
		d.wordCount++
		d.state = stateInWord
	}
	switch {
	case d.consecutiveMs >= d.p.MaximumWordLength:
		d.decide(StatusMachine, fmt.Sprintf("MAXWORDLENGTH-%d", d.consecutiveMs))
		return
	case d.wordCount > d.p.MaximumNumberOfWords:
		d.decide(StatusMachine, fmt.Sprintf("MAXWORDS-%d-%d", d.wordCount, d.p.MaximumNumberOfWords))
		return
	case d.inGreeting && d.voiceMs >= d.p.Greeting:
		// voiceMs is all the voice heard since the answer, not this
		// utterance: app_amd's greeting measure is cumulative.
		d.decide(StatusMachine, fmt.Sprintf("LONGGREETING-%d-%d", d.voiceMs, d.p.Greeting))
		return
	}
	if d.consecutiveMs >= d.p.MinimumWordLength && !d.inGreeting {
		// The greeting starts with the first word, even one that did not
		// count (the IN_WORD start state).
		d.inInitialSilence = false
		d.inGreeting = true
	}
}

func (d *Detector) decide(status, cause string) {
	d.result = &Result{Status: status, Cause: cause, DecidedMs: d.totalMs}
}

// State is a snapshot of the counters, for explanations and tests.
type State struct {
	TotalMs, VoiceMs, ConsecutiveVoiceMs, SilenceMs, Words int
	InInitialSilence, InGreeting                           bool
}

// State returns the current counters.
func (d *Detector) State() State {
	return State{
		TotalMs: d.totalMs, VoiceMs: d.voiceMs, ConsecutiveVoiceMs: d.consecutiveMs,
		SilenceMs: d.dspSilence, Words: d.wordCount,
		InInitialSilence: d.inInitialSilence, InGreeting: d.inGreeting,
	}
}
