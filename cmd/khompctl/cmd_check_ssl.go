package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newCheckSSLCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "check-ssl",
		Short: "Check the KHOMP gateway's TLS the way VICIdial's curl sees it, and say what is wrong",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("check-ssl: not implemented yet")
		},
	}
}
