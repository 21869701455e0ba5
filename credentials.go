package main

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/keystore"
)

// credentials are what a command needs to call Iterable.
type credentials struct {
	Connection string // the connection's name, or "ITERABLE_API_KEY" when the key came from there
	Region     string // us or eu
	BaseURL    string // where requests go
	Key        string // the API key; never print or log it
	// InsecureHTTP allows an http:// base URL off loopback (--insecure-http).
	InsecureHTTP bool
}

// label names the connection as the history shows it, e.g. "acme-prod (us)".
func (c credentials) label() string {
	if c.Region == "" {
		return c.Connection
	}
	return c.Connection + " (" + c.Region + ")"
}

// newClient is a client calling Iterable as iwb with these credentials.
func (c credentials) newClient(log *slog.Logger) (*client.Client, error) {
	return client.New(client.Options{BaseURL: c.BaseURL, Key: c.Key, UserAgent: "iwb/" + version, Logger: log,
		InsecureHTTP: c.InsecureHTTP})
}

// resolveCredentials finds the key and base URL for a command. ITERABLE_API_KEY
// overrides the keyring for every command, keeping the named or default
// connection's region and base URL when there is one; otherwise the named
// connection, or the default one, comes from the keystore. ITERABLE_BASE_URL
// and then --base-url (when the command has it) override the host.
func resolveCredentials(cmd *cobra.Command, a *app, name string) (credentials, error) {
	return credentialsFrom(cmd, func() (*keystore.Store, error) { return openKeystore(cmd, a) }, name)
}

// credentialsFrom is resolveCredentials with the keystore opened by
// openKS, only when the environment gives no key.
func credentialsFrom(cmd *cobra.Command, openKS func() (*keystore.Store, error), name string) (credentials, error) {
	c := credentials{Region: string(keystore.RegionUS), BaseURL: keystore.RegionUS.BaseURL()}
	if key := os.Getenv("ITERABLE_API_KEY"); key != "" {
		c.Connection, c.Key = "ITERABLE_API_KEY", key
		// Only the config is read: the keyring is not needed.
		if ks, err := openKS(); err == nil {
			if conn, err := ks.Resolve(name); err == nil {
				c.Region, c.BaseURL = string(conn.Region), conn.Endpoint()
			}
		}
	} else {
		ks, err := openKS()
		if err != nil {
			return c, err
		}
		conn, err := ks.Resolve(name)
		if err != nil {
			return c, keystoreError(err, exitNoKey)
		}
		key, err := ks.Key(conn.Name)
		if err != nil {
			return c, keystoreError(err, exitNoKey)
		}
		c = credentials{Connection: conn.Name, Region: string(conn.Region), BaseURL: conn.Endpoint(), Key: key}
	}
	if u := os.Getenv("ITERABLE_BASE_URL"); u != "" {
		c.BaseURL = u
	}
	if f := cmd.Flags().Lookup("base-url"); f != nil && f.Value.String() != "" {
		c.BaseURL = f.Value.String()
	}
	c.InsecureHTTP = insecureHTTP(cmd)
	return c, nil
}

// insecureHTTP is the global --insecure-http flag.
func insecureHTTP(cmd *cobra.Command) bool {
	on, _ := cmd.Flags().GetBool("insecure-http")
	return on
}

// openKeystore opens the keystore of the iwb home, honouring
// IWB_KEYRING_BACKEND and IWB_KEYRING_PASSPHRASE.
func openKeystore(cmd *cobra.Command, a *app) (*keystore.Store, error) {
	return openKeystoreWith(a, askPassphrase(cmd.InOrStdin(), cmd.ErrOrStderr()))
}

// openKeystoreWith opens the keystore with the given way of getting the file
// keyring's passphrase.
func openKeystoreWith(a *app, passphrase func(keystore.PassphraseRequest) (string, error)) (*keystore.Store, error) {
	ks, err := keystore.Open(keystore.Options{
		ConfigFile: a.paths.ConfigFile(),
		KeyringDir: a.paths.KeyringDir(),
		Backend:    os.Getenv("IWB_KEYRING_BACKEND"),
		Passphrase: passphrase,
		Log:        a.log,
	})
	if err != nil {
		return nil, keystoreError(err, exitNoKey)
	}
	return ks, nil
}

// keystoreError gives a keystore error iwb's exit code. notFound is
// the code for an unknown connection name: 4 where a key was wanted, 3 where
// the connection itself was the subject.
func keystoreError(err error, notFound int) error {
	var coded *exitError
	switch {
	case errors.As(err, &coded):
		return err
	case errors.Is(err, keystore.ErrInvalid):
		return withExit(exitUsage, err)
	case errors.Is(err, keystore.ErrConnectionNotFound):
		return withExit(notFound, err)
	case errors.Is(err, keystore.ErrNoConnection), errors.Is(err, keystore.ErrKeyNotFound),
		errors.Is(err, keystore.ErrKeyringUnavailable), errors.Is(err, keystore.ErrWrongPassphrase),
		errors.Is(err, keystore.ErrNoPassphrase):
		return withExit(exitNoKey, err)
	default:
		return err
	}
}

// askPassphrase is the file keyring's passphrase: IWB_KEYRING_PASSPHRASE, or
// asked on the terminal with echo off. A new keyring's passphrase is asked
// twice so a typo cannot lock the keys away.
func askPassphrase(stdin io.Reader, stderr io.Writer) func(keystore.PassphraseRequest) (string, error) {
	return func(req keystore.PassphraseRequest) (string, error) {
		if p, ok := os.LookupEnv("IWB_KEYRING_PASSPHRASE"); ok {
			return p, nil
		}
		tty, err := openTerminal(stdin, stderr)
		if err != nil {
			return "", keystore.ErrNoPassphrase
		}
		defer tty.close()
		p, err := tty.readHidden(req.Prompt())
		if err != nil || !req.New {
			return p, err
		}
		again, err := tty.readHidden("Type it again: ")
		if err != nil {
			return "", err
		}
		if again != p {
			return "", usageErrorf("the two passphrases differ: nothing was stored, try again")
		}
		return p, nil
	}
}

// terminal is where hidden input is read: its descriptor, and where the
// prompt goes.
type terminal struct {
	fd    int
	out   io.Writer
	close func() error
}

// openTerminal finds a terminal to ask on: the controlling terminal, so that
// stdin can still carry data, or else stdin when it is one.
func openTerminal(stdin io.Reader, stderr io.Writer) (terminal, error) {
	if f, err := os.OpenFile("/dev/tty", os.O_RDWR, 0); err == nil {
		if term.IsTerminal(int(f.Fd())) {
			return terminal{fd: int(f.Fd()), out: f, close: f.Close}, nil
		}
		f.Close()
	}
	if t, ok := stdinTerminal(stdin, stderr); ok {
		return t, nil
	}
	return terminal{}, errors.New("no terminal to ask on")
}

// stdinTerminal is stdin as a terminal, when it is one.
func stdinTerminal(stdin io.Reader, stderr io.Writer) (terminal, bool) {
	f, ok := stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return terminal{}, false
	}
	return terminal{fd: int(f.Fd()), out: stderr, close: func() error { return nil }}, true
}

// readHidden asks with echo off.
func (t terminal) readHidden(prompt string) (string, error) {
	restore, err := echoOff(t.fd)
	if err != nil {
		return "", fmt.Errorf("turning the terminal's echo off: %w", err)
	}
	fmt.Fprint(t.out, prompt)
	b, err := term.ReadPassword(t.fd)
	restore()
	fmt.Fprintln(t.out)
	if err != nil {
		return "", fmt.Errorf("reading from the terminal: %w", err)
	}
	return string(b), nil
}
