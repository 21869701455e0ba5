//go:build unix

package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/client/sandbox"
)

func TestConnectionCommandsEndToEnd(t *testing.T) {
	bin := buildIWB(t)
	home := t.TempDir()
	env := baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=x")
	const key = "0123456789abcdef0123456789ab3f2a"
	const oddKey = "sandbox-key-QWERTY-1234"
	// connection test calls GET /api/lists: each key has a sandbox of its own.
	workAPI := httptest.NewServer(sandbox.New(sandbox.Options{Key: key}).Handler())
	defer workAPI.Close()
	oddAPI := httptest.NewServer(sandbox.New(sandbox.Options{Key: oddKey}).Handler())
	defer oddAPI.Close()
	against := func(env []string, api *httptest.Server) []string {
		return append(append([]string(nil), env...), "ITERABLE_BASE_URL="+api.URL)
	}
	var outputs []string
	run := func(t *testing.T, env []string, stdin string, wantCode int, args ...string) iwbResult {
		t.Helper()
		r := runIWB(t, bin, env, stdin, args...)
		outputs = append(outputs, r.stdout, r.stderr)
		if r.code != wantCode {
			t.Fatalf("iwb %s: exit %d, want %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), r.code, wantCode, r.stdout, r.stderr)
		}
		if wantCode != 0 {
			lines := strings.Split(strings.TrimRight(r.stderr, "\n"), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "iwb: ") {
				t.Errorf("iwb %s: stderr is not one 'iwb: ' line:\n%s", strings.Join(args, " "), r.stderr)
			}
		}
		return r
	}

	t.Run("add with the key on stdin", func(t *testing.T) {
		r := run(t, env, key+"\n", 0, "connection", "add", "work", "--region", "eu")
		if !strings.Contains(r.stdout, "added work (eu, https://api.eu.iterable.com)") || !strings.Contains(r.stdout, "default") {
			t.Errorf("stdout: %q", r.stdout)
		}
		if r.stderr != "" {
			t.Errorf("an Iterable-shaped key drew a warning: %q", r.stderr)
		}
	})
	t.Run("a key of another shape is stored with a warning", func(t *testing.T) {
		r := run(t, env, oddKey, 0, "connection", "add", "sandbox", "--base-url", "http://127.0.0.1:9")
		if !strings.Contains(r.stderr, "warning") || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("want one warning line, stderr: %q", r.stderr)
		}
	})
	t.Run("list shows name, region, base URL, masked key and the default", func(t *testing.T) {
		r := run(t, env, "", 0, "connection", "list")
		for _, want := range []string{"* work", "eu", "https://api.eu.iterable.com", "••••••••••••3f2a", "  sandbox", "http://127.0.0.1:9", "••••••••••••1234"} {
			if !strings.Contains(r.stdout, want) {
				t.Errorf("list lacks %q:\n%s", want, r.stdout)
			}
		}
	})
	t.Run("list --json has no key", func(t *testing.T) {
		r := run(t, env, "", 0, "connection", "list", "--json")
		var listed []map[string]any
		if err := json.Unmarshal([]byte(r.stdout), &listed); err != nil {
			t.Fatalf("list --json is not JSON: %v\n%s", err, r.stdout)
		}
		if len(listed) != 2 || listed[0]["name"] != "work" || listed[0]["region"] != "eu" || listed[0]["default"] != true ||
			listed[0]["maskedKey"] != "••••••••••••3f2a" || listed[1]["baseUrl"] != "http://127.0.0.1:9" {
			t.Errorf("list --json = %v", listed)
		}
	})
	t.Run("bad input exits 2 and writes nothing", func(t *testing.T) {
		before := snapshotFiles(t, home, false)
		for _, c := range []struct {
			stdin string
			args  []string
			says  string
		}{
			{key, []string{"work", "--region", "eu"}, "already exists"},
			{"", []string{"empty"}, "empty"},
			{"\n", []string{"empty"}, "empty"},
			{"abc def", []string{"spaced"}, "whitespace"},
			{key, []string{"asia", "--region", "ap"}, "unknown region"},
			{key, []string{"proxy", "--base-url", "not a url"}, "malformed base URL"},
			{key, []string{"../up"}, "bad connection name"},
		} {
			r := run(t, env, c.stdin, 2, append([]string{"connection", "add"}, c.args...)...)
			if !strings.Contains(r.stderr, c.says) {
				t.Errorf("add %v: stderr %q does not say %q", c.args, r.stderr, c.says)
			}
		}
		run(t, baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=vault"), key, 2, "connection", "add", "other")
		if after := snapshotFiles(t, home, false); !sameFiles(before, after) {
			t.Error("rejected input changed files under the iwb home")
		}
	})
	t.Run("the key is in no file in clear", func(t *testing.T) {
		for path, content := range snapshotFiles(t, home, true) {
			if strings.Contains(content, key) || strings.Contains(content, oddKey) {
				t.Errorf("a key is in clear in %s", path)
			}
		}
	})
	t.Run("test reads the default connection's key", func(t *testing.T) {
		r := run(t, against(env, workAPI), "", 0, "connection", "test")
		if !strings.Contains(r.stdout, "work (eu, "+workAPI.URL+"): key ••••••••••••3f2a read from the keyring; accepted by the API (1 lists)") {
			t.Errorf("stdout: %q", r.stdout)
		}
	})
	t.Run("use changes the default", func(t *testing.T) {
		run(t, env, "", 0, "connection", "use", "sandbox")
		r := run(t, against(env, oddAPI), "", 0, "connection", "test")
		if !strings.HasPrefix(r.stdout, "sandbox (us, "+oddAPI.URL+")") {
			t.Errorf("test after use: %q", r.stdout)
		}
		run(t, env, "", 3, "connection", "use", "nosuch")
		run(t, env, "", 4, "connection", "test", "nosuch")
		r = run(t, against(env, oddAPI), "", 4, "connection", "test", "work")
		if !strings.Contains(r.stderr, "BadApiKey") {
			t.Errorf("a key the API refuses: stderr %q", r.stderr)
		}
	})
	t.Run("ITERABLE_API_KEY overrides the keyring", func(t *testing.T) {
		r := run(t, against(append(baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=vault"), "ITERABLE_API_KEY="+key), workAPI), "", 0, "connection", "test")
		if !strings.Contains(r.stdout, "ITERABLE_API_KEY") || !strings.Contains(r.stdout, "••••••••••••3f2a") {
			t.Errorf("stdout: %q", r.stdout)
		}
	})
	t.Run("a wrong passphrase exits 4 and loses nothing", func(t *testing.T) {
		before := snapshotFiles(t, home, false)
		wrong := baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=y")
		r := run(t, wrong, "", 4, "connection", "test", "work")
		if !strings.Contains(r.stderr, "wrong passphrase") {
			t.Errorf("stderr: %q", r.stderr)
		}
		run(t, wrong, "", 4, "connection", "list")
		run(t, wrong, key, 4, "connection", "add", "third")
		if after := snapshotFiles(t, home, false); !sameFiles(before, after) {
			t.Error("a wrong passphrase changed the keyring or the config")
		}
		run(t, against(env, workAPI), "", 0, "connection", "test", "work")
	})
	t.Run("no passphrase and no terminal exits 4", func(t *testing.T) {
		r := run(t, baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=file"), "", 4, "connection", "test", "work")
		if !strings.Contains(r.stderr, "IWB_KEYRING_PASSPHRASE") {
			t.Errorf("stderr does not say what to do: %q", r.stderr)
		}
	})
	t.Run("a key lost from the keyring is reported", func(t *testing.T) {
		if err := os.Remove(filepath.Join(home, "keyring", "work")); err != nil {
			t.Fatal(err)
		}
		r := run(t, env, "", 0, "connection", "list")
		if !strings.Contains(r.stdout, "(not in the keyring: remove and add again)") {
			t.Errorf("list does not show the missing key:\n%s", r.stdout)
		}
		r = run(t, env, "", 4, "connection", "test", "work")
		if !strings.Contains(r.stderr, "remove the connection and add it again") {
			t.Errorf("stderr: %q", r.stderr)
		}
	})
	t.Run("remove", func(t *testing.T) {
		r := run(t, env, "", 0, "connection", "remove", "sandbox")
		if !strings.Contains(r.stdout, "the default connection is now work") {
			t.Errorf("stdout: %q", r.stdout)
		}
		run(t, env, "", 0, "connection", "remove", "work")
		run(t, env, "", 3, "connection", "remove", "work")
		r = run(t, env, "", 0, "connection", "list")
		if strings.Contains(r.stdout, "work") && !strings.Contains(r.stdout, "no connections") {
			t.Errorf("list after remove: %q", r.stdout)
		}
		run(t, env, "", 4, "connection", "test")
		if entries, _ := os.ReadDir(filepath.Join(home, "keyring")); len(entries) != 0 {
			t.Errorf("%d keys left in the file keyring", len(entries))
		}
	})
	for _, out := range outputs {
		if strings.Contains(out, key) || strings.Contains(out, oddKey) {
			t.Errorf("a key was shown in clear:\n%s", out)
		}
	}
}

// With no session bus, loading the keyring library must not run dbus-launch
// (which would hang for seconds and leave a daemon behind): a stand-in
// dbus-launch on PATH records any call.
func TestNoDBusLaunchWithoutSessionBus(t *testing.T) {
	dir := t.TempDir()
	bin := buildIWB(t)
	called := filepath.Join(dir, "dbus-launch-called")
	fake := "#!/bin/sh\necho called >> '" + called + "'\nexit 1\n"
	if err := os.WriteFile(filepath.Join(dir, "dbus-launch"), []byte(fake), 0o755); err != nil {
		t.Fatal(err)
	}
	env := []string{"PATH=" + dir + ":/usr/bin:/bin", "HOME=" + dir, "XDG_RUNTIME_DIR=" + dir,
		"IWB_HOME=" + filepath.Join(dir, "home"), "IWB_KEYRING_PASSPHRASE=x"}
	if r := runIWB(t, bin, env, "", "--help"); r.code != 0 || !strings.Contains(r.stdout, "iwb") {
		t.Fatalf("iwb --help: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	// Asking for secret-service with no bus is a clear "unavailable", exit 4.
	r := runIWB(t, bin, append(env, "IWB_KEYRING_BACKEND=secret-service"), "0123456789abcdef0123456789ab3f2a", "connection", "add", "work")
	if r.code != 4 || !strings.Contains(r.stderr, "secret-service is not available") {
		t.Errorf("add on secret-service with no bus: exit %d, stderr %q; want 4 and the reason", r.code, r.stderr)
	}
	if _, err := os.Stat(called); err == nil {
		t.Error("dbus-launch was run although there is no session bus")
	}
}

// snapshotFiles is every file under dir with its content; withLog false
// leaves out the log, which grows by design.
func snapshotFiles(t *testing.T, dir string, withLog bool) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || (!withLog && strings.HasSuffix(path, ".log")) {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = string(data)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func sameFiles(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if bv, ok := b[k]; !ok || bv != v {
			return false
		}
	}
	return true
}
