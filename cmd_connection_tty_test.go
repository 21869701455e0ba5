//go:build unix

package main

import (
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// tmuxPane runs one command in a detached tmux session on a private server.
type tmuxPane struct {
	t      *testing.T
	socket string
}

func newTmuxPane(t *testing.T, command string) *tmuxPane {
	t.Helper()
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	b := make([]byte, 6)
	rand.Read(b)
	p := &tmuxPane{t: t, socket: "iwbtest-" + hex.EncodeToString(b)}
	p.tmux("new-session", "-d", "-x", "120", "-y", "30", command)
	t.Cleanup(func() { p.tmux("kill-server") })
	return p
}

func (p *tmuxPane) tmux(args ...string) string {
	p.t.Helper()
	cmd := exec.Command("tmux", append([]string{"-L", p.socket}, args...)...)
	cmd.Env = append(os.Environ(), "TMUX=") // also when the tests themselves run inside tmux
	out, err := cmd.CombinedOutput()
	if err != nil {
		p.t.Fatalf("tmux %v: %v\n%s", args, err, out)
	}
	return string(out)
}

func (p *tmuxPane) screen() string { return p.tmux("capture-pane", "-p") }

// waitFor polls the rendered screen until text shows, for at most 20 s.
func (p *tmuxPane) waitFor(text string) string {
	p.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for {
		s := p.screen()
		if strings.Contains(s, text) {
			return s
		}
		if time.Now().After(deadline) {
			p.t.Fatalf("%q never showed; the screen:\n%s", text, s)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func (p *tmuxPane) typeLine(text string) { p.tmux("send-keys", "-l", text+"\r") }

// On a terminal, add asks for the key and a new keyring's passphrase (twice)
// with echo off, and nothing typed shows on the screen.
func TestConnectionAddPromptsOnTerminal(t *testing.T) {
	dir := t.TempDir()
	bin := buildIWB(t, dir)
	home := filepath.Join(dir, "home")
	const key = "0123456789abcdef0123456789ab3f2a"
	script := "env -i PATH=/usr/bin:/bin IWB_HOME=" + home + " IWB_KEYRING_BACKEND=file " + bin +
		" connection add work --region eu; echo EXIT=$?; sleep 600"
	p := newTmuxPane(t, script)
	p.waitFor("API key for work (hidden):")
	p.typeLine(key)
	p.waitFor("New passphrase for the iwb file keyring")
	p.typeLine("open sesame")
	p.waitFor("Type it again:")
	p.typeLine("open sesame")
	s := p.waitFor("EXIT=")
	if !strings.Contains(s, "EXIT=0") || !strings.Contains(s, "added work") {
		t.Fatalf("add on a terminal failed:\n%s", s)
	}
	if strings.Contains(s, key) || strings.Contains(s, "open sesame") {
		t.Errorf("typed secrets were echoed:\n%s", s)
	}
	r := runIWB(t, bin, baseEnv("IWB_HOME="+home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=open sesame"), "", "connection", "test", "work")
	if r.code != 0 || !strings.Contains(r.stdout, "••••••••••••3f2a") {
		t.Errorf("the typed key and passphrase do not read back: exit %d %s%s", r.code, r.stdout, r.stderr)
	}
}

func TestMismatchedNewPassphraseStoresNothing(t *testing.T) {
	dir := t.TempDir()
	bin := buildIWB(t, dir)
	home := filepath.Join(dir, "home")
	// The key comes on stdin; the passphrase is asked on the terminal.
	script := "printf 0123456789abcdef0123456789ab3f2a | env -i PATH=/usr/bin:/bin IWB_HOME=" + home +
		" IWB_KEYRING_BACKEND=file " + bin + " connection add work; echo EXIT=$?; sleep 600"
	p := newTmuxPane(t, script)
	p.waitFor("New passphrase for the iwb file keyring")
	p.typeLine("one")
	p.waitFor("Type it again:")
	p.typeLine("two")
	s := p.waitFor("EXIT=")
	if !strings.Contains(s, "EXIT=2") || !strings.Contains(s, "the two passphrases differ") {
		t.Fatalf("mismatched passphrases:\n%s", s)
	}
	if files := snapshotFiles(t, home, false); len(files) != 0 {
		t.Errorf("files written after mismatched passphrases: %v", files)
	}
}
