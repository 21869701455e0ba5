package keystore

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

const testKey = "0123456789abcdef0123456789ab3f2a"

// fileStore is a store on the real file backend in a fresh iwb home.
func fileStore(t testing.TB, home, passphrase string) *Store {
	t.Helper()
	s, err := Open(Options{
		ConfigFile: filepath.Join(home, "config.json"),
		KeyringDir: filepath.Join(home, "keyring"),
		Backend:    "file",
		Passphrase: func(PassphraseRequest) (string, error) { return passphrase, nil },
		Log:        quiet,
	})
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	return s
}

// snapshot is every file under dir with its content, to prove nothing changed.
func snapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := os.ReadFile(path)
		files[path] = string(data)
		return err
	})
	if err != nil && !errors.Is(err, os.ErrNotExist) {
		t.Fatal(err)
	}
	return files
}

// assertKeyNowhere fails when key appears in clear in any file under dir.
func assertKeyNowhere(t *testing.T, dir, key string) {
	t.Helper()
	for path, content := range snapshot(t, dir) {
		if strings.Contains(content, key) {
			t.Errorf("the key is in clear in %s", path)
		}
	}
}

// assertNotInKeyring checks the backend itself no longer holds name's key.
func assertNotInKeyring(t *testing.T, s *Store, name string) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	r, err := s.openRing(s.backends)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := r.get(name); !errors.Is(err, ErrKeyNotFound) {
		t.Errorf("the %s keyring still answers for %q: %v", r.backend, name, err)
	}
}

func uniqueName(t *testing.T) string {
	b := make([]byte, 4)
	if _, err := rand.Read(b); err != nil {
		t.Fatal(err)
	}
	return "iwbtest-" + hex.EncodeToString(b)
}

func TestFileBackendRoundTrip(t *testing.T) {
	home := t.TempDir()
	s := fileStore(t, home, "correct horse")

	work, err := s.Add(Connection{Name: "work", Region: "eu"}, testKey, false)
	if err != nil {
		t.Fatalf("Add work: %v", err)
	}
	if !work.Default || work.Endpoint() != "https://api.eu.iterable.com" || work.Backend != "file" {
		t.Errorf("first connection = %+v, want the default on the eu host, its key in the file backend", work)
	}
	sandbox, err := s.Add(Connection{Name: "sandbox", Region: "us", BaseURL: "http://127.0.0.1:8080/"}, "sandbox-key", false)
	if err != nil {
		t.Fatalf("Add sandbox: %v", err)
	}
	if sandbox.Default || sandbox.Endpoint() != "http://127.0.0.1:8080" {
		t.Errorf("second connection = %+v, want not default, base URL without the trailing slash", sandbox)
	}

	entries, err := s.List()
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	if len(entries) != 2 || entries[0].Name != "work" || !entries[0].Default || entries[1].Name != "sandbox" || entries[1].Default {
		t.Fatalf("List = %+v, want work (default) then sandbox", entries)
	}

	// A second store, as the next command would open it, reads the key back.
	again := fileStore(t, home, "correct horse")
	if key, err := again.Key("work"); err != nil || key != testKey {
		t.Fatalf("Key(work) = %q, %v; want the stored key", key, err)
	}

	if err := again.Use("sandbox"); err != nil {
		t.Fatalf("Use: %v", err)
	}
	if c, err := again.Resolve(""); err != nil || c.Name != "sandbox" {
		t.Errorf("Resolve(\"\") after Use = %+v, %v; want sandbox", c, err)
	}

	assertKeyNowhere(t, home, testKey)
	assertKeyNowhere(t, home, "sandbox-key")
	for path := range snapshot(t, home) {
		info, err := os.Stat(path)
		if err != nil {
			t.Fatal(err)
		}
		if perm := info.Mode().Perm(); perm != 0o600 {
			t.Errorf("%s has mode %o, want 600", path, perm)
		}
	}

	removed, err := again.Remove("sandbox")
	if err != nil || !removed.WasDefault || removed.Default != "work" {
		t.Fatalf("Remove(sandbox) = %+v, %v; want work as the new default", removed, err)
	}
	if _, err := again.Key("sandbox"); !errors.Is(err, ErrConnectionNotFound) {
		t.Errorf("Key(sandbox) after Remove: %v, want ErrConnectionNotFound", err)
	}
	assertNotInKeyring(t, again, "sandbox")
	if removed, err := again.Remove("work"); err != nil || !removed.WasDefault || removed.Default != "" {
		t.Fatalf("Remove(work) = %+v, %v; want no default left", removed, err)
	}
	if _, err := again.Resolve(""); !errors.Is(err, ErrNoConnection) {
		t.Errorf("Resolve with nothing left: %v, want ErrNoConnection", err)
	}
	if _, err := again.Remove("work"); !errors.Is(err, ErrConnectionNotFound) {
		t.Errorf("Remove of a removed connection: %v, want ErrConnectionNotFound", err)
	}
	if left, _ := os.ReadDir(filepath.Join(home, "keyring")); len(left) != 0 {
		t.Errorf("the keyring still holds %d items after removing everything", len(left))
	}
}

func TestAddRejectsBadInputAndWritesNothing(t *testing.T) {
	home := t.TempDir()
	s := fileStore(t, home, "pw")
	if _, err := s.Add(Connection{Name: "work", Region: "us"}, testKey, false); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, home)
	secret := "zz-secret-zz"
	tests := []struct {
		name string
		conn Connection
		key  string
		want string
	}{
		{"empty key", Connection{Name: "a", Region: "us"}, "", "empty"},
		{"space inside the key", Connection{Name: "a", Region: "us"}, "zz-sec ret-zz", "whitespace"},
		{"tab inside the key", Connection{Name: "a", Region: "us"}, "zz-sec\tret-zz", "whitespace"},
		{"name taken", Connection{Name: "work", Region: "eu"}, secret, "already exists"},
		{"unknown region", Connection{Name: "a", Region: "asia"}, secret, "unknown region"},
		{"relative base URL", Connection{Name: "a", Region: "us", BaseURL: "api.iterable.com"}, secret, "malformed base URL"},
		{"ftp base URL", Connection{Name: "a", Region: "us", BaseURL: "ftp://x.example"}, secret, "malformed base URL"},
		{"base URL without a host", Connection{Name: "a", Region: "us", BaseURL: "https://"}, secret, "malformed base URL"},
		{"empty name", Connection{Name: "", Region: "us"}, secret, "bad connection name"},
		{"name with a slash", Connection{Name: "../etc", Region: "us"}, secret, "bad connection name"},
		{"name with a space", Connection{Name: "my work", Region: "us"}, secret, "bad connection name"},
		{"name too long", Connection{Name: strings.Repeat("a", 65), Region: "us"}, secret, "bad connection name"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := s.Add(tt.conn, tt.key, true)
			if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("Add: %v; want an ErrInvalid saying %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "sec") {
				t.Errorf("the error shows the key: %v", err)
			}
			after := snapshot(t, home)
			if len(after) != len(before) {
				t.Fatalf("files changed: %d before, %d after", len(before), len(after))
			}
			for path, content := range before {
				if after[path] != content {
					t.Errorf("%s changed", path)
				}
			}
		})
	}
}

func TestWrongPassphraseLosesNothing(t *testing.T) {
	home := t.TempDir()
	if _, err := fileStore(t, home, "right").Add(Connection{Name: "work", Region: "us"}, testKey, false); err != nil {
		t.Fatal(err)
	}
	before := snapshot(t, home)

	wrong := fileStore(t, home, "wrong")
	if _, err := wrong.Key("work"); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Key with the wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
	wrong = fileStore(t, home, "wrong")
	if _, err := wrong.Add(Connection{Name: "other", Region: "us"}, testKey, false); !errors.Is(err, ErrWrongPassphrase) {
		t.Errorf("Add with the wrong passphrase: %v, want ErrWrongPassphrase", err)
	}
	after := snapshot(t, home)
	if len(after) != len(before) {
		t.Errorf("a wrong passphrase changed the files: %d before, %d after", len(before), len(after))
	}
	if key, err := fileStore(t, home, "right").Key("work"); err != nil || key != testKey {
		t.Errorf("with the right passphrase again: %q, %v; want the key intact", key, err)
	}
}

func TestNoPassphrase(t *testing.T) {
	home := t.TempDir()
	s, err := Open(Options{ConfigFile: filepath.Join(home, "config.json"), KeyringDir: filepath.Join(home, "keyring"), Backend: "file"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(Connection{Name: "work", Region: "us"}, testKey, false); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("Add with no passphrase function: %v, want ErrNoPassphrase", err)
	}
	empty := fileStore(t, home, "")
	if _, err := empty.Add(Connection{Name: "work", Region: "us"}, testKey, false); !errors.Is(err, ErrNoPassphrase) {
		t.Errorf("Add with an empty passphrase: %v, want ErrNoPassphrase", err)
	}
	if files := snapshot(t, home); len(files) != 0 {
		t.Errorf("files written without a passphrase: %v", files)
	}
}

func TestPassphraseFunctionErrorSurvives(t *testing.T) {
	home := t.TempDir()
	typo := errors.New("the two passphrases differ")
	var asked []PassphraseRequest
	s, err := Open(Options{
		ConfigFile: filepath.Join(home, "config.json"), KeyringDir: filepath.Join(home, "keyring"), Backend: "file",
		Passphrase: func(r PassphraseRequest) (string, error) { asked = append(asked, r); return "", typo },
	})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Add(Connection{Name: "work", Region: "us"}, testKey, false); !errors.Is(err, typo) {
		t.Errorf("Add: %v, want the passphrase function's own error", err)
	}
	if len(asked) != 1 || !asked[0].New || !strings.Contains(asked[0].Prompt(), "New passphrase") {
		t.Errorf("asked %+v, want one request for a new passphrase", asked)
	}

	if _, err := fileStore(t, home, "pw").Add(Connection{Name: "work", Region: "us"}, testKey, false); err != nil {
		t.Fatal(err)
	}
	asked = nil
	s, _ = Open(Options{
		ConfigFile: filepath.Join(home, "config.json"), KeyringDir: filepath.Join(home, "keyring"), Backend: "file",
		Passphrase: func(r PassphraseRequest) (string, error) { asked = append(asked, r); return "pw", nil },
	})
	if _, err := s.Key("work"); err != nil {
		t.Fatal(err)
	}
	if len(asked) != 1 || asked[0].New {
		t.Errorf("asked %+v, want one request for the existing passphrase", asked)
	}
}

func TestUnknownBackend(t *testing.T) {
	_, err := Open(Options{Backend: "vault"})
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "secret-service") {
		t.Errorf("Open(vault): %v, want ErrInvalid listing the backends", err)
	}
}

func TestUnavailableBackend(t *testing.T) {
	other := "keychain"
	if runtime.GOOS == "darwin" {
		other = "wincred"
	}
	home := t.TempDir()
	config := filepath.Join(home, "config.json")
	if err := os.WriteFile(config, []byte(`{"connections":[{"name":"work","region":"us"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{Backend: other, ConfigFile: config, KeyringDir: filepath.Join(home, "keyring"), Log: quiet})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Key("work"); !errors.Is(err, ErrKeyringUnavailable) {
		t.Errorf("Key on %s: %v, want ErrKeyringUnavailable", other, err)
	}
}

// A key is read back from the backend that stored it, even when the
// operating system's list would try another first.
func TestKeyReadFromTheBackendThatHoldsIt(t *testing.T) {
	home := t.TempDir()
	if _, err := fileStore(t, home, "pw").Add(Connection{Name: "work", Region: "us"}, testKey, false); err != nil {
		t.Fatal(err)
	}
	s, err := Open(Options{
		ConfigFile: filepath.Join(home, "config.json"),
		KeyringDir: filepath.Join(home, "keyring"),
		Passphrase: func(PassphraseRequest) (string, error) { return "pw", nil },
		Log:        quiet,
	})
	if err != nil {
		t.Fatal(err)
	}
	if key, err := s.Key("work"); err != nil || key != testKey {
		t.Errorf("Key with the OS's backend list = %q, %v; want the key from the file backend", key, err)
	}
}

func TestConfigKeepsOtherRoomsFields(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "config.json")
	if err := os.WriteFile(path, []byte(`{"listener":{"addr":"127.0.0.1:9000"},"connections":[]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s := fileStore(t, home, "pw")
	if _, err := s.Add(Connection{Name: "work", Region: "us"}, testKey, false); err != nil {
		t.Fatal(err)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Contains(data, []byte(`"addr": "127.0.0.1:9000"`)) || !bytes.Contains(data, []byte(`"default": "work"`)) {
		t.Errorf("config.json lost a field or the default:\n%s", data)
	}
}

func TestDamagedConfigIsReported(t *testing.T) {
	home := t.TempDir()
	path := filepath.Join(home, "config.json")
	if err := os.WriteFile(path, []byte(`{"connections": [`), 0o600); err != nil {
		t.Fatal(err)
	}
	_, err := fileStore(t, home, "pw").List()
	if err == nil || !strings.Contains(err.Error(), "fix or remove it") {
		t.Errorf("List on a damaged config: %v, want an error saying what to do", err)
	}
}

func TestRegion(t *testing.T) {
	for in, want := range map[string]string{"us": "https://api.iterable.com", "EU": "https://api.eu.iterable.com", " eu ": "https://api.eu.iterable.com"} {
		r, err := ParseRegion(in)
		if err != nil || r.BaseURL() != want {
			t.Errorf("ParseRegion(%q) = %q (%v), base URL %q; want %q", in, r, err, r.BaseURL(), want)
		}
	}
	if _, err := ParseRegion("ap"); !errors.Is(err, ErrInvalid) {
		t.Errorf("ParseRegion(ap): %v, want ErrInvalid", err)
	}
}

func TestLooksLikeIterableKey(t *testing.T) {
	if !LooksLikeIterableKey(testKey) {
		t.Error("a 32-character lowercase hex key was not recognised")
	}
	for _, k := range []string{"KEY", strings.ToUpper(testKey), testKey + "0", "g123456789abcdef0123456789ab3f2a"} {
		if LooksLikeIterableKey(k) {
			t.Errorf("LooksLikeIterableKey(%q) = true", k)
		}
	}
}

// FuzzConfig feeds config.json files a user may have edited by hand: reading
// never panics, and what was read is written back unchanged.
func FuzzConfig(f *testing.F) {
	f.Add([]byte(`{"default":"work","connections":[{"name":"work","region":"eu"}]}`))
	f.Add([]byte(`{"connections":[{"name":"a","region":"us","baseUrl":"http://127.0.0.1:1"}],"other":[1,2]}`))
	f.Add([]byte(`[]`))
	f.Add([]byte(`null`))
	f.Add([]byte(`{"connections":{}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "config.json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		cfg, err := loadConfig(path)
		if err != nil {
			return
		}
		if err := cfg.save(path); err != nil {
			t.Fatalf("saving what was read: %v", err)
		}
		again, err := loadConfig(path)
		if err != nil {
			t.Fatalf("reading what was saved: %v", err)
		}
		if again.Default != cfg.Default || len(again.Connections) != len(cfg.Connections) || len(again.rest) != len(cfg.rest) {
			t.Errorf("round trip changed the config: %+v then %+v", cfg, again)
		}
	})
}

func BenchmarkFileKeyRead(b *testing.B) {
	home := b.TempDir()
	if _, err := fileStore(b, home, "pw").Add(Connection{Name: "work", Region: "us"}, testKey, false); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		// A new store each time, as each command opens its own.
		if _, err := fileStore(b, home, "pw").Key("work"); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkList(b *testing.B) {
	home := b.TempDir()
	s := fileStore(b, home, "pw")
	for i := range 20 {
		if _, err := s.Add(Connection{Name: "c" + string(rune('a'+i)), Region: "us"}, testKey, false); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.List(); err != nil {
			b.Fatal(err)
		}
	}
}

// quiet keeps the stores' logs out of the test output.
var quiet = slog.New(slog.DiscardHandler)
