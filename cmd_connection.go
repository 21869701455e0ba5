package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/iwb-dev/iwb/internal/secret"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/keystore"
)

func newConnectionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "connection",
		Short: "Manage named connections; their API keys live in the OS keyring",
	}
	add := &cobra.Command{
		Use:   "add NAME",
		Short: "Add a connection (key on stdin when not a terminal, else a hidden prompt)",
		Args:  cobra.ExactArgs(1),
		RunE:  runConnectionAdd,
	}
	add.Flags().String("region", "us", "data centre: us or eu")
	add.Flags().String("base-url", "", "another API host (a proxy, the sandbox)")
	add.Flags().Bool("default", false, "make it the default connection")
	add.Flags().Bool("replace", false, "replace a connection of the same name, key and all")
	list := &cobra.Command{
		Use:   "list",
		Short: "List connections with their masked keys",
		Args:  cobra.NoArgs,
		RunE:  runConnectionList,
	}
	list.Flags().Bool("json", false, "print JSON (never contains a key)")
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a connection and its key",
		Args:  cobra.ExactArgs(1),
		RunE:  runConnectionRemove,
	}
	use := &cobra.Command{
		Use:   "use NAME",
		Short: "Make a connection the default",
		Args:  cobra.ExactArgs(1),
		RunE:  runConnectionUse,
	}
	test := &cobra.Command{
		Use:   "test [NAME]",
		Short: "Check that a connection's key works (GET /api/lists)",
		Args:  cobra.MaximumNArgs(1),
		RunE:  runConnectionTest,
	}
	cmd.AddCommand(add, list, remove, use, test)
	return cmd
}

// withKeystore runs f with the app and keystore of the iwb home, closing the
// log afterwards.
func withKeystore(cmd *cobra.Command, f func(a *app, ks *keystore.Store) error) error {
	a, err := loadApp(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	ks, err := openKeystore(cmd, a)
	if err != nil {
		return err
	}
	return f(a, ks)
}

func runConnectionAdd(cmd *cobra.Command, args []string) error {
	region, _ := cmd.Flags().GetString("region")
	baseURL, _ := cmd.Flags().GetString("base-url")
	makeDefault, _ := cmd.Flags().GetBool("default")
	replace, _ := cmd.Flags().GetBool("replace")
	return withKeystore(cmd, func(_ *app, ks *keystore.Store) error {
		// Check the name, region and URL before asking for the key.
		conn, err := ks.Check(keystore.Connection{Name: args[0], Region: keystore.Region(region), BaseURL: baseURL}, replace)
		if err != nil {
			return keystoreError(err, exitUsage)
		}
		key, err := readKey(cmd, conn.Name)
		if err != nil {
			return err
		}
		add := ks.Add
		if replace {
			add = ks.Replace
		}
		added, err := add(conn, key, makeDefault)
		if err != nil {
			return keystoreError(err, exitUsage)
		}
		if !keystore.LooksLikeIterableKey(key) {
			fmt.Fprintln(cmd.ErrOrStderr(), "iwb: warning: the key is not 32 lowercase hex characters like Iterable's keys; stored anyway")
		}
		fmt.Fprintf(cmd.OutOrStdout(), "added %s (%s, %s), key %s in the %s keyring", added.Name, added.Region,
			added.Endpoint(), secret.Mask(key), added.Backend)
		if added.Default {
			fmt.Fprint(cmd.OutOrStdout(), "; it is the default")
		}
		fmt.Fprintln(cmd.OutOrStdout())
		return nil
	})
}

// maxKeyBytes bounds what is read from stdin as a key.
const maxKeyBytes = 4096

// readKey reads the API key: a hidden prompt when stdin is a terminal, else
// stdin itself, without its trailing newline.
func readKey(cmd *cobra.Command, name string) (string, error) {
	in := cmd.InOrStdin()
	if tty, ok := stdinTerminal(in, cmd.ErrOrStderr()); ok {
		return tty.readHidden(fmt.Sprintf("API key for %s (hidden): ", name))
	}
	data, err := io.ReadAll(io.LimitReader(in, maxKeyBytes+1))
	if err != nil {
		return "", fmt.Errorf("reading the key from stdin: %w", err)
	}
	if len(data) > maxKeyBytes {
		return "", usageErrorf("the key on stdin is over %d bytes: pipe only the key", maxKeyBytes)
	}
	return strings.TrimRight(string(data), "\r\n"), nil
}

// listedConnection is a line of 'connection list --json': never the key.
type listedConnection struct {
	Name         string `json:"name"`
	Region       string `json:"region"`
	BaseURL      string `json:"baseUrl"`
	Default      bool   `json:"default"`
	MaskedKey    string `json:"maskedKey"`    // "" when the key is not in the keyring
	KeyInKeyring bool   `json:"keyInKeyring"` // false: remove the connection and add it again
}

func runConnectionList(cmd *cobra.Command, _ []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	return withKeystore(cmd, func(_ *app, ks *keystore.Store) error {
		entries, err := ks.List()
		if err != nil {
			return keystoreError(err, exitNotFound)
		}
		listed := make([]listedConnection, len(entries))
		for i, e := range entries {
			l := listedConnection{Name: e.Name, Region: string(e.Region), BaseURL: e.Endpoint(), Default: e.Default}
			key, err := ks.Key(e.Name)
			switch {
			case err == nil:
				l.MaskedKey, l.KeyInKeyring = secret.Mask(key), true
			case !errors.Is(err, keystore.ErrKeyNotFound):
				return keystoreError(err, exitNoKey)
			}
			listed[i] = l
		}
		out := cmd.OutOrStdout()
		if asJSON {
			enc := json.NewEncoder(out)
			enc.SetIndent("", "  ")
			return enc.Encode(listed)
		}
		if len(listed) == 0 {
			fmt.Fprintln(out, "no connections: add one with 'iwb connection add NAME'")
			return nil
		}
		w := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
		fmt.Fprintln(w, "  NAME\tREGION\tBASE URL\tKEY")
		for _, l := range listed {
			mark, key := " ", l.MaskedKey
			if l.Default {
				mark = "*"
			}
			if !l.KeyInKeyring {
				key = "(not in the keyring: remove and add again)"
			}
			fmt.Fprintf(w, "%s %s\t%s\t%s\t%s\n", mark, l.Name, l.Region, l.BaseURL, key)
		}
		return w.Flush()
	})
}

func runConnectionRemove(cmd *cobra.Command, args []string) error {
	return withKeystore(cmd, func(_ *app, ks *keystore.Store) error {
		removed, err := ks.Remove(args[0])
		if err != nil {
			return keystoreError(err, exitNotFound)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "removed %s and its key\n", args[0])
		if removed.WasDefault && removed.Default != "" {
			fmt.Fprintf(cmd.OutOrStdout(), "the default connection is now %s\n", removed.Default)
		}
		return nil
	})
}

func runConnectionUse(cmd *cobra.Command, args []string) error {
	return withKeystore(cmd, func(_ *app, ks *keystore.Store) error {
		if err := ks.Use(args[0]); err != nil {
			return keystoreError(err, exitNotFound)
		}
		fmt.Fprintf(cmd.OutOrStdout(), "the default connection is now %s\n", args[0])
		return nil
	})
}

// runConnectionTest checks that the key can be read, through the same
// resolution every command uses.
func runConnectionTest(cmd *cobra.Command, args []string) error {
	a, err := loadApp(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	name := ""
	if len(args) == 1 {
		name = args[0]
	}
	c, err := resolveCredentials(cmd, a, name)
	if err != nil {
		return err
	}
	source := "read from the keyring"
	if c.Connection == "ITERABLE_API_KEY" {
		source = "taken from ITERABLE_API_KEY"
	}
	api, err := c.newClient(a.log)
	if err != nil {
		return usageErrorf("%v", err)
	}
	// GET /api/lists is a call even a read-only key may make.
	lists, err := api.Lists(cmd.Context())
	if err != nil {
		return actionError(fmt.Errorf("testing %s: %w", c.Connection, err))
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s (%s, %s): key %s %s; accepted by the API (%d lists)\n",
		c.Connection, c.Region, c.BaseURL, secret.Mask(c.Key), source, len(lists))
	return nil
}
