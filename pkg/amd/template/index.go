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
