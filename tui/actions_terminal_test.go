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
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/client/sandbox"
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
	err = Run(ctx, Deps{Events: newFakeSource(0), Connections: twoConns(), Client: c, History: h, Connection: "sandbox (us)"})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	return 0
}

// TestActionsInARealTerminal: Upsert user with a data field, then Get user
// by email shows it, from the keyboard alone, in tmux at 120×40.
func TestActionsInARealTerminal(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	s := tuitest.Start(t, 120, 40, []string{actionsChildEnv + "=1"}, self)
	upsertThenGetUser(t, s, "ana@acme.io")
	s.Quit("q")
}

// TestActionsInTheDemo is the Done-when on the real binary: in
// `iwb demo`, Upsert user sets a new data field and Get user by email shows
// it, from the keyboard alone; the history (in the demo's database) keeps both.
func TestActionsInTheDemo(t *testing.T) {
	if testing.Short() {
		t.Skip("building the binary is skipped with -short")
	}
	bin := tuitest.Build(t, "github.com/iwb-dev/iwb")
	home := t.TempDir()
	env := []string{"IWB_HOME=" + home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=not used by the demo"}
	s := tuitest.Start(t, 120, 40, env, bin, "demo")
	s.WaitFor(10*time.Second, "demo · http://127.0.0.1:")
	upsertThenGetUser(t, s, "ana@acme.io")
	s.Quit("q")
}

// upsertThenGetUser drives the Actions tab of a workbench on a sandbox:
// Upsert user sets a data field on email, Get user by email shows it, and
// the history keeps both runs.
// The demo's end-to-end test runs the same steps on `iwb demo`.
func upsertThenGetUser(t *testing.T, s *tuitest.Session, email string) {
	t.Helper()
	const within = 10 * time.Second
	s.SendKeys("2")
	s.WaitFor(within, "┌ Actions", "Upsert user")
	s.SendKeys("G", "Enter")
	s.WaitFor(within, "Merge nested objects", "FORM")
	s.SendText(email)
	s.SendKeys("Enter", "Enter", "Enter", "Enter", "Enter")
	s.WaitFor(within, "+ add field", "review the request")
	s.SendKeys("+")
	s.SendText("favouriteColour")
	s.SendKeys("Tab", "Tab")
	s.SendText("teal")
	s.SendKeys("Enter")
	s.WaitFor(within, "new field ⚠", `"favouriteColour": "teal"`)
	s.SendKeys("Tab", "Enter")
	s.WaitFor(within, "Review: POST /api/users/update", `"email": "`+email+`"`)
	s.SendKeys("Enter")
	s.WaitFor(within, "200 OK", `"code": "Success"`)
	// A key sent right after Escape would read as alt+key: wait for the list.
	s.SendKeys("Escape")
	s.WaitGone(within, "200 OK")
	s.SendKeys("g", "j", "j", "j", "Enter")
	s.WaitFor(within, "Get user by email", "the user's email")
	s.SendText(email)
	s.SendKeys("Enter")
	s.WaitFor(within, "Review: GET /api/users/getByEmail")
	s.SendKeys("Enter")
	s.WaitFor(within, "200 OK", "dataFields", "favouriteColour  teal")
	// Both runs are in the history, and the first shows what was sent.
	s.SendKeys("Escape")
	s.WaitGone(within, "200 OK")
	s.SendKeys("h")
	s.WaitFor(within, "┌ History", "Get user by email", "Upsert user")
	s.SendKeys("j", "Enter")
	s.WaitFor(within, "from the history", "Request", `"favouriteColour": "teal"`, "Answer")
	s.SendKeys("Escape")
	s.WaitGone(within, "from the history")
}
