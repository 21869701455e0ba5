//go:build unix

package main

import (
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// On a terminal, add asks for the key and a new keyring's passphrase (twice)
// with echo off, and nothing typed shows on the screen.
func TestConnectionAddPromptsOnTerminal(t *testing.T) {
	bin := buildIWB(t)
	home := filepath.Join(t.TempDir(), "home")
	const key = "0123456789abcdef0123456789ab3f2a"
	api := httptest.NewServer(sandbox.New(sandbox.Options{Key: key}).Handler())
	defer api.Close()
	script := "env -i PATH=/usr/bin:/bin IWB_HOME=" + home + " IWB_KEYRING_BACKEND=file " + bin +
		" connection add work --region eu; echo EXIT=$?"
	p := tuitest.Start(t, 120, 30, nil, "sh", "-c", script)
	p.WaitFor(20*time.Second, "API key for work (hidden):")
	p.SendText(key + "\r")
	p.WaitFor(20*time.Second, "New passphrase for the iwb file keyring")
	p.SendText("open sesame" + "\r")
	p.WaitFor(20*time.Second, "Type it again:")
	p.SendText("open sesame" + "\r")
	s := p.WaitFor(20*time.Second, "EXIT=")
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "added work") {
		t.Fatalf("add on a terminal failed:\n%s", s)
	}
	if strings.Contains(s, key) || strings.Contains(s, "open sesame") {
		t.Errorf("typed secrets were echoed:\n%s", s)
	}
	r := runIWB(t, bin, baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=open sesame", "ITERABLE_BASE_URL="+api.URL), "", "connection", "test", "work")
	if r.code != 0 || !strings.Contains(r.stdout, "••••••••••••3f2a") {
		t.Errorf("the typed key and passphrase do not read back: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
}

func TestMismatchedNewPassphraseStoresNothing(t *testing.T) {
	bin := buildIWB(t)
	home := filepath.Join(t.TempDir(), "home")
	// The key comes on stdin; the passphrase is asked on the terminal.
	script := "printf 0123456789abcdef0123456789ab3f2a | env -i PATH=/usr/bin:/bin IWB_HOME=" + home +
		" IWB_KEYRING_BACKEND=file " + bin + " connection add work; echo EXIT=$?"
	p := tuitest.Start(t, 120, 30, nil, "sh", "-c", script)
	p.WaitFor(20*time.Second, "New passphrase for the iwb file keyring")
	p.SendText("one" + "\r")
	p.WaitFor(20*time.Second, "Type it again:")
	p.SendText("two" + "\r")
	s := p.WaitFor(20*time.Second, "EXIT=")
	if !strings.Contains(s, "EXIT=2") || !strings.Contains(s, "the two passphrases differ") {
		t.Fatalf("mismatched passphrases:\n%s", s)
	}
	if files := snapshotFiles(t, home, false); len(files) != 0 {
		t.Errorf("files written after mismatched passphrases: %v", files)
	}
}
