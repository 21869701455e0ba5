package tui

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
	_ "github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

// storeDeps are the workbench's deps on a real SQLite store in t.TempDir().
func storeDeps(t *testing.T) (Deps, *webhook.Store) {
	t.Helper()
	st, err := webhook.Open(filepath.Join(t.TempDir(), "events.db"), webhook.StoreOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return Deps{Store: st, Connections: twoConns(), ListenerURL: "http://127.0.0.1:8787/"}, st
}

// sandboxClient is a client of a sandbox served over loopback.
func sandboxClient(t *testing.T, key string) (*client.Client, *sandbox.Sandbox) {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Key: "0123456789abcdef0123456789abcdef", Unlimited: true})
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(func() { srv.Close(); sb.Close() })
	if key == "" {
		key = sb.Key()
	}
	c, err := client.New(client.Options{BaseURL: srv.URL, Key: key, Retry: client.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return c, sb
}

func mustTrigger(t *testing.T, st *webhook.Store, name string) webhook.Trigger {
	t.Helper()
	tr, err := st.Trigger(context.Background(), name)
	if err != nil {
		t.Fatalf("trigger %s: %v", name, err)
	}
	return tr
}

func addTrigger(t *testing.T, st *webhook.Store, tr webhook.Trigger) {
	t.Helper()
	if _, err := st.AddTrigger(context.Background(), tr); err != nil {
		t.Fatal(err)
	}
}

// eventually polls cond for up to 5 seconds.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("gave up waiting: %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestNewObjectTriggerFromTheFilterableMultiSelect(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		deps, st := storeDeps(t)
		hs := newHarness(t, deps, w, h)
		hs.press("3")
		hs.mustShow("No trigger yet", "n + New Object", "URL for Iterable:", "http://127.0.0.1:8787/", "Iterable needs HTTPS")
		hs.press("n")
		if hs.m.Mode() != ModeForm {
			t.Fatalf("mode %v after n, want form", hs.m.Mode())
		}
		hs.mustShow("New Object trigger", "Name", "Events")
		hs.checkFrame(w, h)
		hs.typeText("opens")
		hs.press("enter")
		// Filter to the SMS group, tick smsSend; then filter to emailOpen.
		hs.press("/")
		hs.typeText("sms")
		hs.mustShow("smsSend", "smsBounce")
		hs.mustNotShow("emailOpen")
		hs.press("enter")
		hs.press("space")
		hs.press("/")
		for range 3 {
			hs.press("backspace")
		}
		hs.typeText("emailop")
		hs.mustShow("emailOpen")
		hs.mustNotShow("smsSend", "emailClick")
		hs.press("enter", "space")
		hs.press("enter", "enter")
		if hs.m.Mode() != ModeNormal {
			t.Fatalf("mode %v after the last field, want normal", hs.m.Mode())
		}
		tr := mustTrigger(t, st, "opens")
		if tr.Kind != webhook.TriggerObject || strings.Join(tr.EventNames, ",") != "smsSend,emailOpen" && strings.Join(tr.EventNames, ",") != "emailOpen,smsSend" {
			t.Fatalf("stored %+v, want New Object on smsSend and emailOpen", tr)
		}
		hs.mustShow("opens", "New Object", "no schema", "added opens")
		hs.checkFrame(w, h)
	})
}
