package cadence

import "github.com/khompctl/khompctl/pkg/amd/dsp"

// tracker turns the per-frame classes into words and utterances and keeps
// the pattern statistics. It is pure bookkeeping on (class, level) pairs,
// so Answer can replay it from the stored history.
type tracker struct {
	voiceOn, hangover, minWord, uttGap int
	foregroundDB                       float64

	answerMs int

	runVoice  int  // consecutive voiced ms (onset debounce)
	runPeak   int  // loudest level of that run, dB
	open      bool // a segment is open
	confirmed bool // the open segment reached minWord
	segStart  int
	segEnd    int // end of its last voiced frame
	segPeak   int // loudest level of the open segment, dB
	unvoiced  int // ms since segEnd while open

	pat pattern // the counted words
	// before is pat as it was before the open segment was counted, to
	// take a background word back out when it closes.
	before pattern

	lastToneEnd int // end of the last tone frame, -1 if none
	toneMs      int
	toneRun     int // span of the tone run in progress (gaps < toneGapMs bridged)
	toneGap     int // time since the last tone frame
	// longToneEnd is the end of the last tone of ≥ longToneMs heard before
	// any word (-1 if none): ringback whose answer point is not known yet,
	// or a fax/SIT tone.
	longToneEnd int

	segments []Segment
}

// pattern is what the counted words add up to.
type pattern struct {
	words        int
	closedVoice  int // voice of closed counted words
	lastVoiceEnd int // end of the last counted voice, -1 if none
	firstVoice   int // start of the first counted word, -1 if none
	wordsPeak    int // loudest level of the closed counted words, -1 if none

	utterances       int
	uttStart         int
	firstUtterance   int // length of the first utterance once it closed, -1 while open
	longestClosedUtt int
	longestPause     int
}

func freshPattern() pattern {
	return pattern{lastVoiceEnd: -1, firstVoice: -1, wordsPeak: -1, firstUtterance: -1}
}

func (t *tracker) reset(p Params) {
	segs := t.segments[:0]
	*t = tracker{
		voiceOn: p.VoiceOnMs, hangover: p.HangoverMs, minWord: p.MinWordMs, uttGap: p.UtteranceGapMs,
		foregroundDB: p.ForegroundDB,
		pat:          freshPattern(), lastToneEnd: -1, longToneEnd: -1,
		segments: segs,
	}
}

// reanchorDB: a word this much louder than every word before it starts
// the greeting again (one talker's words stay within about 10 dB of each
// other; a TV or a colleague in the room is 15–25 dB below the callee).
const reanchorDB = 10

// longToneMs: a tone this long before any word may be ringback (US rings
// are 2 s, EU/BR 1 s), so the answer may still be to come.
const longToneMs = 900

// toneGapMs ends a tone run: shorter breaks are mask dropouts, or the
// 200 ms break inside a UK/AU/IN double ring (0.4 s on, 0.2 s off, 0.4 s
// on, 2 s off), which must add up to one long ringback tone.
const toneGapMs = 300

// step consumes the class and band level (dB) of the frame ending at end.
func (t *tracker) step(class frameClass, level int, end int) {
	if class != classTone {
		// A long tone survives short mask dropouts (noise, codec).
		t.toneGap += dsp.FrameMs
		if t.toneGap >= toneGapMs {
			t.toneRun = 0
		}
	} else {
		if t.toneRun > 0 {
			t.toneRun += t.toneGap // a bridged break is part of the run's span
		}
		t.toneGap = 0
	}
	switch class {
	case classVoice:
		t.voice(level, end)
	case classTone:
		t.runVoice = 0
		t.lastToneEnd = end
		t.toneMs += dsp.FrameMs
		t.toneRun += dsp.FrameMs
		if t.toneRun >= longToneMs && t.pat.words == 0 {
			t.longToneEnd = end
		}
		if t.open {
			t.close()
		}
	default:
		t.runVoice = 0
		if t.open {
			t.unvoiced += dsp.FrameMs
			if t.unvoiced >= t.hangover {
				t.close()
			}
		}
	}
}

func (t *tracker) voice(level, end int) {
	if t.runVoice == 0 {
		t.runPeak = level
	}
	t.runVoice += dsp.FrameMs
	t.runPeak = max(t.runPeak, level)
	if !t.open && t.runVoice >= t.voiceOn {
		t.open, t.confirmed = true, false
		t.segStart = max(end-t.runVoice, t.answerMs)
		t.segPeak = t.runPeak
	}
	if !t.open {
		return
	}
	t.segEnd, t.unvoiced = end, 0
	t.segPeak = max(t.segPeak, level)
	if !t.confirmed && t.segEnd-t.segStart >= t.minWord {
		t.before = t.pat
		t.confirm()
	}
	if !t.confirmed {
		return
	}
	if t.pat.wordsPeak >= 0 && t.segPeak >= t.pat.wordsPeak+reanchorDB {
		// A talker far louder than every word so far: those words were
		// in the background (a TV before the callee spoke). Start the
		// greeting again with this word.
		t.pat, t.before = freshPattern(), freshPattern()
		t.confirm()
	}
	t.pat.lastVoiceEnd = t.segEnd
}

// confirm counts the open segment as a word and places it in an utterance.
func (t *tracker) confirm() {
	t.confirmed = true
	p := &t.pat
	p.words++
	if p.firstVoice < 0 {
		p.firstVoice = t.segStart
		p.utterances, p.uttStart = 1, t.segStart
		return
	}
	if gap := t.segStart - p.lastVoiceEnd; gap >= t.uttGap {
		t.closeUtterance()
		p.utterances++
		p.uttStart = t.segStart
		p.longestPause = max(p.longestPause, gap)
	}
}

func (t *tracker) closeUtterance() {
	p := &t.pat
	n := p.lastVoiceEnd - p.uttStart
	if p.firstUtterance < 0 {
		p.firstUtterance = n
	}
	p.longestClosedUtt = max(p.longestClosedUtt, n)
}

func (t *tracker) close() {
	if t.confirmed {
		if t.pat.wordsPeak >= 0 && float64(t.segPeak) < float64(t.pat.wordsPeak)-t.foregroundDB {
			// Far softer than the callee's words: background talk. Take
			// it back out (its silence was the callee's silence).
			t.pat = t.before
		} else {
			t.pat.closedVoice += t.segEnd - t.segStart
			t.pat.wordsPeak = max(t.pat.wordsPeak, t.segPeak)
			if len(t.segments) < maxSegments {
				t.segments = append(t.segments, Segment{t.segStart, t.segEnd})
			}
		}
	}
	t.open, t.confirmed, t.unvoiced = false, false, 0
}

// totalVoice is the confirmed speech so far, the open word included.
func (t *tracker) totalVoice() int {
	v := t.pat.closedVoice
	if t.open && t.confirmed {
		v += t.segEnd - t.segStart
	}
	return v
}

// currentUtterance is the span of the utterance in progress (0 if none).
func (t *tracker) currentUtterance() int {
	if t.pat.firstVoice < 0 {
		return 0
	}
	return t.pat.lastVoiceEnd - t.pat.uttStart
}

func (t *tracker) stats(now int) Stats {
	st := Stats{AnswerMs: t.answerMs, Words: t.pat.words, Utterances: t.pat.utterances,
		TotalVoiceMs: t.totalVoice(), ToneMs: t.toneMs, LongestPauseMs: t.pat.longestPause}
	if t.pat.firstVoice < 0 {
		st.InitialSilenceMs = max(0, now-t.answerMs)
		return st
	}
	st.InitialSilenceMs = t.pat.firstVoice - t.answerMs
	cur := t.currentUtterance()
	st.FirstUtteranceMs = t.pat.firstUtterance
	if st.FirstUtteranceMs < 0 {
		st.FirstUtteranceMs = cur
	}
	st.LongestUtteranceMs = max(t.pat.longestClosedUtt, cur)
	st.PostGreetingSilenceMs = max(0, now-t.pat.lastVoiceEnd)
	return st
}
