package keystore

import (
	"os"
	"testing"

	"github.com/iwb-dev/iwb/keystore/internal/busguard"
)

// The guard's stand-in address must be gone once the keystore is loaded, so
// no child process inherits it.
func TestBusGuardRestoredAfterInit(t *testing.T) {
	if busguard.Changed() {
		t.Error("the bus guard still holds its address after the keystore's init")
	}
	if got := os.Getenv("DBUS_SESSION_BUS_ADDRESS"); got == busguard.Unreachable {
		t.Errorf("DBUS_SESSION_BUS_ADDRESS = %q leaked into the environment", got)
	}
}
