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
// put `rm -rf ~` on the clipboard (OSC 52), set the window title (OSC 0),
// clear the screen (CSI 2J), and hide text with bidi and zero-width
// characters.
var hostileBodies = []string{
	`{"eventName":"clip\u001b]52;c;cm0gLXJmIH4K\u0007","email":"a@example.com"}`,
	`{"eventName":"title\u001b]0;pwned\u0007","email":"b@example.com"}`,
	`{"eventName":"clear\u001b[2J\u001b[H","email":"c\u202eevil\u200b@example.com"}`,
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

// checkUntouched fails unless the screen still shows the line printed before
// iwb ran and shows each hostile sequence as visible text.
func checkUntouched(t *testing.T, p *tuitest.Session, what string) {
	t.Helper()
	s := p.WaitFor(20*time.Second, `clip\x1b]52;c;cm0gLXJmIH4K\x07`, `title\x1b]0;pwned\x07`, `clear\x1b[2J\x1b[H`, `c\u202eevil\u200b@example.com`)
	if !strings.Contains(s, "BEFORE-IWB") {
		t.Errorf("%s cleared the screen:\n%s", what, s)
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
	postHostile(t, addr)
	checkUntouched(t, listen, "iwb listen")

	list := tuitest.Start(t, 160, 30, env, "sh", "-c", "echo BEFORE-IWB; "+bin+" events list")
	checkUntouched(t, list, "iwb events list")
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
