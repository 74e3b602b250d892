package main

import "github.com/spf13/cobra"

func newAMDCmd(f *Factory) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "amd",
		Short: "Answering-machine detection on call recordings",
	}
	cmd.AddCommand(newAMDAnalyzeCmd(f), newAMDTemplateCmd(f), newAMDLearnCmd(f))
	return cmd
}
