package busguard

import (
	"net"
	"os"
	"path/filepath"
	"testing"
)

func TestBusAddress(t *testing.T) {
	sockets := map[string]bool{"/xdg/bus": true, "/run/user/1000/bus": true}
	socket := func(p string) bool { return sockets[p] }
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}
	tests := []struct {
		name string
		vars map[string]string
		uid  int
		want string
	}{
		{"an address the user set is kept", map[string]string{envVar: "unix:path=/x"}, 1000, ""},
		{"the runtime dir's socket comes first", map[string]string{"XDG_RUNTIME_DIR": "/xdg"}, 1000, "unix:path=/xdg/bus"},
		{"autolaunch counts as unset", map[string]string{envVar: "autolaunch:", "XDG_RUNTIME_DIR": "/xdg"}, 1000, "unix:path=/xdg/bus"},
		{"the uid's socket without a runtime dir", map[string]string{}, 1000, "unix:path=/run/user/1000/bus"},
		{"no socket: an address that fails at once", map[string]string{"XDG_RUNTIME_DIR": "/nowhere"}, 0, Unreachable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := busAddress(env(tt.vars), socket, tt.uid); got != tt.want {
				t.Errorf("busAddress = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestIsSocket(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "bus")
	l, err := net.Listen("unix", path)
	if err != nil {
		t.Skipf("unix sockets unavailable: %v", err)
	}
	defer l.Close()
	if !isSocket(path) {
		t.Errorf("isSocket(%s) = false for a listening socket", path)
	}
	if isSocket(dir) {
		t.Errorf("isSocket(%s) = true for a folder", dir)
	}
	if isSocket(filepath.Join(dir, "missing")) {
		t.Error("isSocket = true for a missing path")
	}
}

func TestRestore(t *testing.T) {
	t.Setenv(envVar, "unix:path=/user/given")
	set(Unreachable)
	if !Changed() {
		t.Fatal("Changed() = false after set")
	}
	Restore()
	if got := os.Getenv(envVar); got != "unix:path=/user/given" {
		t.Errorf("after Restore the variable is %q, want the user's", got)
	}
}
