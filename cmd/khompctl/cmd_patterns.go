package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newPatternsCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "patterns",
		Short: "List KHOMPSTATUSMAP entries or set the action for a pair",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("patterns: not implemented yet")
		},
	}
}
