package main

import (
	"fmt"
	"os"
	"path/filepath"
	"slices"
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

// ensure creates the folders iwb lacks, owner-only. A folder that exists
// keeps its mode: IWB_HOME may name a shared folder, such as /tmp, whose
// other users must not lose it. It returns the existing folders others may
// read, to warn about; iwb's own files in them are 0600 anyway.
func (p paths) ensure() (exposed []string, err error) {
	for _, dir := range []string{p.Config, p.Data, filepath.Dir(p.LogFile())} {
		info, err := os.Stat(dir)
		if err == nil {
			if info.Mode().Perm()&0o077 != 0 && !slices.Contains(exposed, dir) {
				exposed = append(exposed, dir)
			}
			continue
		}
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("creating %s: %w", dir, err)
		}
	}
	return exposed, nil
}
