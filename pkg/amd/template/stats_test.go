package template

import (
	"os"
	"path/filepath"
	"sort"
	"testing"
)

func TestBucketStats(t *testing.T) {
	p := filepath.Join(os.TempDir(), "khompctl-bench-10k-v1.idx")
	lib, err := readIndexFile(p)
	if err != nil || lib == nil {
		t.Skip(err)
	}
	var sizes []int
	for h := 0; h < hashSpace; h++ {
		sizes = append(sizes, len(lib.ix.bucket(uint32(h))))
	}
	sort.Ints(sizes)
	t.Logf("p50 %d p90 %d p99 %d p999 %d max %d", sizes[len(sizes)/2], sizes[len(sizes)*9/10], sizes[len(sizes)*99/100], sizes[len(sizes)*999/1000], sizes[len(sizes)-1])
	q := prompt(t, "es/conf-getpin")
	var tot, n int
	var seen []int
	for _, lm := range Fingerprint(q) {
		b := len(lib.ix.bucket(lm.Hash))
		tot += b
		n++
		seen = append(seen, b)
	}
	for _, c := range []int{300, 512, 800, 1200} {
		w, skipped := 0, 0
		for _, b := range seen {
			if b > c {
				skipped++
			} else {
				w += b
			}
		}
		t.Logf("cap %d: work %.0f%%, landmarks skipped %.0f%%", c, 100*float64(w)/float64(tot), 100*float64(skipped)/float64(n))
	}
	sort.Ints(seen)
	t.Logf("query landmarks %d, mean bucket %d, median %d p90 %d max %d, per second %d", n, tot/n, seen[n/2], seen[n*9/10], seen[n-1], tot*8000/len(q))
}
