//go:build unix

package main

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// The first events must show within this, as the issue asks.
const eventsWithin = 5 * time.Second

// workbenchEnv is a fresh iwb home with the file keyring, so nothing of the
// machine's own keyring or history is read or written.
func workbenchEnv(t *testing.T) (home string, env []string) {
	home = t.TempDir()
	return home, []string{"IWB_HOME=" + home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=correct horse"}
}

// flatText is the screen's text with the box borders taken out and the
// lines joined, so a phrase wrapped over two lines of a pane still reads
// as one.
func flatText(screen string) string {
	var parts []string
	for _, l := range strings.Split(screen, "\n") {
		l = strings.NewReplacer("│", " ", "┌", " ", "┐", " ", "└", " ", "┘", " ", "─", " ").Replace(l)
		if f := strings.Fields(l); len(f) > 0 {
			parts = append(parts, strings.Join(f, " "))
		}
	}
	return strings.Join(parts, " ")
}

// checkFrame fails unless the screen is exactly h lines no wider than w,
// every box line keeps both its borders (nothing wrapped or cut), and the
// tab bar is on top.
func checkFrame(t *testing.T, screen string, w, h int, what string) {
	t.Helper()
	lines := strings.Split(strings.TrimSuffix(screen, "\n"), "\n")
	if len(lines) != h {
		t.Fatalf("%s: %d lines, want %d:\n%s", what, len(lines), h, screen)
	}
	if !strings.Contains(lines[0], "1 Events") || !strings.Contains(lines[0], "5 Connections") {
		t.Fatalf("%s: the tab bar is not the first line:\n%s", what, screen)
	}
	for i, l := range lines {
		if n := ansi.StringWidth(l); n > w {
			t.Fatalf("%s: line %d is %d cells wide, more than %d:\n%s", what, i+1, n, w, screen)
		}
	}
	// Body lines run from the second line to the third from the bottom; a
	// pane's lines start with a border and, at the right edge, end with one.
	for i, l := range lines[1 : h-2] {
		trimmed := strings.TrimRight(l, " ")
		first, _ := firstRune(trimmed)
		last := lastRune(trimmed)
		if !strings.ContainsRune("│┌└", first) || !strings.ContainsRune("│┐┘", last) || ansi.StringWidth(trimmed) != w {
			t.Fatalf("%s: line %d is not a whole pane line (cut border or wrap): %q\n%s", what, i+2, l, screen)
		}
	}
}

func firstRune(s string) (rune, bool) {
	for _, r := range s {
		return r, true
	}
	return 0, false
}

func lastRune(s string) rune {
	r := []rune(s)
	if len(r) == 0 {
		return 0
	}
	return r[len(r)-1]
}

// TestDemoInARealTerminal checks the demo at 120×40: the five tabs,
// the status bar, system and workflow events within 5 s, help, the ten
// actions by their names, Connections, the filter, and q with exit 0 and a
// clean terminal. The user's own event log is untouched.
func TestDemoInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	home, env := workbenchEnv(t)
	term := tuitest.Start(t, 120, 40, env, bin, "demo")

	screen := term.WaitFor(eventsWithin, "1 Events", "2 Actions", "3 Triggers", "4 Schemas", "5 Connections",
		"demo · http://127.0.0.1:", " S ", " W ", " events · ")
	checkFrame(t, screen, 120, 40, "the demo at 120×40")

	term.SendKeys("?")
	term.WaitFor(2*time.Second, "Help · Events", "follow")
	term.SendKeys("Escape")
	term.WaitGone(2*time.Second, "Help · Events")

	term.SendKeys("2")
	term.WaitUntil(2*time.Second, "the ten actions by their names", func(screen string) bool {
		flat := flatText(screen)
		for _, a := range client.Actions {
			if !strings.Contains(flat, a.Title) {
				return false
			}
		}
		return true
	})

	term.SendKeys("5")
	term.WaitFor(2*time.Second, "┌ Connections", "demo", "••••", "★")
	term.SendKeys("1")
	term.WaitFor(2*time.Second, "┌ Events")

	term.SendKeys("/")
	term.WaitFor(2*time.Second, "FILTER")
	term.SendText("example.com")
	term.WaitFor(2*time.Second, "/example.com")
	term.SendKeys("Escape")
	term.WaitGone(2*time.Second, "FILTER", "/example.com")

	term.Quit("q")
	if _, err := os.Stat(filepath.Join(home, "events.db")); !os.IsNotExist(err) {
		t.Errorf("the demo wrote to the user's event log (%v): it must use a temporary one", err)
	}
}

// TestDemoAt80x24 draws every tab and the help at the smallest size without
// a wrapped line or a cut border, shows the too-small message below it,
// and comes back whole when the window grows again.
func TestDemoAt80x24(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	term := tuitest.Start(t, 80, 24, env, bin, "demo")
	checkFrame(t, term.WaitFor(eventsWithin, " S ", " W "), 80, 24, "Events at 80×24")

	// The Schemas tab opens on the demo recipe's trigger: "┌ Schema · clicks".
	for _, tab := range []struct{ key, title string }{
		{"2", "┌ Actions"}, {"3", "┌ Triggers"}, {"4", "┌ Schema"}, {"5", "┌ Connections"}, {"1", "┌ Events"},
	} {
		term.SendKeys(tab.key)
		checkFrame(t, term.WaitFor(2*time.Second, tab.title), 80, 24, tab.title[4:]+" at 80×24")
	}
	term.SendKeys("?")
	checkFrame(t, term.WaitFor(2*time.Second, "Help · Events"), 80, 24, "help at 80×24")
	term.SendKeys("Escape")
	term.WaitGone(2*time.Second, "Help · Events")

	term.Resize(79, 24)
	term.WaitFor(2*time.Second, "too small", "80×24")
	term.Resize(80, 23)
	term.WaitFor(2*time.Second, "The window is 80×23")
	term.Resize(80, 24)
	checkFrame(t, term.WaitFor(2*time.Second, "┌ Events"), 80, 24, "Events after growing back to 80×24")

	term.Quit("q")
}

// TestWorkbenchWelcomeStartsTheDemo opens iwb with no connection: the
// welcome screen shows, and d starts the demo in its place.
func TestWorkbenchWelcomeStartsTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	term := tuitest.Start(t, 120, 40, env, bin, "--addr", "127.0.0.1:0")
	term.WaitFor(eventsWithin, "Welcome to iwb", "no connection")
	term.SendKeys("d")
	term.WaitFor(eventsWithin, "demo · http://127.0.0.1:", " S ", " W ")
	term.Quit("q")
}

var listenerURL = regexp.MustCompile(`http://127\.0\.0\.1:\d+/`)

// TestWorkbenchOnTheDefaultConnection runs iwb on a connection whose key is
// in the file keyring and whose host is a sandbox: the status bar names it,
// a webhook posted to the embedded listener shows in the Events tab and
// lands in the user's event log, and the Connections tab's test reaches the
// API with the key.
func TestWorkbenchOnTheDefaultConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	sb := sandbox.New(sandbox.Options{})
	api := httptest.NewServer(sb.Handler())
	defer api.Close()
	defer sb.Close()
	_, env := workbenchEnv(t)
	if r := runIWB(t, bin, baseEnv(env...), sb.Key(), "connection", "add", "acme", "--base-url", api.URL); r.code != 0 {
		t.Fatalf("connection add: exit %d: %s", r.code, r.stderr)
	}

	term := tuitest.Start(t, 120, 40, env, bin, "--addr", "127.0.0.1:0")
	screen := term.WaitFor(eventsWithin, "acme (us) · http://127.0.0.1:", "0 events")
	url := listenerURL.FindString(screen)
	resp, err := http.Post(url+"iterable", "application/json",
		strings.NewReader(`{"email":"ada@example.com","eventName":"emailOpen","dataFields":{"campaignId":73001}}`))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	term.WaitFor(eventsWithin, "emailOpen", "ada@exampl", "1 events")

	term.SendKeys("5")
	term.WaitFor(2*time.Second, "acme", "★")
	term.SendKeys("t")
	term.WaitFor(eventsWithin, "acme: key accepted")
	term.Quit("q")

	r := runIWB(t, bin, baseEnv(env...), "", "events", "list", "--json")
	if r.code != 0 || !strings.Contains(r.stdout, `"eventName":"emailOpen"`) {
		t.Errorf("the user's event log lacks the webhook: exit %d\n%s%s", r.code, r.stdout, r.stderr)
	}
}

// TestWorkbenchSaysWhenItsPortIsTaken keeps the workbench usable when
// another program holds the listener's address, and says so.
func TestWorkbenchSaysWhenItsPortIsTaken(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer taken.Close()
	_, env := workbenchEnv(t)
	term := tuitest.Start(t, 120, 40, env, bin, "--addr", taken.Addr().String())
	term.WaitFor(eventsWithin, "listener off: "+taken.Addr().String()+" is in use")
	term.SendKeys("1")
	term.WaitFor(2*time.Second, "┌ Events")
	term.Quit("q")
}

// TestWorkbenchAsksTheFileKeyringPassphraseFirst: with the default
// connection's key in the file keyring and no IWB_KEYRING_PASSPHRASE, iwb asks
// for the passphrase on the terminal before the TUI takes it over.
func TestWorkbenchAsksTheFileKeyringPassphraseFirst(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	home, env := workbenchEnv(t)
	if r := runIWB(t, bin, baseEnv(env...), "0123456789abcdef0123456789abcdef", "connection", "add", "acme"); r.code != 0 {
		t.Fatalf("connection add: exit %d: %s", r.code, r.stderr)
	}
	term := tuitest.Start(t, 100, 30, []string{"IWB_HOME=" + home, "IWB_KEYRING_BACKEND=file"}, bin, "--addr", "127.0.0.1:0")
	term.WaitFor(eventsWithin, "Passphrase for the iwb file keyring")
	term.SendText("correct horse")
	term.SendKeys("Enter")
	term.WaitFor(eventsWithin, "acme (us) · http://127.0.0.1:")
	term.SendKeys("5")
	term.WaitFor(2*time.Second, "••••••••••••cdef")
	term.Quit("q")
}

// TestWorkbenchBadFlags are refused with one line and exit 2, before any
// terminal is touched.
func TestWorkbenchBadFlags(t *testing.T) {
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"--forward-to", "ftp://example.com"}, "--forward-to"},
		{[]string{"demo", "--forward-to", "localhost:3000"}, "--forward-to"},
		{[]string{"demo", "--interval", "-1s"}, "--interval"},
		{[]string{"--addr", "not-an-address"}, "--addr not-an-address"},
	} {
		r := runIWB(t, bin, baseEnv(env...), "", c.args...)
		if r.code != exitUsage || !strings.HasPrefix(r.stderr, "iwb: ") || !strings.Contains(r.stderr, c.want) ||
			strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("iwb %v: exit %d, stderr %q; want exit 2 and one line naming %s", c.args, r.code, r.stderr, c.want)
		}
	}
}

// TestActionsInTheDemo runs the real binary: in
// `iwb demo`, Upsert user sets a new data field and Get user by email shows
// it, from the keyboard alone; the history (in the demo's database) keeps both.
func TestActionsInTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("building the binary is skipped with -short")
	}
	bin := buildIWB(t)
	home := t.TempDir()
	env := []string{"IWB_HOME=" + home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=not used by the demo"}
	s := tuitest.Start(t, 120, 40, env, bin, "demo")
	s.WaitFor(10*time.Second, "demo · http://127.0.0.1:")
	tuitest.UpsertThenGetUser(t, s, "ana@acme.io")
	s.Quit("q")
}

// TestVersionInARealTerminal runs the real binary in tmux.
func TestVersionInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("building the binary is skipped with -short")
	}
	bin := buildIWB(t)
	s := tuitest.Start(t, 80, 24, nil, bin, "--version")
	s.WaitFor(10*time.Second, "iwb version")
	if code := s.WaitExit(10 * time.Second); code != 0 {
		t.Fatalf("iwb --version ended with %d", code)
	}
}
