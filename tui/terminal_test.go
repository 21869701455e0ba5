package tui

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"regexp"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// childEnv makes the test binary run the workbench itself (see TestMain), so
// the real-terminal test drives Run with the same fakes as the other tests.
const childEnv = "IWB_TUI_TEST_WORKBENCH"

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) == "1" {
		os.Exit(runChildWorkbench())
	}
	if os.Getenv(actionsChildEnv) == "1" {
		os.Exit(runActionsChild())
	}
	os.Exit(m.Run())
}

// runChildWorkbench is the program the tmux test watches: the workbench on
// a fake store that gains an event every 100 ms.
func runChildWorkbench() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	src := eventstest.NewSource(1000)
	go func() {
		tick := time.NewTicker(100 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				src.Append(1)
			}
		}
	}()
	err := Run(ctx, Deps{Events: src, Connections: twoConns(), ListenerURL: "http://127.0.0.1:8787"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestWorkbenchInARealTerminal runs Run in tmux at 120×40: live events
// arrive through the relay, keys switch tabs and open help and the filter,
// and q leaves with exit 0 and a clean terminal.
func TestWorkbenchInARealTerminal(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	started := time.Now()
	s := tuitest.Start(t, 120, 40, []string{childEnv + "=1"}, self)
	const within = 10 * time.Second
	s.WaitFor(within, "1 Events", "5 Connections", "acme-prod (us)", "http://127.0.0.1:8787", "following")
	// A figure, not a check: tmux start-up and the 20 ms polling are included.
	t.Logf("first full frame seen %v after starting tmux", time.Since(started).Round(time.Millisecond))
	// Three new events came through the relay: at least, since the count
	// moves on every 100 ms and a poll can miss any one value.
	s.WaitUntil(within, "at least 1,003 events", func(screen string) bool { return eventCount(screen) >= 1003 })
	s.SendKeys("?")
	s.WaitFor(within, "Help · Events", "copy")
	s.SendKeys("?", "2")
	s.WaitFor(within, "┌ Actions", "Upsert user")
	s.SendKeys("5")
	s.WaitFor(within, "┌ Connections", "acme-eu")
	s.SendKeys("1", "/")
	s.SendText("event:emailClick q")
	s.WaitFor(within, "/event:emailClick q", "FILTER")
	s.SendKeys("Escape")
	s.WaitGone(within, "FILTER")
	s.Quit("q")
}

var statusEvents = regexp.MustCompile(`([\d,]+) events · `)

// eventCount is the events count of the status bar, or -1 when none shows.
func eventCount(screen string) int {
	m := statusEvents.FindStringSubmatch(screen)
	if m == nil {
		return -1
	}
	n, err := strconv.Atoi(strings.ReplaceAll(m[1], ",", ""))
	if err != nil {
		return -1
	}
	return n
}
