package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newAMDLearnCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "learn",
		Short: "Graduate recurring captured greetings into the template library",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("learn: not implemented yet")
		},
	}
}
