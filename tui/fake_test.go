package tui

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/iwb-dev/iwb/tui/pages/connections"
)

// fakeConns is an in-memory Connections store.
type fakeConns struct {
	mu    sync.Mutex
	conns []connections.Connection
	keys  map[string]string
}

func newFakeConns(cs ...connections.Connection) *fakeConns {
	return &fakeConns{conns: cs, keys: map[string]string{}}
}

func (f *fakeConns) List(context.Context) ([]connections.Connection, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.conns), nil
}

func (f *fakeConns) Add(_ context.Context, name, region, key string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.conns {
		if c.Name == name {
			return fmt.Errorf("a connection named %s exists", name)
		}
	}
	f.keys[name] = key
	f.conns = append(f.conns, connections.Connection{Name: name, Region: region, MaskedKey: "••••••••••••" + key[max(len(key)-4, 0):], Default: len(f.conns) == 0})
	return nil
}

func (f *fakeConns) Remove(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.conns = slices.DeleteFunc(f.conns, func(c connections.Connection) bool { return c.Name == name })
	return nil
}

func (f *fakeConns) Use(_ context.Context, name string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	for i := range f.conns {
		f.conns[i].Default = f.conns[i].Name == name
	}
	return nil
}

func (f *fakeConns) Test(_ context.Context, name string) error {
	if strings.HasPrefix(name, "bad") {
		return errors.New("BadApiKey: the key was refused")
	}
	return nil
}

// twoConns is the usual keystore of the tests.
func twoConns() *fakeConns {
	return newFakeConns(
		connections.Connection{Name: "acme-prod", Region: "us", MaskedKey: "••••••••••••3f2a", Default: true},
		connections.Connection{Name: "acme-eu", Region: "eu", MaskedKey: "••••••••••••9b1c"},
	)
}
