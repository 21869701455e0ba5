package tui

import (
	"context"
	"fmt"
	"net/http/httptest"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// actionsChildEnv makes the test binary run the workbench on a sandbox
// over loopback (see TestMain), for the real-terminal test of the Actions tab.
const actionsChildEnv = "IWB_TUI_TEST_ACTIONS"

// runActionsChild is the workbench the Actions tmux test drives: a real
// client on a sandbox served on 127.0.0.1, and a real history file.
func runActionsChild() int {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM)
	defer stop()
	sb := sandbox.New(sandbox.Options{})
	defer sb.Close()
	srv := httptest.NewServer(sb.Handler())
	defer srv.Close()
	c, err := client.New(client.Options{BaseURL: srv.URL, Key: sb.Key()})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	dir, err := os.MkdirTemp("", "iwb-actions")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	h, err := history.Open(filepath.Join(dir, "iwb.db"))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer h.Close()
	err = Run(ctx, Deps{Events: eventstest.NewSource(0), Connections: twoConns(), Client: c, History: h, Connection: "sandbox (us)"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestActionsInARealTerminal: Upsert user with a data field, then Get user
// by email shows it, from the keyboard alone, in tmux at 120×40.
func TestActionsInARealTerminal(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s := tuitest.Start(t, 120, 40, []string{actionsChildEnv + "=1"}, self)
	tuitest.UpsertThenGetUser(t, s, "ana@acme.io")
	s.Quit("q")
}
