// Package testdb gives each test its own throw-away VICIdial database on the
// MariaDB that scripts/test.sh starts. It is imported only by tests.
//
// Tests never skip when the server is missing: they fail and say how to
// start it, so a green run always means the database code really ran.
package testdb

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	sqlfiles "github.com/khompctl/khompctl/sql"
)

// Schema is a VICIdial schema generation.
type Schema int

const (
	// Schema1720 has no modify_stamp columns (VICIdial until late 2024).
	Schema1720 Schema = 1720
	// Schema1728 has auto-updating modify_stamp columns (2025).
	Schema1728 Schema = 1728
)

// Schemas lists both generations, for tests that must pass on each.
var Schemas = []Schema{Schema1720, Schema1728}

func (s Schema) String() string { return fmt.Sprintf("schema%d", int(s)) }

// EnvDSN names the variable scripts/test.sh exports: a DSN with no database,
// e.g. khompctl:khompctl-test@tcp(127.0.0.1:33306)/
const EnvDSN = "KHOMPCTL_TEST_DSN"

// DB is a fresh database loaded with the VICIdial DDL.
type DB struct {
	*sql.DB
	// DSN connects to this database (for running commands that open their own).
	DSN string
	// Name is the database name.
	Name string
}

// New creates a database for t, loads the DDL for schema and drops it when
// the test ends.
func New(t testing.TB, schema Schema) *DB {
	t.Helper()
	base := os.Getenv(EnvDSN)
	if base == "" {
		t.Fatalf("%s is not set: these tests need the throw-away MariaDB; run them with scripts/test.sh "+
			"(or: eval \"$(scripts/mariadb.sh start)\" then go test ./...)", EnvDSN)
	}
	cfg, err := mysql.ParseDSN(base)
	if err != nil {
		t.Fatalf("%s: %v", EnvDSN, err)
	}
	cfg.MultiStatements = true
	cfg.ParseTime = false
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := admin.PingContext(ctx); err != nil {
		t.Fatalf("cannot reach the test MariaDB at %s (%v); start it with scripts/test.sh", cfg.Addr, err)
	}
	name := "kt_" + randomHex(6) + "_" + sanitize(t.Name())
	if len(name) > 64 {
		name = name[:64]
	}
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE `"+name+"` CHARACTER SET utf8mb3 COLLATE utf8mb3_general_ci"); err != nil {
		t.Fatalf("create test database: %v", err)
	}
	t.Cleanup(func() {
		c, err := sql.Open("mysql", cfg.FormatDSN())
		if err == nil {
			c.Exec("DROP DATABASE IF EXISTS `" + name + "`")
			c.Close()
		}
	})
	cfg.DBName = name
	loader, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer loader.Close()
	for _, file := range []string{"testdata/common.sql", fmt.Sprintf("testdata/schema_%d.sql", int(schema))} {
		ddl, err := sqlfiles.TestSchema.ReadFile(file)
		if err != nil {
			t.Fatalf("read %s: %v", file, err)
		}
		if _, err := loader.ExecContext(ctx, string(ddl)); err != nil {
			t.Fatalf("load %s: %v", file, err)
		}
	}
	cfg.MultiStatements = false
	dsn := cfg.FormatDSN()
	db, err := sql.Open("mysql", dsn)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return &DB{DB: db, DSN: dsn, Name: name}
}

// Exec runs statements and fails the test on error.
func (d *DB) Exec(t testing.TB, query string, args ...any) {
	t.Helper()
	if _, err := d.DB.Exec(query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// ContainerEntry returns the exact bytes of a container's entry.
func (d *DB) ContainerEntry(t testing.TB, id string) string {
	t.Helper()
	var entry sql.NullString
	err := d.DB.QueryRow("SELECT container_entry FROM vicidial_settings_containers WHERE container_id = ?", id).Scan(&entry)
	if err != nil {
		t.Fatalf("read container %s: %v", id, err)
	}
	return entry.String
}

// PutContainer inserts or replaces a container with explicit columns.
func (d *DB) PutContainer(t testing.TB, id, typ, entry string) {
	t.Helper()
	d.Exec(t, "REPLACE INTO vicidial_settings_containers (container_id, container_notes, container_type, user_group, container_entry) VALUES (?, ?, ?, '---ALL---', ?)",
		id, "test container "+id, typ, entry)
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func sanitize(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' {
			return r
		}
		return '_'
	}, s)
}
