package tuitest

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

func TestSessionTypesReadsAndReportsTheExitCode(t *testing.T) {
	s := Start(t, 80, 24, []string{"GREETING=ready"},
		"sh", "-c", `echo "$GREETING"; read line; echo "got:$line"; exit 3`)
	s.WaitFor(5*time.Second, "ready")
	s.SendText("q and more")
	s.SendKeys("Enter")
	s.WaitFor(5*time.Second, "got:q and more")
	if code := s.WaitExit(5 * time.Second); code != 3 {
		t.Fatalf("exit code %d, want 3", code)
	}
	s.Clean()
}

// TestWaitUntilCatchesAMovingValue: a counter that moves faster than the
// screen is polled is waited for by a condition (at least n), which no
// poll can skip past.
func TestWaitUntilCatchesAMovingValue(t *testing.T) {
	s := Start(t, 80, 24, nil, "sh", "-c", `i=0; while :; do i=$((i+1)); printf '\rcount %d ' $i; done`)
	screen := s.WaitUntil(5*time.Second, "a count of at least 500", func(screen string) bool {
		f := strings.Fields(screen)
		if len(f) < 2 || f[0] != "count" {
			return false
		}
		n, err := strconv.Atoi(f[1])
		return err == nil && n >= 500
	})
	if !strings.Contains(screen, "count ") {
		t.Fatalf("WaitUntil returned a screen without the count:\n%s", screen)
	}
}

// TestTitleAndBuffersSeeWhatAProgramSets: a program that sets the title
// (OSC 2) and writes the clipboard (OSC 52) changes both, so a test that
// finds them unchanged has shown that nothing did.
func TestTitleAndBuffersSeeWhatAProgramSets(t *testing.T) {
	s := Start(t, 80, 24, nil, "sh", "-c", `read line; printf '\033]2;pwned\007\033]52;c;cm0gLXJmIH4K\007done\n'`)
	title := s.Title()
	if title == "pwned" || len(s.Buffers()) != 0 {
		t.Fatalf("before the program wrote anything: title %q, buffers %q", title, s.Buffers())
	}
	s.SendKeys("Enter")
	s.WaitFor(5*time.Second, "done")
	if got := s.Title(); got != "pwned" {
		t.Errorf("the title is %q after OSC 2, want pwned", got)
	}
	if b := s.Buffers(); len(b) != 1 || !strings.Contains(b[0], `"rm -rf ~\n"`) {
		t.Errorf("buffers after OSC 52: %q, want one holding rm -rf ~", b)
	}
}
