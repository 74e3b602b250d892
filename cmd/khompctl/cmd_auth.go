package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newAuthCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "auth",
		Short: "Log in to the KHOMP gateway and store the API token in a settings container",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("auth: not implemented yet")
		},
	}
}
