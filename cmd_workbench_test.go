package main

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/keystore"
)

// TestPassphraseIsNeverAskedOnceTheTUIRuns: before the TUI the terminal is
// asked; once it runs, only IWB_KEYRING_PASSPHRASE counts, and without it the
// error says what to do.
func TestPassphraseIsNeverAskedOnceTheTUIRuns(t *testing.T) {
	t.Setenv("IWB_KEYRING_PASSPHRASE", "")
	os.Unsetenv("IWB_KEYRING_PASSPHRASE") // restored by t.Setenv's cleanup
	asked := 0
	p := &tuiPassphrase{ask: func(keystore.PassphraseRequest) (string, error) { asked++; return "typed", nil }}
	if got, err := p.get(keystore.PassphraseRequest{}); got != "typed" || err != nil || asked != 1 {
		t.Fatalf("before the TUI: %q, %v, asked %d times; want the terminal asked once", got, err, asked)
	}

	p.inTUI.Store(true)
	_, err := p.get(keystore.PassphraseRequest{})
	if asked != 1 {
		t.Fatal("the terminal was asked while the TUI runs")
	}
	if !errors.Is(err, keystore.ErrNoPassphrase) || !strings.Contains(err.Error(), "set IWB_KEYRING_PASSPHRASE") ||
		exitCode(keystoreError(err, exitNoKey)) != exitNoKey {
		t.Errorf("in the TUI without the variable: %v; want ErrNoPassphrase saying what to set", err)
	}

	t.Setenv("IWB_KEYRING_PASSPHRASE", "from env")
	if got, err := p.get(keystore.PassphraseRequest{}); got != "from env" || err != nil || asked != 1 {
		t.Errorf("in the TUI with IWB_KEYRING_PASSPHRASE: %q, %v", got, err)
	}
}
