// Command iwb is a terminal workbench for the Iterable marketing platform.
//
// main.go holds only wiring: the command tree, paths, logging and exit codes.
// Each subcommand lives in its own cmd_*.go file and hands over to a room
// (client, webhook, schema, keystore, recipe, tui).
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/internal/oneline"
	"github.com/iwb-dev/iwb/internal/termtext"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

// run executes the command line and returns iwb's exit code. Errors
// reach the user as one line on stderr, never as a stack trace.
func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	root := newRootCmd()
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	err := root.Execute()
	if err == nil {
		return exitOK
	}
	fmt.Fprintln(stderr, "iwb: "+termtext.Line(oneline.Of(err.Error(), 0)))
	return exitCode(err)
}

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "iwb",
		Short: "A terminal workbench for Iterable",
		Long: `iwb is a terminal workbench for the Iterable marketing platform: watch system and
journey webhooks arrive live, make quick manual edits through ten actions, set up
triggers with payload schemas, and keep API keys in the OS keyring.

Run it with no command to open the workbench on the default connection, or
'iwb demo' to try everything against a built-in sandbox with no account.`,
		Version:       version,
		SilenceUsage:  true,
		SilenceErrors: true,
		Args:          cobra.NoArgs,
		RunE:          runWorkbench,
	}
	root.PersistentFlags().Bool("debug", false, "log at debug level (the log file, never the terminal)")
	root.PersistentFlags().String("store", "", "the event log: a postgres:// URL a team shares, or an SQLite file (default: IWB_STORE, else events.db in the iwb home)")
	root.PersistentFlags().Bool("insecure-http", false, "allow an http:// API base URL on a host other than loopback (the key travels in clear)")
	addRootWorkbenchFlags(root)
	root.SetFlagErrorFunc(func(cmd *cobra.Command, err error) error {
		return usageErrorf("%v (see '%s --help')", err, cmd.CommandPath())
	})
	root.AddCommand(
		newDemoCmd(),
		newSandboxCmd(),
		newListenCmd(),
		newConnectionCmd(),
		newActionCmd(),
		newEventsCmd(),
		newTriggerCmd(),
		newSchemaCmd(),
		newRecipeCmd(),
		newJobsCmd(),
		newWebhookCmd(),
		newSettingsCmd(),
		newHistoryCmd(),
		newStoreCmd(),
	)
	return root
}

// iwb's exit codes, the same for every command.
const (
	exitOK       = 0 // done
	exitFailed   = 1 // the API, the network or the listener failed
	exitUsage    = 2 // bad usage or bad input; nothing was sent
	exitNotFound = 3 // not found, e.g. get-user of an unknown email
	exitNoKey    = 4 // no usable key: keyring locked or unavailable, no connection, BadApiKey
)

// exitError carries the exit code an error should end the process with.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// withExit marks err with the exit code it should produce.
func withExit(code int, err error) error {
	if err == nil {
		return nil
	}
	return &exitError{code: code, err: err}
}

// usageErrorf is bad usage or bad input: exit 2, and nothing was sent.
func usageErrorf(format string, a ...any) error {
	return withExit(exitUsage, fmt.Errorf(format, a...))
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	// cobra reports unknown commands and wrong argument counts as plain errors.
	msg := err.Error()
	if strings.HasPrefix(msg, "unknown command") || strings.Contains(msg, "arg(s)") ||
		strings.HasPrefix(msg, "unknown flag") || strings.HasPrefix(msg, "required flag") {
		return exitUsage
	}
	return exitFailed
}
