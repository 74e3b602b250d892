// Package install creates what VICIdial needs to use a KHOMP gateway: the
// KP* statuses and the KHOMPSETTINGS and KHOMPSTATUSMAP containers. It does
// what VICIdial's KHOMP_settings.sql does, but idempotently: existing rows
// are never overwritten unless Force is set, and every statement names its
// columns so it works on both schema generations.
//
// The tables are MyISAM, so nothing can be rolled back: a dry run plans
// and prints, it never executes; and the steps are ordered so that a run
// interrupted half-way is completed by the next one.
package install

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/khompctl/khompctl/pkg/container"
)

// Step kinds.
const (
	InsertStatus    = "insert-status"
	ResetStatus     = "reset-status"
	InsertContainer = "insert-container"
	ResetContainer  = "reset-container"
	KeptStatus      = "kept-status"    // exists and differs; not touched without Force
	KeptContainer   = "kept-container" // exists and differs; not touched without Force
)

// Step is one planned change (or a deliberate non-change).
type Step struct {
	Kind   string `json:"kind"`
	Object string `json:"object"`
	// Before describes the replaced row for resets and kept rows (secrets
	// in settings containers are masked).
	Before string `json:"before,omitempty"`
	Note   string `json:"note,omitempty"`

	status    *Status
	container *Container
	oldEntry  string
	oldNull   bool
}

// Changes reports whether the step writes.
func (s Step) Changes() bool {
	return s.Kind == InsertStatus || s.Kind == ResetStatus || s.Kind == InsertContainer || s.Kind == ResetContainer
}

// Querier is what planning needs.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Plan compares the database with what install creates. Rows that are
// missing are inserted; rows that exist and differ are kept (and reported)
// unless force, which resets them.
func Plan(ctx context.Context, q Querier, force bool) ([]Step, error) {
	var steps []Step
	statuses := DefaultStatuses()
	for i := range statuses {
		st, err := planStatus(ctx, q, &statuses[i], force)
		if err != nil {
			return nil, err
		}
		if st.Kind != "" {
			steps = append(steps, st)
		}
	}
	for _, c := range Containers() {
		st, err := planContainer(ctx, q, c, force)
		if err != nil {
			return nil, err
		}
		if st.Kind != "" {
			steps = append(steps, st)
		}
	}
	return steps, nil
}

func planStatus(ctx context.Context, q Querier, s *Status, force bool) (Step, error) {
	columns := statusColumns()
	cols := strings.Join(columns, ", ")
	row := make([]sql.NullString, len(columns))
	dest := make([]any, len(row))
	for i := range row {
		dest[i] = &row[i]
	}
	err := q.QueryRowContext(ctx, "SELECT "+cols+" FROM vicidial_statuses WHERE status = ?", s.Code).Scan(dest...)
	if errors.Is(err, sql.ErrNoRows) {
		return Step{Kind: InsertStatus, Object: s.Code, Note: s.Name, status: s}, nil
	}
	if err != nil {
		return Step{}, fmt.Errorf("read vicidial_statuses %s: %w", s.Code, err)
	}
	want := s.values()
	var diffs []string
	flagsDiffer := false
	for i, col := range columns {
		if w := fmt.Sprint(want[i]); row[i].String != w || !row[i].Valid {
			diffs = append(diffs, fmt.Sprintf("%s=%q", col, row[i].String))
			flagsDiffer = flagsDiffer || col != "status_name"
		}
	}
	before := strings.Join(diffs, " ")
	switch {
	case len(diffs) == 0:
		return Step{}, nil
	case force:
		return Step{Kind: ResetStatus, Object: s.Code, Before: before, status: s}, nil
	case !flagsDiffer:
		// Only the name differs (VICIdial's own SQL names KPDROP "KHOMP Call
		// Hung Up During Anal"; admins rename statuses): not worth a report.
		return Step{}, nil
	}
	return Step{Kind: KeptStatus, Object: s.Code, Before: before, Note: "differs from the default; kept (--force resets)"}, nil
}

func planContainer(ctx context.Context, q Querier, c Container, force bool) (Step, error) {
	row, err := container.Get(ctx, q, c.ID)
	if errors.Is(err, container.ErrNotFound) {
		return Step{Kind: InsertContainer, Object: c.ID, container: &c}, nil
	}
	if err != nil {
		return Step{}, err
	}
	entryDiffers := row.Entry != c.Entry || row.EntryNull
	metaDiffers := row.Notes != c.Notes || row.Type != c.Type || row.Group != c.Group
	var what []string
	if entryDiffers {
		what = append(what, "entry")
	}
	if metaDiffers {
		what = append(what, fmt.Sprintf("notes/type/group %q/%q/%q", row.Notes, row.Type, row.Group))
	}
	st := Step{Object: c.ID, container: &c, oldEntry: row.Entry, oldNull: row.EntryNull}
	switch {
	case !entryDiffers && !metaDiffers:
		return Step{}, nil
	case force:
		st.Kind = ResetContainer
		st.Note = "replaced " + strings.Join(what, " and ")
		if entryDiffers {
			st.Before = masked(c.ID, row.Entry)
		}
		return st, nil
	case !entryDiffers:
		// Only the description differs (VICIdial's own SQL has other
		// notes): cosmetic, not worth a report on every run.
		return Step{}, nil
	}
	st.Kind = KeptContainer
	st.Note = "entry differs from the default; kept (--force resets)"
	return st, nil
}

// masked returns a container entry fit for printing: in settings
// containers the password and token values are replaced by "********",
// also on commented-out lines ("#khomp_api_pass => old"), where admins keep
// previous passwords.
func masked(id, entry string) string {
	if id == container.StatusMapID {
		return entry
	}
	lines := strings.Split(entry, "\n")
	for i, l := range lines {
		key, _, ok := strings.Cut(l, "=>")
		if !ok {
			continue
		}
		switch strings.TrimSpace(strings.TrimLeft(strings.TrimSpace(key), "#")) {
		case container.KeyPass, container.KeyToken:
			cr := strings.HasSuffix(l, "\r")
			lines[i] = key + "=> ********"
			if cr {
				lines[i] += "\r"
			}
		}
	}
	return strings.Join(lines, "\n")
}

// Execer is what Apply needs.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// ErrChanged means a row changed between planning and writing.
var ErrChanged = errors.New("changed while installing; run install again")

// Apply executes the writing steps in order. Inserts use INSERT IGNORE so
// a concurrent install cannot fail or duplicate; a container reset is a
// compare-and-swap on the entry that was planned against.
func Apply(ctx context.Context, db Execer, steps []Step) error {
	for _, s := range steps {
		var err error
		switch s.Kind {
		case InsertStatus:
			_, err = db.ExecContext(ctx, insertStatusSQL("INSERT IGNORE"), s.status.values()...)
		case ResetStatus:
			_, err = db.ExecContext(ctx, updateStatusSQL(), append(s.status.values()[1:], s.status.Code)...)
		case InsertContainer:
			c := s.container
			_, err = db.ExecContext(ctx, insertContainerSQL("INSERT IGNORE"), c.ID, c.Notes, c.Type, c.Group, c.Entry)
		case ResetContainer:
			err = resetContainer(ctx, db, s)
		}
		if err != nil {
			return fmt.Errorf("%s %s: %w", s.Kind, s.Object, err)
		}
	}
	return nil
}

func resetContainer(ctx context.Context, db Execer, s Step) error {
	c := s.container
	ok, err := container.CompareAndSwap(ctx, db, c.ID, s.oldEntry, s.oldNull, c.Entry)
	if err != nil {
		return err
	}
	if !ok {
		return ErrChanged
	}
	_, err = db.ExecContext(ctx,
		"UPDATE vicidial_settings_containers SET container_notes = ?, container_type = ?, user_group = ? WHERE container_id = ?",
		c.Notes, c.Type, c.Group, c.ID)
	return err
}

func insertStatusSQL(verb string) string {
	columns := statusColumns()
	return verb + " INTO vicidial_statuses (" + strings.Join(columns, ", ") + ") VALUES (" + placeholders(len(columns)) + ")"
}

func updateStatusSQL() string {
	columns := statusColumns()
	sets := make([]string, 0, len(columns)-1)
	for _, c := range columns[1:] {
		sets = append(sets, c+" = ?")
	}
	return "UPDATE vicidial_statuses SET " + strings.Join(sets, ", ") + " WHERE status = ?"
}

func insertContainerSQL(verb string) string {
	return verb + " INTO vicidial_settings_containers (container_id, container_notes, container_type, user_group, container_entry) VALUES (?, ?, ?, ?, ?)"
}

func placeholders(n int) string {
	return strings.TrimSuffix(strings.Repeat("?, ", n), ", ")
}
