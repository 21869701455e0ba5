package keystore

import (
	"errors"
	"fmt"
)

var (
	// ErrInvalid is bad input (a name, key, region or URL): nothing was written.
	ErrInvalid = errors.New("invalid input")
	// ErrConnectionNotFound is a connection name that is not in the config.
	ErrConnectionNotFound = errors.New("no such connection")
	// ErrNoConnection means no connection was named and there is no default.
	ErrNoConnection = errors.New("no connection: add one with 'iwb connection add NAME' or set ITERABLE_API_KEY")
	// ErrKeyNotFound is a key missing from the keyring, whatever the backend
	// said (keyring.ErrKeyNotFound, a missing file, ENOKEY, ...).
	ErrKeyNotFound = errors.New("the key is not in the keyring")
	// ErrKeyringUnavailable means no keyring backend could be opened or used:
	// no session bus, the keyring is locked, the backend is not on this system.
	ErrKeyringUnavailable = errors.New("keyring unavailable")
	// ErrWrongPassphrase is a file keyring passphrase that does not decrypt it.
	ErrWrongPassphrase = errors.New("wrong passphrase for the file keyring: check IWB_KEYRING_PASSPHRASE or the passphrase typed")
	// ErrNoPassphrase means the file keyring needs a passphrase and there is
	// no way to get one.
	ErrNoPassphrase = errors.New("the file keyring needs a passphrase: set IWB_KEYRING_PASSPHRASE or run iwb in a terminal")
)

// invalidError is bad input with its own message; errors.Is(err, ErrInvalid)
// holds for it.
type invalidError struct{ msg string }

func (e *invalidError) Error() string { return e.msg }
func (e *invalidError) Unwrap() error { return ErrInvalid }

func invalidf(format string, a ...any) error {
	return &invalidError{msg: fmt.Sprintf(format, a...)}
}
