package main

import "github.com/spf13/cobra"

func newConnectionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "connection",
		Short: "Manage named connections; their API keys live in the OS keyring",
	}
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a connection (key on stdin when not a terminal, else a hidden prompt)",
		Args:  cobra.ExactArgs(1),
		RunE:  notYet,
	}
	add.Flags().String("region", "us", "data centre: us or eu")
	add.Flags().String("base-url", "", "another API host (a proxy, the sandbox)")
	add.Flags().Bool("default", false, "make it the default connection")
	list := &cobra.Command{
		Use:   "list",
		Short: "List connections with their masked keys",
		Args:  cobra.NoArgs,
		RunE:  notYet,
	}
	list.Flags().Bool("json", false, "print JSON (never contains a key)")
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a connection and its key",
		Args:  cobra.ExactArgs(1),
		RunE:  notYet,
	}
	use := &cobra.Command{
		Use:   "use NAME",
		Short: "Make a connection the default",
		Args:  cobra.ExactArgs(1),
		RunE:  notYet,
	}
	test := &cobra.Command{
		Use:   "test [NAME]",
		Short: "Check that a connection's key works (GET /api/lists)",
		Args:  cobra.MaximumNArgs(1),
		RunE:  notYet,
	}
	cmd.AddCommand(add, list, remove, use, test)
	return cmd
}
