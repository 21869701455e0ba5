//go:build unix

package main

import (
	"net/http"
	"net/http/httptest"
	"os/exec"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestWorkbenchFollowsAnotherProcess: with `iwb listen` holding another port
// on the same event log, what it stores shows in a running workbench live,
// and a trigger added with `iwb trigger add` shows in its Triggers tab
// without an event to prompt it.
func TestWorkbenchFollowsAnotherProcess(t *testing.T) {
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
	term.WaitFor(eventsWithin, "acme (us) · http://127.0.0.1:", "0 events")

	addr := freePort(t)
	listen := exec.Command(bin, "listen", "--addr", addr)
	listen.Env = baseEnv(env...)
	if err := listen.Start(); err != nil {
		t.Fatal(err)
	}
	defer listen.Process.Kill()
	waitHealthy(t, addr)
	resp, err := http.Post("http://"+addr+"/hooks", "application/json",
		strings.NewReader(`{"eventName":"smsClick","email":"grace@example.com"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	term.WaitFor(eventsWithin, "smsClick", "grace@exam")

	term.SendKeys("3")
	term.WaitFor(eventsWithin, "┌ Triggers")
	if r := runIWB(t, bin, baseEnv(env...), "", "trigger", "add", "object", "AddedFromCLI", "--event", "emailClick"); r.code != 0 {
		t.Fatalf("trigger add: exit %d %s", r.code, r.stderr)
	}
	term.WaitFor(eventsWithin, "AddedFromCLI")
	term.Quit("q")
}
