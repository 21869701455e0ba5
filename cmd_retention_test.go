package main

import (
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/tui/style"
)

func TestEventsPinAndPrune(t *testing.T) {
	home := t.TempDir()
	t.Setenv("IWB_HOME", home)
	for _, name := range []string{"emailSend", "emailOpen", "emailClick", "smsSend"} {
		storeOneEvent(t, `{"eventName":"`+name+`","email":"p@example.com"}`)
	}
	if code, out, errOut := runCLI(t, home, "events", "pin", "2"); code != 0 || out != "pinned event 2\n" {
		t.Fatalf("pin: exit %d out %q err %q", code, out, errOut)
	}
	if code, _, errOut := runCLI(t, home, "events", "pin", "99"); code != 3 || !strings.Contains(errOut, "no event 99") {
		t.Errorf("pin of a missing event: exit %d err %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, home, "events", "prune"); code != 2 || !strings.Contains(errOut, "--before") {
		t.Errorf("prune without a bound: exit %d err %q", code, errOut)
	}
	if code, _, errOut := runCLI(t, home, "events", "prune", "--before", "yesterday"); code != 2 || !strings.Contains(errOut, "2026-01-31") {
		t.Errorf("prune with a bad date: exit %d err %q", code, errOut)
	}
	code, out, errOut := runCLI(t, home, "events", "prune", "--keep-events", "1", "--dry-run")
	if code != 0 || !strings.HasPrefix(out, "would remove 2 events") {
		t.Fatalf("dry run: exit %d out %q err %q", code, out, errOut)
	}
	code, out, errOut = runCLI(t, home, "events", "prune", "--keep-events", "1")
	if code != 0 || !strings.HasPrefix(out, "removed 2 events, freeing ") {
		t.Fatalf("prune: exit %d out %q err %q", code, out, errOut)
	}
	_, out, _ = runCLI(t, home, "events", "list")
	if !strings.Contains(out, "emailOpen") || !strings.Contains(out, "smsSend") || strings.Contains(out, "emailSend") || strings.Contains(out, "emailClick") {
		t.Errorf("after pruning all but the newest, the pinned one should stay too:\n%s", out)
	}
	if code, out, _ := runCLI(t, home, "events", "unpin", "2"); code != 0 || out != "unpinned event 2\n" {
		t.Errorf("unpin: exit %d out %q", code, out)
	}
}

func TestRetentionFlags(t *testing.T) {
	home := t.TempDir()
	code, out, _ := runCLI(t, home, "listen", "--help")
	for _, want := range []string{"--keep-days int", "(default 30)", "--keep-events int", "(default 1000000)", "--max-db-size string", `(default "2GB")`, "pinned"} {
		if code != 0 || !strings.Contains(out, want) {
			t.Errorf("listen --help lacks %q:\n%s", want, out)
		}
	}
	for _, bad := range [][]string{{"--max-db-size", "lots"}, {"--keep-days", "-1"}, {"--keep-events", "-5"}} {
		code, _, errOut := runCLI(t, home, append([]string{"listen", "--addr", "127.0.0.1:0"}, bad...)...)
		if code != 2 || !strings.Contains(errOut, bad[0]) {
			t.Errorf("listen %v: exit %d err %q", bad, code, errOut)
		}
	}
	for in, want := range map[string]int64{"2GB": 2 << 30, "500 MB": 500 << 20, "1.5GiB": 3 << 29, "0": 0, "4096": 4096, "64kb": 64 << 10} {
		if got, err := parseBytes(in); err != nil || got != want {
			t.Errorf("parseBytes(%q) = %d %v, want %d", in, got, err, want)
		}
	}
	for n, want := range map[int64]string{2 << 30: "2GB", 1536 << 10: "1.5MB", 100: "100B"} {
		if got := style.Bytes(n); got != want {
			t.Errorf("style.Bytes(%d) = %q, want %q", n, got, want)
		}
	}
}
