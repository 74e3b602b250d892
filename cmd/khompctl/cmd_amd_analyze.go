package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newAMDAnalyzeCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "analyze",
		Short: "Detect answering machines, fax/modem, SIT and beeps in recordings",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("analyze: not implemented yet")
		},
	}
}
