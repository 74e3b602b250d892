package patterns

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/container"
)

// benchRows is the size of the log for the Go benchmarks (10% of it in the
// 4-hour window). The default keeps `go test -bench` quick; the 1,000,000-
// row figures come from scripts/bench_patterns.sh, or from
// KHOMPCTL_BENCH_ROWS=1000000 go test -run - -bench Update ./pkg/patterns
func benchRows(b *testing.B) int {
	if v := os.Getenv("KHOMPCTL_BENCH_ROWS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 10 {
			b.Fatalf("KHOMPCTL_BENCH_ROWS=%q", v)
		}
		return n
	}
	return 100_000
}

// loadBenchLog fills vicidial_khomp_log server-side (MariaDB's sequence
// engine), relative to testNow: rows/10 in the last 4 hours, the rest over
// the 7 days before; ~10% without conclusion; a few thousand distinct pairs.
func loadBenchLog(b *testing.B, db *testdb.DB, rows int) {
	b.Helper()
	window := rows / 10
	now := testNow.Format(timeLayout)
	db.Exec(b, fmt.Sprintf(`INSERT INTO vicidial_khomp_log (caller_code, server_ip, start_date, conclusion, pattern)
SELECT CONCAT('V', LPAD(seq, 19, '0')), '10.0.0.1',
  IF(seq <= %[1]d, TIMESTAMP('%[3]s') - INTERVAL 4 HOUR - INTERVAL 60 SECOND - INTERVAL (seq MOD 590000) SECOND,
     TIMESTAMP('%[3]s') - INTERVAL (seq MOD 14000) SECOND),
  IF(seq MOD 10 = 0, NULL, ELT(1 + seq MOD 9, 'Voice mail', 'Interception announcement', 'Long human answer',
     'Short human answer', 'Fax', 'Ringback signal', 'Non human answer', 'No speech', 'Brand new conclusion')),
  CASE seq MOD 7 WHEN 0 THEN NULL WHEN 1 THEN '' WHEN 2 THEN 'Voice mail 300Hz'
    WHEN 3 THEN CONCAT('New announcement ', seq MOD 400) WHEN 4 THEN 'Busy tone'
    WHEN 5 THEN CONCAT('Rare pattern ', seq MOD 1000) ELSE 'SIT Tone - Innefective/other' END
FROM seq_1_to_%[2]d`, rows-window, rows, now))
}

// peakHeap samples the Go heap while f runs and returns its peak in bytes.
func peakHeap(f func()) uint64 {
	var peak atomic.Uint64
	done := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapInuse > peak.Load() {
				peak.Store(ms.HeapInuse)
			}
			select {
			case <-done:
				return
			case <-time.After(5 * time.Millisecond):
			}
		}
	}()
	f()
	close(done)
	wg.Wait()
	return peak.Load()
}

func benchUpdate(b *testing.B, win WindowOptions) {
	rows := benchRows(b)
	db := testdb.New(b, testdb.Schema1728)
	db.PutContainer(b, container.StatusMapID, "OTHER", shipped)
	loadBenchLog(b, db, rows)
	ctx := context.Background()
	opts := UpdateOptions{Window: win, Now: testNow}
	// The first run appends the new pairs; the cron steady state (what the
	// loop measures) scans the window and finds nothing new.
	if _, err := Update(ctx, db.DB, opts); err != nil {
		b.Fatal(err)
	}
	var scanned int64
	var peak uint64
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		p := peakHeap(func() {
			res, err := Update(ctx, db.DB, opts)
			if err != nil {
				b.Fatal(err)
			}
			scanned = res.RowsScanned
		})
		peak = max(peak, p)
	}
	b.ReportMetric(float64(scanned), "rows/op")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MiB")
}

func BenchmarkUpdateMinuteRun(b *testing.B) { benchUpdate(b, WindowOptions{}) }

func BenchmarkUpdateFullCheck(b *testing.B) { benchUpdate(b, WindowOptions{FullCheck: true}) }
