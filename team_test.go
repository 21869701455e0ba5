//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/internal/pgtest"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// teamPassword is put in the store URL; the test server trusts local
// connections, so it is never checked, only never to be shown.
const teamPassword = "hunter2-team-secret"

// teamStore is a fresh shared log's URL, with a password in it.
func teamStore(t *testing.T) string {
	u, err := url.Parse(pgtest.Fresh(t))
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(u.User.Username(), teamPassword)
	return u.String()
}

// teamListener is one `iwb listen --store` process with its own iwb home, as
// on its own host.
type teamListener struct {
	cmd    *exec.Cmd
	url    string
	home   string
	stderr *strings.Builder
}

func startTeamListener(t *testing.T, bin, store string) *teamListener {
	t.Helper()
	home := t.TempDir()
	addr := freePort(t)
	cmd := exec.Command(bin, "listen", "--store", store, "--addr", addr, "--json")
	cmd.Env = baseEnv("IWB_HOME=" + home)
	cmd.Stdout = io.Discard
	pipe, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	l := &teamListener{cmd: cmd, url: "http://" + addr + "/", home: home, stderr: &strings.Builder{}}
	ready := make(chan struct{})
	var once sync.Once
	var mu sync.Mutex
	go func() {
		sc := bufio.NewScanner(pipe)
		for sc.Scan() {
			mu.Lock()
			l.stderr.WriteString(sc.Text() + "\n")
			mu.Unlock()
			if strings.Contains(sc.Text(), "every answered event is stored") {
				once.Do(func() { close(ready) })
			}
		}
	}()
	select {
	case <-ready:
	case <-time.After(30 * time.Second):
		mu.Lock()
		defer mu.Unlock()
		t.Fatalf("iwb listen --store did not start:\n%s", l.stderr)
	}
	mu.Lock()
	defer mu.Unlock()
	banner := l.stderr.String()
	if strings.Contains(banner, teamPassword) || !strings.Contains(banner, "postgres://") {
		t.Errorf("the banner must name the store without its password:\n%s", banner)
	}
	return l
}

// sendEvent posts one system event; it returns the answered id, or 0 when
// the listener did not answer 200.
func sendEvent(client *http.Client, base, messageID string) int64 {
	body := fmt.Sprintf(`{"email":"ada@example.com","eventName":"emailOpen","dataFields":{"messageId":%q}}`, messageID)
	resp, err := client.Post(base+"iterable", "application/json", strings.NewReader(body))
	if err != nil {
		return 0
	}
	defer resp.Body.Close()
	var a struct{ ID string }
	_ = json.NewDecoder(resp.Body).Decode(&a)
	if resp.StatusCode != http.StatusOK {
		return 0
	}
	id, _ := strconv.ParseInt(a.ID, 10, 64)
	return id
}

// TestTeamListenersShareOnePostgres runs two listeners on one database
// under load from 50 connections, kills one of them mid-load, and checks
// that every event either acknowledged is stored, once, and that a reader
// in another process saw each live.
func TestTeamListenersShareOnePostgres(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	store := teamStore(t)
	bin := buildIWB(t)
	a := startTeamListener(t, bin, store)
	b := startTeamListener(t, bin, store)

	// A workbench elsewhere: its own connections, following the feed.
	ctx := context.Background()
	reader, err := webhook.OpenLog(ctx, store, webhook.StoreOptions{SubscriberBuffer: 1 << 16})
	if err != nil {
		t.Fatal(err)
	}
	defer reader.Close()
	sub := reader.Subscribe()
	defer sub.Close()

	// The same event delivered to both listeners is marked a duplicate.
	client := &http.Client{Timeout: 10 * time.Second}
	first, second := sendEvent(client, a.url, "twice"), sendEvent(client, b.url, "twice")
	if first == 0 || second == 0 {
		t.Fatal("the listeners did not take the first events")
	}
	if ev, err := reader.Get(ctx, second); err != nil || ev.DuplicateOf != first {
		t.Errorf("the copy through the other listener: duplicate of %d (%v), want %d", ev.DuplicateOf, err, first)
	}

	const workers, perWorker = 50, 20
	var sent atomic.Int64
	var mu sync.Mutex
	acked := map[int64]string{} // id -> messageId
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := &http.Client{Timeout: 10 * time.Second}
			for i := range perWorker {
				target := a.url
				if (w+i)%2 == 1 {
					target = b.url
				}
				msg := fmt.Sprintf("w%d-%d", w, i)
				id := sendEvent(c, target, msg)
				if sent.Add(1) == workers*perWorker/3 {
					_ = b.cmd.Process.Signal(syscall.SIGKILL) // mid-load, no warning
				}
				if id != 0 {
					mu.Lock()
					acked[id] = msg
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	if len(acked) < workers*perWorker/2 {
		t.Fatalf("only %d of %d events acknowledged", len(acked), workers*perWorker)
	}

	all, err := reader.List(ctx, webhook.Query{Limit: 100000})
	if err != nil {
		t.Fatal(err)
	}
	stored := map[int64]string{}
	copies := map[string]int{}
	for _, ev := range all {
		var p struct {
			DataFields struct{ MessageID string } `json:"dataFields"`
		}
		_ = json.Unmarshal(ev.Body, &p)
		stored[ev.ID] = p.DataFields.MessageID
		copies[p.DataFields.MessageID]++
	}
	for id, msg := range acked {
		if stored[id] != msg {
			t.Errorf("acknowledged event %d (%s) is stored as %q", id, msg, stored[id])
		}
		if copies[msg] != 1 {
			t.Errorf("event %s is stored %d times, want once", msg, copies[msg])
		}
	}

	// Every acknowledged event reached the reader live, whichever listener took it.
	seen := map[int64]bool{}
	deadline := time.After(10 * time.Second)
	for missing := len(acked); missing > 0; {
		select {
		case ev := <-sub.C:
			if _, ok := acked[ev.ID]; ok && !seen[ev.ID] {
				seen[ev.ID] = true
				missing--
			}
		case <-deadline:
			t.Fatalf("the reader saw %d of %d acknowledged events live", len(seen), len(acked))
		}
	}

	// The CLI reads the same log from anywhere; the password stays hidden.
	r := runIWB(t, bin, baseEnv("IWB_HOME="+t.TempDir(), "IWB_STORE="+store), "", "events", "list", "--json", "--limit", "5")
	if r.code != 0 || strings.Count(r.stdout, "\n") != 5 || !strings.Contains(r.stdout, `"eventName":"emailOpen"`) {
		t.Errorf("iwb events list with IWB_STORE: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
	for _, home := range []string{a.home, b.home} {
		logText, _ := os.ReadFile(filepath.Join(home, "logs", "iwb.log"))
		if strings.Contains(string(logText), teamPassword) {
			t.Errorf("the password is in %s", filepath.Join(home, "logs", "iwb.log"))
		}
	}
	if strings.Contains(a.stderr.String()+r.stderr, teamPassword) {
		t.Error("the password was printed")
	}
}

func TestStoreURLErrorsHideThePassword(t *testing.T) {
	bin := buildIWB(t)
	bad := "postgres://iwb:" + teamPassword + "@127.0.0.1:1/iwb?connect_timeout=2"
	r := runIWB(t, bin, baseEnv("IWB_HOME="+t.TempDir()), "", "events", "list", "--store", bad)
	if r.code != 1 || strings.Contains(r.stdout+r.stderr, teamPassword) || !strings.Contains(r.stderr, "127.0.0.1") {
		t.Errorf("an unreachable store: exit %d, want 1 and a message naming the host, not the password:\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestTeamWorkbenchShowsAnotherListenersEvent opens the workbench on a
// shared log and sends an event to a listener in another process: the
// workbench's Events tab shows it.
func TestTeamWorkbenchShowsAnotherListenersEvent(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	store := teamStore(t)
	bin := buildIWB(t)
	sb := sandbox.New(sandbox.Options{})
	api := httptest.NewServer(sb.Handler())
	defer api.Close()
	defer sb.Close()
	_, env := workbenchEnv(t)
	if r := runIWB(t, bin, baseEnv(env...), sb.Key(), "connection", "add", "acme", "--base-url", api.URL); r.code != 0 {
		t.Fatalf("connection add: exit %d: %s", r.code, r.stderr)
	}
	term := tuitest.Start(t, 120, 40, env, bin, "--store", store, "--addr", "127.0.0.1:0")
	term.WaitFor(eventsWithin, "acme (us) · http://127.0.0.1:", "0 events")

	l := startTeamListener(t, bin, store)
	if sendEvent(http.DefaultClient, l.url, "from-elsewhere") == 0 {
		t.Fatal("the other listener did not take the event")
	}
	acked := time.Now()
	term.WaitFor(eventsWithin, "emailOpen", "1 events")
	t.Logf("shown %v after the other listener's answer (tmux polling included)", time.Since(acked).Round(time.Millisecond))
	if strings.Contains(term.Screen(), teamPassword) {
		t.Error("the workbench shows the store's password")
	}
	term.Quit("q")
}
