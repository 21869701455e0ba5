package busguard

import (
	"os"
	"strconv"
)

func init() {
	if address := busAddress(os.Getenv, isSocket, os.Getuid()); address != "" {
		set(address)
	}
}

// busAddress is the address to put in DBUS_SESSION_BUS_ADDRESS before the
// keyring looks for a bus, or "" to leave it alone. "autolaunch:" is treated
// as unset, as godbus does.
func busAddress(getenv func(string) string, socket func(string) bool, uid int) string {
	if current := getenv(envVar); current != "" && current != "autolaunch:" {
		return ""
	}
	candidates := []string{"/run/user/" + strconv.Itoa(uid) + "/bus"}
	if dir := getenv("XDG_RUNTIME_DIR"); dir != "" {
		candidates = append([]string{dir + "/bus"}, candidates...)
	}
	for _, path := range candidates {
		if socket(path) {
			return "unix:path=" + path
		}
	}
	return Unreachable
}

func isSocket(path string) bool {
	info, err := os.Stat(path)
	return err == nil && info.Mode()&os.ModeSocket != 0
}
