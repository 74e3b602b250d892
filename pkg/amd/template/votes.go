package template

// voteTable is the offset histogram of a Matcher: an open-addressing hash
// table (linear probing) from (template, offset bin) to a vote cell. With a
// large library every query landmark touches hundreds of cells, so this
// replaces a Go map (several times slower per access) and is pruned by
// rebuilding, which also bounds its memory.
type voteTable struct {
	slots []voteSlot
	used  int
	mask  uint64
}

// voteSlot keeps the key next to its cell: one cache line per probe.
type voteSlot struct {
	key uint64 // 0: empty; else key | occupied
	v   vote
}

const (
	occupied     = 1 << 63
	minTableSize = 1 << 10
)

func newVoteTable(size int) voteTable {
	return voteTable{slots: make([]voteSlot, size), mask: uint64(size - 1)}
}

func voteKey(tid int, bin int32) uint64 { return uint64(tid)<<32 | uint64(uint32(bin)) | occupied }

func (t *voteTable) slot(key uint64) uint64 { return (key * 0x9E3779B97F4A7C15) >> 20 & t.mask }

// find returns the cell of key, or nil.
func (t *voteTable) find(key uint64) *vote {
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
func (t *voteTable) cell(key uint64) *vote {
	if 2*(t.used+1) > len(t.slots) {
		t.rebuild(2*len(t.slots), func(*vote) bool { return true })
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

// rebuild re-inserts the cells that keep says to keep into a table of the
// given size (at least minTableSize, and large enough for them).
func (t *voteTable) rebuild(size int, keep func(*vote) bool) {
	old := *t
	live := 0
	for i := range old.slots {
		if old.slots[i].key != 0 && keep(&old.slots[i].v) {
			live++
		}
	}
	size = max(size, minTableSize)
	for 2*live >= size {
		size *= 2
	}
	*t = newVoteTable(size)
	for i := range old.slots {
		s := &old.slots[i]
		if s.key == 0 || !keep(&s.v) {
			continue
		}
		j := t.slot(s.key)
		for t.slots[j].key != 0 {
			j = (j + 1) & t.mask
		}
		t.slots[j] = *s
		t.used++
	}
}

// prune forgets the cells whose last hit is before frame before, and
// shrinks the table when most of it was stale.
func (t *voteTable) prune(before int32) {
	size := len(t.slots)
	if t.used*8 < size && size > minTableSize {
		size /= 2
	}
	t.rebuild(size, func(v *vote) bool { return v.lastT >= before })
}

// reset empties the table, keeping a small allocation.
func (t *voteTable) reset() {
	if len(t.slots) > 16*minTableSize {
		*t = newVoteTable(minTableSize)
		return
	}
	clear(t.slots)
	t.used = 0
}
