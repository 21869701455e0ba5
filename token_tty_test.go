//go:build unix

package main

import (
	"fmt"
	"os/exec"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestDemoTokenAuthKeepsTrafficAndShowsARefusedCurl runs the real binary in
// a real terminal: in iwb demo, token auth is turned on from the Triggers
// tab's webhook setup; the demo's simulated traffic still flows (it sends
// the token, as Iterable would), and a curl without the token to the demo's
// listener shows in the header and the status bar as a refused 401.
func TestDemoTokenAuthKeepsTrafficAndShowsARefusedCurl(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl on this machine")
	}
	const within = 10 * time.Second
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	term := tuitest.Start(t, 120, 40, env, bin, "demo", "--interval", "50ms")
	screen := term.WaitFor(eventsWithin, " S ")
	listener := regexp.MustCompile(`demo · (http://127\.0\.0\.1:\d+/)`).FindStringSubmatch(screen)
	if listener == nil {
		t.Fatalf("the status bar names no listener:\n%s", screen)
	}

	// The sandbox's system webhook, with token auth, from the Triggers tab.
	term.SendKeys("3")
	term.WaitFor(within, "┌ Triggers", "listener auth: none")
	term.SendKeys("w")
	term.WaitFor(within, "Pick the system webhook", "#1")
	term.SendKeys("a")
	term.WaitFor(within, "Auth: a token iwb makes")
	term.SendKeys("Enter")
	term.WaitFor(within, "Review: POST /api/webhooks", `"authType": "Basic",`, "The demo's simulated traffic sends the token too")
	term.SendKeys("Enter")
	term.WaitFor(within, "a token the listener now requires", "listener auth: token")

	// The traffic still flows: the count rises, and nothing is refused.
	count := func(s string) int {
		m := regexp.MustCompile(`([\d,]+) events · `).FindStringSubmatch(s)
		if m == nil {
			return -1
		}
		n, _ := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
		return n
	}
	// A delivery already on its way when auth changed may be refused once
	// (Iterable would retry it); after that, none of the demo's own.
	refused := func(s string) int {
		m := regexp.MustCompile(`refused 401×(\d+)`).FindStringSubmatch(s)
		if m == nil {
			return 0
		}
		n, _ := strconv.Atoi(m[1])
		return n
	}
	screen = term.Screen()
	before, refusedAtSwitch := count(screen), refused(screen)
	if refusedAtSwitch > 1 {
		t.Fatalf("more than the one delivery in flight was refused as auth changed:\n%s", screen)
	}
	screen = term.WaitUntil(within, "the event count to rise with token auth on", func(s string) bool { return count(s) >= before+10 })
	if refused(screen) != refusedAtSwitch {
		t.Fatalf("the demo's own traffic was refused:\n%s", screen)
	}

	// A sender without the token is refused, and the workbench says so.
	out, err := exec.Command(curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
		"-H", "Content-Type: application/json", "-d", `{"email":"curl@example.com","eventName":"emailOpen"}`,
		listener[1]+"iterable/system").Output()
	if err != nil || string(out) != "401" {
		t.Fatalf("curl without the token: %q %v", out, err)
	}
	term.WaitFor(within, fmt.Sprintf("refused 401×%d", refusedAtSwitch+1), "✗ 401 at ")
	term.Quit("q")
}
