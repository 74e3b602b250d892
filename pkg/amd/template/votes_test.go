package template

import "testing"

// TestVoteTableForgetsStaleCells: chance hits spread over a long recording
// do not make the histogram grow without bound, and live cells survive.
func TestVoteTableForgetsStaleCells(t *testing.T) {
	vt := newVoteTable(minTableSize)
	live := voteKey(7, 3)
	maxSize := 0
	for frame := int32(0); frame < 30000; frame++ { // 5 minutes
		vt.now = frame
		for j := int32(0); j < 40; j++ { // 4,000 new chance cells per second
			c := vt.cell(voteKey(int(j), frame*64+j))
			c.add(frame)
		}
		if frame%50 == 0 { // a match being fed all along
			vt.cell(live).add(frame)
		}
		maxSize = max(maxSize, len(vt.slots))
	}
	if v := vt.find(live); v == nil || v.anchors != 255 || v.n != 255 {
		t.Fatalf("live cell lost or wrong: %+v", v)
	}
	// 3 s of chance cells is 12,000: the table stays within 4× that.
	if maxSize > 1<<16 {
		t.Errorf("table grew to %d slots", maxSize)
	}
	vt.reset()
	if vt.find(live) != nil || vt.used != 0 {
		t.Error("reset kept cells")
	}
}

func TestVoteKeyNegativeBins(t *testing.T) {
	vt := newVoteTable(minTableSize)
	vt.cell(voteKey(1, -5)).n = 3
	vt.cell(voteKey(1, 5)).n = 4
	if voteKey(0, 0) == 0 || voteKey(maxTmplIDs-1, -1) == 0 {
		t.Error("a key is the empty marker")
	}
	if vt.find(voteKey(1, -5)).n != 3 || vt.find(voteKey(1, 5)).n != 4 || vt.find(voteKey(2, -5)) != nil {
		t.Error("keys collide")
	}
}
