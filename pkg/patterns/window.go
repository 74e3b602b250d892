// Package patterns keeps KHOMPSTATUSMAP in step with what the KHOMP gateway
// reports: it appends new conclusion/pattern pairs found in
// vicidial_khomp_log (what KHOMP_updater.pl did from cron) and sets the
// action of a pair (what VICIdial's KHOMP admin page does).
package patterns

import (
	"context"
	"database/sql"
	"fmt"
	"regexp"
	"strings"
	"time"
)

// Window kinds, in KHOMP_updater.pl's precedence order: custom > month >
// full > 4 hours.
const (
	WindowCustom = "custom"
	WindowMonth  = "month"
	WindowFull   = "full"
	Window4h     = "4h"
)

// fullCheckStart is where KHOMP_updater.pl's --full-check starts. Rows with
// start_date 1970-01-01 (a call the gateway had no start stamp for) are
// therefore never scanned; we keep that for fidelity.
const fullCheckStart = "2010-01-01 00:00:00"

// WindowOptions are KHOMP_updater.pl's window flags.
type WindowOptions struct {
	MonthCheck bool
	FullCheck  bool
	// CustomCheck is the --custom-check value; CustomSet says the flag was
	// given at all (an invalid value still beats --month-check, as in Perl).
	CustomCheck string
	CustomSet   bool
}

// Window is the scan start chosen for a run.
type Window struct {
	Kind  string `json:"kind"`
	Start string `json:"start"` // "YYYY-MM-DD HH:MM:SS", compared with start_date
	// Warning is the text KHOMP_updater.pl prints for an invalid custom
	// date (empty otherwise).
	Warning string `json:"warning,omitempty"`
	// Note explains a silent fallback (full check refused while calls run).
	Note string `json:"note,omitempty"`
}

const timeLayout = "2006-01-02 15:04:05"

// customDate is anchored, unlike the Perl (which accepted 12026-11-0199).
var customDate = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)

// cleanCustomDate applies the Perl's cleaning of the value: cut at the first
// space, then keep only digits and '-'.
func cleanCustomDate(v string) string {
	if i := strings.IndexByte(v, ' '); i >= 0 {
		v = v[:i]
	}
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' || r == '-' {
			return r
		}
		return -1
	}, v)
}

// validCustomDate reports whether v is a real calendar date.
func validCustomDate(v string) bool {
	if !customDate.MatchString(v) {
		return false
	}
	_, err := time.ParseInLocation("2006-01-02", v, time.Local)
	return err == nil
}

// ChooseWindow applies KHOMP_updater.pl's window rules. Times are the local
// time of the host running khompctl, as in the Perl (see docs/database.md).
// q is only used for --full-check, which falls back to 4 hours while any
// channel or agent is live.
func ChooseWindow(ctx context.Context, q Querier, now time.Time, o WindowOptions) (Window, error) {
	fourHours := now.Add(-4 * time.Hour).Local().Format(timeLayout)
	switch {
	case o.CustomSet:
		d := cleanCustomDate(o.CustomCheck)
		if validCustomDate(d) {
			return Window{Kind: WindowCustom, Start: d + " 00:00:00"}, nil
		}
		return Window{Kind: Window4h, Start: fourHours, Warning: fmt.Sprintf(
			"WARNING: custom date is not in valid yyyy-mm-dd format - reverting to default start time of %s", fourHours)}, nil
	case o.MonthCheck:
		return Window{Kind: WindowMonth, Start: now.Add(-30 * 24 * time.Hour).Local().Format(timeLayout)}, nil
	case o.FullCheck:
		busy, err := liveActivity(ctx, q)
		if err != nil {
			return Window{}, err
		}
		if busy != "" {
			return Window{Kind: Window4h, Start: fourHours, Note: "full check refused: " + busy}, nil
		}
		return Window{Kind: WindowFull, Start: fullCheckStart}, nil
	}
	return Window{Kind: Window4h, Start: fourHours}, nil
}

// Querier is a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

// liveActivity says why a full check must not run now ("" when idle): a
// full scan of the log is heavy, so the Perl only allowed it with no live
// channels and no logged-in agents.
func liveActivity(ctx context.Context, q Querier) (string, error) {
	var channels, agents int64
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM live_channels").Scan(&channels); err != nil {
		return "", fmt.Errorf("count live_channels: %w", err)
	}
	if err := q.QueryRowContext(ctx, "SELECT COUNT(*) FROM vicidial_live_agents").Scan(&agents); err != nil {
		return "", fmt.Errorf("count vicidial_live_agents: %w", err)
	}
	if channels == 0 && agents == 0 {
		return "", nil
	}
	return fmt.Sprintf("%d live channels, %d live agents", channels, agents), nil
}
