package cadence

import "fmt"

// Params are the tunables of the default cadence profile. All times are in
// milliseconds of audio; levels are in dB of the telephone-band power of a
// 10 ms frame in int16 scale (a full-scale sine is about 87 dB, digital
// silence 0 dB, Asterisk's silence_threshold 256 about 49 dB).
//
// Every field has a flag-ready name in its comment (kebab case) so the CLI
// can expose them one to one.
type Params struct {
	// --- voice activity detector ---

	// OnsetDB (vad-onset-db): a frame starts voice when its band level is
	// this far above the tracked noise floor.
	OnsetDB float64
	// HoldDB (vad-hold-db): once in voice, frames this far above the floor
	// keep it going (hysteresis, so word tails are not chopped).
	HoldDB float64
	// MinLevelDB (vad-min-level-db): absolute level below which nothing is
	// voice, whatever the floor (about -47 dBFS: below any real talker).
	MinLevelDB float64
	// ForegroundDB (vad-foreground-db): a word must start no more than
	// this far below the loudest speech heard so far (decaying 1 dB/s), so
	// background talk well below the callee does not count.
	ForegroundDB float64
	// FloorWindowMs (vad-floor-window): the noise floor is the minimum
	// level over this much recent audio. It must be longer than any
	// syllable run without a dip, short enough to follow a gain change.
	FloorWindowMs int
	// VoiceOnMs (vad-voice-on): consecutive voiced time that opens a voice
	// segment (rejects clicks, which the 32 ms analysis window smears over
	// three frames).
	VoiceOnMs int
	// HangoverMs (vad-hangover): unvoiced time that closes a segment; shorter
	// dips (stops, plosives) stay inside the word.
	HangoverMs int
	// MinWordMs (min-word): a segment counts as speech (resets the silence
	// clocks, adds to the voice totals) only once it is this long.
	MinWordMs int
	// UtteranceGapMs (utterance-gap): words closer than this belong to the
	// same utterance (phrase).
	UtteranceGapMs int

	// --- decision ---

	// InitialSilenceMs (initial-silence): no speech for this long after
	// the answer → SILENCE.
	InitialSilenceMs int
	// AfterGreetingSilenceMs (after-greeting-silence): silence this long
	// after a short greeting → HUMAN (the person waits for the caller).
	AfterGreetingSilenceMs int
	// LongPauseMs (long-pause): when the greeting is already long
	// (≥ WaryVoiceMs of speech, or spanning WaryVoiceMs from its first word
	// to its last), the silence needed for HUMAN grows to this, because
	// machines pause between sentences (up to about 1.3 s); it also stays
	// longer than the longest pause the greeting already made.
	LongPauseMs int
	// WaryVoiceMs (wary-voice): see LongPauseMs.
	WaryVoiceMs int
	// MachineVoiceMs (machine-voice): cumulative speech in the greeting
	// reaching this → MACHINE (a recorded greeting keeps talking).
	MachineVoiceMs int
	// MaxUtteranceMs (max-utterance): one utterance (words with gaps below
	// UtteranceGapMs) spanning this long → MACHINE.
	MaxUtteranceMs int
	// MaxWords (max-words): more words than this in the greeting, with at
	// least MinWordsVoiceMs of speech → MACHINE (fluent read-out text).
	MaxWords int
	// MinWordsVoiceMs (max-words-voice): see MaxWords.
	MinWordsVoiceMs int
	// RingbackOffMs (ringback-off): after a long tone heard before any
	// speech (ringback whose answer point the caller did not give), the
	// initial-silence and total-analysis limits grow by this much, the
	// longest silent part of a ring cycle.
	RingbackOffMs int
	// TotalAnalysisMs (total-analysis-time): the analysis cap, counted
	// from the first word (from the answer while nobody spoke): still
	// talking then → MACHINE (NOPAUSE), nothing heard → NOTSURE.
	TotalAnalysisMs int
}

// DefaultParams returns the documented defaults (docs/amd.md, "Default
// cadence profile"). They were tuned on the development corpus (generator
// cadence-corpus-9: human sentences up to 4 s, late answers, babble,
// machine pauses up to 1.3 s) with margins chosen from the human/machine
// distributions, not to the last file; humans called MACHINE come first,
// latency last.
func DefaultParams() Params {
	return Params{
		OnsetDB:        10,
		HoldDB:         6,
		MinLevelDB:     40,
		ForegroundDB:   15,
		FloorWindowMs:  2000,
		VoiceOnMs:      50,
		HangoverMs:     120,
		MinWordMs:      120,
		UtteranceGapMs: 350,

		InitialSilenceMs:       4000,
		AfterGreetingSilenceMs: 800,
		LongPauseMs:            1800,
		WaryVoiceMs:            1000,
		MachineVoiceMs:         3200,
		MaxUtteranceMs:         4200,
		MaxWords:               12,
		MinWordsVoiceMs:        3000,
		RingbackOffMs:          4000,
		TotalAnalysisMs:        8000,
	}
}

// Validate reports the first parameter that makes no sense, naming it.
func (p Params) Validate() error {
	pos := []struct {
		name string
		v    int
	}{
		{"vad-floor-window", p.FloorWindowMs}, {"vad-voice-on", p.VoiceOnMs},
		{"vad-hangover", p.HangoverMs}, {"min-word", p.MinWordMs},
		{"utterance-gap", p.UtteranceGapMs}, {"initial-silence", p.InitialSilenceMs},
		{"after-greeting-silence", p.AfterGreetingSilenceMs}, {"long-pause", p.LongPauseMs},
		{"machine-voice", p.MachineVoiceMs}, {"max-utterance", p.MaxUtteranceMs},
		{"max-words", p.MaxWords}, {"total-analysis-time", p.TotalAnalysisMs},
		{"ringback-off", p.RingbackOffMs},
	}
	for _, f := range pos {
		if f.v <= 0 {
			return fmt.Errorf("cadence: %s must be positive, got %d", f.name, f.v)
		}
	}
	if p.ForegroundDB <= 0 {
		return fmt.Errorf("cadence: vad-foreground-db must be positive, got %g", p.ForegroundDB)
	}
	if p.HoldDB <= 0 || p.OnsetDB < p.HoldDB {
		return fmt.Errorf("cadence: need 0 < vad-hold-db (%g) <= vad-onset-db (%g)", p.HoldDB, p.OnsetDB)
	}
	if p.LongPauseMs < p.AfterGreetingSilenceMs {
		return fmt.Errorf("cadence: long-pause (%d) must be >= after-greeting-silence (%d)", p.LongPauseMs, p.AfterGreetingSilenceMs)
	}
	return nil
}
