package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newInstallCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "install",
		Short: "Install the KHOMP statuses and settings containers (idempotent)",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("install: not implemented yet")
		},
	}
}
