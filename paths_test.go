//go:build unix

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHomeModeKeptWhenItExists(t *testing.T) {
	bin := buildIWB(t)
	shared := filepath.Join(t.TempDir(), "shared")
	if err := os.Mkdir(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(shared, 0o755); err != nil {
		t.Fatal(err)
	}
	r := runIWB(t, bin, baseEnv("IWB_HOME="+shared), "", "trigger", "list")
	if r.code != 0 {
		t.Fatalf("trigger list: %d %s", r.code, r.stderr)
	}
	if info, _ := os.Stat(shared); info.Mode().Perm() != 0o755 {
		t.Errorf("an existing IWB_HOME was changed to %v", info.Mode().Perm())
	}
	if strings.Count(r.stderr, "warning") != 1 || !strings.Contains(r.stderr, shared+" can be read by other users") {
		t.Errorf("stderr = %q, want one warning naming the folder", r.stderr)
	}
	for _, f := range []string{"events.db", filepath.Join("logs", "iwb.log")} {
		if info, err := os.Stat(filepath.Join(shared, f)); err != nil || info.Mode().Perm() != 0o600 {
			t.Errorf("%s: %v %v, want 0600", f, err, info)
		}
	}

	fresh := filepath.Join(t.TempDir(), "new", "home")
	r = runIWB(t, bin, baseEnv("IWB_HOME="+fresh), "", "trigger", "list")
	if r.code != 0 || strings.Contains(r.stderr, "warning") {
		t.Fatalf("trigger list on a new home: %d %q", r.code, r.stderr)
	}
	if info, _ := os.Stat(fresh); info.Mode().Perm() != 0o700 {
		t.Errorf("a home iwb made is %v, want 0700", info.Mode().Perm())
	}
}
