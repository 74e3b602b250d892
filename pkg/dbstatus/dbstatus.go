// Package dbstatus collects the at-a-glance health of a VICIdial + KHOMP
// installation from the database, for `khompctl status` and monitoring.
package dbstatus

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/khompctl/khompctl/pkg/container"
)

// States of a check, in increasing gravity.
const (
	OK   = "OK"
	Info = "INFO" // worth knowing, needs nobody
	Warn = "WARN" // needs attention
	Fail = "FAIL" // broken
)

// Check is one line of the health table.
type Check struct {
	Name   string `json:"name"`
	State  string `json:"state"`
	Detail string `json:"detail"`
}

// Token is the token state of one settings container.
type Token struct {
	Container string `json:"container"`
	State     string `json:"state"`
	Valid     bool   `json:"valid"`
	// ValidForSeconds is the time left (negative: expired that long ago).
	ValidForSeconds int64  `json:"valid_for_seconds"`
	ExpiresAt       string `json:"expires_at,omitempty"`
	Detail          string `json:"detail"`
}

// Conclusion is a row of the top-conclusions list.
type Conclusion struct {
	Conclusion string `json:"conclusion"`
	Calls      int64  `json:"calls"`
}

// Report is the whole status.
type Report struct {
	Checks         []Check      `json:"checks"`
	Tokens         []Token      `json:"tokens"`
	MapEntries     int          `json:"map_entries"`
	Unclassified   int          `json:"unclassified"`
	NewestLogRow   string       `json:"newest_log_row,omitempty"`
	RowsLastHour   int64        `json:"rows_last_hour"`
	RowsLastDay    int64        `json:"rows_last_day"`
	TopConclusions []Conclusion `json:"top_conclusions"`
}

// NeedsAttention reports whether any check is WARN or FAIL.
func (r Report) NeedsAttention() bool {
	for _, c := range r.Checks {
		if c.State == Warn || c.State == Fail {
			return true
		}
	}
	return false
}

func (r *Report) add(name, state, format string, args ...any) {
	r.Checks = append(r.Checks, Check{Name: name, State: state, Detail: fmt.Sprintf(format, args...)})
}

const timeLayout = "2006-01-02 15:04:05"

// Collect runs every check. Only a database error is returned as an
// error; everything else becomes a check in the report.
func Collect(ctx context.Context, db *sql.DB, now time.Time) (Report, error) {
	var r Report
	var version string
	if err := db.QueryRowContext(ctx, "SELECT VERSION()").Scan(&version); err != nil {
		return r, fmt.Errorf("database: %w", err)
	}
	r.add("database", OK, "reachable, server %s", version)
	if err := checkMap(ctx, db, &r); err != nil {
		return r, err
	}
	if err := checkSettings(ctx, db, now, &r); err != nil {
		return r, err
	}
	if err := checkCampaigns(ctx, db, now, &r); err != nil {
		return r, err
	}
	if err := checkLog(ctx, db, now, &r); err != nil {
		return r, err
	}
	return r, nil
}

func checkMap(ctx context.Context, db *sql.DB, r *Report) error {
	m, err := container.LoadStatusMap(ctx, db)
	if errors.Is(err, container.ErrNotFound) {
		r.add("KHOMPSTATUSMAP", Fail, "container missing (run khompctl install)")
		return nil
	}
	if err != nil {
		return err
	}
	r.MapEntries, r.Unclassified = m.Len(), m.Unclassified()
	state := OK
	detail := fmt.Sprintf("%d entries, %d unclassified", r.MapEntries, r.Unclassified)
	switch {
	case r.MapEntries == 0:
		// VICIdial then routes every analysed call with the fallback
		// (route/KPEROR at answer, error/KPEROR at hangup).
		state = Fail
		detail += ": every call gets VICIdial's fallback KPEROR (khompctl install --force restores the defaults)"
	case r.Unclassified > 0:
		state = Warn
		detail += " (classify them: khompctl patterns list --unclassified)"
	}
	r.add("KHOMPSTATUSMAP", state, "%s", detail)
	if bad := m.Malformed(); len(bad) > 0 {
		r.add("map lines", Fail, "%d line(s) VICIdial ignores, first: %s", len(bad), bad[0])
	} else if odd := m.Problems(); len(odd) > 0 {
		r.add("map lines", Info, "%d line(s) VICIdial may misread, first: %s (khompctl patterns list shows all)", len(odd), odd[0])
	}
	return checkMapStatuses(ctx, db, m, r)
}

// checkMapStatuses warns about statuses the map sets that VICIdial does
// not know (the shipped SQL forgot six of them).
func checkMapStatuses(ctx context.Context, db *sql.DB, m *container.StatusMap, r *Report) error {
	used := map[string]bool{}
	for _, l := range m.Entries() {
		if l.Status != "" {
			used[l.Status] = true
		}
	}
	rows, err := db.QueryContext(ctx, "SELECT status FROM vicidial_statuses UNION SELECT status FROM vicidial_campaign_statuses")
	if err != nil {
		return fmt.Errorf("read statuses: %w", err)
	}
	defer rows.Close()
	known := map[string]bool{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return err
		}
		known[strings.ToUpper(s)] = true
	}
	if err := rows.Err(); err != nil {
		return err
	}
	var missing []string
	for s := range used {
		if !known[strings.ToUpper(s)] {
			missing = append(missing, s)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		r.add("map statuses", Warn, "not in vicidial_statuses: %s (khompctl install creates the KP* ones)", strings.Join(missing, " "))
	} else {
		r.add("map statuses", OK, "all %d statuses the map uses exist", len(used))
	}
	return nil
}

// settingsContainers are KHOMPSETTINGS plus every KHOMP_SETTINGS container.
func settingsContainers(ctx context.Context, db *sql.DB) ([]container.Row, error) {
	rows, err := db.QueryContext(ctx,
		"SELECT container_id, container_entry FROM vicidial_settings_containers WHERE container_id = ? OR container_type = ? ORDER BY container_id = ? DESC, container_id",
		container.DefaultSettingsID, container.SettingsType, container.DefaultSettingsID)
	if err != nil {
		return nil, fmt.Errorf("read settings containers: %w", err)
	}
	defer rows.Close()
	var out []container.Row
	for rows.Next() {
		var c container.Row
		var entry sql.NullString
		if err := rows.Scan(&c.ID, &entry); err != nil {
			return nil, err
		}
		c.Entry = entry.String
		out = append(out, c)
	}
	return out, rows.Err()
}

func checkSettings(ctx context.Context, db *sql.DB, now time.Time, r *Report) error {
	list, err := settingsContainers(ctx, db)
	if err != nil {
		return err
	}
	haveDefault := false
	for _, c := range list {
		if c.ID == container.DefaultSettingsID {
			haveDefault = true
		}
		t := tokenState(c.ID, container.ParseSettings(c.Entry), now)
		r.Tokens = append(r.Tokens, t)
		r.add("token "+c.ID, t.State, "%s", t.Detail)
	}
	if !haveDefault {
		r.add(container.DefaultSettingsID, Fail, "container missing (run khompctl install)")
	}
	return nil
}

// tokenState judges one container's token the way the dialer will: a
// proxied container needs none; otherwise the sentinel or an expired
// token means the next call must log in first (and fails if it cannot).
func tokenState(id string, s container.Settings, now time.Time) (t Token) {
	t = Token{Container: id}
	exp := s.ExpireAt()
	left := exp.Sub(now).Truncate(time.Second)
	if exp.Unix() > 0 {
		t.ExpiresAt = exp.Local().Format(timeLayout)
	}
	defer func() {
		// Time left only means something for a real token.
		if s.LoginEnabled() && s.Token != container.NoToken && s.Token != "" {
			t.ValidForSeconds = int64(left / time.Second)
		}
	}()
	switch {
	case strings.Contains(s.URL, "URL_FOR_KHOMP_SERVER") || s.URL == "":
		t.State, t.Detail = Warn, "not configured: khomp_api_url is a placeholder"
	case !s.LoginEnabled():
		t.State, t.Valid, t.Detail = Info, true, fmt.Sprintf("proxied (khomp_api_proxied=%q): no token needed", s.Proxied)
	case s.TokenBreaksAGI():
		t.State, t.Detail = Fail, "token contains a single quote: every VICIdial analytics query fails; run khompctl auth"
	case s.Token == container.NoToken || s.Token == "":
		t.State, t.Detail = Warn, "no token yet (run khompctl auth)"
	case left <= 0:
		t.State, t.Detail = Warn, fmt.Sprintf("expired %s ago (is the khompctl auth cron job running?)", -left)
	default:
		t.State, t.Valid, t.Detail = OK, true, fmt.Sprintf("valid for %s (until %s)", left, t.ExpiresAt)
	}
	return t
}

// checkCampaigns reports KHOMP campaigns whose settings container does not
// exist (every call of theirs would fail the analytics query), and checks
// the token of a container a campaign uses that checkSettings did not list
// (one of type OTHER, which "khompctl auth --all" also renews). The check
// is done in Go: VICIdial's tables do not share one collation, so a join
// between them can fail with "Illegal mix of collations".
func checkCampaigns(ctx context.Context, db *sql.DB, now time.Time, r *Report) error {
	rows, err := db.QueryContext(ctx, "SELECT campaign_id, COALESCE(khomp_settings_container, '') FROM vicidial_campaigns WHERE amd_type = 'KHOMP' ORDER BY campaign_id")
	if err != nil {
		return fmt.Errorf("read vicidial_campaigns: %w", err)
	}
	type campaign struct{ id, container string }
	var camps []campaign
	for rows.Next() {
		var c campaign
		if err := rows.Scan(&c.id, &c.container); err != nil {
			rows.Close()
			return err
		}
		camps = append(camps, c)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	checked := map[string]bool{}
	for _, t := range r.Tokens {
		checked[t.Container] = true
	}
	var bad []string
	for _, c := range camps {
		row, err := container.Get(ctx, db, c.container)
		if errors.Is(err, container.ErrNotFound) {
			bad = append(bad, fmt.Sprintf("%s->%q", c.id, c.container))
			continue
		}
		if err != nil {
			return err
		}
		if !checked[row.ID] {
			checked[row.ID] = true
			t := tokenState(row.ID, container.ParseSettings(row.Entry), now)
			r.Tokens = append(r.Tokens, t)
			r.add("token "+row.ID, t.State, "%s", t.Detail)
		}
	}
	if len(bad) > 0 {
		r.add("KHOMP campaigns", Fail, "settings container missing: %s", strings.Join(bad, " "))
	} else {
		r.add("KHOMP campaigns", OK, "%d campaign(s) with AMD type KHOMP", len(camps))
	}
	return nil
}

func checkLog(ctx context.Context, db *sql.DB, now time.Time, r *Report) error {
	var newest sql.NullString
	if err := db.QueryRowContext(ctx, "SELECT CAST(MAX(start_date) AS CHAR(19)) FROM vicidial_khomp_log").Scan(&newest); err != nil {
		return fmt.Errorf("read vicidial_khomp_log: %w", err)
	}
	hour := now.Add(-time.Hour).Local().Format(timeLayout)
	day := now.Add(-24 * time.Hour).Local().Format(timeLayout)
	err := db.QueryRowContext(ctx, "SELECT COALESCE(SUM(start_date >= ?), 0), COUNT(*) FROM vicidial_khomp_log WHERE start_date >= ?", hour, day).
		Scan(&r.RowsLastHour, &r.RowsLastDay)
	if err != nil {
		return fmt.Errorf("read vicidial_khomp_log: %w", err)
	}
	if !newest.Valid {
		r.add("vicidial_khomp_log", Info, "no rows")
	} else {
		r.NewestLogRow = newest.String
		r.add("vicidial_khomp_log", OK, "newest %s; %d row(s) in the last hour, %d in the last day", newest.String, r.RowsLastHour, r.RowsLastDay)
	}
	rows, err := db.QueryContext(ctx, `SELECT COALESCE(conclusion, ''), COUNT(*) AS n FROM vicidial_khomp_log
		WHERE start_date >= ? GROUP BY conclusion ORDER BY n DESC, conclusion LIMIT 5`, day)
	if err != nil {
		return fmt.Errorf("read vicidial_khomp_log: %w", err)
	}
	defer rows.Close()
	r.TopConclusions = []Conclusion{}
	for rows.Next() {
		var c Conclusion
		if err := rows.Scan(&c.Conclusion, &c.Calls); err != nil {
			return err
		}
		r.TopConclusions = append(r.TopConclusions, c)
	}
	return rows.Err()
}
