package main

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/keystore"
	"github.com/iwb-dev/iwb/tui/pages/connections"
)

// startLoopSandbox serves the sandbox on a loopback port and returns its URL and
// its one accepted key.
func startLoopSandbox(t *testing.T) (url, key string) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() {
		srv.Close()
		sb.Close()
	})
	return srv.URL, sb.Key()
}

// fileKeystore is a keystore on the keyring's real file backend in a
// temporary folder.
func fileKeystore(t *testing.T) *keystore.Store {
	t.Helper()
	dir := t.TempDir()
	ks, err := keystore.Open(keystore.Options{
		ConfigFile: filepath.Join(dir, "config.json"),
		KeyringDir: filepath.Join(dir, "keyring"),
		Backend:    "file",
		Passphrase: func(keystore.PassphraseRequest) (string, error) { return "correct horse", nil },
		Log:        slog.New(slog.DiscardHandler),
	})
	if err != nil {
		t.Fatal(err)
	}
	return ks
}

func TestKeystoreConnectionsListMaskedAddUseRemove(t *testing.T) {
	ks := fileKeystore(t)
	conns := newKeystoreConnections(ks, "iwb/test", false, slog.New(slog.DiscardHandler))
	ctx := context.Background()
	const prodKey, euKey = "0123456789abcdef0123456789ab3f2a", "fedcba9876543210fedcba9876549b1c"
	if err := conns.Add(ctx, "acme-prod", "us", prodKey); err != nil {
		t.Fatal(err)
	}
	if err := conns.Add(ctx, "acme-eu", "EU", euKey); err != nil {
		t.Fatal(err)
	}
	list, err := conns.List(ctx)
	if err != nil {
		t.Fatal(err)
	}
	want := []connections.Connection{
		{Name: "acme-prod", Region: "us", MaskedKey: "••••••••••••3f2a", Default: true},
		{Name: "acme-eu", Region: "eu", MaskedKey: "••••••••••••9b1c"},
	}
	if len(list) != 2 || list[0] != want[0] || list[1] != want[1] {
		t.Fatalf("List = %+v\nwant %+v", list, want)
	}
	for _, c := range list {
		if strings.Contains(c.MaskedKey, prodKey[:28]) || strings.Contains(c.MaskedKey, euKey[:28]) {
			t.Fatalf("a key shows in clear: %q", c.MaskedKey)
		}
	}
	if err := conns.Add(ctx, "acme-prod", "us", prodKey); err == nil {
		t.Error("adding a name twice gave no error")
	}
	if err := conns.Add(ctx, "x", "mars", prodKey); err == nil || !strings.Contains(err.Error(), "us or eu") {
		t.Errorf("an unknown region gave %v, want it named", err)
	}
	if err := conns.Use(ctx, "acme-eu"); err != nil {
		t.Fatal(err)
	}
	if err := conns.Remove(ctx, "acme-prod"); err != nil {
		t.Fatal(err)
	}
	list, _ = conns.List(ctx)
	if len(list) != 1 || list[0].Name != "acme-eu" || !list[0].Default {
		t.Errorf("after use acme-eu and remove acme-prod: %+v", list)
	}
}

func TestKeystoreConnectionsTestCallsTheAPI(t *testing.T) {
	url, key := startLoopSandbox(t)
	ks := fileKeystore(t)
	for name, k := range map[string]string{"good": key, "bad": "00000000000000000000000000000000"} {
		if _, err := ks.Add(keystore.Connection{Name: name, Region: keystore.RegionUS, BaseURL: url}, k, false); err != nil {
			t.Fatal(err)
		}
	}
	conns := newKeystoreConnections(ks, "iwb/test", false, slog.New(slog.DiscardHandler))
	if err := conns.Test(context.Background(), "good"); err != nil {
		t.Errorf("testing the sandbox's key: %v", err)
	}
	err := conns.Test(context.Background(), "bad")
	if err == nil || !strings.Contains(err.Error(), "BadApiKey") {
		t.Errorf("testing a wrong key gave %v, want BadApiKey", err)
	}
	if err != nil && strings.Contains(err.Error(), "0000000000000000") {
		t.Errorf("the error shows the key: %v", err)
	}
	if err := conns.Test(context.Background(), "missing"); err == nil {
		t.Error("testing an unknown connection gave no error")
	}
}

func TestMemoryConnectionsKeepTheDemoOutOfTheKeyring(t *testing.T) {
	url, key := startLoopSandbox(t)
	conns := newMemoryConnections("demo", url, key, "iwb/test", slog.New(slog.DiscardHandler))
	ctx := context.Background()
	list, _ := conns.List(ctx)
	if len(list) != 1 || list[0].Name != "demo" || !list[0].Default || list[0].MaskedKey != "••••••••••••"+key[28:] || list[0].BaseURL != url {
		t.Fatalf("the demo's connections = %+v", list)
	}
	if err := conns.Test(ctx, "demo"); err != nil {
		t.Errorf("testing the demo connection against its sandbox: %v", err)
	}
	if err := conns.Add(ctx, "bad name!", "us", key); err == nil {
		t.Error("a bad name was accepted")
	}
	if err := conns.Add(ctx, "demo", "us", key); err == nil {
		t.Error("a second demo was accepted")
	}
	if err := conns.Add(ctx, "mine", "eu", "0123456789abcdef0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	if err := conns.Use(ctx, "mine"); err != nil {
		t.Fatal(err)
	}
	if err := conns.Remove(ctx, "mine"); err != nil {
		t.Fatal(err)
	}
	list, _ = conns.List(ctx)
	if len(list) != 1 || list[0].Name != "demo" || !list[0].Default {
		t.Errorf("after adding, using and removing mine: %+v; want demo alone and default again", list)
	}
	if err := conns.Remove(ctx, "nope"); err == nil {
		t.Error("removing an unknown connection gave no error")
	}
}
