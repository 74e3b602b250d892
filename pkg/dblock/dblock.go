// Package dblock makes sure only one khompctl run at a time does a given
// job, across all the dialers that share one VICIdial database.
//
// It replaces KHOMP_updater.pl's "ps ax | grep $0" check, which both missed
// real duplicates and was fooled by any pager or editor showing the script.
// Two layers:
//
//   - a flock(2) on a lock file on this host, taken first because it costs
//     nothing and needs no database;
//   - MariaDB's GET_LOCK on one pinned connection, named after the job and
//     the database. GET_LOCK belongs to a
//     connection, and *sql.DB is a pool, so the lock must be taken, held and
//     released on the same *sql.Conn. If the process dies the server drops
//     the connection and with it the lock: nothing stale is left behind.
package dblock

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"database/sql/driver"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// ErrLocked means another run holds the lock.
var ErrLocked = errors.New("another run holds the lock")

// Lock is a held lock. Release it exactly once.
type Lock struct {
	name string
	conn *sql.Conn
	file *os.File
}

// Conn is the pinned connection holding the database lock. Work done while
// holding the lock may use it (or the pool: the lock is advisory).
func (l *Lock) Conn() *sql.Conn { return l.conn }

// Options tune Acquire.
type Options struct {
	// Wait is how long to wait for the database lock; 0 means fail at once
	// (what a cron job that runs again in a minute wants).
	Wait time.Duration
	// File is the host lock file; "" means no host lock.
	File string
}

// DefaultFile returns the host lock file used for a lock name: in
// /run/lock when it is writable (root on a dialer), else the temp dir.
func DefaultFile(name string) string {
	base := "khompctl-" + name + ".lock"
	for _, dir := range []string{"/run/lock", "/var/lock"} {
		if st, err := os.Stat(dir); err == nil && st.IsDir() && writable(dir) {
			return filepath.Join(dir, base)
		}
	}
	return filepath.Join(os.TempDir(), base)
}

func writable(dir string) bool { return syscall.Access(dir, 2 /* W_OK */) == nil }

// Acquire takes the host lock (if any) and then GET_LOCK(name) on a
// connection pinned from db. It returns ErrLocked (wrapped) when either is
// held by someone else.
func Acquire(ctx context.Context, db *sql.DB, name string, opts Options) (*Lock, error) {
	l := &Lock{name: name}
	if opts.File != "" {
		f, err := lockFile(opts.File)
		if err != nil {
			return nil, err
		}
		l.file = f
	}
	conn, err := db.Conn(ctx)
	if err != nil {
		l.releaseFile()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	scoped, err := scopedName(ctx, conn, name)
	if err != nil {
		conn.Close()
		l.releaseFile()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	l.name = scoped
	var got sql.NullInt64
	wait := int64(opts.Wait / time.Second)
	if err := conn.QueryRowContext(ctx, "SELECT GET_LOCK(?, ?)", scoped, wait).Scan(&got); err != nil {
		conn.Close()
		l.releaseFile()
		return nil, fmt.Errorf("lock %s: %w", name, err)
	}
	if !got.Valid || got.Int64 != 1 {
		conn.Close()
		l.releaseFile()
		return nil, fmt.Errorf("database lock %s: %w", scoped, ErrLocked)
	}
	l.conn = conn
	return l, nil
}

// scopedName appends a short hash of the current database's name: lock
// names are server-wide, and two VICIdial databases on one server (or two
// test databases) must not block each other. MariaDB allows 64 characters.
func scopedName(ctx context.Context, conn *sql.Conn, name string) (string, error) {
	var db sql.NullString
	if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&db); err != nil {
		return "", err
	}
	sum := sha256.Sum256([]byte(db.String))
	scoped := name + "." + hex.EncodeToString(sum[:8])
	if len(scoped) > 64 {
		return "", fmt.Errorf("lock name %q too long", name)
	}
	return scoped, nil
}

func lockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("lock file: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("lock file %s: %w", path, ErrLocked)
		}
		return nil, fmt.Errorf("lock file %s: %w", path, err)
	}
	return f, nil
}

func (l *Lock) releaseFile() {
	if l.file != nil {
		// Closing the descriptor drops the flock.
		l.file.Close()
		l.file = nil
	}
}

// Release frees the database lock and then the host lock. It uses a fresh
// context so that a cancelled run still releases cleanly.
func (l *Lock) Release() error {
	defer l.releaseFile()
	if l.conn == nil {
		return nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	_, err := l.conn.ExecContext(ctx, "DO RELEASE_LOCK(?)", l.name)
	if err != nil {
		// The lock may still be held by this session: drop the connection
		// instead of returning it to the pool, which frees the lock.
		discard(l.conn)
	}
	cerr := l.conn.Close()
	l.conn = nil
	if err != nil {
		return fmt.Errorf("release lock %s: %w", l.name, err)
	}
	return cerr
}

// discard marks a pinned connection as broken so that Close really closes
// it (ending the server session) instead of returning it to the pool.
func discard(c *sql.Conn) {
	_ = c.Raw(func(any) error { return driver.ErrBadConn })
}
