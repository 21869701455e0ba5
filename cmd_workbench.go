package main

import "github.com/spf13/cobra"

// runWorkbench opens the TUI on the default connection.
func runWorkbench(cmd *cobra.Command, args []string) error { return notYet(cmd, args) }

func newDemoCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "demo",
		Short: "Open the workbench on a built-in sandbox with simulated webhook traffic; no key needed",
		Long: `demo starts a local sandbox of the Iterable API and the webhook listener on free
local ports, points the sandbox's system webhook at the listener, and opens the
workbench with simulated webhook traffic. Nothing touches the keyring or Iterable.`,
		Args: cobra.NoArgs,
		RunE: notYet,
	}
}
