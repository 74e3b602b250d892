package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/khompctl/khompctl/pkg/container"
	"github.com/khompctl/khompctl/pkg/dblock"
	"github.com/khompctl/khompctl/pkg/patterns"
	"github.com/spf13/cobra"
)

// UpdatePatternsOptions are the flags of update-patterns.
type UpdatePatternsOptions struct {
	Out      io.Writer
	Log      *slog.Logger
	Now      func() time.Time
	DB       func(context.Context) (*sql.DB, error)
	Window   patterns.WindowOptions
	Debug    bool
	DebugX   bool
	DryRun   bool
	JSON     bool
	LockFile string
}

func newUpdatePatternsCmd(f *Factory) *cobra.Command {
	opts := &UpdatePatternsOptions{}
	cmd := &cobra.Command{
		Use:   "update-patterns",
		Short: "Append new conclusion/pattern pairs from vicidial_khomp_log to KHOMPSTATUSMAP",
		Long: `Scan vicidial_khomp_log for (conclusion, pattern) pairs the KHOMP gateway reported that
KHOMPSTATUSMAP does not have yet, and append each as an unclassified line
` + "`\"Conclusion\".\"Pattern\" => `" + ` for an administrator to classify (VICIdial's KHOMP admin
page, or khompctl patterns set). This replaces KHOMP_updater.pl; run it from cron
every minute on one server.

The window is the last 4 hours, or (first match wins) --custom-check=YYYY-MM-DD from
that day's midnight, --month-check the last 30 days, --full-check everything since
2010-01-01 (only when no channel and no agent is live; otherwise 4 hours). An invalid
--custom-check date prints a WARNING and uses 4 hours, even with --month-check, as the
Perl did. Times are this host's local time.

Unlike the Perl: keys are compared byte for byte (no regex), the map is written with
bound parameters and a compare-and-swap under a database lock (GET_LOCK
'khompctl.patterns' plus a lock file on this host), so nothing an admin or another run
writes at the same moment is lost; a second run exits 75 instead of grepping ps.
Names that would corrupt the map (line breaks, "=>", "#") are skipped with a warning.
` + exitStatusHelp,
		Example: `  # crontab, replacing KHOMP_updater.pl
  * * * * * /usr/local/bin/khompctl update-patterns

  # what would be added from the last 30 days, without writing
  khompctl update-patterns --month-check --dry-run

  # re-scan everything after a quiet night, machine-readable
  khompctl update-patterns --full-check --json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out, opts.Log, opts.Now, opts.DB = f.IO.Out, f.Log, f.Now, f.DB
			opts.Window.CustomSet = cmd.Flags().Changed("custom-check")
			return updatePatternsRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Window.MonthCheck, "month-check", false, "scan the last 30 days instead of 4 hours")
	fl.BoolVar(&opts.Window.FullCheck, "full-check", false, "scan everything since 2010-01-01 (only when no channel or agent is live)")
	fl.StringVar(&opts.Window.CustomCheck, "custom-check", "", "scan from this `YYYY-MM-DD` at 00:00:00")
	fl.BoolVar(&opts.Debug, "debug", false, "narrate the run on stdout")
	fl.BoolVar(&opts.DebugX, "debugX", false, "like --debug, plus every SQL statement")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print the keys that would be added; write nothing")
	fl.BoolVar(&opts.JSON, "json", false, "print the result as JSON")
	fl.StringVar(&opts.LockFile, "lock-file", dblock.DefaultFile("update-patterns"), "host lock `file` (empty: database lock only)")
	return cmd
}

func updatePatternsRun(ctx context.Context, opts *UpdatePatternsOptions) error {
	db, err := opts.DB(ctx)
	if err != nil {
		return err
	}
	uo := patterns.UpdateOptions{Window: opts.Window, Now: opts.Now(), DryRun: opts.DryRun, LockFile: opts.LockFile}
	if opts.Debug || opts.DebugX {
		uo.Debugf = func(format string, args ...any) { fmt.Fprintf(opts.Out, "-- "+format+"\n", args...) }
	}
	if opts.DebugX {
		uo.Trace = func(q string, args ...any) {
			fmt.Fprintf(opts.Out, "-- SQL: %s %q\n", strings.Join(strings.Fields(q), " "), args)
		}
	}
	res, err := patterns.Update(ctx, db, uo)
	if res.Window.Warning != "" && !opts.JSON {
		// Same text and place (stdout) as KHOMP_updater.pl.
		fmt.Fprintf(opts.Out, "\n\n%s\n\n", res.Window.Warning)
	}
	if err != nil {
		return dbToolError("update-patterns", err)
	}
	for _, s := range res.Skipped {
		opts.Log.Warn("pair not added to KHOMPSTATUSMAP", "conclusion", s.Conclusion, "pattern", s.Pattern, "reason", s.Reason)
	}
	switch {
	case opts.JSON:
		if res.Added == nil {
			res.Added = []string{}
		}
		return dbToolJSON(opts.Out, res)
	case opts.DryRun:
		for _, k := range res.Added {
			fmt.Fprintln(opts.Out, k)
		}
	}
	return nil
}

// dbToolError gives the database commands' errors their exit codes: 75 when
// another run holds the lock, 2 when the input (a container, a name) is
// bad, 1 for everything else (database unreachable, SQL errors).
func dbToolError(what string, err error) error {
	switch {
	case errors.Is(err, dblock.ErrLocked):
		return withExit(exitLocked, fmt.Errorf("%s: %w; try again later", what, err))
	case errors.Is(err, container.ErrNotFound):
		return usageError(fmt.Errorf("%s: %v (run khompctl install)", what, err))
	case errors.Is(err, patterns.ErrMalformedMap), errors.Is(err, patterns.ErrInvalid):
		return usageError(fmt.Errorf("%s: %w", what, err))
	}
	var ee *exitError
	if errors.As(err, &ee) {
		return err
	}
	return withExit(exitFailure, fmt.Errorf("%s: %w", what, err))
}

// dbToolJSON prints v as indented JSON.
func dbToolJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
