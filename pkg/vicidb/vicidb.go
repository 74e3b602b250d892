// Package vicidb opens the VICIdial MariaDB/MySQL database the way khompctl's
// commands need it: from an explicit DSN or from astguiclient.conf, checked
// with a ping so that a wrong password or an unreachable server is reported
// once, clearly, before any command starts work.
package vicidb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"time"

	"github.com/go-sql-driver/mysql"
	"github.com/khompctl/khompctl/pkg/astconf"
)

// Options says where the connection settings come from. DSN wins over
// ConfPath when set.
type Options struct {
	DSN      string // go-sql-driver DSN, e.g. cron:1234@tcp(127.0.0.1:3306)/asterisk
	ConfPath string // astguiclient.conf
	Timeout  time.Duration
	// Log receives the driver's own diagnostics (e.g. "packets.go: read:
	// connection reset") at debug level. Nil discards them: the error the
	// command returns already says what failed, on one line.
	Log *slog.Logger
}

// ErrConfig marks errors in the connection settings themselves (bad DSN,
// missing conf file or keys) as opposed to a server that did not answer.
var ErrConfig = errors.New("database configuration")

// Config builds the driver configuration from the options. It never returns
// a value containing the password in an error message.
func Config(opts Options) (*mysql.Config, error) {
	var cfg *mysql.Config
	if opts.DSN != "" {
		c, err := mysql.ParseDSN(opts.DSN)
		if err != nil {
			// The driver's message never echoes the password; keep ours the same.
			return nil, fmt.Errorf("%w: --dsn/KHOMPCTL_DSN: %v", ErrConfig, err)
		}
		cfg = c
	} else {
		ac, err := astconf.Load(opts.ConfPath)
		if err != nil {
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		if err := ac.Validate(opts.ConfPath); err != nil {
			return nil, fmt.Errorf("%w: %v", ErrConfig, err)
		}
		cfg = mysql.NewConfig()
		cfg.User = ac.DBUser
		cfg.Passwd = ac.DBPass
		cfg.Net = "tcp"
		port := ac.DBPort
		if port == "" {
			port = "3306"
		}
		cfg.Addr = net.JoinHostPort(ac.DBServer, port)
		cfg.DBName = ac.DBDatabase
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 10 * time.Second
	}
	if cfg.Timeout == 0 {
		cfg.Timeout = timeout
	}
	if cfg.ReadTimeout == 0 {
		cfg.ReadTimeout = 2 * timeout
	}
	if cfg.WriteTimeout == 0 {
		cfg.WriteTimeout = 2 * timeout
	}
	cfg.Logger = driverLogger{opts.Log}
	return cfg, nil
}

// Open connects and pings. The error names user, address and database but
// never the password.
func Open(ctx context.Context, opts Options) (*sql.DB, error) {
	cfg, err := Config(opts)
	if err != nil {
		return nil, err
	}
	connector, err := mysql.NewConnector(cfg)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrConfig, err)
	}
	db := sql.OpenDB(connector)
	pingCtx, cancel := context.WithTimeout(ctx, cfg.Timeout)
	defer cancel()
	if err := db.PingContext(pingCtx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to database %s@%s/%s: %w", cfg.User, cfg.Addr, cfg.DBName, err)
	}
	return db, nil
}

// driverLogger keeps the driver from printing its own lines on stderr (the
// default logger writes "[mysql] ..." next to our one-line error).
type driverLogger struct{ log *slog.Logger }

func (l driverLogger) Print(v ...any) {
	if l.log != nil {
		l.log.Debug("mysql driver", "msg", fmt.Sprint(v...))
	}
}
