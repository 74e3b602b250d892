package patterns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/dblock"
)

// LockName is the GET_LOCK name every writer of KHOMPSTATUSMAP takes.
const LockName = "khompctl.patterns"

// ErrMalformedMap is returned when KHOMPSTATUSMAP has lines a tool must
// not guess about; nothing is written.
var ErrMalformedMap = errors.New("malformed KHOMPSTATUSMAP")

// UpdateOptions configure one update-patterns run.
type UpdateOptions struct {
	Window WindowOptions
	Now    time.Time
	DryRun bool
	// LockFile is the host lock file ("" = none; the database lock is
	// always taken unless DryRun).
	LockFile string
	// Debugf receives the --debug narration (nil = silent).
	Debugf func(format string, args ...any)
	// Trace receives every SQL statement with its arguments (--debugX).
	Trace func(query string, args ...any)
}

// Skipped is a pair found in the log that cannot be written safely.
type Skipped struct {
	Conclusion string `json:"conclusion"`
	Pattern    string `json:"pattern"`
	Reason     string `json:"reason"`
}

// UpdateResult says what a run found and did.
type UpdateResult struct {
	Window      Window    `json:"window"`
	RowsScanned int64     `json:"rows_scanned"` // rows in the window with a conclusion
	Pairs       int       `json:"distinct_pairs"`
	Added       []string  `json:"added"`
	Skipped     []Skipped `json:"skipped,omitempty"`
	DryRun      bool      `json:"dry_run"`
	Written     bool      `json:"written"`
}

// KnownKeys is KHOMP_updater.pl's notion of "already in the map": for every
// line, the text left of the first "=>" with surrounding whitespace
// trimmed. Comments and blank lines are included (they never equal a
// quoted key). Comparison is byte-exact and case-sensitive.
func KnownKeys(entry string) map[string]struct{} {
	keys := make(map[string]struct{}, strings.Count(entry, "\n")+1)
	for _, line := range strings.Split(entry, "\n") {
		if i := strings.Index(line, "=>"); i >= 0 {
			line = line[:i]
		}
		keys[strings.Trim(line, " \t\n\r\f\v")] = struct{}{}
	}
	return keys
}

// AppendKeys returns entry with one unclassified line per key, in
// KHOMP_updater.pl's exact format: CRLF before the first, lines joined
// with " => " CRLF, and a final " => " (so each line is `key => ` with a
// trailing space and there is no final CRLF). Keys already present are
// left out; the second result lists the keys actually appended.
func AppendKeys(entry string, candidates []string) (string, []string) {
	known := KnownKeys(entry)
	var add []string
	for _, k := range candidates {
		if _, ok := known[k]; ok {
			continue
		}
		known[k] = struct{}{}
		add = append(add, k)
	}
	if len(add) == 0 {
		return entry, nil
	}
	block := strings.Join(add, " => \r\n") + " => "
	if entry == "" {
		// The Perl would start an empty map with a blank line; we do not.
		return block, add
	}
	return entry + "\r\n" + block, add
}

// unsafeName says why a name cannot go into the map ("" if it can). A CR
// or LF would split the line (and the pair would be re-added every run);
// "=>" would move the key/value boundary; '#' starts a comment at runtime.
func unsafeName(s string) string {
	switch {
	case strings.ContainsAny(s, "\r\n"):
		return "contains a line break"
	case strings.Contains(s, "=>"):
		return `contains "=>"`
	case strings.Contains(s, "#"):
		// VICIdial cuts map lines at '#': the line would lose its "=>" and
		// become malformed.
		return `contains "#"`
	}
	return ""
}

// scanQuery streams the window's rows that have a conclusion. There is
// deliberately no GROUP BY, DISTINCT or ORDER BY: each would make the server
// build a temporary table or sort a million rows, and the column collation
// would merge pairs that differ only in case or trailing spaces (the Perl
// kept them apart). The server just reads; Go de-duplicates byte-exactly and
// orders the pairs by the first log row that showed them. LENGTH rather
// than a comparison with the empty string, so that a conclusion of spaces
// still counts, as in the Perl.
const scanQuery = `SELECT conclusion, pattern, khomp_log_id FROM vicidial_khomp_log
WHERE start_date >= ? AND LENGTH(conclusion) > 0`

// ScanResult holds the distinct keys found in the log, in first-seen order.
type ScanResult struct {
	Rows    int64 // rows in the window with a conclusion
	Keys    []string
	Skipped []Skipped
}

// pairSeen is a distinct pair and the first log row that showed it.
type pairSeen struct {
	key                 string
	conclusion, pattern string
	firstID             uint64
}

// Scan streams the window and returns its distinct keys: "Conclusion" plus
// ."Pattern" when the pattern is not empty (NULL and the empty string are
// the same), in the order of the first log row (khomp_log_id) that showed
// each. Pairs whose names would corrupt the map are returned in Skipped
// instead. Memory grows with the number of distinct pairs, not rows.
func Scan(ctx context.Context, q Querier, start string, trace func(string, ...any)) (ScanResult, error) {
	if trace != nil {
		trace(scanQuery, start)
	}
	rows, err := q.QueryContext(ctx, scanQuery, start)
	if err != nil {
		return ScanResult{}, fmt.Errorf("read vicidial_khomp_log: %w", err)
	}
	defer rows.Close()
	var res ScanResult
	index := map[string]int{} // key -> position in pairs
	var pairs []pairSeen
	var conclusion, pattern sql.RawBytes
	var id uint64
	var buf []byte
	for rows.Next() {
		if err := rows.Scan(&conclusion, &pattern, &id); err != nil {
			return ScanResult{}, fmt.Errorf("read vicidial_khomp_log: %w", err)
		}
		res.Rows++
		buf = appendKey(buf[:0], conclusion, pattern)
		if i, ok := index[string(buf)]; ok { // no allocation for the lookup
			pairs[i].firstID = min(pairs[i].firstID, id)
			continue
		}
		index[string(buf)] = len(pairs)
		pairs = append(pairs, pairSeen{key: string(buf), conclusion: string(conclusion), pattern: string(pattern), firstID: id})
	}
	if err := rows.Err(); err != nil {
		return ScanResult{}, fmt.Errorf("read vicidial_khomp_log: %w", err)
	}
	sort.Slice(pairs, func(a, b int) bool { return pairs[a].firstID < pairs[b].firstID })
	for _, p := range pairs {
		if why := firstNonEmpty(unsafeName(p.conclusion), unsafeName(p.pattern)); why != "" {
			res.Skipped = append(res.Skipped, Skipped{Conclusion: p.conclusion, Pattern: p.pattern, Reason: why})
			continue
		}
		res.Keys = append(res.Keys, p.key)
	}
	return res, nil
}

// appendKey appends the map key of a pair to b.
func appendKey(b, conclusion, pattern []byte) []byte {
	b = append(b, '"')
	b = append(b, conclusion...)
	b = append(b, '"')
	if len(pattern) > 0 {
		b = append(b, '.', '"')
		b = append(b, pattern...)
		b = append(b, '"')
	}
	return b
}

func firstNonEmpty(s ...string) string {
	for _, x := range s {
		if x != "" {
			return x
		}
	}
	return ""
}

// Update is one update-patterns run: lock, choose the window, scan the log,
// append the new keys with a compare-and-swap (re-applied if someone else
// wrote the map meanwhile, so neither their edit nor our keys are lost).
// A missing KHOMPSTATUSMAP is container.ErrNotFound; another run holding
// the lock is dblock.ErrLocked; malformed map lines are ErrMalformedMap.
func Update(ctx context.Context, db *sql.DB, o UpdateOptions) (UpdateResult, error) {
	res := UpdateResult{DryRun: o.DryRun}
	debugf := o.Debugf
	if debugf == nil {
		debugf = func(string, ...any) {}
	}
	if !o.DryRun {
		lock, err := dblock.Acquire(ctx, db, LockName, dblock.Options{File: o.LockFile})
		if err != nil {
			return res, err
		}
		defer lock.Release()
	}
	current, err := container.Get(ctx, db, container.StatusMapID)
	if err != nil {
		return res, err
	}
	if err := checkMap(current.Entry); err != nil {
		return res, err
	}
	w, err := ChooseWindow(ctx, db, o.Now, o.Window)
	if err != nil {
		return res, err
	}
	res.Window = w
	debugf("window %s: start_date >= '%s'", w.Kind, w.Start)
	if w.Note != "" {
		debugf("%s", w.Note)
	}
	scan, err := Scan(ctx, db, w.Start, o.Trace)
	if err != nil {
		return res, err
	}
	res.RowsScanned, res.Pairs, res.Skipped = scan.Rows, len(scan.Keys)+len(scan.Skipped), scan.Skipped
	debugf("%d rows scanned, %d distinct pairs", scan.Rows, res.Pairs)
	if o.DryRun {
		_, res.Added = AppendKeys(current.Entry, scan.Keys)
		return res, nil
	}
	var added []string
	_, _, err = container.Update(ctx, db, container.StatusMapID, 20, func(entry string) (string, error) {
		if err := checkMap(entry); err != nil {
			return entry, err
		}
		next, keys := AppendKeys(entry, scan.Keys)
		added = keys
		return next, nil
	})
	if err != nil {
		return res, err
	}
	res.Added = added
	res.Written = len(added) > 0
	for _, k := range added {
		debugf("added %s", k)
	}
	return res, nil
}

// checkMap refuses a map with lines VICIdial would ignore: appending to it
// would hide the problem from the admin page.
func checkMap(entry string) error {
	bad := container.ParseStatusMap(entry).Malformed()
	if len(bad) == 0 {
		return nil
	}
	return fmt.Errorf("%w: %s (%d bad line(s); edit them in VICIdial: Admin, Settings Containers, KHOMPSTATUSMAP)", ErrMalformedMap, bad[0], len(bad))
}
