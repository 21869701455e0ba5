package tui

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"slices"
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

func TestNewObjectTriggerFromTheFilterableMultiSelect(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		deps, st := storeDeps(t)
		hs := newHarness(t, deps, w, h)
		hs.Press("3")
		hs.MustShow("No trigger yet", "n + New Object", "URL for Iterable:", "http://127.0.0.1:8787/", "Iterable needs HTTPS")
		hs.Press("n")
		if hs.m.Mode() != ModeForm {
			t.Fatalf("mode %v after n, want form", hs.m.Mode())
		}
		hs.MustShow("New Object trigger", "Name", "Events")
		hs.CheckFrame(w, h)
		hs.Type("opens")
		hs.Press("enter")
		// Filter to the SMS group, tick smsSend; then filter to emailOpen.
		hs.Press("/")
		hs.Type("sms")
		hs.MustShow("smsSend", "smsBounce")
		hs.MustNotShow("emailOpen")
		hs.Press("enter")
		hs.Press("space")
		hs.Press("/")
		for range 3 {
			hs.Press("backspace")
		}
		hs.Type("emailop")
		hs.MustShow("emailOpen")
		hs.MustNotShow("smsSend", "emailClick")
		hs.Press("enter", "space")
		hs.Press("enter", "enter")
		if hs.m.Mode() != ModeNormal {
			t.Fatalf("mode %v after the last field, want normal", hs.m.Mode())
		}
		tr := mustTrigger(t, st, "opens")
		if tr.Kind != webhook.TriggerObject || strings.Join(tr.EventNames, ",") != "smsSend,emailOpen" && strings.Join(tr.EventNames, ",") != "emailOpen,smsSend" {
			t.Fatalf("stored %+v, want New Object on smsSend and emailOpen", tr)
		}
		hs.MustShow("opens", "New Object", "no schema", "added opens")
		hs.CheckFrame(w, h)
	})
}

func TestNewWorkflowTriggerPickedFromTheAccountsJourneys(t *testing.T) {
	t.Parallel()
	deps, st := storeDeps(t)
	deps.Client, _ = sandboxClient(t, "")
	hs := newHarness(t, deps, 120, 40)
	hs.Press("3", "N")
	hs.MustShow("New Workflow trigger", "4101", "Welcome series", "Type an id or paste the journey editor URL")
	hs.Type("welcome")
	hs.Press("enter", "enter") // the first journey
	tr := mustTrigger(t, st, "welcome")
	if tr.Kind != webhook.TriggerWorkflow || tr.WorkflowID != "4101" {
		t.Fatalf("stored %+v, want New Workflow on 4101", tr)
	}
	hs.MustShow("New Workflow", "wf 4101", "http://127.0.0.1:8787/workflows/4101", "Call Webhook tile")

	// Or the journey editor's URL, pasted.
	hs.Press("N")
	hs.Type("pasted")
	hs.Press("enter", "end", "enter")
	hs.MustShow("Workflow id")
	hs.Paste("https://app.iterable.com/workflows/1234/edit")
	hs.Press("enter")
	if tr := mustTrigger(t, st, "pasted"); tr.WorkflowID != "1234" {
		t.Fatalf("from the editor URL: workflow %q, want 1234", tr.WorkflowID)
	}
}

func TestNewWorkflowFallsBackToTypingWhenJourneysCannotBeRead(t *testing.T) {
	t.Parallel()
	deps, st := storeDeps(t)
	deps.Client, _ = sandboxClient(t, "ffffffffffffffffffffffffffffffff") // a key the sandbox refuses
	hs := newHarness(t, deps, 80, 24)
	hs.Press("3", "N")
	hs.Type("nps")
	hs.Press("enter")
	hs.MustShow("Workflow id", "could not be read")
	hs.Type("abc")
	hs.Press("enter")
	hs.MustShow("neither a workflow id nor a journey editor URL")
	for range 3 {
		hs.Press("backspace")
	}
	hs.Type("60102")
	hs.Press("enter")
	if tr := mustTrigger(t, st, "nps"); tr.WorkflowID != "60102" {
		t.Fatalf("typed id stored as %q", tr.WorkflowID)
	}
}

func TestEditAndRemoveATrigger(t *testing.T) {
	t.Parallel()
	deps, st := storeDeps(t)
	addTrigger(t, st, webhook.Trigger{Name: "opens", Kind: webhook.TriggerObject, EventNames: []string{"emailOpen"}})
	hs := newHarness(t, deps, 120, 40)
	hs.Press("3", "e")
	hs.MustShow("Edit opens", "[x] Email     emailOpen")
	hs.Press("down", "space", "enter") // tick emailClick, the next one
	hs.Type("customThing")
	hs.Press("enter")
	tr := mustTrigger(t, st, "opens")
	if strings.Join(tr.EventNames, ",") != "emailOpen,emailClick,customThing" {
		t.Fatalf("after the edit: %v", tr.EventNames)
	}
	hs.MustShow("saved opens", "not an event name Iterable documents")

	hs.Press("x")
	hs.MustShow("Remove the trigger opens?")
	hs.Press("n")
	mustTrigger(t, st, "opens")
	hs.Press("x", "y")
	if _, err := st.Trigger(context.Background(), "opens"); err == nil {
		t.Fatal("the trigger is still there after y")
	}
	hs.MustShow("removed opens", "No trigger yet")
}

func TestPublicBaseURLIsKeptAndCopied(t *testing.T) {
	t.Parallel()
	deps, st := storeDeps(t)
	addTrigger(t, st, webhook.Trigger{Name: "nps", Kind: webhook.TriggerWorkflow, WorkflowID: "60102"})
	hs := newHarness(t, deps, 120, 40)
	hs.Press("3", "b")
	hs.Type("abc.ngrok.app")
	hs.Press("enter")
	hs.MustShow("not a base URL")
	hs.Press("esc") // what was typed is input: esc asks first
	hs.MustShow("Discard what you typed?")
	hs.Press("y")
	hs.Press("b")
	hs.Paste("https://abc.ngrok.app/")
	hs.Press("enter")
	hs.MustShow("https://abc.ngrok.app/workflows/60102")
	hs.MustNotShow("Iterable needs HTTPS")
	hs.Press("c")
	hs.MustShow("✓ copied https://abc.ngrok.app/workflows/60102")
	// A new workbench on the same database shows it still.
	hs = newHarness(t, deps, 120, 40)
	hs.Press("3")
	hs.MustShow("https://abc.ngrok.app/workflows/60102")
}

func TestWebhookSetupWithoutAClientSaysSo(t *testing.T) {
	t.Parallel()
	deps, _ := storeDeps(t)
	hs := newHarness(t, deps, 80, 24)
	hs.Press("3", "w")
	hs.MustShow("no connection to Iterable")
}

// startTestListener serves st on a free loopback port until the test ends.
func startTestListener(t *testing.T, st *webhook.Store) *webhook.Server {
	t.Helper()
	srv, err := webhook.NewServer(st, webhook.ServerOptions{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv
}

// httpPost posts a JSON body and returns the status.
func httpPost(url, body string) (int, error) {
	resp, err := http.Post(url, "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}

func TestLongTriggerListScrollsToTheCursor(t *testing.T) {
	t.Parallel()
	deps, st := storeDeps(t)
	for i := range 30 {
		addTrigger(t, st, webhook.Trigger{Name: fmt.Sprintf("t%02d", i), Kind: webhook.TriggerWorkflow, WorkflowID: fmt.Sprint(1000 + i)})
	}
	hs := newHarness(t, deps, 80, 24)
	hs.Press("3")
	hs.MustShow("t00", "URL for Iterable:")
	hs.Press("end")
	hs.MustShow("▶ t29", "wf 1029", "/workflows/1029", "URL for Iterable:")
	hs.MustNotShow("t00")
	hs.CheckFrame(80, 24)
}

// A page form asks before esc drops it only when the user changed it: the
// journey a New Workflow form picks by default is not input, while an event
// ticked in an Edit form is (edits were dropped without a word before).
func TestPageFormsAskOnlyAfterInput(t *testing.T) {
	t.Parallel()
	deps, st := storeDeps(t)
	deps.Client, _ = sandboxClient(t, "")
	addTrigger(t, st, webhook.Trigger{Name: "opens", Kind: webhook.TriggerObject, EventNames: []string{"emailOpen"}})
	hs := newHarness(t, deps, 120, 40)

	hs.Press("3", "N")
	hs.MustShow("New Workflow trigger", "Welcome series")
	hs.Press("esc")
	hs.MustNotShow("Discard what you typed?", "New Workflow trigger")

	hs.Press("e")
	hs.MustShow("Edit opens")
	hs.Press("esc")
	hs.MustNotShow("Discard what you typed?", "Edit opens")

	hs.Press("e", "space") // ticks emailSend, the first event name
	hs.Press("esc")
	hs.MustShow("Discard what you typed?")
	hs.Press("n")
	hs.MustShow("Edit opens")
	hs.Press("esc", "y")
	hs.MustNotShow("Edit opens")
	if tr := mustTrigger(t, st, "opens"); !slices.Equal(tr.EventNames, []string{"emailOpen"}) {
		t.Fatalf("a discarded edit was saved: %v", tr.EventNames)
	}
}

// The schema designer's forms follow the same rule: a rename left as it
// was closes at once, a changed one asks.
func TestDesignerFormsAskOnlyAfterInput(t *testing.T) {
	t.Parallel()
	deps, _ := opensWithSchema(t)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("4", "r")
	hs.MustShow("Rename email")
	hs.Press("esc")
	hs.MustNotShow("Discard what you typed?", "Rename email")
	hs.Press("r")
	hs.Type("Address")
	hs.Press("esc")
	hs.MustShow("Discard what you typed?")
}

// TestPublicURLRefusesPlainHTTPUnlessAProxy: b keeps an http:// base URL
// only once the user says it is a plain-HTTP proxy; "no" keeps nothing and
// says why beside the question, which reads in text without colour.
func TestPublicURLRefusesPlainHTTPUnlessAProxy(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		deps, st := storeDeps(t)
		hs := newHarness(t, deps, w, h)
		hs.Press("3", "b")
		hs.Paste("http://proxy.acme.internal:8080")
		hs.Press("enter")
		hs.MustShow("Is it a plain-HTTP proxy?", "( ) yes, a plain-HTTP proxy", "(•) no")
		hs.CheckFrame(w, h)
		hs.Press("enter")
		// Not kept: the form again, on the address, saying why beside it.
		hs.MustShow("Public base URL", "✗ not kept: Iterable sends only to https://", "> http://proxy.acme.internal:8080")
		if ends, err := st.Endpoints(context.Background(), deps.ListenerURL); err != nil || ends.Public {
			t.Fatalf("an unconfirmed http:// URL was kept: %+v %v", ends, err)
		}
		// An https:// address asks nothing.
		for range len("http://proxy.acme.internal:8080") {
			hs.Press("backspace")
		}
		hs.Paste("https://abc.ngrok.app")
		hs.Press("enter")
		hs.MustShow("public base URL: https://abc.ngrok.app", "https://abc.ngrok.app/")
		hs.MustNotShow("Iterable needs HTTPS", "plain-HTTP proxy")

		// Confirmed, the proxy's address is kept and the tab says what it is.
		hs.Press("b")
		for range len("https://abc.ngrok.app") {
			hs.Press("backspace")
		}
		hs.Paste("http://proxy.acme.internal:8080")
		hs.Press("enter", "left")
		hs.MustShow("(•) yes, a plain-HTTP proxy", "( ) no")
		hs.Press("enter")
		hs.MustShow("public base URL: http://proxy.acme.internal:8080", "a plain-HTTP proxy: Iterable must reach it through HTTPS")
		if ends, err := st.Endpoints(context.Background(), deps.ListenerURL); err != nil || ends.Base != "http://proxy.acme.internal:8080" {
			t.Fatalf("the confirmed proxy was not kept: %+v %v", ends, err)
		}
		hs.CheckFrame(w, h)
	})
}
