package keystore

import (
	"errors"
	"os"
	"path/filepath"
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
)

// roundTrip adds a connection on the given backend, reads its key back,
// removes it, and checks the key is gone and never reached a file.
func roundTrip(t *testing.T, s *Store, home string) {
	t.Helper()
	name := uniqueName(t)
	key := "fedcba9876543210fedcba98765a1b2c"
	if _, err := s.Add(Connection{Name: name, Region: "eu"}, key, false); err != nil {
		t.Fatalf("Add: %v", err)
	}
	t.Cleanup(func() { s.Remove(name) })
	if got, err := s.Key(name); err != nil || got != key {
		t.Fatalf("Key = %q, %v; want the stored key", got, err)
	}
	assertKeyNowhere(t, home, key)
	if _, err := s.Remove(name); err != nil {
		t.Fatalf("Remove: %v", err)
	}
	assertNotInKeyring(t, s, name)
}

func storeOn(t *testing.T, backend string) (*Store, string) {
	home := t.TempDir()
	s, err := Open(Options{
		ConfigFile: filepath.Join(home, "config.json"),
		KeyringDir: filepath.Join(home, "keyring"),
		Backend:    backend,
		Log:        quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	return s, home
}

// The secret-service backend against a real daemon. .ci/run starts one
// (gnome-keyring in a dbus-run-session) and sets IWB_REQUIRE_SECRET_SERVICE=1
// so that a missing service fails instead of skipping.
func TestSecretServiceRoundTrip(t *testing.T) {
	skip := t.Skipf
	if os.Getenv("IWB_REQUIRE_SECRET_SERVICE") == "1" {
		skip = t.Fatalf
	}
	if os.Getenv("DBUS_SESSION_BUS_ADDRESS") == "" {
		skip("no D-Bus session bus (run under dbus-run-session with gnome-keyring-daemon --unlock)")
		return
	}
	s, home := storeOn(t, "secret-service")
	s.mu.Lock()
	_, err := s.openRing(s.backends)
	s.mu.Unlock()
	if err != nil {
		skip("no secret service on the session bus: %v", err)
		return
	}
	roundTrip(t, s, home)
}

// The kernel keyring, where the kernel and the sandbox allow it.
func TestKeyctlRoundTrip(t *testing.T) {
	if _, err := unix.KeyctlGetKeyringID(unix.KEY_SPEC_USER_KEYRING, false); err != nil {
		if errors.Is(err, syscall.EPERM) || errors.Is(err, syscall.ENOSYS) || errors.Is(err, syscall.EACCES) {
			t.Skipf("the kernel keyring is not allowed here: %v", err)
		}
		t.Fatalf("probing the user keyring: %v", err)
	}
	s, home := storeOn(t, "keyctl")
	roundTrip(t, s, home)
}
