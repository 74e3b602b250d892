package template

import (
	"math/bits"
	"slices"
)

// Verification. The offset histogram finds candidates cheaply; before a
// candidate becomes a Match it is re-examined from the recent query
// landmarks, and must look like the same recording heard again, not a
// coincidence of generic structure:
//
//   - score: the consistent hits must be a fair fraction both of the
//     template's landmarks in the matched stretch (audio that *is* the
//     template reproduces many of them, even through noise and GSM) and
//     of the query's landmarks over the same stretch (a dense query, e.g.
//     noise or music, collects chance hits everywhere);
//   - time spread: the hits must cover many different 100 ms slices of
//     the template, not a burst or two plus a stray hit;
//   - frequency spread: the peaks of the hits must lie in several
//     frequency bands: a beep, a hum harmonic or any steady tone puts all
//     its peaks in one band.
//
// A time-reversed copy of a template, a template's hiss tail, a beep or
// a tone sequence can line up 14 hashes by chance; none passes all three.
const (
	// qringSize query landmarks are kept for verification: at least 2.5 s
	// at the largest possible rate (maxPerFrm*fanout per frame), ~40 s of
	// ordinary speech.
	qringSize = 4096
	// minTmplSlices: distinct 100 ms slices of the template with hits.
	minTmplSlices = 4
	// minVerifiedHits: consistent query landmarks, counted exactly.
	minVerifiedHits = 14
	// minBands: distinct frequency bands (bandWidth bins = 250 Hz) among
	// the peaks of the hits.
	minBands  = 4
	bandWidth = 8
	// minTmplFrac: hits / template landmarks (per enrolled speed) in the
	// matched stretch of the template; minQueryFrac: hits / query
	// landmarks in the same stretch; minScore: their geometric mean.
	minTmplFrac  = 0.06
	minQueryFrac = 0.10
	minScore     = 0.12
	// tolFrames: a hit is within this many frames of the candidate offset.
	tolFrames = 3
)

// verdict is what verification measured about a candidate.
type verdict struct {
	hits          int     // query landmarks consistent with the offset
	tmplSlices    int     // distinct 100 ms slices of the template hit
	bands         int     // distinct frequency bands among the hit peaks
	tmplFrac      float64 // hits / template landmarks in the stretch
	queryFrac     float64 // hits / query landmarks in the stretch
	firstQ, lastQ int32   // query anchor frames of the first and last hit
	firstT        int32   // template anchor frame of the first hit
}

func (v *verdict) ok() bool {
	return v.hits >= minVerifiedHits && v.tmplSlices >= minTmplSlices && v.bands >= minBands &&
		v.tmplFrac >= minTmplFrac && v.queryFrac >= minQueryFrac && v.tmplFrac*v.queryFrac >= minScore*minScore
}

// queryRing keeps the most recent query landmarks.
type queryRing struct {
	lms  [qringSize]Landmark
	next int // total pushed
}

func (r *queryRing) push(lm Landmark) {
	r.lms[r.next%qringSize] = lm
	r.next++
}

// each calls fn for the kept landmarks, oldest first.
func (r *queryRing) each(fn func(Landmark)) {
	for i := max(0, r.next-qringSize); i < r.next; i++ {
		fn(r.lms[i%qringSize])
	}
}

func (r *queryRing) reset() { r.next = 0 }

// verify re-examines the candidate (template tid, offset off in frames)
// against the recent query landmarks.
func (m *Matcher) verify(tid int, off int32) verdict {
	var v verdict
	hitSlices := m.sliceBuf[:0]
	var bandMask uint32
	v.firstQ, v.lastQ, v.firstT = 1<<30, -1, 1<<30
	lastT := int32(-1)
	ix := m.lib.ix
	m.ring.each(func(q Landmark) {
		bucket := ix.bucket(q.Hash)
		if len(bucket) > ix.maxBucket {
			return
		}
		for _, e := range bucket {
			etid, tt := unpackEntry(e)
			if etid != tid {
				continue
			}
			if d := q.T - tt - off; d < -tolFrames || d > tolFrames {
				continue
			}
			v.hits++ // once per query landmark, whatever the speed copies
			v.firstQ, v.lastQ = min(v.firstQ, q.T), max(v.lastQ, q.T)
			v.firstT, lastT = min(v.firstT, tt), max(lastT, tt)
			hitSlices = append(hitSlices, tt/profileSlice)
			f1, f2 := hashBins(q.Hash)
			bandMask |= 1<<(f1/bandWidth) | 1<<(f2/bandWidth)
			return
		}
	})
	m.sliceBuf = hitSlices
	if v.hits == 0 {
		return v
	}
	slices.Sort(hitSlices)
	v.tmplSlices = len(slices.Compact(hitSlices))
	v.bands = bits.OnesCount32(bandMask)
	tmplN := float64(ix.entriesBetween(tid, v.firstT, lastT)) / float64(len(enrollSpeeds))
	v.tmplFrac = float64(v.hits) / max(tmplN, 1)
	queryN := 0
	m.ring.each(func(q Landmark) {
		if q.T >= v.firstQ && q.T <= v.lastQ {
			queryN++
		}
	})
	v.queryFrac = float64(v.hits) / float64(max(queryN, 1))
	return v
}

// hashBins returns the frequency bins (0-based within the band) of the two
// peaks of a hash.
func hashBins(h uint32) (f1, f2 int) {
	f1 = int(h >> 12)
	f2 = f1 + int(h>>6&0x3f) - 32
	return f1, max(0, f2)
}
