package main

import (
	"fmt"
	"os"
	"path/filepath"
)

// paths are the folders iwb keeps things in. With IWB_HOME set, all three are
// that one folder; otherwise they follow the XDG base directories, on macOS too,
// because terminal users expect ~/.config there as well.
type paths struct {
	Config string // config.json: connection names, regions, the default
	Data   string // events.db, the file keyring
	State  string // logs/iwb.log
}

func resolvePaths() (paths, error) {
	if home := os.Getenv("IWB_HOME"); home != "" {
		abs, err := filepath.Abs(home)
		if err != nil {
			return paths{}, fmt.Errorf("resolving IWB_HOME: %w", err)
		}
		return paths{Config: abs, Data: abs, State: abs}, nil
	}
	userHome, err := os.UserHomeDir()
	if err != nil {
		return paths{}, fmt.Errorf("finding the home folder (set IWB_HOME): %w", err)
	}
	xdg := func(env, fallback string) string {
		if dir := os.Getenv(env); filepath.IsAbs(dir) {
			return filepath.Join(dir, "iwb")
		}
		return filepath.Join(userHome, fallback, "iwb")
	}
	return paths{
		Config: xdg("XDG_CONFIG_HOME", ".config"),
		Data:   xdg("XDG_DATA_HOME", ".local/share"),
		State:  xdg("XDG_STATE_HOME", ".local/state"),
	}, nil
}

func (p paths) ConfigFile() string { return filepath.Join(p.Config, "config.json") }
func (p paths) Database() string   { return filepath.Join(p.Data, "events.db") }
func (p paths) KeyringDir() string { return filepath.Join(p.Data, "keyring") }
func (p paths) LogFile() string    { return filepath.Join(p.State, "logs", "iwb.log") }

// ensure creates the folders with owner-only permissions.
func (p paths) ensure() error {
	for _, dir := range []string{p.Config, p.Data, filepath.Dir(p.LogFile())} {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return fmt.Errorf("creating %s: %w", dir, err)
		}
		if err := os.Chmod(dir, 0o700); err != nil {
			return fmt.Errorf("securing %s: %w", dir, err)
		}
	}
	return nil
}
