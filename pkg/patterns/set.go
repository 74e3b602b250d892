package patterns

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"time"

	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/dblock"
)

// ErrInvalid marks a request that would break VICIdial's map parser.
var ErrInvalid = errors.New("invalid")

// SetRequest is `patterns set`: what VICIdial's KHOMP admin page does for
// one pair.
type SetRequest struct {
	Conclusion string
	Pattern    string // "" for the conclusion-only line
	Action     string // amdaction, cpdunknown, route or status
	Status     string
	DialStatus string // optional
}

// SetResult says what changed.
type SetResult struct {
	Key      string   `json:"key"`
	Line     string   `json:"line"`
	Previous []string `json:"previous,omitempty"` // the lines replaced (none: appended)
	Appended bool     `json:"appended"`
	Changed  bool     `json:"changed"`
	Warnings []string `json:"warnings,omitempty"`
}

var statusChars = regexp.MustCompile(`^[0-9A-Z]{1,6}$`)
var dialChars = regexp.MustCompile(`^[0-9A-Z]{1,20}$`)

// Normalize upper-cases the statuses (as the admin page does) and checks
// every field, refusing what VICIdial's parsers would misread: in names a
// '.', '"', '#', "=>", CR or LF, or leading/trailing spaces (trimmed away
// at runtime); an unknown action; a status that is not 1-6 letters/digits.
func (r *SetRequest) Normalize() error {
	r.Status = strings.ToUpper(r.Status)
	r.DialStatus = strings.ToUpper(r.DialStatus)
	if r.Conclusion == "" {
		return fmt.Errorf("%w conclusion: empty", ErrInvalid)
	}
	for _, n := range []struct{ what, v string }{{"conclusion", r.Conclusion}, {"pattern", r.Pattern}} {
		if why := badName(n.v); why != "" {
			return fmt.Errorf("%w %s %q: %s", ErrInvalid, n.what, n.v, why)
		}
	}
	if !container.IsAction(r.Action) {
		return fmt.Errorf("%w --action %q: want amdaction, cpdunknown, route or status", ErrInvalid, r.Action)
	}
	if !statusChars.MatchString(r.Status) {
		return fmt.Errorf("%w --status %q: want 1-6 letters or digits", ErrInvalid, r.Status)
	}
	if r.DialStatus != "" && !dialChars.MatchString(r.DialStatus) {
		return fmt.Errorf("%w --dial-status %q: want letters or digits", ErrInvalid, r.DialStatus)
	}
	return nil
}

func badName(v string) string {
	switch {
	case strings.ContainsAny(v, "\r\n"):
		return "contains a line break"
	case strings.Contains(v, "=>"):
		return `contains "=>"`
	case strings.Contains(v, "#"):
		return `contains "#" (VICIdial cuts map lines there)`
	case strings.Contains(v, "."):
		return `contains "." (the route-stage AGI splits names on every ".")`
	case strings.Contains(v, `"`):
		return `contains '"'`
	case strings.Trim(v, " \t\f\v") != v:
		return "has leading or trailing blanks (VICIdial trims them)"
	}
	return ""
}

// Line is the map line for the request: `"C"."P" => action.STATUS[.DIAL]`.
func (r SetRequest) Line() string {
	v := r.Action + "." + r.Status
	if r.DialStatus != "" {
		v += "." + r.DialStatus
	}
	return container.MapKey(r.Conclusion, r.Pattern) + " => " + v
}

// ApplySet returns entry with every line the runtime reads as the
// request's (conclusion, pattern) replaced by the new line (keeping each
// line's own CR), or the line appended after a CRLF when there is none.
// It also returns the replaced lines.
func ApplySet(entry string, r SetRequest) (string, []string) {
	newLine := r.Line()
	lines := strings.Split(entry, "\n")
	var previous []string
	for i, raw := range lines {
		body, cr := strings.CutSuffix(raw, "\r")
		m := container.ParseStatusMap(body)
		l := m.Lines[0]
		if l.Kind != container.LineEntry || l.Conclusion != r.Conclusion || l.Pattern != r.Pattern {
			continue
		}
		previous = append(previous, body)
		lines[i] = newLine
		if cr {
			lines[i] += "\r"
		}
	}
	if len(previous) > 0 {
		return strings.Join(lines, "\n"), previous
	}
	if entry == "" {
		return newLine, nil
	}
	return entry + "\r\n" + newLine, nil
}

// Set writes the request into KHOMPSTATUSMAP. It waits up to 10 s for
// update-patterns' lock and writes with a compare-and-swap, so an
// update-patterns run or an edit in VICIdial's web page at the same moment
// is never lost. It warns when the status is not a VICIdial status.
func Set(ctx context.Context, db *sql.DB, r SetRequest) (SetResult, error) {
	if err := r.Normalize(); err != nil {
		return SetResult{}, err
	}
	res := SetResult{Key: container.MapKey(r.Conclusion, r.Pattern), Line: r.Line()}
	warnings, err := statusWarnings(ctx, db, r)
	if err != nil {
		return res, err
	}
	res.Warnings = warnings
	lock, err := dblock.Acquire(ctx, db, LockName, dblock.Options{Wait: 10 * time.Second})
	if err != nil {
		return res, err
	}
	defer lock.Release()
	before, after, err := container.Update(ctx, db, container.StatusMapID, 20, func(entry string) (string, error) {
		if err := checkMap(entry); err != nil {
			return entry, err
		}
		next, prev := ApplySet(entry, r)
		res.Previous = prev
		return next, nil
	})
	if err != nil {
		return res, err
	}
	res.Appended = len(res.Previous) == 0
	res.Changed = before != after
	if res.Changed {
		if err := logAdminChange(ctx, db, res); err != nil {
			// The map is written; a missing audit row is worth a warning,
			// not a failure that would make the caller retry the edit.
			res.Warnings = append(res.Warnings, "map updated but not recorded in vicidial_admin_log: "+err.Error())
		}
	}
	return res, nil
}

// logAdminChange records the edit in vicidial_admin_log like VICIdial's
// KHOMP admin page does (event_section KHOMP), so it shows in VICIdial's
// admin change log. User "khompctl" marks edits made from the shell.
func logAdminChange(ctx context.Context, db *sql.DB, res SetResult) error {
	eventType, code := "MODIFY", "KHOMP MAP MODIFY"
	notes := res.Line
	if res.Appended {
		eventType, code = "ADD", "KHOMP MAP ADD"
	} else {
		notes = strings.Join(res.Previous, " | ") + " -> " + res.Line
	}
	_, err := db.ExecContext(ctx,
		`INSERT INTO vicidial_admin_log (event_date, user, ip_address, event_section, event_type, record_id, event_code, event_sql, event_notes, user_group)
		 VALUES (NOW(), 'khompctl', '', 'KHOMP', ?, ?, ?, '', ?, '---ALL---')`,
		eventType, container.StatusMapID, code, notes)
	return err
}

// statusWarnings checks the status against vicidial_statuses (and the
// campaign statuses) and the dial status against VICIdial's list.
func statusWarnings(ctx context.Context, db *sql.DB, r SetRequest) ([]string, error) {
	var w []string
	var n int
	err := db.QueryRowContext(ctx,
		"SELECT (SELECT COUNT(*) FROM vicidial_statuses WHERE status = ?) + (SELECT COUNT(*) FROM vicidial_campaign_statuses WHERE status = ?)",
		r.Status, r.Status).Scan(&n)
	if err != nil {
		return nil, fmt.Errorf("check status %s: %w", r.Status, err)
	}
	if n == 0 {
		w = append(w, fmt.Sprintf("status %s does not exist in vicidial_statuses (create it, or run khompctl install for the KP* statuses)", r.Status))
	}
	if r.DialStatus != "" && !container.IsDialStatus(r.DialStatus) {
		w = append(w, fmt.Sprintf("dial status %s is not one VICIdial's KHOMP admin page offers (%s)", r.DialStatus, strings.Join(container.DialStatuses(), ", ")))
	}
	return w, nil
}
