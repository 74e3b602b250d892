package container

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/khompctl/khompctl/internal/testdb"
)

func TestCompareAndSwapIsByteExact(t *testing.T) {
	for _, schema := range testdb.Schemas {
		t.Run(schema.String(), func(t *testing.T) {
			db := testdb.New(t, schema)
			ctx := context.Background()
			db.PutContainer(t, "C", "OTHER", "Key => Value \r\n")
			// Differs only in case and trailing space: the collation calls
			// these equal, CAS must not.
			for _, stale := range []string{"key => value \r\n", "Key => Value \r\n ", "Key => Value"} {
				ok, err := CompareAndSwap(ctx, db, "C", stale, false, "X")
				if err != nil {
					t.Fatal(err)
				}
				if ok {
					t.Fatalf("CAS with stale %q succeeded", stale)
				}
			}
			ok, err := CompareAndSwap(ctx, db, "C", "Key => Value \r\n", false, "new 'quoted' \\ entry\r\n")
			if err != nil || !ok {
				t.Fatalf("CAS with exact entry: ok=%v err=%v", ok, err)
			}
			if got := db.ContainerEntry(t, "C"); got != "new 'quoted' \\ entry\r\n" {
				t.Fatalf("entry = %q", got)
			}
		})
	}
}

func TestGetMissing(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	_, err := Get(context.Background(), db, "NOPE")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), "NOPE") {
		t.Fatalf("err = %v", err)
	}
}

func TestUpdateConcurrentAppendsLoseNothing(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	db.DB.SetMaxOpenConns(20)
	db.PutContainer(t, "C", "OTHER", "start")
	const writers = 16
	var wg sync.WaitGroup
	errs := make(chan error, writers)
	for i := 0; i < writers; i++ {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			_, _, err := Update(context.Background(), db, "C", 1000, func(cur string) (string, error) {
				return cur + "\r\n" + string(rune('a'+i)), nil
			})
			errs <- err
		}(i)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := db.ContainerEntry(t, "C")
	for i := 0; i < writers; i++ {
		if !strings.Contains(got, "\r\n"+string(rune('a'+i))) {
			t.Fatalf("append %c lost: %q", 'a'+i, got)
		}
	}
	if n := strings.Count(got, "\r\n"); n != writers {
		t.Fatalf("%d lines appended, want %d: %q", n, writers, got)
	}
}
