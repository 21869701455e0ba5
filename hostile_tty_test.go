//go:build unix

package main

import (
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
)

// hostileBodies are webhooks that try to drive the terminal that prints them:
// put `rm -rf ~` on the clipboard (OSC 52), set the window title (OSC 0 and
// OSC 2, ended by BEL or by ST), clear the screen (CSI 2J), and hide text
// with bidi and zero-width characters.
var hostileBodies = []string{
	`{"eventName":"clip\u001b]52;c;cm0gLXJmIH4K\u0007","email":"a@example.com"}`,
	`{"eventName":"title\u001b]0;pwned\u0007","email":"b@example.com"}`,
	`{"eventName":"clear\u001b[2J\u001b[H","email":"c\u202eevil\u200b@example.com"}`,
	`{"eventName":"name\u001b]2;owned\u001b\\","email":"d@example.com"}`,
	`{"eventName":"st\u001b]52;c;cm0gLXJmIH4K\u001b\\","email":"e@example.com"}`,
}

func postHostile(t *testing.T, addr string) {
	t.Helper()
	for _, body := range hostileBodies {
		resp, err := http.Post("http://"+addr+"/hooks", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("posting %s: %d", body, resp.StatusCode)
		}
	}
}

// checkUntouched fails unless the terminal is as it was before iwb printed
// the hostile events: each sequence shows as visible text, the line printed
// before iwb ran is still on the screen, the pane's title is still title,
// and tmux, which keeps any clipboard write as a paste buffer, has none.
// (TestTitleAndBuffersSeeWhatAProgramSets shows that the raw sequences do
// change the title and leave a buffer.)
func checkUntouched(t *testing.T, p *tuitest.Session, what, title string) {
	t.Helper()
	s := p.WaitFor(20*time.Second, "e@example.com") // the last event's line: the others came before it
	for _, shown := range []string{`clip\x1b]52;c;cm0gLXJmIH4K\x07`, `title\x1b]0;pwned\x07`, `clear\x1b[2J\x1b[H`,
		`c\u202eevil\u200b@example.com`, `name\x1b]2;owned\x1b\`, `st\x1b]52;c;cm0gLXJmIH4K\x1b\`} {
		if !strings.Contains(s, shown) {
			t.Errorf("%s does not show %s:\n%s", what, shown, s)
		}
	}
	if !strings.Contains(s, "BEFORE-IWB") {
		t.Errorf("%s cleared the screen:\n%s", what, s)
	}
	if got := p.Title(); got != title {
		t.Errorf("%s set the pane's title to %q (it was %q)", what, got, title)
	}
	if b := p.Buffers(); len(b) != 0 {
		t.Errorf("%s wrote the clipboard: tmux holds %q", what, b)
	}
}

func TestHostileWebhookCannotDriveTheTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildIWB(t)
	home := filepath.Join(t.TempDir(), "home")
	addr := freePort(t)
	env := []string{"IWB_HOME=" + home}
	listen := tuitest.Start(t, 160, 30, env, "sh", "-c", "echo BEFORE-IWB; exec "+bin+" listen --addr "+addr)
	listen.WaitFor(20*time.Second, "listening on")
	title := listen.Title()
	postHostile(t, addr)
	checkUntouched(t, listen, "iwb listen", title)

	// The shell waits for a line, so the title is read before iwb runs.
	list := tuitest.Start(t, 160, 30, env, "sh", "-c", "echo BEFORE-IWB; read go; "+bin+" events list")
	list.WaitFor(10*time.Second, "BEFORE-IWB")
	title = list.Title()
	list.SendKeys("Enter")
	checkUntouched(t, list, "iwb events list", title)
	if code := list.WaitExit(10 * time.Second); code != 0 {
		t.Errorf("events list exited %d", code)
	}

	// Not only the screen: no byte that a terminal acts on reaches stdout,
	// as text or as JSON.
	for _, args := range [][]string{{"events", "list"}, {"events", "list", "--json"}, {"events", "show", "1"}, {"events", "export"}} {
		r := runIWB(t, bin, baseEnv("IWB_HOME="+home), "", args...)
		if r.code != 0 {
			t.Fatalf("%v: exit %d %s", args, r.code, r.stderr)
		}
		if i := strings.IndexFunc(r.stdout, func(c rune) bool {
			return (c < 0x20 && c != '\n') || c == 0x7f || (c >= 0x80 && c < 0xa0) || c == 0x202e || c == 0x200b
		}); i >= 0 {
			t.Errorf("%v prints %q raw:\n%q", args, r.stdout[i:min(i+8, len(r.stdout))], r.stdout)
		}
	}
}
