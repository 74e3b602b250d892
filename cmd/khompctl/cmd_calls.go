package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newCallsCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "calls",
		Short: "Look a call up on the KHOMP gateway and show what VICIdial would do with it",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("calls: not implemented yet")
		},
	}
}
