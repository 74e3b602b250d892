package cadence

import "github.com/khompctl/khompctl/pkg/amd/dsp"

// tracker turns the per-frame classes into words and utterances and keeps
// the pattern statistics. It is pure bookkeeping on classes, so Answer can
// replay it from the stored history.
type tracker struct {
	voiceOn, hangover, minWord, uttGap int

	answerMs int

	runVoice  int  // consecutive voiced ms (onset debounce)
	open      bool // a segment is open
	confirmed bool // the open segment reached minWord
	segStart  int
	segEnd    int // end of its last voiced frame
	unvoiced  int // ms since segEnd while open

	words        int
	closedVoice  int // voice of closed confirmed segments
	lastVoiceEnd int // end of the last confirmed voice, -1 if none
	firstVoice   int // start of the first confirmed word, -1 if none
	lastToneEnd  int // end of the last tone frame, -1 if none
	toneMs       int
	toneRun      int // tone heard in the run in progress (gaps < toneGapMs bridged)
	toneGap      int // time since the last tone frame
	// longToneEnd is the end of the last tone of ≥ longToneMs heard before
	// any word (-1 if none): ringback whose answer point is not known yet,
	// or a fax/SIT tone.
	longToneEnd int

	utterances       int
	uttStart         int
	firstUtterance   int // length of the first utterance once it closed, -1 while open
	longestClosedUtt int
	longestPause     int

	segments []Segment
}

func (t *tracker) reset(p Params) {
	segs := t.segments[:0]
	*t = tracker{
		voiceOn: p.VoiceOnMs, hangover: p.HangoverMs, minWord: p.MinWordMs, uttGap: p.UtteranceGapMs,
		lastVoiceEnd: -1, firstVoice: -1, lastToneEnd: -1, firstUtterance: -1, longToneEnd: -1,
		segments: segs,
	}
}

// longToneMs: a tone this long before any word may be ringback (US rings
// are 2 s, EU/BR 1 s), so the answer may still be to come.
const longToneMs = 900

// toneGapMs ends a tone run: shorter breaks are mask dropouts.
const toneGapMs = 200

// step consumes the class of the frame ending at end.
func (t *tracker) step(class frameClass, end int) {
	if class != classTone {
		// A long tone survives short mask dropouts (noise, codec).
		t.toneGap += dsp.FrameMs
		if t.toneGap >= toneGapMs {
			t.toneRun = 0
		}
	} else {
		t.toneGap = 0
	}
	switch class {
	case classVoice:
		t.runVoice += dsp.FrameMs
		if !t.open && t.runVoice >= t.voiceOn {
			t.open, t.confirmed = true, false
			t.segStart = end - t.runVoice
			if t.segStart < t.answerMs {
				t.segStart = t.answerMs
			}
		}
		if t.open {
			t.segEnd, t.unvoiced = end, 0
			if !t.confirmed && t.segEnd-t.segStart >= t.minWord {
				t.confirm()
			}
			if t.confirmed {
				t.lastVoiceEnd = t.segEnd
			}
		}
	case classTone:
		t.runVoice = 0
		t.lastToneEnd = end
		t.toneMs += dsp.FrameMs
		t.toneRun += dsp.FrameMs
		if t.toneRun >= longToneMs && t.words == 0 {
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

// confirm makes the open segment a word and places it in an utterance.
func (t *tracker) confirm() {
	t.confirmed = true
	t.words++
	if t.firstVoice < 0 {
		t.firstVoice = t.segStart
		t.utterances, t.uttStart = 1, t.segStart
		return
	}
	if gap := t.segStart - t.lastVoiceEnd; gap >= t.uttGap {
		t.closeUtterance()
		t.utterances++
		t.uttStart = t.segStart
		t.longestPause = max(t.longestPause, gap)
	}
}

func (t *tracker) closeUtterance() {
	n := t.lastVoiceEnd - t.uttStart
	if t.firstUtterance < 0 {
		t.firstUtterance = n
	}
	t.longestClosedUtt = max(t.longestClosedUtt, n)
}

func (t *tracker) close() {
	if t.confirmed {
		t.closedVoice += t.segEnd - t.segStart
		if len(t.segments) < maxSegments {
			t.segments = append(t.segments, Segment{t.segStart, t.segEnd})
		}
	}
	t.open, t.confirmed, t.unvoiced = false, false, 0
}

// totalVoice is the confirmed speech so far, the open word included.
func (t *tracker) totalVoice() int {
	v := t.closedVoice
	if t.open && t.confirmed {
		v += t.segEnd - t.segStart
	}
	return v
}

// currentUtterance is the span of the utterance in progress (0 if none).
func (t *tracker) currentUtterance() int {
	if t.firstVoice < 0 {
		return 0
	}
	return t.lastVoiceEnd - t.uttStart
}

func (t *tracker) stats(now int) Stats {
	st := Stats{AnswerMs: t.answerMs, Words: t.words, Utterances: t.utterances,
		TotalVoiceMs: t.totalVoice(), ToneMs: t.toneMs, LongestPauseMs: t.longestPause}
	if t.firstVoice < 0 {
		st.InitialSilenceMs = max(0, now-t.answerMs)
		return st
	}
	st.InitialSilenceMs = t.firstVoice - t.answerMs
	cur := t.currentUtterance()
	st.FirstUtteranceMs = t.firstUtterance
	if st.FirstUtteranceMs < 0 {
		st.FirstUtteranceMs = cur
	}
	st.LongestUtteranceMs = max(t.longestClosedUtt, cur)
	st.PostGreetingSilenceMs = max(0, now-t.lastVoiceEnd)
	return st
}
