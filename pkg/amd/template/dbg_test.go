package template

import "testing"

func TestDbgEspeak(t *testing.T) {
	en := espeak(t, "en-us", "The mailbox of the person you are calling is full and cannot accept new messages.")
	de := espeak(t, "en-us", "The mailbox is full. Please try again later.")
	lib := memLibrary(t, "x", map[string][]float32{"a": en})
	for _, lm := range Fingerprint(de) {
		for _, e := range lib.ix.bucket(lm.Hash) {
			_, tt := unpackEntry(e)
			off := lm.T - tt
			if off > -60 && off < 60 {
				t.Logf("q %d t %d off %d", lm.T, tt, off)
			}
		}
	}
	m := matchSamples(lib, de)
	t.Logf("%+v len %d %d", m, len(en), len(de))
}
