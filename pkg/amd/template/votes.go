package template

// voteTable is the offset histogram of a Matcher: an open-addressing hash
// table (linear probing) from (template, offset bin) to a vote cell. With a
// large library every query landmark touches hundreds of cells, so this
// replaces a Go map (several times slower per access). When it fills up it
// first forgets stale cells (no hit for staleFrames), and only grows if
// the recent cells need the room: memory follows the last few seconds of
// audio, not the length of the recording.
type voteTable struct {
	slots []voteSlot
	spare []voteSlot // same size as slots, reused by prunes
	used  int
	mask  uint64
	now   int32 // current query frame, for pruning
}

// voteSlot keeps the key next to its cell: 16 bytes, one cache line per
// probe.
type voteSlot struct {
	key uint32 // 0: empty; see voteKey
	v   vote
}

const (
	minTableSize = 1 << 10
	// staleFrames: a cell with no hit for this long (3 s) is forgotten
	// when the table needs room. Chance hits accumulate everywhere; a real
	// match keeps being fed.
	staleFrames = 300
)

func newVoteTable(size int) voteTable {
	return voteTable{slots: make([]voteSlot, size), mask: uint64(size - 1)}
}

// voteKey packs template id + 1 (17 bits, never 0) and the offset bin
// modulo 32768 (65536 frames: offsets 11 minutes apart share a cell, long
// after the older one went stale).
func voteKey(tid int, bin int32) uint32 { return uint32(tid+1)<<15 | uint32(bin)&0x7fff }

func slotOf(key uint32, mask uint64) uint64 { return (uint64(key) * 0x9E3779B97F4A7C15) >> 24 & mask }

func (t *voteTable) slot(key uint32) uint64 { return slotOf(key, t.mask) }

// find returns the cell of key, or nil.
func (t *voteTable) find(key uint32) *vote {
	for i := t.slot(key); ; i = (i + 1) & t.mask {
		switch t.slots[i].key {
		case key:
			return &t.slots[i].v
		case 0:
			return nil
		}
	}
}

// cell returns the cell of key, inserting an empty one if needed. The
// pointer is valid until the next insertion.
func (t *voteTable) cell(key uint32) *vote {
	if 2*(t.used+1) > len(t.slots) {
		t.makeRoom()
	}
	for i := t.slot(key); ; i = (i + 1) & t.mask {
		s := &t.slots[i]
		switch s.key {
		case key:
			return &s.v
		case 0:
			*s = voteSlot{key: key}
			t.used++
			return &s.v
		}
	}
}

// makeRoom drops stale cells, and doubles the table if it is still more
// than a quarter full.
func (t *voteTable) makeRoom() {
	now := uint16(t.now)
	t.rehash(len(t.slots), func(v *vote) bool { return now-v.lastT <= staleFrames })
	if 4*t.used > len(t.slots) {
		t.spare = nil
		t.rehash(2*len(t.slots), func(*vote) bool { return true })
	}
}

// rehash re-inserts the cells to keep into a table of the given size,
// reusing the spare buffer when the size is unchanged.
func (t *voteTable) rehash(size int, keep func(*vote) bool) {
	var dst []voteSlot
	if size == len(t.spare) {
		dst = t.spare
		clear(dst)
	} else {
		dst = make([]voteSlot, size)
	}
	mask := uint64(size - 1)
	used := 0
	for i := range t.slots {
		s := &t.slots[i]
		if s.key == 0 || !keep(&s.v) {
			continue
		}
		j := slotOf(s.key, mask)
		for dst[j].key != 0 {
			j = (j + 1) & mask
		}
		dst[j] = *s
		used++
	}
	if len(t.slots) == size {
		t.spare = t.slots
	}
	t.slots, t.mask, t.used = dst, mask, used
}

// reset empties the table, keeping a small allocation.
func (t *voteTable) reset() {
	if len(t.slots) > 16*minTableSize {
		*t = newVoteTable(minTableSize)
		return
	}
	clear(t.slots)
	t.used, t.now = 0, 0
}
