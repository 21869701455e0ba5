//go:build unix

package main

import (
	"fmt"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestActionConfirmsOnATerminal answers send-sms's question in a real
// terminal (tmux): "n" sends nothing, "y" sends.
func TestActionConfirmsOnATerminal(t *testing.T) {
	if _, err := exec.LookPath("tmux"); err != nil {
		t.Skip("tmux is not installed (.ci/run installs it)")
	}
	bin := buildActionBinary(t)
	rec := &iterableRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	home := t.TempDir()
	socket := fmt.Sprintf("iwb-action-%d", time.Now().UnixNano())
	tmux := func(args ...string) string {
		t.Helper()
		out, err := exec.Command("tmux", append([]string{"-L", socket}, args...)...).CombinedOutput()
		if err != nil {
			t.Fatalf("tmux %v: %v\n%s", args, err, out)
		}
		return string(out)
	}
	t.Cleanup(func() { exec.Command("tmux", "-L", socket, "kill-server").Run() })
	waitFor := func(text string) {
		t.Helper()
		deadline := time.Now().Add(20 * time.Second)
		for !strings.Contains(tmux("capture-pane", "-p"), text) {
			if time.Now().After(deadline) {
				t.Fatalf("%q never showed; the screen:\n%s", text, tmux("capture-pane", "-p"))
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	command := fmt.Sprintf(`for answer in 1 2; do IWB_HOME=%s ITERABLE_BASE_URL=%s ITERABLE_API_KEY=%s %s action run send-sms --data '{"campaignId":12,"recipientEmail":"a@example.com"}'; echo "EXIT$answer=$?"; done; sleep 60`,
		home, srv.URL, recorderKey, bin)
	tmux("new-session", "-d", "-x", "160", "-y", "30", "sh", "-c", command)

	waitFor("Send SMS will reach real people. Send? [y/N]")
	tmux("send-keys", "n", "Enter")
	waitFor("EXIT1=2")
	if n := len(rec.take()); n != 0 {
		t.Errorf("declined, yet %d requests were sent", n)
	}
	waitFor("Send? [y/N]")
	tmux("send-keys", "y", "Enter")
	waitFor("EXIT2=0")
	if calls := rec.take(); len(calls) != 1 || calls[0].path != "/api/sms/target" {
		t.Errorf("confirmed: %d requests", len(calls))
	}
}
