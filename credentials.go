package main

import (
	"errors"
	"os"

	"github.com/spf13/cobra"
)

// credentials are what a command needs to call Iterable.
type credentials struct {
	Connection string // the connection's name, or "ITERABLE_API_KEY" when the key came from there
	Region     string // us or eu
	BaseURL    string // where requests go
	Key        string // the API key; never print or log it
}

// resolveCredentials finds the key and base URL for a command. ITERABLE_API_KEY
// overrides the keyring for every command; --base-url (when the command has it)
// and then ITERABLE_BASE_URL override the region's host.
func resolveCredentials(cmd *cobra.Command, a *app, name string) (credentials, error) {
	c := credentials{Region: "us", BaseURL: "https://api.iterable.com"}
	if key := os.Getenv("ITERABLE_API_KEY"); key != "" {
		c.Connection, c.Key = "ITERABLE_API_KEY", key
	} else {
		// Filled in by the keystore: the named or default connection's key.
		return c, withExit(exitNoKey, errors.New("no connection: add one with 'iwb connection add NAME' or set ITERABLE_API_KEY"))
	}
	if u := os.Getenv("ITERABLE_BASE_URL"); u != "" {
		c.BaseURL = u
	}
	if f := cmd.Flags().Lookup("base-url"); f != nil && f.Value.String() != "" {
		c.BaseURL = f.Value.String()
	}
	return c, nil
}
