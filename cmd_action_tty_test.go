//go:build unix

package main

import (
	"fmt"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestActionConfirmsOnATerminal answers send-sms's question in a real
// terminal (tmux): "n" sends nothing, "y" sends.
func TestActionConfirmsOnATerminal(t *testing.T) {
	bin := buildIWB(t)
	rec := &iterableRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	home := t.TempDir()
	command := fmt.Sprintf(`for answer in 1 2; do IWB_HOME=%s ITERABLE_BASE_URL=%s ITERABLE_API_KEY=%s %s action run send-sms --data '{"campaignId":12,"recipientEmail":"a@example.com"}'; echo "EXIT$answer=$?"; done`,
		home, srv.URL, recorderKey, bin)
	term := tuitest.Start(t, 160, 30, nil, "sh", "-c", command)

	term.WaitFor(20*time.Second, "Send SMS will reach real people. Send? [y/N]")
	term.SendKeys("n", "Enter")
	term.WaitFor(20*time.Second, "EXIT1=2")
	if n := len(rec.take()); n != 0 {
		t.Errorf("declined, yet %d requests were sent", n)
	}
	term.WaitFor(20*time.Second, "Send? [y/N]")
	term.SendKeys("y", "Enter")
	term.WaitFor(20*time.Second, "EXIT2=0")
	if calls := rec.take(); len(calls) != 1 || calls[0].path != "/api/sms/target" {
		t.Errorf("confirmed: %d requests", len(calls))
	}
}
