package main

import "github.com/spf13/cobra"

func newActionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "action",
		Short: "Run one of the ten Iterable actions headlessly",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the ten actions",
		Args:  cobra.NoArgs,
		RunE:  notYet,
	}
	runCmd := &cobra.Command{
		Use:   "run ACTION",
		Short: "Run an action: the body goes out as given, the answer is printed as JSON",
		Args:  cobra.ExactArgs(1),
		RunE:  notYet,
	}
	f := runCmd.Flags()
	f.String("connection", "", "the connection to use (default: the default connection)")
	f.String("base-url", "", "another API host (overrides ITERABLE_BASE_URL)")
	f.String("data", "", "the request body: JSON, @FILE, or - for stdin")
	f.String("file", "", "users from a .jsonl or .csv file (bulk-upsert-users, add-subscribers)")
	f.Bool("dry-run", false, "check the request without sending it")
	f.Bool("curl", false, "print the request as a curl command (key masked) instead of sending it")
	f.Bool("yes", false, "do not ask before writes that reach people")
	cmd.AddCommand(list, runCmd)
	return cmd
}
