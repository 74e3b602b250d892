package main

import (
	"errors"

	"github.com/spf13/cobra"
)

// TODO(owner): replace this placeholder with the real command.
func newAMDTemplateCmd(f *Factory) *cobra.Command {
	return &cobra.Command{
		Use:   "template",
		Short: "Manage the voicemail/announcement template library",
		RunE: func(*cobra.Command, []string) error {
			return errors.New("template: not implemented yet")
		},
	}
}
