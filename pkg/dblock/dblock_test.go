package dblock

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"

	"github.com/khompctl/khompctl/internal/testdb"
)

func TestDatabaseLockIsExclusiveAndReleased(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	ctx := context.Background()
	name := "khompctl.test"
	first, err := Acquire(ctx, db.DB, name, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// The pool has other connections: the lock must still be held by the
	// pinned one, so a second Acquire (another connection) fails.
	if _, err := Acquire(ctx, db.DB, name, Options{}); !errors.Is(err, ErrLocked) {
		t.Fatalf("second acquire: err = %v, want ErrLocked", err)
	}
	if err := first.Release(); err != nil {
		t.Fatal(err)
	}
	again, err := Acquire(ctx, db.DB, name, Options{Wait: time.Second})
	if err != nil {
		t.Fatalf("after release: %v", err)
	}
	again.Release()
}

func TestDatabaseLockFreedWhenConnectionDies(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	ctx := context.Background()
	name := "khompctl.test.die"
	l, err := Acquire(ctx, db.DB, name, Options{})
	if err != nil {
		t.Fatal(err)
	}
	// Simulate a crashed run: the connection goes away without RELEASE_LOCK.
	discard(l.conn)
	l.conn.Close()
	l.conn = nil
	deadline := time.Now().Add(5 * time.Second)
	for {
		l2, err := Acquire(ctx, db.DB, name, Options{})
		if err == nil {
			l2.Release()
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("lock still held after its connection closed: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func TestHostLockFile(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	ctx := context.Background()
	file := filepath.Join(t.TempDir(), "x.lock")
	a, err := Acquire(ctx, db.DB, "khompctl.test.a", Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	// Same host file, different database lock name: the file alone blocks.
	if _, err := Acquire(ctx, db.DB, "khompctl.test.b", Options{File: file}); !errors.Is(err, ErrLocked) {
		t.Fatalf("err = %v, want ErrLocked", err)
	}
	a.Release()
	b, err := Acquire(ctx, db.DB, "khompctl.test.b", Options{File: file})
	if err != nil {
		t.Fatal(err)
	}
	b.Release()
}

func TestLockIsPerDatabase(t *testing.T) {
	a := testdb.New(t, testdb.Schema1728)
	b := testdb.New(t, testdb.Schema1728)
	ctx := context.Background()
	la, err := Acquire(ctx, a.DB, "khompctl.same", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer la.Release()
	lb, err := Acquire(ctx, b.DB, "khompctl.same", Options{})
	if err != nil {
		t.Fatalf("another database's lock blocked this one: %v", err)
	}
	lb.Release()
}
