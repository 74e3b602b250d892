// Package cadence is the default ("toolkit") cadence profile of amd analyze:
// an adaptive voice-activity detector that ignores tones, and an online
// decision on the whole utterance pattern of the greeting.
//
// # How the pipeline drives it
//
// Create one detector per recording with New(DefaultParams()) (or params
// checked by Params.Validate). Feed every dsp.Frame, in order, from the
// first frame of the file, with Process(f, tonal). After each frame,
// Decision() is nil until a rule fired; the first non-nil value is the
// cadence decision (it never changes afterwards, except through Answer).
// At the end of the audio, if Decision() is still nil, call
// Finish(lastFrame.EndMs()).
//
// Tone masking: tonal is true when the frame is dominated by a pure tone
// (beep, fax, SIT, ringback, busy, DTMF): compute it with tones.IsTone (or
// pass false without a tone bank); it is OR-ed with the detector's own
// ToneMask (steady one- or two-line spectra), so either mask's misses are
// covered. Tone frames are neither
// speech nor silence: they never count as words, they stop the silence
// clocks (a beep after a short greeting does not let HUMAN fire during it)
// and they are kept out of the noise floor. A tonal run of up to 150 ms
// inside a word is taken as a steady vowel, so a per-frame mask that
// sometimes flags voiced speech does no harm.
//
// Answer point: by default the answer is at 0 ms (the first sample). When
// the call-progress detector learns that the recording started before the
// answer (ringback), call Answer(answeredAtMs) as soon as it knows it, even
// late: the detector keeps the per-frame VAD classes of the last 40 s and
// replays the decision from answeredAtMs, so nothing heard after the answer
// is lost; a decision found by that replay is dated at the moment Answer
// was called (it was not available before). Without Answer, a tone of
// ≥ 900 ms heard before any speech (ringback nobody reported, or a fax or
// SIT tone) makes the initial-silence and total-analysis limits grow by
// RingbackOffMs (4 s), since the answer may still come after a whole
// ring-off period. If the recording is still ringing at its end, ignore
// the decision.
//
// Background talk: once the callee spoke, frames far below the loudest
// speech heard are background for the word count and the silence clocks
// alike (a word starts within ForegroundDB of it and holds 5 dB lower);
// a word that ends far below the callee's loudest word is taken back out
// of the counts, and a word 10 dB louder than all before it restarts the
// greeting (the earlier words were a TV or a colleague).
//
// Results are decided on what follows the speech, not on its length alone:
// HUMAN (the person stops and waits: silence of AfterGreetingSilenceMs
// after a short greeting, or LongPauseMs after a greeting of ≥ WaryVoiceMs
// — a whole sentence — and always longer than the longest pause the
// greeting already made); MACHINE (a greeting that keeps talking:
// cumulative speech ≥ MachineVoiceMs, longer than any person's sentence,
// one utterance ≥ MaxUtteranceMs, many fluent words, or talk without a long
// pause for TotalAnalysisMs from the first word); SILENCE (no speech for
// InitialSilenceMs after the answer: map it to "No speech"); NOTSURE
// (nothing decisive by TotalAnalysisMs, e.g. only tones). Cause is
// "<RULE>-<measured>-<limit>" in the style of Asterisk's AMDCAUSE: HUMAN,
// LONGGREETING, LONGUTTERANCE, MAXWORDS, NOPAUSE, INITIALSILENCE, TOOLONG,
// or ENDOFAUDIO-… from Finish. DecidedMs is the end of the frame on which
// the rule fired, in file time (not relative to the answer). Confidence is
// 0..1, a heuristic margin, not a calibrated probability. Stats() and
// Segments() keep growing after the decision (for events);
// Decision().Stats is the snapshot the decision was taken on.
//
// Everything is O(1) per frame and allocates nothing per frame (the replay
// history and the segment list are bounded).
package cadence

import (
	"fmt"
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Result values.
const (
	Human   = "HUMAN"
	Machine = "MACHINE"
	Silence = "SILENCE"
	NotSure = "NOTSURE"
)

// frameRec is what the replay history keeps of a frame.
type frameRec struct {
	class frameClass
	level uint8 // band level, dB (0..255)
}

// historyFrames bounds the replay history used by Answer (40.96 s).
const historyFrames = 4096

// maxSegments bounds the voice segments kept for Segments().
const maxSegments = 1000

// Decision is the cadence verdict.
type Decision struct {
	Result     string  `json:"result"`
	Cause      string  `json:"cause"`
	DecidedMs  int     `json:"decided_ms"`
	Confidence float64 `json:"confidence"`
	Stats      Stats   `json:"stats"`
}

// Segment is one voice segment (a word), in file time.
type Segment struct {
	StartMs int `json:"start_ms"`
	EndMs   int `json:"end_ms"`
}

// Stats describes the utterance pattern heard since the answer.
type Stats struct {
	AnswerMs int `json:"answer_ms"`
	// InitialSilenceMs is the time from the answer to the first word, or
	// the time heard so far when nobody spoke.
	InitialSilenceMs int `json:"initial_silence_ms"`
	Words            int `json:"words"`
	Utterances       int `json:"utterances"`
	FirstUtteranceMs int `json:"first_utterance_ms"`
	TotalVoiceMs     int `json:"total_voice_ms"`
	// LongestUtteranceMs is the longest span of words separated by less
	// than UtteranceGapMs.
	LongestUtteranceMs int `json:"longest_utterance_ms"`
	// LongestPauseMs is the longest silence between two utterances.
	LongestPauseMs int `json:"longest_pause_ms"`
	// PostGreetingSilenceMs is the silence since the last word.
	PostGreetingSilenceMs int     `json:"post_greeting_silence_ms"`
	ToneMs                int     `json:"tone_ms"`
	NoiseFloorDB          float64 `json:"noise_floor_db"`
}

// Cadence is the streaming detector. Not safe for concurrent use.
type Cadence struct {
	p    Params
	vad  *vad
	mask ToneMask

	history  [historyFrames]frameRec
	frames   int // frames processed (index of the next frame)
	answerMs int

	t        tracker
	decision *Decision

	// earlyDone: the opening frames need no re-reading (rereadOpening).
	earlyDone bool
}

// New returns a detector. Callers validate user-supplied params with
// Params.Validate first; New trusts them.
func New(p Params) *Cadence {
	c := &Cadence{p: p, vad: newVAD(p)}
	c.t.reset(p)
	return c
}

// Process feeds the next frame. tonal marks a frame dominated by a tone.
func (c *Cadence) Process(f *dsp.Frame, tonal bool) {
	// The caller's mask is OR-ed with our own, so a tone either misses
	// (a ringback pair, a tone in noise) is still kept out of the words.
	if c.mask.process(f, c.vad.floorDB()) {
		tonal = true
	}
	class := c.vad.classify(f, tonal)
	rec := frameRec{class: class, level: uint8(min(255, max(0, math.Round(c.vad.levelDB))))}
	c.history[c.frames%historyFrames] = rec
	c.frames++
	end := c.frames * dsp.FrameMs
	if c.rereadOpening() {
		return
	}
	if end <= c.answerMs {
		return
	}
	c.t.step(class, int(rec.level), end)
	c.decide(end, end)
}

// Opening speech. A recording that starts while the person is already
// talking gives the floor tracker the first word as its first levels: the
// word sets the "noise floor" and is never heard (and a steady vowel with no
// floor yet to compare against can pass for a tone). So, until the first
// word and within the first openingFrames, once the floor has
// settled below them, the opening run (the frames from the start that
// stand OnsetDB above it) is read again as voice (a tonal run of under
// openingToneMs is taken for that vowel), and the decision is replayed, as
// Answer does.
const (
	openingFrames = 150 // 1.5 s
	openingToneMs = 300
)

// rereadOpening applies the rule above after the newest frame was
// classified; it reports whether it replayed (the frame is then stepped).
func (c *Cadence) rereadOpening() bool {
	if c.earlyDone || c.frames > openingFrames {
		return false
	}
	if c.t.pat.words > 0 || c.decision != nil {
		c.earlyDone = true // a word was heard: the VAD works
		return false
	}
	floor := c.vad.floorDB()
	if math.IsInf(floor, 0) {
		return false
	}
	toneMs := 0
	for i := warmupFrames; i < c.frames; i++ {
		if c.history[i].class == classTone {
			toneMs += dsp.FrameMs
		}
	}
	changed := false
	// Only the opening run: the loud frames from the start of the file up
	// to the first quiet one (a tone or a word after a silence is heard
	// the ordinary way).
	for i := warmupFrames; i < c.frames-1; i++ {
		rec := &c.history[i]
		lvl := float64(rec.level)
		if lvl < floor+c.p.OnsetDB || lvl < c.p.MinLevelDB || rec.class == classTone && toneMs >= openingToneMs {
			break
		}
		if rec.class != classVoice {
			rec.class = classVoice
			c.vad.peakDB = math.Max(c.vad.peakDB, lvl)
			changed = true
		}
	}
	if !changed {
		return false
	}
	c.Answer(c.answerMs) // at most once per frame, and only before a word
	return true
}

// Answer declares the moment of answer (file time, ms) and replays the
// decision from there. See the package comment.
func (c *Cadence) Answer(ms int) {
	if ms < 0 {
		ms = 0
	}
	c.answerMs = ms
	c.decision = nil
	c.t.reset(c.p)
	c.t.answerMs = ms
	now := c.frames * dsp.FrameMs
	first := c.frames - historyFrames
	if first < 0 {
		first = 0
	}
	for i := first; i < c.frames; i++ {
		end := (i + 1) * dsp.FrameMs
		if end <= ms {
			continue
		}
		rec := c.history[i%historyFrames]
		c.t.step(rec.class, int(rec.level), end)
		c.decide(end, now)
	}
}

// Decision returns the decision, nil until one rule fired.
func (c *Cadence) Decision() *Decision { return c.decision }

// Finish is called at the end of the audio (endMs = end of the last frame).
// If nothing was decided yet it decides with what was heard: the cause
// starts with "ENDOFAUDIO" and the confidence is low.
func (c *Cadence) Finish(endMs int) *Decision {
	if c.decision != nil {
		return c.decision
	}
	st := c.stats(endMs)
	d := &Decision{DecidedMs: endMs, Stats: st}
	heard := endMs - c.answerMs
	switch {
	case st.Words == 0 && st.ToneMs > 0:
		d.Result, d.Confidence = NotSure, 0.3
		d.Cause = fmt.Sprintf("ENDOFAUDIO-TONE-%d", st.ToneMs)
	case st.Words == 0:
		d.Result = Silence
		d.Confidence = 0.3 + 0.5*clamp01(float64(heard)/float64(c.p.InitialSilenceMs))
		d.Cause = fmt.Sprintf("ENDOFAUDIO-SILENCE-%d", heard)
	case 4*st.TotalVoiceMs >= 3*c.p.MachineVoiceMs && st.PostGreetingSilenceMs < c.p.AfterGreetingSilenceMs:
		// Cut off while talking, close to a machine's amount of speech.
		// Less than that is left to HUMAN: hanging up on a person is
		// the worse mistake.
		d.Result, d.Confidence = Machine, 0.55
		d.Cause = fmt.Sprintf("ENDOFAUDIO-VOICE-%d", st.TotalVoiceMs)
	default:
		d.Result, d.Confidence = Human, 0.55
		d.Cause = fmt.Sprintf("ENDOFAUDIO-VOICE-%d", st.TotalVoiceMs)
	}
	c.decision = d
	return d
}

// Stats returns the pattern heard so far.
func (c *Cadence) Stats() Stats { return c.stats(c.frames * dsp.FrameMs) }

// Segments returns the voice segments (words) heard since the answer, in
// file time, including one still in progress. At most 1000 are kept.
func (c *Cadence) Segments() []Segment {
	out := append([]Segment(nil), c.t.segments...)
	if c.t.open && c.t.confirmed && len(out) < maxSegments {
		out = append(out, Segment{c.t.segStart, c.t.segEnd})
	}
	return out
}

// NoiseFloorDB is the current noise-floor estimate (band level, dB).
func (c *Cadence) NoiseFloorDB() float64 { return c.vad.floorDB() }

func (c *Cadence) stats(now int) Stats {
	st := c.t.stats(now)
	st.NoiseFloorDB = c.vad.floorDB()
	if math.IsInf(st.NoiseFloorDB, 0) {
		st.NoiseFloorDB = 0
	}
	return st
}

// decide applies the rules at time now (end of the frame just stepped);
// a decision is dated availableAt (later than now only during a replay).
func (c *Cadence) decide(now, availableAt int) {
	if c.decision != nil {
		return
	}
	t := &c.t
	p := &c.p
	var res, cause string
	var conf float64
	voice := t.totalVoice()
	switch {
	case t.pat.words == 0:
		quietFrom := max(c.answerMs, t.lastToneEnd)
		limit := p.InitialSilenceMs
		if t.longToneEnd >= 0 {
			// After ringback the answer can come up to a whole ring-off
			// period later, and silence before it is not the callee's.
			limit += p.RingbackOffMs
		}
		if q := now - quietFrom; q >= limit {
			res, conf = Silence, 0.9
			cause = fmt.Sprintf("INITIALSILENCE-%d-%d", q, limit)
		}
	case voice >= p.MachineVoiceMs:
		res = Machine
		cause = fmt.Sprintf("LONGGREETING-%d-%d", voice, p.MachineVoiceMs)
		conf = 0.8 + 0.15*clamp01(float64(t.pat.words)/float64(p.MaxWords+1))
	case t.currentUtterance() >= p.MaxUtteranceMs:
		res, conf = Machine, 0.85
		cause = fmt.Sprintf("LONGUTTERANCE-%d-%d", t.currentUtterance(), p.MaxUtteranceMs)
	case t.pat.words > p.MaxWords && voice >= p.MinWordsVoiceMs:
		res, conf = Machine, 0.8
		cause = fmt.Sprintf("MAXWORDS-%d-%d", t.pat.words, p.MaxWords)
	default:
		// Decide on what follows the speech: a person stops and waits.
		need := c.humanSilenceNeed()
		// Something is sounding that may be the next word: wait for it to
		// become a word (then no HUMAN) or to die out as a click.
		sounding := t.open || t.runVoice > 0
		if q := now - max(t.pat.lastVoiceEnd, t.lastToneEnd); q >= need && !sounding {
			res = Human
			cause = fmt.Sprintf("HUMAN-%d-%d", q, need)
			conf = 0.6 + 0.35*clamp01(1-float64(voice)/float64(p.MachineVoiceMs))
		}
	}
	start, total := c.answerMs, p.TotalAnalysisMs
	if t.longToneEnd >= 0 {
		start, total = max(start, t.longToneEnd), total+p.RingbackOffMs
	}
	if t.pat.firstVoice >= 0 {
		// The analysis time runs from the first word: a late answer
		// (up to InitialSilenceMs) gets the same time to finish its
		// sentence as a prompt one.
		start = max(start, t.pat.firstVoice)
	}
	if res == "" && now-start >= total {
		switch {
		case t.pat.words > 0 && voice >= p.WaryVoiceMs:
			// Talking on and off for the whole analysis time (counted
			// from the first word) without ever pausing long enough to
			// wait for the caller: a recording. (A silence long enough
			// would have made it HUMAN already.)
			res, conf = Machine, 0.6
			cause = fmt.Sprintf("NOPAUSE-%d-%d", voice, now-start)
		default:
			res, conf = NotSure, 0.2
			cause = fmt.Sprintf("TOOLONG-%d", now-start)
		}
	}
	if res != "" {
		c.decision = &Decision{Result: res, Cause: cause, DecidedMs: availableAt,
			Confidence: math.Round(conf*100) / 100, Stats: c.stats(now)}
	}
}

// pauseMarginMs: after a long greeting, HUMAN needs a silence this much
// longer than the longest pause already heard between its phrases.
const pauseMarginMs = 300

// humanSilenceNeed is the silence after the last word that makes the call
// HUMAN: AfterGreetingSilenceMs after a short greeting; after a greeting of
// WaryVoiceMs or more (of speech, or from its first word to its last),
// LongPauseMs, and in any case more than the longest
// pause the greeting already made between its phrases (a recording that
// paused 1.2 s once will pause as long again; a person who finished a
// sentence waits far longer).
func (c *Cadence) humanSilenceNeed() int {
	p, t := &c.p, &c.t
	// Wary on either measure: the VAD's voice time under-counts speech in
	// noise (weak syllables fall under the floor), the span from the first
	// word to the last does not.
	span := t.pat.lastVoiceEnd - t.pat.firstVoice
	if t.totalVoice() < p.WaryVoiceMs && span < p.WaryVoiceMs {
		return p.AfterGreetingSilenceMs
	}
	return max(p.LongPauseMs, t.pat.longestPause+pauseMarginMs)
}

func clamp01(x float64) float64 { return math.Max(0, math.Min(1, x)) }
