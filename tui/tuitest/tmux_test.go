package tuitest

import (
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

func TestBuildRunsTheIwbBinary(t *testing.T) {
	if testing.Short() {
		t.Skip("building the binary is skipped with -short")
	}
	bin := Build(t, "github.com/iwb-dev/iwb")
	s := Start(t, 80, 24, nil, bin, "--version")
	s.WaitFor(10*time.Second, "iwb version")
	if code := s.WaitExit(10 * time.Second); code != 0 {
		t.Fatalf("iwb --version ended with %d", code)
	}
}
