//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// fileLogOf makes an iwb home whose file log holds n events, every tenth
// matching a trigger and the first pinned; it returns the home.
func fileLogOf(t *testing.T, n int) string {
	t.Helper()
	home := t.TempDir()
	st, err := webhook.Open(filepath.Join(home, "events.db"), webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	ctx := context.Background()
	if _, err := st.AddTrigger(ctx, webhook.Trigger{Name: "clicks", Kind: webhook.TriggerObject, EventNames: []string{"emailClick"}}); err != nil {
		t.Fatal(err)
	}
	// Appended from many goroutines, so that they commit in large batches.
	var wg sync.WaitGroup
	next := make(chan int)
	errs := make(chan error, 1)
	for range 64 {
		wg.Go(func() {
			for i := range next {
				name := "emailOpen"
				if i%10 == 0 {
					name = "emailClick"
				}
				body := fmt.Sprintf(`{"email":"u%d@example.com","eventName":%q,"dataFields":{"messageId":"m%d","pad":%q}}`,
					i, name, i, strings.Repeat("x", 200))
				ev := &webhook.Event{ReceivedAt: time.Now(), Status: webhook.StatusAccepted, Kind: webhook.KindSystem,
					EventName: name, Email: fmt.Sprintf("u%d@example.com", i), Method: "POST", Path: "/",
					ContentType: "application/json", Body: []byte(body), Payload: []byte(body)}
				if err := st.Append(ctx, ev); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		})
	}
	for i := range n {
		next <- i
	}
	close(next)
	wg.Wait()
	select {
	case err := <-errs:
		t.Fatal(err)
	default:
	}
	if err := st.Pin(ctx, 1, true); err != nil {
		t.Fatal(err)
	}
	rs, err := recipe.Open(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	r := recipe.Recipe{Name: "note-click", Trigger: "clicks",
		Steps: []recipe.Step{{Action: "get-user", Input: json.RawMessage(`{"email":"{{email}}"}`)}}}
	if err := rs.Add(ctx, r); err != nil {
		t.Fatal(err)
	}
	return home
}

// logEvents reads every event of a log, in id order, as id and body.
func logEvents(t *testing.T, location string) []string {
	t.Helper()
	ctx := context.Background()
	st, err := webhook.OpenLog(ctx, location, webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out []string
	for after := int64(0); ; {
		page, err := st.List(ctx, webhook.Query{AfterID: after, Limit: 5000})
		if err != nil {
			t.Fatal(err)
		}
		if len(page) == 0 {
			return out
		}
		for _, ev := range page {
			out = append(out, fmt.Sprintf("%d %v %v %s", ev.ID, ev.Pinned, ev.Triggers, ev.Body))
		}
		after = page[len(page)-1].ID
	}
}

// TestStoreCopyResumesAfterSIGKILL kills `iwb store copy` in the middle of
// a large log, then runs it again: every event is in the shared log once,
// with its id, pin and trigger match, and no output shows the password.
func TestStoreCopyResumesAfterSIGKILL(t *testing.T) {
	if testing.Short() {
		t.Skip("copies a large log; skipped with -short")
	}
	bin := buildIWB(t)
	const n = 25000
	home := fileLogOf(t, n)
	store := teamStore(t)

	cmd := exec.Command(bin, "store", "copy", "--from", home, "--to", store)
	cmd.Env = baseEnv("IWB_HOME=" + t.TempDir())
	var out strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	shared, err := webhook.OpenPostgres(context.Background(), store, webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer shared.Close()
	var part int64
	tuitest.WaitFor(t, 30*time.Second, "the copy's first batch", func() bool {
		part, _ = shared.Count(context.Background(), webhook.Query{})
		return part > 0
	})
	_ = cmd.Process.Signal(syscall.SIGKILL)
	_ = cmd.Wait()
	part, _ = shared.Count(context.Background(), webhook.Query{})
	if part >= n {
		t.Fatalf("the copy had ended (%d events) before it was killed: make the log larger", part)
	}

	r := runIWB(t, bin, baseEnv("IWB_HOME="+t.TempDir()), "", "store", "copy", "--from", home, "--to", store)
	if r.code != 0 || !strings.Contains(r.stdout, "more events into postgres://") || !strings.Contains(r.stdout, "were there from an earlier copy") ||
		!strings.Contains(r.stdout, "added 1 recipe, disarmed") {
		t.Fatalf("the second run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if !strings.Contains(r.stderr, "copied 25,000 of 25,000 events (100%)") || strings.Contains(r.stderr, "\r") {
		t.Errorf("want plain progress lines reaching the end, without a terminal:\n%q", r.stderr)
	}
	got, want := logEvents(t, store), logEvents(t, filepath.Join(home, "events.db"))
	if len(got) != len(want) {
		t.Fatalf("the shared log has %d events; the file %d", len(got), len(want))
	}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("event %d differs:\n got %.120s\nwant %.120s", i, got[i], want[i])
		}
	}
	if strings.Contains(out.String()+r.stdout+r.stderr, teamPassword) {
		t.Error("the password was printed")
	}
	// Once more: nothing is copied twice.
	r = runIWB(t, bin, baseEnv("IWB_HOME="+t.TempDir()), "", "store", "copy", "--from", filepath.Join(home, "events.db"), "--to", store)
	if r.code != 0 || !strings.Contains(r.stdout, "nothing new to copy") {
		t.Errorf("a third run: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	if c, _ := shared.Count(context.Background(), webhook.Query{}); c != n {
		t.Errorf("after a third run the shared log has %d events; want %d", c, n)
	}
}

// TestStoreCopyShowsABarOnATerminal runs the copy in a real terminal: one
// line, redrawn in place, ends full.
func TestStoreCopyShowsABarOnATerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	home := fileLogOf(t, 3000)
	store := teamStore(t)
	s := tuitest.Start(t, 100, 20, []string{"IWB_HOME=" + t.TempDir(), "HOME=" + os.Getenv("HOME"), "PATH=" + os.Getenv("PATH")},
		bin, "store", "copy", "--from", home, "--to", store)
	if code := s.WaitExit(60 * time.Second); code != 0 {
		t.Fatalf("exit %d:\n%s", code, s.Screen())
	}
	screen := s.Screen()
	if strings.Count(screen, "of 3,000 events") != 1 || !strings.Contains(screen, strings.Repeat("█", 30)+" 100%  3,000 of 3,000 events") {
		t.Errorf("want one progress line, full, and the summary:\n%s", screen)
	}
	if strings.Contains(screen, teamPassword) {
		t.Errorf("the password is on the screen:\n%s", screen)
	}
}

func TestStoreCopyBadInput(t *testing.T) {
	bin := buildIWB(t)
	dir := t.TempDir()
	notes := filepath.Join(dir, "notes.txt")
	if err := os.WriteFile(notes, []byte("not a database"), 0o600); err != nil {
		t.Fatal(err)
	}
	pg := "postgres://iwb:" + teamPassword + "@127.0.0.1:1/iwb?connect_timeout=2"
	for _, tc := range []struct {
		name string
		args []string
		code int
		says string
	}{
		{"missing file", []string{"--from", filepath.Join(dir, "nope.db"), "--to", pg}, exitNotFound, "nope.db: not found"},
		{"home without a log", []string{"--from", dir, "--to", pg}, exitNotFound, "events.db: not found"},
		{"not a log", []string{"--from", notes, "--to", pg}, exitUsage, "notes.txt is not an iwb event log"},
		{"not postgres", []string{"--from", notes, "--to", "mysql://iwb:" + teamPassword + "@db/iwb"}, exitUsage, "--to must be a postgres:// URL"},
		{"no target", []string{"--from", notes}, exitUsage, "say where to copy to"},
		{"unreachable", []string{"--from", fileLogOf(t, 1), "--to", pg}, exitFailed, "127.0.0.1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := runIWB(t, bin, baseEnv("IWB_HOME="+t.TempDir()), "", append([]string{"store", "copy"}, tc.args...)...)
			lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
			last := lines[len(lines)-1]
			if r.code != tc.code || !strings.Contains(last, tc.says) || strings.Contains(r.stdout+r.stderr, teamPassword) {
				t.Errorf("exit %d, want %d, saying %q and never the password:\n%s%s", r.code, tc.code, tc.says, r.stdout, r.stderr)
			}
		})
	}
	if _, err := os.Stat(filepath.Join(dir, "nope.db")); err == nil {
		t.Error("a missing --from file was created")
	}
}
