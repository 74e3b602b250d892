package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newUpdatePatternsCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "update-patterns",
		Short: "Append new conclusion/pattern pairs from vicidial_khomp_log to KHOMPSTATUSMAP",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("update-patterns: not implemented yet")
		},
	}
}
