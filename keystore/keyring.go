package keystore

import (
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/99designs/keyring"
)

// Service is the keyring service iwb's items live under; each item is named
// after its connection.
const Service = "iwb"

// secretServiceCollection is the collection keys go to: the login keyring is
// unlocked with the session, so no GUI prompt is needed.
const secretServiceCollection = "login"

// Backend names as IWB_KEYRING_BACKEND takes them.
var backendNames = []keyring.BackendType{
	keyring.KeychainBackend,
	keyring.WinCredBackend,
	keyring.SecretServiceBackend,
	keyring.KWalletBackend,
	keyring.KeyCtlBackend,
	keyring.PassBackend,
	keyring.FileBackend,
}

// backendsFor is the list of backends to try in order: the forced one, or the
// operating system's own store first and the encrypted file last.
func backendsFor(forced, goos string) ([]keyring.BackendType, error) {
	if forced != "" {
		b := keyring.BackendType(forced)
		if !slices.Contains(backendNames, b) {
			names := make([]string, len(backendNames))
			for i, n := range backendNames {
				names[i] = string(n)
			}
			return nil, invalidf("unknown IWB_KEYRING_BACKEND %q: use one of %s", forced, strings.Join(names, ", "))
		}
		return []keyring.BackendType{b}, nil
	}
	switch goos {
	case "darwin":
		return []keyring.BackendType{keyring.KeychainBackend}, nil
	case "windows":
		return []keyring.BackendType{keyring.WinCredBackend}, nil
	case "linux":
		return []keyring.BackendType{keyring.SecretServiceBackend, keyring.KeyCtlBackend, keyring.FileBackend}, nil
	default:
		return []keyring.BackendType{keyring.FileBackend}, nil
	}
}

// PassphraseRequest is what the passphrase function is told when the file
// keyring needs its passphrase.
type PassphraseRequest struct {
	Dir string // the file keyring's folder
	New bool   // the keyring holds no key yet: the passphrase is being chosen
}

// Prompt is a one-line question for a terminal.
func (r PassphraseRequest) Prompt() string {
	if r.New {
		return fmt.Sprintf("New passphrase for the iwb file keyring (%s): ", r.Dir)
	}
	return fmt.Sprintf("Passphrase for the iwb file keyring (%s): ", r.Dir)
}

// passphraseError carries the passphrase function's own error through the
// keyring library untouched, so its meaning (and exit code) survives.
type passphraseError struct{ err error }

func (e *passphraseError) Error() string { return e.err.Error() }
func (e *passphraseError) Unwrap() error { return e.err }

// ring is an opened keyring and the backend it is.
type ring struct {
	kr      keyring.Keyring
	backend keyring.BackendType
}

// normalize turns the backends' many errors into the keystore's few.
func (r *ring) normalize(err error) error {
	var pe *passphraseError
	switch {
	case err == nil:
		return nil
	case errors.As(err, &pe):
		return pe.err
	case errors.Is(err, keyring.ErrKeyNotFound), errors.Is(err, fs.ErrNotExist):
		return ErrKeyNotFound
	case r.backend == keyring.FileBackend && isWrongPassphrase(err):
		return ErrWrongPassphrase
	default:
		hint := "set IWB_KEYRING_BACKEND=file to use an encrypted file instead"
		switch r.backend {
		case keyring.SecretServiceBackend:
			hint = "is the login keyring unlocked? else " + hint
		case keyring.FileBackend:
			hint = "the keyring file may be damaged"
		}
		return fmt.Errorf("%w: %v (%s)", ErrKeyringUnavailable, err, hint)
	}
}

// isWrongPassphrase recognises jose2go's failure to unwrap the content key,
// which is what a wrong passphrase produces. jose2go has no error value for
// it, only this message.
func isWrongPassphrase(err error) bool {
	return strings.Contains(err.Error(), "integrity check failed")
}

func (r *ring) get(name string) (string, error) {
	item, err := r.kr.Get(name)
	if err != nil {
		return "", r.normalize(err)
	}
	return string(item.Data), nil
}

func (r *ring) set(name, key string) error {
	if r.backend == keyring.FileBackend {
		if err := r.checkPassphrase(); err != nil {
			return err
		}
	}
	return r.normalize(r.kr.Set(keyring.Item{
		Key:         name,
		Data:        []byte(key),
		Label:       Service + ": " + name,
		Description: "Iterable API key for the iwb connection " + name,
	}))
}

func (r *ring) remove(name string) error {
	return r.normalize(r.kr.Remove(name))
}

// checkPassphrase decrypts one key already in the file keyring before a new
// one is written, so a mistyped passphrase cannot leave keys encrypted under
// two passphrases. A keyring with no readable key accepts any passphrase.
func (r *ring) checkPassphrase() error {
	names, err := r.kr.Keys()
	if err != nil {
		return r.normalize(err)
	}
	for _, name := range names {
		_, err := r.get(name)
		if errors.Is(err, ErrKeyNotFound) || errors.Is(err, ErrKeyringUnavailable) {
			continue // a vanished or damaged item says nothing about the passphrase
		}
		return err // nil when it decrypted; else a wrong or missing passphrase
	}
	return nil
}
