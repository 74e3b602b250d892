package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newStatusCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "status",
		Short: "At-a-glance health of the KHOMP integration",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("status: not implemented yet")
		},
	}
}
