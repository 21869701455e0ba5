//go:build unix

package main

import (
	"net/http/httptest"
	"testing"

	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// With only ITERABLE_API_KEY (and ITERABLE_BASE_URL) set, the workbench
// opens on a connection named env, not on the welcome screen.
func TestWorkbenchOpensOnTheEnvConnection(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	sb := sandbox.New(sandbox.Options{})
	api := httptest.NewServer(sb.Handler())
	defer api.Close()
	defer sb.Close()
	_, env := workbenchEnv(t)
	env = append(env, "ITERABLE_API_KEY="+sb.Key(), "ITERABLE_BASE_URL="+api.URL)
	term := tuitest.Start(t, 120, 40, env, bin, "--addr", "127.0.0.1:0")
	term.WaitFor(eventsWithin, "env (us) · http://127.0.0.1:", "0 events")
	term.SendKeys("5")
	term.WaitFor(eventsWithin, "▶ env", "••••••••••••")
	term.WaitGone(eventsWithin, "Welcome to iwb")
	term.Quit("q")
}
