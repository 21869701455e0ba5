package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/webhook"
)

func newSettingsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "settings",
		Short: "Settings kept with the event log, shared by iwb listen and the workbench",
	}
	publicURL := &cobra.Command{
		Use:   "public-url URL",
		Short: "Set the tunnel's address that Iterable sends webhooks to (\"\" clears it)",
		Long: `public-url saves the base URL Iterable reaches the listener at: your tunnel's
HTTPS address, e.g. https://abc.ngrok.app. 'iwb webhook setup' points the system
webhook there, and 'iwb webhook show' lists the URLs under it. An empty URL
clears it.`,
		Args: cobra.ExactArgs(1),
		RunE: runSettingsPublicURL,
	}
	cmd.AddCommand(publicURL)
	return cmd
}

func runSettingsPublicURL(cmd *cobra.Command, args []string) error {
	if _, err := webhook.CheckPublicURL(args[0]); err != nil {
		return usageErrorf("%v", err)
	}
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	saved, err := st.SetPublicURL(cmd.Context(), args[0])
	if err != nil {
		return err
	}
	if saved == "" {
		fmt.Fprintln(cmd.OutOrStdout(), "public URL cleared")
		return nil
	}
	fmt.Fprintf(cmd.OutOrStdout(), "public URL: %s (see 'iwb webhook show' for the URLs to give Iterable)\n", saved)
	return nil
}
