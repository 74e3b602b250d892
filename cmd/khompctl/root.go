package main

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/spf13/cobra"
)

// run builds the command tree, executes it and returns the exit code. It is
// what main calls and what end-to-end tests call.
func run(ctx context.Context, args []string, ios *IOStreams) int {
	f := newFactory(ios)
	defer f.close()
	root := newRootCmd(f)
	root.SetArgs(args)
	root.SetIn(ios.In)
	root.SetOut(ios.Out)
	root.SetErr(ios.ErrOut)
	err := root.ExecuteContext(ctx)
	if err == nil {
		return exitOK
	}
	if msg := oneLine(err); msg != "" {
		fmt.Fprintf(ios.ErrOut, "khompctl: %s\n", msg)
	}
	return exitCodeFor(err)
}

func newRootCmd(f *Factory) *cobra.Command {
	root := &cobra.Command{
		Use:   "khompctl",
		Short: "VICIdial + KHOMP operations: database cron jobs, gateway tools, answering-machine detection",
		Long: `khompctl replaces VICIdial's KHOMP Perl utilities with one binary and adds the tools a
VICIdial administrator or telephony engineer needs around a KHOMP call-analytics gateway.

The database commands read the VICIdial database settings from /etc/astguiclient.conf
(VICIdial's own KEY => value rules), or from --dsn / $KHOMPCTL_DSN.
` + exitStatusHelp,
		Example: `  # Install the KHOMP statuses and containers (idempotent)
  khompctl install

  # Cron, every minute: add new conclusion/pattern pairs to KHOMPSTATUSMAP
  * * * * * khompctl update-patterns

  # Cron, every 30 minutes, once per KHOMP settings container
  */30 * * * * khompctl auth --khomp-container KHOMPSETTINGS

  # Why was this recording called a machine?
  khompctl amd analyze --events call.wav`,
		Version:       f.Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		PersistentPreRunE: func(cmd *cobra.Command, _ []string) error {
			var lvl slog.Level
			if err := lvl.UnmarshalText([]byte(f.LogLevel)); err != nil {
				return usageError(fmt.Errorf("--log-level: %v", err))
			}
			f.Log = slog.New(slog.NewTextHandler(f.IO.ErrOut, &slog.HandlerOptions{Level: lvl}))
			return nil
		},
	}
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return usageError(err) })
	pf := root.PersistentFlags()
	pf.StringVar(&f.ConfPath, "conf", f.ConfPath, "VICIdial `file` with the database settings (astguiclient.conf)")
	pf.StringVar(&f.DSN, "dsn", "", "database DSN user:pass@tcp(host:port)/db (overrides --conf; env KHOMPCTL_DSN)")
	pf.StringVar(&f.LogLevel, "log-level", "warn", "diagnostics on stderr: debug, info, warn or error")

	root.AddCommand(
		newInstallCmd(f),
		newUpdatePatternsCmd(f),
		newPatternsCmd(f),
		newStatusCmd(f),
		newAuthCmd(f),
		newCheckSSLCmd(f),
		newCallsCmd(f),
		newAMDCmd(f),
	)
	return root
}
