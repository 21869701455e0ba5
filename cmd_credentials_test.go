//go:build unix

package main

import (
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/client/sandbox"
)

// ITERABLE_API_KEY alone replaces the key, not the default connection's host.
func TestEnvKeyKeepsTheDefaultConnectionsBaseURL(t *testing.T) {
	bin := buildIWB(t)
	home := t.TempDir()
	const key = "0123456789abcdef0123456789ab3f2a"
	api := httptest.NewServer(sandbox.New(sandbox.Options{Key: key}).Handler())
	defer api.Close()
	env := baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=x")
	if r := runIWB(t, bin, env, "ffffffffffffffffffffffffffff0000", "connection", "add", "work", "--base-url", api.URL); r.code != 0 {
		t.Fatalf("add: %d %s", r.code, r.stderr)
	}
	r := runIWB(t, bin, append(env, "ITERABLE_API_KEY="+key), "", "connection", "test")
	if r.code != 0 || !strings.Contains(r.stdout, api.URL) || !strings.Contains(r.stdout, "ITERABLE_API_KEY") {
		t.Errorf("ITERABLE_API_KEY with a default connection: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
}

// A plain-http API host off loopback is refused before any request, unless
// --insecure-http.
func TestPlainHTTPBaseURLRefusedUnlessInsecure(t *testing.T) {
	bin := buildIWB(t)
	env := baseEnv("IWB_HOME="+t.TempDir(), "ITERABLE_API_KEY=0123456789abcdef0123456789ab3f2a", "ITERABLE_BASE_URL=http://api.example.invalid")
	r := runIWB(t, bin, env, "", "connection", "test")
	if r.code != 2 || !strings.Contains(r.stderr, "--insecure-http") || strings.Count(r.stderr, "\n") != 1 {
		t.Errorf("http:// off loopback: exit %d %q, want 2 naming --insecure-http", r.code, r.stderr)
	}
	r = runIWB(t, bin, env, "", "--insecure-http", "action", "run", "get-user", "--data", `{"email":"a@example.com"}`, "--dry-run")
	if r.code != 0 {
		t.Errorf("with --insecure-http: exit %d %s", r.code, r.stderr)
	}
}
