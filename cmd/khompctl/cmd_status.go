package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/khompctl/khompctl/pkg/dbstatus"
	"github.com/spf13/cobra"
)

// StatusOptions are the flags of status.
type StatusOptions struct {
	Out  io.Writer
	Now  func() time.Time
	DB   func(context.Context) (*sql.DB, error)
	JSON bool
}

func newStatusCmd(f *Factory) *cobra.Command {
	opts := &StatusOptions{}
	cmd := &cobra.Command{
		Use:   "status",
		Short: "At-a-glance health of the KHOMP integration",
		Long: `Check the VICIdial side of the KHOMP integration: the database answers, KHOMPSTATUSMAP and
KHOMPSETTINGS exist, how many map entries are still unclassified, whether every status
the map sets exists, for each KHOMP settings container (KHOMPSETTINGS and every
container of type KHOMP_SETTINGS) whether its API token is valid and for how long,
KHOMP campaigns pointing at a missing container, and the traffic in vicidial_khomp_log
(newest row, rows in the last hour and day, top conclusions of the last day).

Each check is OK, INFO, WARN or FAIL. The exit status is 1 when any check is WARN or
FAIL, so the command can feed monitoring (Nagios-style) directly.
` + exitStatusHelp,
		Example: `  khompctl status
  khompctl status --json | jq '.checks[] | select(.state != "OK")'`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out, opts.Now, opts.DB = f.IO.Out, f.Now, f.DB
			return statusRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().BoolVar(&opts.JSON, "json", false, "print the report as JSON")
	return cmd
}

func statusRun(ctx context.Context, opts *StatusOptions) error {
	var report dbstatus.Report
	db, err := opts.DB(ctx)
	if err == nil {
		report, err = dbstatus.Collect(ctx, db, opts.Now())
	}
	if err != nil {
		var ee *exitError
		if errors.As(err, &ee) && ee.code == exitUsage {
			return err // bad --conf/--dsn: a usage problem, not a health result
		}
		report.Checks = append(report.Checks, dbstatus.Check{Name: "database", State: dbstatus.Fail, Detail: oneLine(err)})
	}
	if opts.JSON {
		if report.Tokens == nil {
			report.Tokens = []dbstatus.Token{}
		}
		if report.TopConclusions == nil {
			report.TopConclusions = []dbstatus.Conclusion{}
		}
		out := struct {
			Attention bool `json:"needs_attention"`
			dbstatus.Report
		}{report.NeedsAttention(), report}
		if err := dbToolJSON(opts.Out, out); err != nil {
			return err
		}
	} else if err := printStatus(opts.Out, report); err != nil {
		return err
	}
	if report.NeedsAttention() {
		return silentExit(exitFailure)
	}
	return nil
}

func printStatus(w io.Writer, r dbstatus.Report) error {
	t := newTable(w)
	t.Header("CHECK", "STATE", "DETAIL")
	for _, c := range r.Checks {
		if err := t.Append(c.Name, c.State, c.Detail); err != nil {
			return err
		}
	}
	if err := t.Render(); err != nil {
		return err
	}
	if len(r.TopConclusions) == 0 {
		return nil
	}
	fmt.Fprintln(w, "\nTop conclusions, last 24 hours:")
	t = newTable(w)
	t.Header("CONCLUSION", "CALLS")
	for _, c := range r.TopConclusions {
		name := tableCell(c.Conclusion)
		if name == "" {
			name = "(none)"
		}
		if err := t.Append(name, c.Calls); err != nil {
			return err
		}
	}
	return t.Render()
}
