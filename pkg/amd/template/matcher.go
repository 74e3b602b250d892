package template

import (
	"math"

	"github.com/khompctl/khompctl/pkg/amd/dsp"
)

// Match is a confident template hit.
type Match struct {
	Name  string  `json:"name"`
	Class string  `json:"class"`
	Score float64 `json:"score"` // fraction of the template's landmarks in the matched stretch that were found, 0..1
	// StartMs is where the template audio starts in the analysed audio
	// (0 when the audio starts in the middle of the template).
	StartMs int `json:"start_ms"`
	// OffsetMs is the position in the template that lines up with StartMs
	// (non-zero when the analysed audio begins after the template's start).
	OffsetMs int `json:"offset_ms"`
	// DetectedMs is the end of the frame on which the match became certain.
	DetectedMs int `json:"detected_ms"`
	Hashes     int `json:"matched_hashes"` // time-consistent landmarks
	// Template is the library entry that matched.
	Template *Template `json:"-"`
	tid      int
}

// Candidate rules (verify.go then decides). A candidate needs minHits
// landmarks of one template that agree on the time offset (to within
// about ±3 frames, which absorbs ±1 % speed over a few seconds and
// peak-time jitter), from at least minAnchors
// different anchor peaks, spread over at least minSpanFrames of the query.
// Hits are counted at most sliceCap per offset bin and sliceFrames of
// query time, so that a short stretch of identical audio (one spliced
// word, a beep) cannot reach minHits alone: a real match keeps agreeing.
const (
	minHits        = 14
	offsetBinShift = 1 // offset histogram bins of 2 frames; a hit counts in a 3-bin window
	minSpanFrames  = 40
	minAnchors     = 8
	sliceFrames    = 10
	sliceCap       = 3
)

// vote is the histogram cell of one (template, offset bin). It is 12
// bytes (16 with its key) because with a big library the matcher touches
// tens of thousands of cells per second of audio: the cache is the cost.
// Frame numbers that only need comparing or a short age are kept modulo
// 65536 (11 minutes); counters saturate.
type vote struct {
	firstT  int32  // anchor frame of the first hit
	lastT   uint16 // anchor frame of the last hit, mod 65536
	slice   uint16 // current slice (anchor frame / sliceFrames), mod 65536
	n       uint8  // hits, at most sliceCap per slice
	anchors uint8  // distinct anchor frames among the hits (approximately)
	inSlice uint8  // hits in the current slice
}

// Matcher matches one recording, frame by frame, against a library. It is
// not safe for concurrent use; make one per recording (they are cheap).
type Matcher struct {
	lib   *Library
	fp    fingerprinter
	votes voteTable
	emit  func(Landmark)
	now   *dsp.Frame
	match *Match
	seen  int // query landmarks so far
	// skip is a template never reported (a template checked against its
	// own library); -1 for none. When found is non-nil the matcher keeps
	// going after a match and records every template that matches.
	skip  int
	found map[int]*Match
	// ring holds the recent query landmarks for verify; sliceBuf is its
	// scratch space. rejected remembers, per histogram cell, the hit
	// total at which a candidate last failed verification, so that a
	// cell is re-examined only when it has gathered more evidence.
	ring     queryRing
	sliceBuf []int32
	rejected map[uint32]int
	// onVerdict, when non-nil, receives every verification (tests, tuning).
	onVerdict func(tid int, v verdict)
}

// NewMatcher returns a matcher positioned at the start of a recording.
func (l *Library) NewMatcher() *Matcher {
	m := &Matcher{lib: l, votes: newVoteTable(minTableSize), skip: -1}
	m.emit = m.onLandmark
	return m
}

// Reset prepares the matcher for a new recording, keeping its memory.
func (m *Matcher) Reset() {
	m.fp.reset()
	m.votes.reset()
	m.match = nil
	m.seen = 0
	m.ring.reset()
	clear(m.rejected)
}

// Process consumes the next frame of the recording. After a match it does
// nothing more.
func (m *Matcher) Process(f *dsp.Frame) {
	if m.match != nil || m.lib == nil || len(m.lib.templates) == 0 {
		return
	}
	m.now = f
	m.votes.now = int32(f.Index)
	m.fp.process(f, m.emit)
}

// Match returns the match, or nil while there is none.
func (m *Matcher) Match() *Match { return m.match }

// Landmarks returns how many landmarks the recording has produced so far.
func (m *Matcher) Landmarks() int { return m.seen }

func (m *Matcher) onLandmark(lm Landmark) {
	m.seen++
	if m.match != nil {
		return
	}
	m.ring.push(lm)
	bucket := m.lib.ix.bucket(lm.Hash)
	if len(bucket) > m.lib.ix.maxBucket {
		return // a hash this common says little and would cost much
	}
	for _, e := range bucket {
		tid, tt := unpackEntry(e)
		if tid == m.skip {
			continue
		}
		off := lm.T - tt
		bin := off >> offsetBinShift // floor(off / offsetBinW), negative offsets too
		v := m.votes.cell(voteKey(tid, bin))
		v.add(lm.T)
		// The window (three cells) can only reach minHits when this cell
		// holds a third of it: skip the neighbour lookups until then.
		if int(v.n)*3 < minHits {
			continue
		}
		total, anchors, first := m.window(tid, bin)
		if total < minHits || anchors < minAnchors || lm.T-first < minSpanFrames {
			continue
		}
		if m.found != nil && m.found[tid] != nil {
			continue
		}
		vd, ok := m.confirm(tid, bin, off, total)
		if !ok {
			continue
		}
		if m.found != nil {
			m.found[tid] = m.newMatch(tid, off, vd)
			continue
		}
		m.match = m.newMatch(tid, off, vd)
		return
	}
}

// add counts one hit at anchor frame t.
func (v *vote) add(t int32) {
	t16, slice := uint16(t), uint16(t/sliceFrames)
	if v.n == 0 {
		v.firstT, v.slice, v.anchors, v.lastT = t, slice, 1, t16
	} else if v.lastT != t16 && v.anchors < math.MaxUint8 {
		v.anchors++
		v.lastT = t16
	}
	if slice != v.slice {
		v.slice, v.inSlice = slice, 0
	}
	if v.inSlice < sliceCap && v.n < math.MaxUint8 {
		v.n++
	}
	if v.inSlice < math.MaxUint8 {
		v.inSlice++
	}
}

// window sums the histogram over the bin and its two neighbours and gives
// the earliest anchor frame among them.
func (m *Matcher) window(tid int, bin int32) (total, anchors int, first int32) {
	first = 1 << 30
	for b := bin - 1; b <= bin+1; b++ {
		v := m.votes.find(voteKey(tid, b))
		if v == nil {
			continue
		}
		total += int(v.n)
		anchors += int(v.anchors)
		first = min(first, v.firstT)
	}
	return total, anchors, first
}

// confirm verifies a candidate cell unless it already failed with as
// much evidence as it has now.
func (m *Matcher) confirm(tid int, bin, off int32, total int) (verdict, bool) {
	key := voteKey(tid, bin)
	if last, seen := m.rejected[key]; seen && total <= last {
		return verdict{}, false
	}
	vd := m.verify(tid, off)
	if m.onVerdict != nil {
		m.onVerdict(tid, vd)
	}
	if vd.ok() {
		return vd, true
	}
	if m.rejected == nil {
		m.rejected = make(map[uint32]int)
	}
	m.rejected[key] = total
	return vd, false
}

func (m *Matcher) newMatch(tid int, off int32, vd verdict) *Match {
	hits := vd.hits
	t := &m.lib.templates[tid]
	startMs := int(off) * dsp.FrameMs
	offsetMs := 0
	if startMs < 0 {
		offsetMs, startMs = -startMs, 0
	}
	detected := m.now.EndMs()
	// Score: the fraction of the template's landmarks in the matched
	// stretch that the recording reproduced (verify's tmplFrac).
	score := min(1, vd.tmplFrac)
	return &Match{
		Name: t.Name, Class: t.Class, Score: score,
		StartMs: startMs, OffsetMs: offsetMs, DetectedMs: detected,
		Hashes: hits, Template: t, tid: tid,
	}
}

// matchAll runs a whole recording through a matcher that reports every
// template it matches (except skip), in template order.
func (l *Library) matchAll(samples []float32, skip int) []*Match {
	m := l.NewMatcher()
	m.skip = skip
	m.found = make(map[int]*Match)
	an := dsp.NewAnalyzer()
	an.Write(samples, m.Process)
	an.Flush(m.Process)
	out := make([]*Match, 0, len(m.found))
	for tid := range l.templates {
		if f := m.found[tid]; f != nil {
			out = append(out, f)
		}
	}
	return out
}
