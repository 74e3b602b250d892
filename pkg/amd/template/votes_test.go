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

// TestLandmarkProfile: the per-template profile counts a template's index
// entries in a stretch of its time, and survives the index cache.
func TestLandmarkProfile(t *testing.T) {
	lists := [][]Landmark{
		{{Hash: 1, T: 0}, {Hash: 2, T: 5}, {Hash: 3, T: 15}, {Hash: 4, T: 250}},
		{{Hash: 1, T: 30}},
	}
	ix := buildIndex(lists)
	for _, c := range []struct {
		tid      int
		from, to int32
		want     int
	}{{0, 0, 9, 2}, {0, 0, 19, 3}, {0, 10, 240, 1}, {0, 0, 300, 4}, {0, 200, 1000, 1}, {1, 0, 50, 1}, {1, 0, 9, 0}} {
		if got := ix.entriesBetween(c.tid, c.from, c.to); got != c.want {
			t.Errorf("template %d frames %d..%d: %d entries, want %d", c.tid, c.from, c.to, got, c.want)
		}
	}
	lib := newLibrary("", []Template{{Name: "a", Path: "a.wav"}, {Name: "b", Path: "b.wav"}}, lists)
	path := t.TempDir() + "/idx"
	if err := writeIndexFile(path, lib); err != nil {
		t.Fatal(err)
	}
	loaded, err := readIndexFile(path)
	if err != nil || loaded == nil {
		t.Fatal(err)
	}
	if got := loaded.ix.entriesBetween(0, 0, 19); got != 3 {
		t.Errorf("after reload: %d entries, want 3", got)
	}
}
