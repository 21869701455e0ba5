// Package busguard keeps the keyring library from launching a D-Bus daemon
// when the process starts.
//
// github.com/99designs/keyring connects to the session bus in the init of its
// secret-service and kwallet backends. With DBUS_SESSION_BUS_ADDRESS unset,
// the godbus it uses runs dbus-launch, which can hang for seconds and leaves a
// dbus-daemon behind on every run, just because the package is linked in: even
// 'iwb --help' would pay for it.
//
// This package imports only os and strconv, so Go initialises it before
// keyring (packages are initialised in import-path order among those whose
// imports are ready, and keyring waits for os/exec and net). Its init points
// the variable at the user's bus socket when there is one, and otherwise at an
// address godbus rejects at once. The keystore calls Restore from its own init,
// after keyring's, so child processes see the environment the user gave.
package busguard

import "os"

// envVar is where godbus looks for the session bus.
const envVar = "DBUS_SESSION_BUS_ADDRESS"

// Unreachable is a bus address whose transport godbus does not know, so a
// connection attempt fails at once, without a syscall or a child process.
const Unreachable = "iwb-no-session-bus:"

// original is the variable as the user set it; changed says whether init
// replaced it.
var (
	original string
	changed  bool
)

// set replaces the variable for the keyring's init.
func set(address string) {
	original, changed = os.Getenv(envVar), true
	os.Setenv(envVar, address)
}

// Restore puts DBUS_SESSION_BUS_ADDRESS back as the user had it. A connection
// godbus opened meanwhile stays open and usable.
func Restore() {
	if !changed {
		return
	}
	if original == "" {
		os.Unsetenv(envVar)
	} else {
		os.Setenv(envVar, original)
	}
	changed = false
}

// Changed reports whether the guard is holding a replacement address now.
func Changed() bool { return changed }
