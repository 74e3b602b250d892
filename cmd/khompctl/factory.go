package main

import (
	"context"
	"database/sql"
	"errors"
	"io"
	"log/slog"
	"os"
	"runtime/debug"
	"sync"
	"time"

	"github.com/khompctl/khompctl/pkg/astconf"
	"github.com/khompctl/khompctl/pkg/vicidb"
)

// version is set with -ldflags "-X main.version=..." by release builds.
var version = ""

// Factory carries what commands depend on. Every dependency that costs
// something (the database) is a lazy function so that commands that do not
// need it never open it, and tests can replace it.
type Factory struct {
	IO      *IOStreams
	Now     func() time.Time
	Version string

	// Global flag values, filled by the root command.
	ConfPath string
	DSN      string
	LogLevel string

	// DB opens (once) the VICIdial database named by --dsn, $KHOMPCTL_DSN or
	// --conf. Commands must not close it; run closes it at exit.
	DB func(ctx context.Context) (*sql.DB, error)

	// Log writes diagnostics to stderr. It never receives secrets.
	Log *slog.Logger

	closers []func()
}

func newFactory(ios *IOStreams) *Factory {
	f := &Factory{
		IO:       ios,
		Now:      time.Now,
		Version:  buildVersion(),
		ConfPath: astconf.DefaultPath,
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	var (
		once sync.Once
		db   *sql.DB
		err  error
	)
	f.DB = func(ctx context.Context) (*sql.DB, error) {
		once.Do(func() {
			db, err = vicidb.Open(ctx, vicidb.Options{DSN: f.effectiveDSN(), ConfPath: f.ConfPath, Log: f.Log})
			if err == nil {
				f.closers = append(f.closers, func() { db.Close() })
			}
		})
		if err != nil && errors.Is(err, vicidb.ErrConfig) {
			return nil, usageError(err)
		}
		return db, err
	}
	return f
}

// effectiveDSN applies the precedence --dsn > $KHOMPCTL_DSN > --conf.
func (f *Factory) effectiveDSN() string {
	if f.DSN != "" {
		return f.DSN
	}
	return os.Getenv("KHOMPCTL_DSN")
}

func (f *Factory) close() {
	for _, c := range f.closers {
		c()
	}
}

func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
		return bi.Main.Version
	}
	return "(devel)"
}
