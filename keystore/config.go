package keystore

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// Connection is a named Iterable project: where to reach it. Its key lives in
// the keyring, never here.
type Connection struct {
	Name    string `json:"name"`
	Region  Region `json:"region"`
	BaseURL string `json:"baseUrl,omitempty"` // overrides the region's host when set
	// Backend is the keyring backend that holds the key, set by Add, so the key
	// is read back from there even when another backend would come first now
	// (a desktop session's secret-service, then an SSH session without a bus).
	Backend string `json:"backend,omitempty"`
}

// Endpoint is where requests for the connection go: the override, or the
// region's host.
func (c Connection) Endpoint() string {
	if c.BaseURL != "" {
		return c.BaseURL
	}
	return c.Region.BaseURL()
}

// config is the keystore's part of config.json. Fields other rooms keep in
// the same file are carried through untouched in rest.
type config struct {
	Default     string       `json:"default,omitempty"`
	Connections []Connection `json:"connections"`
	rest        map[string]json.RawMessage
}

func (c *config) find(name string) int {
	for i, conn := range c.Connections {
		if conn.Name == name {
			return i
		}
	}
	return -1
}

// loadConfig reads config.json; a missing file is an empty config.
func loadConfig(path string) (*config, error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, fs.ErrNotExist) {
		return &config{}, nil
	}
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	var rest map[string]json.RawMessage
	if err := json.Unmarshal(data, &rest); err != nil {
		return nil, fmt.Errorf("reading %s (fix or remove it): %w", path, err)
	}
	c := &config{rest: rest}
	if err := json.Unmarshal(data, c); err != nil {
		return nil, fmt.Errorf("reading %s (fix or remove it): %w", path, err)
	}
	delete(c.rest, "default")
	delete(c.rest, "connections")
	return c, nil
}

// save writes config.json atomically: a temporary file in the same folder,
// synced, then renamed over the old one, so a crash leaves the old or the new
// file and never half of one.
func (c *config) save(path string) error {
	out := make(map[string]any, len(c.rest)+2)
	for k, v := range c.rest {
		out[k] = v
	}
	if c.Default != "" {
		out["default"] = c.Default
	}
	conns := c.Connections
	if conns == nil {
		conns = []Connection{}
	}
	out["connections"] = conns
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding the config: %w", err)
	}
	return writeFileAtomic(path, append(data, '\n'))
}

func writeFileAtomic(path string, data []byte) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return fmt.Errorf("creating %s: %w", dir, err)
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(tmp.Name()) // fails harmlessly once renamed
	err = tmp.Chmod(0o600)
	if err == nil {
		_, err = tmp.Write(data)
	}
	if err == nil {
		err = tmp.Sync()
	}
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err == nil {
		err = os.Rename(tmp.Name(), path)
	}
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}
