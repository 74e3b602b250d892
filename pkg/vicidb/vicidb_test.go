package vicidb

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/khompctl/khompctl/internal/testdb"
)

// writeConf writes an astguiclient.conf for the test database, with
// VICIdial's "KEY => value" layout.
func writeConf(t *testing.T, cfg *mysql.Config, pass string) string {
	t.Helper()
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		t.Fatal(err)
	}
	text := "# test\nVARserver_ip => 10.0.0.5\nVARDB_server => " + host + "\nVARDB_database => " + cfg.DBName +
		"\nVARDB_user => " + cfg.User + "\nVARDB_pass => " + pass + "\nVARDB_port => " + port + "\n"
	path := filepath.Join(t.TempDir(), "astguiclient.conf")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestOpenFromConfAndDSN(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	conf := writeConf(t, cfg, cfg.Passwd)
	for name, opts := range map[string]Options{
		"conf": {ConfPath: conf},
		// The DSN wins over a conf file that does not exist.
		"dsn": {DSN: db.DSN, ConfPath: filepath.Join(t.TempDir(), "missing.conf")},
	} {
		t.Run(name, func(t *testing.T) {
			conn, err := Open(ctx, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer conn.Close()
			var got string
			if err := conn.QueryRowContext(ctx, "SELECT DATABASE()").Scan(&got); err != nil || got != db.Name {
				t.Fatalf("connected to %q (err %v), want %q", got, err, db.Name)
			}
		})
	}
}

// TestOpenErrorsNameTheProblemNotThePassword covers the bad inputs of issue
// 3: each is one line, says what is wrong, never shows the password, and
// configuration mistakes are ErrConfig (exit 2) while a server that does
// not let us in is not.
func TestOpenErrorsNameTheProblemNotThePassword(t *testing.T) {
	db := testdb.New(t, testdb.Schema1728)
	cfg, err := mysql.ParseDSN(db.DSN)
	if err != nil {
		t.Fatal(err)
	}
	const secret = "Wr0ng-s3cret-pw"
	closed := *cfg
	closed.Addr = closedPort(t)
	closed.Passwd = secret
	incomplete := filepath.Join(t.TempDir(), "incomplete.conf")
	if err := os.WriteFile(incomplete, []byte("VARDB_server => 127.0.0.1\nVARDB_pass => "+secret+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name     string
		opts     Options
		isConfig bool
		want     string
	}{
		{"wrong password", Options{ConfPath: writeConf(t, cfg, secret)}, false, "Access denied"},
		{"closed port", Options{DSN: closed.FormatDSN()}, false, "connection refused"},
		{"missing conf", Options{ConfPath: filepath.Join(t.TempDir(), "nope.conf")}, true, "nope.conf"},
		{"conf without database", Options{ConfPath: incomplete}, true, "VARDB_database"},
		{"malformed DSN", Options{DSN: "u:" + secret + "@tcp(127.0.0.1:1"}, true, "invalid DSN"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			conn, err := Open(context.Background(), Options{DSN: c.opts.DSN, ConfPath: c.opts.ConfPath, Timeout: 5 * time.Second})
			if err == nil {
				conn.Close()
				t.Fatal("Open succeeded")
			}
			msg := err.Error()
			if errors.Is(err, ErrConfig) != c.isConfig || !strings.Contains(msg, c.want) ||
				strings.Contains(msg, secret) || strings.Contains(msg, "\n") {
				t.Fatalf("err = %q (config %v), want one line with %q, config %v, no password", msg, errors.Is(err, ErrConfig), c.want, c.isConfig)
			}
		})
	}
}

// TestDriverDiagnosticsGoToTheLogger: the driver's own "[mysql] ..." lines
// must not reach stderr beside the command's one-line error.
func TestDriverDiagnosticsGoToTheLogger(t *testing.T) {
	var logs bytes.Buffer
	cfg, err := Config(Options{DSN: "u:p@tcp(127.0.0.1:3306)/x", Log: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	if err != nil {
		t.Fatal(err)
	}
	cfg.Logger.Print("packets.go:58 unexpected EOF")
	if !strings.Contains(logs.String(), "packets.go:58 unexpected EOF") || !strings.Contains(logs.String(), "level=DEBUG") {
		t.Fatalf("driver line not logged at debug: %q", logs.String())
	}
	quiet, err := Config(Options{DSN: "u:p@tcp(127.0.0.1:3306)/x"})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := quiet.Logger.(driverLogger); !ok {
		t.Fatalf("without Log the driver keeps its default stderr logger (%T)", quiet.Logger)
	}
	quiet.Logger.Print("dropped") // must not panic with a nil slog.Logger
}

// closedPort returns a loopback address nothing listens on.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}
