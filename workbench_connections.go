package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/secret"
	"github.com/iwb-dev/iwb/keystore"
	"github.com/iwb-dev/iwb/tui/pages/connections"
)

// keystoreConnections is the keystore as the Connections tab uses it: names
// and regions from the config, keys only ever read to be masked or tested.
type keystoreConnections struct {
	ks        *keystore.Store
	userAgent string
	insecure  bool
	log       *slog.Logger
}

// newKeystoreConnections adapts ks; userAgent, insecure (--insecure-http)
// and log are those of the client a test runs with.
func newKeystoreConnections(ks *keystore.Store, userAgent string, insecure bool, log *slog.Logger) *keystoreConnections {
	return &keystoreConnections{ks: ks, userAgent: userAgent, insecure: insecure, log: log}
}

// List returns the connections with their masked keys. A key the keyring
// cannot give shows as such rather than hiding the connection.
func (c *keystoreConnections) List(context.Context) ([]connections.Connection, error) {
	entries, err := c.ks.List()
	if err != nil {
		return nil, err
	}
	out := make([]connections.Connection, len(entries))
	for i, e := range entries {
		out[i] = connections.Connection{Name: e.Name, Region: string(e.Region), BaseURL: e.BaseURL, Default: e.Default}
		key, err := c.ks.Key(e.Name)
		switch {
		case err == nil:
			out[i].MaskedKey = secret.Mask(key)
		case errors.Is(err, keystore.ErrKeyNotFound):
			out[i].MaskedKey = "(not in the keyring)"
		default:
			c.log.Warn("reading a key to mask it", "connection", e.Name, "err", err)
			out[i].MaskedKey = "(keyring unavailable)"
		}
	}
	return out, nil
}

// Add stores a new connection; the first one becomes the default.
func (c *keystoreConnections) Add(_ context.Context, name, region, key string) error {
	r, err := keystore.ParseRegion(region)
	if err != nil {
		return err
	}
	_, err = c.ks.Add(keystore.Connection{Name: name, Region: r}, key, false)
	return err
}

// Remove deletes a connection and its key.
func (c *keystoreConnections) Remove(_ context.Context, name string) error {
	_, err := c.ks.Remove(name)
	return err
}

// Use makes a connection the default.
func (c *keystoreConnections) Use(_ context.Context, name string) error { return c.ks.Use(name) }

// Test calls GET /api/lists with the connection's key, as `iwb connection
// test` does.
func (c *keystoreConnections) Test(ctx context.Context, name string) error {
	conn, err := c.ks.Resolve(name)
	if err != nil {
		return err
	}
	key, err := c.ks.Key(conn.Name)
	if err != nil {
		return err
	}
	return testKey(ctx, client.Options{BaseURL: conn.Endpoint(), Key: key, UserAgent: c.userAgent, Logger: c.log, InsecureHTTP: c.insecure})
}

// testKey checks a key against the API with a call even a read-only key may
// make.
func testKey(ctx context.Context, opts client.Options) error {
	api, err := client.New(opts)
	if err != nil {
		return err
	}
	if _, err := api.Lists(ctx); err != nil {
		return fmt.Errorf("GET /api/lists: %w", err)
	}
	return nil
}

// memoryConnections are connections kept in memory only, for the demo:
// nothing reaches the keyring or the config file, and all is gone on quit.
type memoryConnections struct {
	userAgent string
	log       *slog.Logger

	mu    sync.Mutex
	conns []connections.Connection
	keys  map[string]string
}

// newMemoryConnections starts with one connection, the default, at baseURL.
func newMemoryConnections(name, baseURL, key, userAgent string, log *slog.Logger) *memoryConnections {
	return &memoryConnections{
		userAgent: userAgent,
		log:       log,
		conns:     []connections.Connection{{Name: name, Region: string(keystore.RegionUS), BaseURL: baseURL, MaskedKey: secret.Mask(key), Default: true}},
		keys:      map[string]string{name: key},
	}
}

func (m *memoryConnections) List(context.Context) ([]connections.Connection, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.conns), nil
}

// Add checks the connection as the keystore would, and keeps it in memory.
func (m *memoryConnections) Add(_ context.Context, name, region, key string) error {
	r, err := keystore.ParseRegion(region)
	if err != nil {
		return err
	}
	if err := keystore.ValidateName(name); err != nil {
		return err
	}
	if err := keystore.ValidateKey(key); err != nil {
		return err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.find(name) >= 0 {
		return fmt.Errorf("a connection named %q exists already", name)
	}
	m.conns = append(m.conns, connections.Connection{Name: name, Region: string(r), MaskedKey: secret.Mask(key), Default: len(m.conns) == 0})
	m.keys[name] = key
	return nil
}

func (m *memoryConnections) Remove(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	i := m.find(name)
	if i < 0 {
		return fmt.Errorf("no connection named %q", name)
	}
	wasDefault := m.conns[i].Default
	m.conns = slices.Delete(m.conns, i, i+1)
	delete(m.keys, name)
	if wasDefault && len(m.conns) > 0 {
		m.conns[0].Default = true
	}
	return nil
}

func (m *memoryConnections) Use(_ context.Context, name string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.find(name) < 0 {
		return fmt.Errorf("no connection named %q", name)
	}
	for i := range m.conns {
		m.conns[i].Default = m.conns[i].Name == name
	}
	return nil
}

// Test calls GET /api/lists at the connection's host with its key.
func (m *memoryConnections) Test(ctx context.Context, name string) error {
	m.mu.Lock()
	i := m.find(name)
	var c connections.Connection
	if i >= 0 {
		c = m.conns[i]
	}
	key := m.keys[name]
	m.mu.Unlock()
	if i < 0 {
		return fmt.Errorf("no connection named %q", name)
	}
	base := c.BaseURL
	if base == "" {
		base = keystore.Region(c.Region).BaseURL()
	}
	return testKey(ctx, client.Options{BaseURL: base, Key: key, UserAgent: m.userAgent, Logger: m.log})
}

// find is the index of the named connection, or -1; the caller holds mu.
func (m *memoryConnections) find(name string) int {
	return slices.IndexFunc(m.conns, func(c connections.Connection) bool { return c.Name == name })
}

// envConnections shows the connection ITERABLE_API_KEY makes, named env,
// beside the keystore's, so that the workbench opens on it rather than on
// the welcome screen. Testing env checks the environment's key; the rest
// goes to the keystore.
type envConnections struct {
	connections.Store
	env  connections.Connection
	test func(ctx context.Context) error
}

func (e *envConnections) List(ctx context.Context) ([]connections.Connection, error) {
	conns, err := e.Store.List(ctx)
	if err != nil {
		return nil, err
	}
	env := e.env
	env.Default = !slices.ContainsFunc(conns, func(c connections.Connection) bool { return c.Default })
	return append([]connections.Connection{env}, conns...), nil
}

func (e *envConnections) Test(ctx context.Context, name string) error {
	if name == e.env.Name {
		return e.test(ctx)
	}
	return e.Store.Test(ctx, name)
}
