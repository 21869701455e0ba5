package main

import "github.com/spf13/cobra"

func newSandboxCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "sandbox",
		Short: "Run the local Iterable API stand-in alone",
		Long: `sandbox serves a local, in-memory stand-in for the Iterable API with the same
paths, validation and error bodies. It accepts only the key given with --key, or
a generated one that it prints.`,
		Args: cobra.NoArgs,
		RunE: notYet,
	}
	cmd.Flags().String("addr", "127.0.0.1:0", "address to listen on (HOST:PORT)")
	cmd.Flags().String("key", "", "the only API key accepted (default: a generated one)")
	cmd.Flags().String("webhook-url", "", "point the sandbox's system webhook at this URL and enable it")
	return cmd
}
