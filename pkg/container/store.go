// Package container reads and writes VICIdial settings containers
// (vicidial_settings_containers.container_entry): the KHOMP settings
// containers and the KHOMPSTATUSMAP status map.
//
// Every write is a compare-and-swap: the UPDATE only applies when the entry
// still has the exact bytes we read, so a concurrent cron run or an admin's
// edit in VICIdial's web UI is never silently overwritten. The comparison
// uses SHA2 of the stored bytes because the column's collation
// (utf8mb3_unicode_ci) would treat 'a ' = 'A' as equal.
package container

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"errors"
	"fmt"
)

// ErrNotFound is returned when the container row does not exist.
var ErrNotFound = errors.New("container not found")

// ErrConflict is returned by Update when the entry kept changing under us
// for every attempt.
var ErrConflict = errors.New("container changed concurrently")

// Querier is what Get needs: a *sql.DB, *sql.Conn or *sql.Tx.
type Querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// Execer is what CompareAndSwap needs.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
}

// DB is both.
type DB interface {
	Querier
	Execer
}

// Row is a container as stored.
type Row struct {
	ID    string
	Notes string
	Type  string
	Group string
	Entry string
	// EntryNull is true when container_entry is SQL NULL (treated as "").
	EntryNull bool
}

// Get reads one container. It returns ErrNotFound (wrapped, naming the
// container) when the row is missing.
func Get(ctx context.Context, q Querier, id string) (Row, error) {
	var r Row
	var notes, typ, group, entry sql.NullString
	err := q.QueryRowContext(ctx,
		"SELECT container_id, container_notes, container_type, user_group, container_entry FROM vicidial_settings_containers WHERE container_id = ?",
		id).Scan(&r.ID, &notes, &typ, &group, &entry)
	if errors.Is(err, sql.ErrNoRows) {
		return Row{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if err != nil {
		return Row{}, fmt.Errorf("read container %s: %w", id, err)
	}
	r.Notes, r.Type, r.Group, r.Entry, r.EntryNull = notes.String, typ.String, group.String, entry.String, !entry.Valid
	return r, nil
}

// entryHash is the SHA2-256 hex MariaDB computes for SHA2(container_entry, 256).
func entryHash(entry string) string {
	sum := sha256.Sum256([]byte(entry))
	return hex.EncodeToString(sum[:])
}

// CompareAndSwap writes newEntry only if the stored entry is byte-for-byte
// oldEntry (oldNull: it was NULL). It reports whether the write happened.
// A write that would not change the bytes reports true without touching the
// row (MariaDB reports 0 affected rows for an unchanged value).
func CompareAndSwap(ctx context.Context, e Execer, id, oldEntry string, oldNull bool, newEntry string) (bool, error) {
	if !oldNull && oldEntry == newEntry {
		return true, nil
	}
	var res sql.Result
	var err error
	if oldNull {
		res, err = e.ExecContext(ctx,
			"UPDATE vicidial_settings_containers SET container_entry = ? WHERE container_id = ? AND container_entry IS NULL",
			newEntry, id)
	} else {
		res, err = e.ExecContext(ctx,
			"UPDATE vicidial_settings_containers SET container_entry = ? WHERE container_id = ? AND container_entry IS NOT NULL AND SHA2(container_entry, 256) = ?",
			newEntry, id, entryHash(oldEntry))
	}
	if err != nil {
		return false, fmt.Errorf("update container %s: %w", id, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return false, fmt.Errorf("update container %s: %w", id, err)
	}
	return n == 1, nil
}

// UpdateFunc computes a new entry from the current one. Returning the same
// string means "nothing to do".
type UpdateFunc func(current string) (string, error)

// Update reads the container, applies fn and compare-and-swaps the result,
// retrying with a fresh read when someone else wrote in between. fn must be
// a pure function of its input since it may run several times. It returns
// the entry before and after (equal when fn changed nothing).
func Update(ctx context.Context, db DB, id string, attempts int, fn UpdateFunc) (before, after string, err error) {
	if attempts < 1 {
		attempts = 1
	}
	for i := 0; i < attempts; i++ {
		row, err := Get(ctx, db, id)
		if err != nil {
			return "", "", err
		}
		next, err := fn(row.Entry)
		if err != nil {
			return row.Entry, row.Entry, err
		}
		if next == row.Entry && !row.EntryNull {
			return row.Entry, row.Entry, nil
		}
		ok, err := CompareAndSwap(ctx, db, id, row.Entry, row.EntryNull, next)
		if err != nil {
			return row.Entry, row.Entry, err
		}
		if ok {
			return row.Entry, next, nil
		}
		if err := ctx.Err(); err != nil {
			return row.Entry, row.Entry, err
		}
	}
	return "", "", fmt.Errorf("%w: %s (gave up after %d attempts)", ErrConflict, id, attempts)
}
