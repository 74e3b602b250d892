package patterns

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/testdb"
	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/dblock"
	"github.com/khompctl/khompctl/pkg/install"
)

// testNow is a fixed clock: windows and row ages are computed from it.
var testNow = time.Date(2026, 11, 24, 15, 30, 0, 0, time.Local)

// logRow is a vicidial_khomp_log row; nil means SQL NULL.
type logRow struct {
	age        time.Duration
	conclusion *string
	pattern    *string
}

func s(v string) *string { return &v }

func row(age time.Duration, conclusion, pattern *string) logRow {
	return logRow{age: age, conclusion: conclusion, pattern: pattern}
}

func insertRows(t testing.TB, db *testdb.DB, rows []logRow) {
	t.Helper()
	for i, r := range rows {
		db.Exec(t, "INSERT INTO vicidial_khomp_log (caller_code, server_ip, start_date, conclusion, pattern) VALUES (?, '10.0.0.1', ?, ?, ?)",
			fmt.Sprintf("V%019d", i), testNow.Add(-r.age).Format(timeLayout), r.conclusion, r.pattern)
	}
}

var shipped = install.DefaultStatusMap()

// TestUpdateGolden covers spec §9 cases 1-10 and the KHOMP_updater.pl bugs
// of §4.2 that we fix, asserting the exact bytes of container_entry.
func TestUpdateGolden(t *testing.T) {
	cases := []struct {
		name   string
		start  string // the map before; default: VICIdial's shipped map
		rows   []logRow
		agents int
		win    WindowOptions
		// want is the exact entry afterwards, relative to start:
		// start + suffix.
		suffix  string
		warning bool
		kind    string
	}{
		{name: "1 new pair", rows: []logRow{row(time.Minute, s("Voice mail"), s("NewPattern1"))},
			suffix: "\r\n\"Voice mail\".\"NewPattern1\" => ", kind: Window4h},
		{name: "2 conclusion only (NULL and empty pattern)", rows: []logRow{
			row(time.Minute, s("Brand new conclusion"), nil),
			row(time.Minute, s("Another"), s("")),
		}, suffix: "\r\n\"Brand new conclusion\" => \r\n\"Another\" => ", kind: Window4h},
		{name: "3 NULL or empty conclusion ignored", rows: []logRow{
			row(time.Minute, nil, s("P")), row(time.Minute, s(""), s("P")),
		}, suffix: "", kind: Window4h},
		{name: "4 in-run dedup and case-sensitivity", rows: []logRow{
			row(3*time.Minute, s("Voice mail"), s("Dup")),
			row(2*time.Minute, s("Voice mail"), s("Dup")),
			row(time.Minute, s("Voice mail"), s("dup")),
			row(time.Minute, s("Voice mail"), s("Dup")),
		}, suffix: "\r\n\"Voice mail\".\"Dup\" => \r\n\"Voice mail\".\"dup\" => ", kind: Window4h},
		{name: "5 row older than the window ignored", rows: []logRow{
			row(4*time.Hour+time.Second, s("Old"), s("row")),
			row(4*time.Hour-time.Second, s("Young"), s("row")),
		}, suffix: "\r\n\"Young\".\"row\" => ", kind: Window4h},
		{name: "6 parentheses (U1: added once, not every run; unbalanced does not die)", rows: []logRow{
			row(time.Minute, s("Fax"), s("Fax (test)")),
			row(time.Minute, s("Fax"), s("Fax (test")),
			row(time.Minute, s("Fax"), s("a+b [c]* ? | $")),
		}, suffix: "\r\n\"Fax\".\"Fax (test)\" => \r\n\"Fax\".\"Fax (test\" => \r\n\"Fax\".\"a+b [c]* ? | $\" => ", kind: Window4h},
		{name: "7 apostrophe (U2: bound parameters)", rows: []logRow{
			row(time.Minute, s("Voice mail"), s("It's me")),
		}, suffix: "\r\n\"Voice mail\".\"It's me\" => ", kind: Window4h},
		{name: "7b apostrophe already in the map", start: "\"Voice mail\".\"It's me\" => amdaction.KPAM.AMD", rows: []logRow{
			row(time.Minute, s("Voice mail"), s("It's me")), row(time.Minute, s("O'Neil"), nil),
		}, suffix: "\r\n\"O'Neil\" => ", kind: Window4h},
		{name: "8 backslash-slash (U3: shipped line kept byte for byte)", rows: []logRow{
			row(time.Minute, s("Interception announcement"), s("SIT Tone - Innefective/other")),
			row(time.Minute, s("Interception announcement"), s(`SIT Tone - Innefective\/other`)),
		}, suffix: "\r\n\"Interception announcement\".\"SIT Tone - Innefective/other\" => ", kind: Window4h},
		{name: "8b literal backslash-r-backslash-n survives (U4)", start: `"A"."x\r\ny" => status.KPAM.AMD`, rows: []logRow{
			row(time.Minute, s("B"), s(`back\slash \n \0`)),
		}, suffix: "\r\n\"B\".\"back\\slash \\n \\0\" => ", kind: Window4h},
		{name: "9 full check, nobody live", rows: []logRow{
			row(48*time.Hour, s("Two days"), s("ago")),
			row(time.Minute, s("Recent"), nil),
		}, win: WindowOptions{FullCheck: true}, suffix: "\r\n\"Two days\".\"ago\" => \r\n\"Recent\" => ", kind: WindowFull},
		{name: "9b full check refused with a live agent", rows: []logRow{
			row(48*time.Hour, s("Two days"), s("ago")),
			row(time.Minute, s("Recent"), nil),
		}, agents: 1, win: WindowOptions{FullCheck: true}, suffix: "\r\n\"Recent\" => ", kind: Window4h},
		{name: "10 invalid custom date beats month check", rows: []logRow{
			row(10*24*time.Hour, s("Ten days"), nil),
			row(time.Minute, s("Recent"), nil),
		}, win: WindowOptions{CustomSet: true, CustomCheck: "2026-13-45", MonthCheck: true}, suffix: "\r\n\"Recent\" => ", warning: true, kind: Window4h},
		{name: "10b unanchored date rejected (U7)", rows: []logRow{row(10*24*time.Hour, s("Ten days"), nil)},
			win: WindowOptions{CustomSet: true, CustomCheck: "12026-11-0199"}, suffix: "", warning: true, kind: Window4h},
		{name: "10c valid custom date", rows: []logRow{
			row(10*24*time.Hour, s("Ten days"), nil), row(40*24*time.Hour, s("Forty days"), nil),
		}, win: WindowOptions{CustomSet: true, CustomCheck: testNow.Add(-12 * 24 * time.Hour).Format("2006-01-02")}, suffix: "\r\n\"Ten days\" => ", kind: WindowCustom},
		{name: "10d month check", rows: []logRow{
			row(10*24*time.Hour, s("Ten days"), nil), row(31*24*time.Hour, s("Thirty-one days"), nil),
		}, win: WindowOptions{MonthCheck: true}, suffix: "\r\n\"Ten days\" => ", kind: WindowMonth},
		{name: "entry ending in CRLF keeps Perl's blank line", start: "\"Fax\" => status.KPFX.FAX\r\n", rows: []logRow{
			row(time.Minute, s("Fax"), s("New")),
		}, suffix: "\r\n\"Fax\".\"New\" => ", kind: Window4h},
		{name: "unsafe names skipped", rows: []logRow{
			row(time.Minute, s("Bad"), s("line\nbreak")), row(time.Minute, s("Bad"), s("a => b")),
			row(time.Minute, s("Bad"), s("press #")), row(time.Minute, s("Good"), nil),
		}, suffix: "\r\n\"Good\" => ", kind: Window4h},
	}
	for _, schema := range testdb.Schemas {
		for _, c := range cases {
			t.Run(schema.String()+"/"+c.name, func(t *testing.T) {
				t.Parallel() // each case has its own database (and lock)
				db := testdb.New(t, schema)
				start := c.start
				if start == "" {
					start = shipped
				}
				db.PutContainer(t, container.StatusMapID, "OTHER", start)
				insertRows(t, db, c.rows)
				for i := 0; i < c.agents; i++ {
					db.Exec(t, "INSERT INTO vicidial_live_agents (user, server_ip, lead_id) VALUES ('agent', '10.0.0.1', 0)")
				}
				res, err := Update(context.Background(), db.DB, UpdateOptions{Window: c.win, Now: testNow})
				if err != nil {
					t.Fatal(err)
				}
				if got, want := db.ContainerEntry(t, container.StatusMapID), start+c.suffix; got != want {
					t.Fatalf("entry tail:\n got %q\nwant %q", tail(got, len(c.suffix)+60), tail(want, len(c.suffix)+60))
				}
				if (res.Window.Warning != "") != c.warning || res.Window.Kind != c.kind {
					t.Fatalf("window = %+v, want kind %s warning %v", res.Window, c.kind, c.warning)
				}
				if res.Written != (c.suffix != "") {
					t.Fatalf("written = %v", res.Written)
				}
				// A second run finds nothing new: no duplicates pile up (U1).
				res2, err := Update(context.Background(), db.DB, UpdateOptions{Window: c.win, Now: testNow})
				if err != nil || len(res2.Added) != 0 {
					t.Fatalf("second run added %v (err %v)", res2.Added, err)
				}
				if got := db.ContainerEntry(t, container.StatusMapID); got != start+c.suffix {
					t.Fatalf("second run changed the entry")
				}
			})
		}
	}
}

func tail(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return "..." + s[len(s)-n:]
}

// TestUpdateMatchesPerlBytes is the exact output of the spec's V-run.
func TestUpdateMatchesPerlBytes(t *testing.T) {
	db := testdb.New(t, testdb.Schema1720)
	db.PutContainer(t, container.StatusMapID, "OTHER", shipped)
	insertRows(t, db, []logRow{
		row(3*time.Minute, s("Voice mail"), s("NewPattern1")),
		row(2*time.Minute, s("Brand new conclusion"), nil),
		row(time.Minute, s("Fax"), s("Fax (test)")),
		row(time.Minute, s("Voice mail"), s("Voice mail 300Hz")),
	})
	if _, err := Update(context.Background(), db.DB, UpdateOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	want := "...DISCONNECT\r\n\"Voice mail\".\"NewPattern1\" => \r\n\"Brand new conclusion\" => \r\n\"Fax\".\"Fax (test)\" => "
	got := db.ContainerEntry(t, container.StatusMapID)
	if !strings.HasSuffix(got, want[3:]) || !strings.HasPrefix(got, shipped) || len(got) != len(shipped)+len(want)-3-len("DISCONNECT") {
		t.Fatalf("tail = %q", tail(got, 120))
	}
	// The result parses as unclassified entries, as the runtime sees them.
	m := container.ParseStatusMap(got)
	if m.Len() != 161 || m.Unclassified() != 3 {
		t.Fatalf("entries %d unclassified %d", m.Len(), m.Unclassified())
	}
}

func TestUpdateDryRunWritesNothing(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	db.PutContainer(t, container.StatusMapID, "OTHER", shipped)
	insertRows(t, db, []logRow{row(time.Minute, s("Voice mail"), s("Dry"))})
	res, err := Update(context.Background(), db.DB, UpdateOptions{Now: testNow, DryRun: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Added) != 1 || res.Added[0] != `"Voice mail"."Dry"` || res.Written {
		t.Fatalf("res = %+v", res)
	}
	if db.ContainerEntry(t, container.StatusMapID) != shipped {
		t.Fatal("dry run changed the map")
	}
}

func TestUpdateErrorsChangeNothing(t *testing.T) {
	t.Run("missing container (U13)", func(t *testing.T) {
		db := testdb.New(t, testdb.Schema1728)
		insertRows(t, db, []logRow{row(time.Minute, s("X"), nil)})
		_, err := Update(context.Background(), db.DB, UpdateOptions{Now: testNow})
		if !errors.Is(err, container.ErrNotFound) || !strings.Contains(err.Error(), "KHOMPSTATUSMAP") {
			t.Fatalf("err = %v", err)
		}
	})
	t.Run("malformed map", func(t *testing.T) {
		db := testdb.New(t, testdb.Schema1728)
		bad := "\"Fax\" => status.KPFX.FAX\r\nthis line has no arrow"
		db.PutContainer(t, container.StatusMapID, "OTHER", bad)
		insertRows(t, db, []logRow{row(time.Minute, s("X"), nil)})
		_, err := Update(context.Background(), db.DB, UpdateOptions{Now: testNow})
		if !errors.Is(err, ErrMalformedMap) || !strings.Contains(err.Error(), "line 2") {
			t.Fatalf("err = %v", err)
		}
		if db.ContainerEntry(t, container.StatusMapID) != bad {
			t.Fatal("malformed map was changed")
		}
	})
	t.Run("locked (no ps-grep, U6)", func(t *testing.T) {
		db := testdb.New(t, testdb.Schema1728)
		db.PutContainer(t, container.StatusMapID, "OTHER", shipped)
		insertRows(t, db, []logRow{row(time.Minute, s("X"), nil)})
		held, err := dblock.Acquire(context.Background(), db.DB, LockName, dblock.Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer held.Release()
		_, err = Update(context.Background(), db.DB, UpdateOptions{Now: testNow})
		if !errors.Is(err, dblock.ErrLocked) {
			t.Fatalf("err = %v", err)
		}
		if db.ContainerEntry(t, container.StatusMapID) != shipped {
			t.Fatal("locked run wrote")
		}
	})
}

// TestConcurrentUpdatesAndSetLoseNothing: many update-patterns runs (each
// seeing different new pairs), admin-style edits through Set, all at once
// (U5). Every pair and every edit must be in the final map exactly once.
func TestConcurrentUpdatesAndSetLoseNothing(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	db.DB.SetMaxOpenConns(40)
	db.PutContainer(t, container.StatusMapID, "OTHER", shipped)
	const runs = 12
	const webEdits = 8
	var wg sync.WaitGroup
	errs := make(chan error, 6*runs)
	for i := 0; i < runs; i++ {
		insertRows(t, db, []logRow{row(time.Duration(i+1)*time.Second, s("Concurrent"), s(fmt.Sprintf("P%02d", i)))})
	}
	for i := 0; i < runs; i++ {
		wg.Add(2)
		go func() {
			defer wg.Done()
			// Retry while another run holds the lock, like cron would next minute.
			for {
				_, err := Update(context.Background(), db.DB, UpdateOptions{Now: testNow})
				if errors.Is(err, dblock.ErrLocked) {
					time.Sleep(5 * time.Millisecond)
					continue
				}
				if err != nil {
					errs <- err
				}
				return
			}
		}()
		// An edit that bypasses khompctl entirely (VICIdial's admin page
		// does not lock): an atomic server-side append.
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			// Spread over time so they overlap the update-patterns runs.
			for j := 0; j < webEdits; j++ {
				_, err := db.DB.Exec("UPDATE vicidial_settings_containers SET container_entry = CONCAT(container_entry, ?) WHERE container_id = ?",
					fmt.Sprintf("\r\n\"Web\".\"W%02d-%d\" => route.KPSHA.ANSWER", i, j), container.StatusMapID)
				if err != nil {
					errs <- err
					return
				}
				time.Sleep(time.Duration(1+i%3) * time.Millisecond)
			}
		}(i)
		go func(i int) {
			defer wg.Done()
			_, err := Set(context.Background(), db.DB, SetRequest{Conclusion: "Admin", Pattern: fmt.Sprintf("E%02d", i), Action: "status", Status: "KPAM", DialStatus: "AMD"})
			if err != nil {
				errs <- err
			}
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	got := db.ContainerEntry(t, container.StatusMapID)
	if !strings.HasPrefix(got, shipped) {
		t.Fatal("shipped lines were changed")
	}
	for i := 0; i < runs; i++ {
		want := []string{fmt.Sprintf("\"Concurrent\".\"P%02d\" => ", i), fmt.Sprintf("\"Admin\".\"E%02d\" => status.KPAM.AMD", i)}
		for j := 0; j < webEdits; j++ {
			want = append(want, fmt.Sprintf("\"Web\".\"W%02d-%d\" => route.KPSHA.ANSWER", i, j))
		}
		for _, line := range want {
			if n := strings.Count(got+"\r\n", line+"\r\n"); n != 1 {
				t.Errorf("%q appears %d times", line, n)
			}
		}
	}
}

func TestUpdateNullEntry(t *testing.T) {
	db := testdb.New(t, testdb.Schema1720)
	db.Exec(t, "INSERT INTO vicidial_settings_containers (container_id, container_notes, container_type, user_group, container_entry) VALUES ('KHOMPSTATUSMAP', '', 'OTHER', '---ALL---', NULL)")
	insertRows(t, db, []logRow{row(time.Minute, s("A"), s("b")), row(time.Minute, s("C"), nil)})
	if _, err := Update(context.Background(), db.DB, UpdateOptions{Now: testNow}); err != nil {
		t.Fatal(err)
	}
	if got := db.ContainerEntry(t, container.StatusMapID); got != "\"A\".\"b\" => \r\n\"C\" => " {
		t.Fatalf("entry = %q", got)
	}
}

func TestKnownKeysAndAppend(t *testing.T) {
	entry := "# comment\r\n\r\n\"A\" => x\r\n  \"B\".\"p\"=>\r\nUnquoted => y"
	got, added := AppendKeys(entry, []string{`"A"`, `"B"."p"`, `Unquoted`, `"C"`, `"A"`, `"C"`})
	if want := entry + "\r\n\"C\" => "; got != want || len(added) != 1 {
		t.Fatalf("got %q added %v", got, added)
	}
	if got, _ := AppendKeys("", []string{`"X"`, `"Y"`}); got != "\"X\" => \r\n\"Y\" => " {
		t.Fatalf("empty map: %q", got)
	}
}

func BenchmarkAppendKeysShippedMap(b *testing.B) {
	keys := make([]string, 200)
	for i := range keys {
		keys[i] = fmt.Sprintf(`"Voice mail"."Pattern %d"`, i)
	}
	b.ReportAllocs()
	for b.Loop() {
		AppendKeys(shipped, keys)
	}
}
