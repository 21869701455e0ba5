//go:build unix

package main

import (
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// The listener's secrets can come from the environment or a file, where ps
// does not show them.
func TestListenAuthFromEnvironmentAndFile(t *testing.T) {
	bin := buildIWB(t)
	credFile := filepath.Join(t.TempDir(), "basic")
	if err := os.WriteFile(credFile, []byte("iterable:pa:ss\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name string
		args []string
		env  string
		good func(*http.Request)
	}{
		{"IWB_LISTEN_TOKEN", []string{"--auth", "header"}, "IWB_LISTEN_TOKEN=OAuth2 s3cret",
			func(r *http.Request) { r.Header.Set("Authorization", "OAuth2 s3cret") }},
		{"IWB_LISTEN_BASIC", []string{"--auth", "basic"}, "IWB_LISTEN_BASIC=iterable:pa:ss",
			func(r *http.Request) { r.SetBasicAuth("iterable", "pa:ss") }},
		{"--auth-file", []string{"--auth", "basic", "--auth-file", credFile}, "",
			func(r *http.Request) { r.SetBasicAuth("iterable", "pa:ss") }},
	} {
		t.Run(c.name, func(t *testing.T) {
			addr := freePort(t)
			listen := exec.Command(bin, append([]string{"listen", "--addr", addr}, c.args...)...)
			listen.Env = baseEnv("IWB_HOME="+t.TempDir(), c.env)
			if err := listen.Start(); err != nil {
				t.Fatal(err)
			}
			defer listen.Process.Kill()
			waitHealthy(t, addr)
			send := func(withAuth bool) int {
				req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/hooks", strings.NewReader(`{"eventName":"emailOpen"}`))
				req.Header.Set("Content-Type", "application/json")
				if withAuth {
					c.good(req)
				}
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				resp.Body.Close()
				return resp.StatusCode
			}
			if got := send(false); got != http.StatusUnauthorized {
				t.Errorf("without credentials: %d, want 401", got)
			}
			if got := send(true); got != http.StatusOK {
				t.Errorf("with the credentials: %d, want 200", got)
			}
		})
	}
}

// waitHealthy polls the listener's /healthz until it answers.
func waitHealthy(tb testing.TB, addr string) {
	tb.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err == nil {
			resp.Body.Close()
			return
		}
		if time.Now().After(deadline) {
			tb.Fatalf("the listener on %s did not come up: %v", addr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
