package template

import "slices"

// index is the inverted file: for every hash, the (template, time) pairs
// that contain it, stored as one flat array with per-hash offsets (CSR) so
// it loads with two reads and costs 4 bytes per landmark.
type index struct {
	offsets []uint32 // len hashSpace+1; entries of hash h are entries[offsets[h]:offsets[h+1]]
	entries []uint32 // template id << timeBits | anchor frame
	// maxBucket: buckets larger than this are skipped when matching. In a
	// big library the most common hashes (everyday formant pairs) fill huge
	// buckets that cost most of the matching time and carry little
	// evidence; small libraries never reach the limit.
	maxBucket int
	// profile holds, per template, cumulative entry counts per 100 ms of
	// template time (see buildProfile); profStart[tid] is where template
	// tid's counts begin. Derived from entries, never stored.
	profile   []uint32
	profStart []uint32
}

// Bucket limit: at least minBucketLimit, or bucketLimitFactor times the
// mean occupancy.
const (
	minBucketLimit    = 512
	bucketLimitFactor = 32
)

func (ix *index) setLimit() {
	ix.maxBucket = max(minBucketLimit, bucketLimitFactor*len(ix.entries)/hashSpace)
}

func packEntry(tid int, t int32) uint32 { return uint32(tid)<<timeBits | uint32(t) }

func unpackEntry(e uint32) (tid int, t int32) {
	return int(e >> timeBits), int32(e & maxFrames)
}

// buildIndex makes the inverted file from each template's landmarks
// (lists[i] belongs to template id i). Duplicate landmarks are kept once.
func buildIndex(lists [][]Landmark) *index {
	counts := make([]uint32, hashSpace+1)
	for _, l := range lists {
		for _, lm := range l {
			counts[lm.Hash+1]++
		}
	}
	for h := 1; h <= hashSpace; h++ {
		counts[h] += counts[h-1]
	}
	entries := make([]uint32, counts[hashSpace])
	fill := slices.Clone(counts[:hashSpace])
	for tid, l := range lists {
		for _, lm := range l {
			entries[fill[lm.Hash]] = packEntry(tid, lm.T)
			fill[lm.Hash]++
		}
	}
	ix := &index{offsets: counts, entries: entries}
	ix.dedupe()
	ix.setLimit()
	ix.buildProfile(len(lists))
	return ix
}

// dedupe sorts each bucket and removes repeated entries, compacting the
// arrays in place.
func (ix *index) dedupe() {
	w := uint32(0)
	start := ix.offsets[0]
	for h := 0; h < hashSpace; h++ {
		end := ix.offsets[h+1]
		bucket := ix.entries[start:end]
		slices.Sort(bucket)
		ix.offsets[h] = w
		for i, e := range bucket {
			if i > 0 && e == bucket[i-1] {
				continue
			}
			ix.entries[w] = e
			w++
		}
		start = end
	}
	ix.offsets[hashSpace] = w
	ix.entries = ix.entries[:w:w]
}

// bucket returns the entries holding hash h.
func (ix *index) bucket(h uint32) []uint32 {
	return ix.entries[ix.offsets[h]:ix.offsets[h+1]]
}

// perTemplate rebuilds each template's landmark list from the index (used
// to rebuild the index incrementally when some files change).
func (ix *index) perTemplate(n int) [][]Landmark {
	lists := make([][]Landmark, n)
	for h := 0; h < hashSpace; h++ {
		for _, e := range ix.bucket(uint32(h)) {
			tid, t := unpackEntry(e)
			if tid < n {
				lists[tid] = append(lists[tid], Landmark{Hash: uint32(h), T: t})
			}
		}
	}
	return lists
}

// profileSlice is the time resolution of the per-template landmark
// profile: 100 ms.
const profileSlice = 10

// buildProfile computes, for each of the n templates, the cumulative
// count of its index entries per profileSlice of template time. The
// verifier uses it to know how many landmarks a stretch of a template
// holds (a template with a long silent tail is dense in its speech and
// empty in the tail: the average density would misjudge both).
func (ix *index) buildProfile(n int) {
	last := make([]int32, n)
	for _, e := range ix.entries {
		tid, t := unpackEntry(e)
		last[tid] = max(last[tid], t)
	}
	ix.profStart = make([]uint32, n+1)
	for tid, t := range last {
		ix.profStart[tid+1] = ix.profStart[tid] + uint32(t/profileSlice) + 2
	}
	ix.profile = make([]uint32, ix.profStart[n])
	for _, e := range ix.entries {
		tid, t := unpackEntry(e)
		ix.profile[ix.profStart[tid]+uint32(t/profileSlice)+1]++
	}
	for tid := 0; tid < n; tid++ {
		p := ix.profile[ix.profStart[tid]:ix.profStart[tid+1]]
		for i := 1; i < len(p); i++ {
			p[i] += p[i-1]
		}
	}
}

// entriesBetween is how many index entries template tid has with anchor
// frames in [from, to] (to the profile's 100 ms resolution, rounded out).
func (ix *index) entriesBetween(tid int, from, to int32) int {
	p := ix.profile[ix.profStart[tid]:ix.profStart[tid+1]]
	a := min(max(0, int(from/profileSlice)), len(p)-1)
	b := min(max(0, int(to/profileSlice)+1), len(p)-1)
	return int(p[b] - p[a])
}
