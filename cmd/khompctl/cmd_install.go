package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"

	"github.com/khompctl/khompctl/pkg/install"
	sqlfiles "github.com/khompctl/khompctl/sql"
	"github.com/spf13/cobra"
)

// InstallOptions are the flags of install.
type InstallOptions struct {
	Out      io.Writer
	DB       func(context.Context) (*sql.DB, error)
	Force    bool
	DryRun   bool
	PrintSQL bool
	JSON     bool
}

func newInstallCmd(f *Factory) *cobra.Command {
	opts := &InstallOptions{}
	cmd := &cobra.Command{
		Use:   "install",
		Short: "Install the KHOMP statuses and settings containers (idempotent)",
		Long: `Create what VICIdial needs for a KHOMP gateway, like VICIdial's KHOMP_settings.sql:

  - 23 KP* statuses in vicidial_statuses: the 17 VICIdial's SQL creates plus KPIS, KPIA,
    KPFORA, KPUNAN, KPPORI and KPNOSP, which its default map uses but never created;
  - the KHOMPSETTINGS container (every key VICIdial reads, with placeholder values
    to edit: gateway URLs, API user and password);
  - the KHOMPSTATUSMAP container with VICIdial's default map, byte for byte.

Running it again changes nothing: missing rows are added, existing rows are never
overwritten (rows that differ from the defaults are reported as kept). --force resets
them to the defaults and prints what it replaced (passwords and tokens masked).
Every statement names its columns, so it works on old and new VICIdial schemas.
` + exitStatusHelp,
		Example: `  khompctl install --dry-run        # what would change
  khompctl install
  khompctl install --print-sql > khomp_install.sql   # for a DBA; no database needed
  khompctl install --force          # reset statuses and containers to the defaults`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			opts.Out, opts.DB = f.IO.Out, f.DB
			return installRun(cmd.Context(), opts)
		},
	}
	fl := cmd.Flags()
	fl.BoolVar(&opts.Force, "force", false, "reset existing statuses and containers to the defaults")
	fl.BoolVar(&opts.DryRun, "dry-run", false, "print what would change; write nothing")
	fl.BoolVar(&opts.PrintSQL, "print-sql", false, "print the equivalent idempotent SQL and exit (no database needed)")
	fl.BoolVar(&opts.JSON, "json", false, "print the steps as JSON")
	cmd.MarkFlagsMutuallyExclusive("print-sql", "dry-run")
	cmd.MarkFlagsMutuallyExclusive("print-sql", "force")
	return cmd
}

func installRun(ctx context.Context, opts *InstallOptions) error {
	if opts.PrintSQL {
		_, err := io.WriteString(opts.Out, sqlfiles.InstallSQL)
		return err
	}
	db, err := opts.DB(ctx)
	if err != nil {
		return err
	}
	steps, err := install.Plan(ctx, db, opts.Force)
	if err != nil {
		return dbToolError("install", err)
	}
	if !opts.DryRun {
		if err := install.Apply(ctx, db, steps); err != nil {
			return dbToolError("install", err)
		}
	}
	if opts.JSON {
		if steps == nil {
			steps = []install.Step{}
		}
		return dbToolJSON(opts.Out, struct {
			DryRun bool           `json:"dry_run"`
			Steps  []install.Step `json:"steps"`
		}{opts.DryRun, steps})
	}
	printInstallSteps(opts.Out, steps, opts.DryRun)
	return nil
}

func printInstallSteps(w io.Writer, steps []install.Step, dryRun bool) {
	prefix := ""
	if dryRun {
		prefix = "would "
	}
	changes := 0
	for _, s := range steps {
		switch s.Kind {
		case install.InsertStatus:
			fmt.Fprintf(w, "%sinsert status %s (%s)\n", prefix, s.Object, s.Note)
		case install.InsertContainer:
			fmt.Fprintf(w, "%sinsert container %s\n", prefix, s.Object)
		case install.ResetStatus:
			fmt.Fprintf(w, "%sreset status %s; it had: %s\n", prefix, s.Object, s.Before)
		case install.ResetContainer:
			if s.Before == "" {
				fmt.Fprintf(w, "%sreset container %s (%s)\n", prefix, s.Object, s.Note)
				break
			}
			fmt.Fprintf(w, "%sreset container %s (%s); its entry was:\n", prefix, s.Object, s.Note)
			fmt.Fprintf(w, "----- %s before -----\n%s\n----- end %s -----\n", s.Object, s.Before, s.Object)
		case install.KeptStatus:
			fmt.Fprintf(w, "kept status %s: %s (%s)\n", s.Object, s.Before, s.Note)
		case install.KeptContainer:
			fmt.Fprintf(w, "kept container %s: %s\n", s.Object, s.Note)
		}
		if s.Changes() {
			changes++
		}
	}
	switch {
	case changes == 0:
		fmt.Fprintln(w, "install: nothing to change")
	case dryRun:
		fmt.Fprintf(w, "install: %d change(s) planned; nothing written (--dry-run)\n", changes)
	default:
		fmt.Fprintf(w, "install: %d change(s) written\n", changes)
	}
}
