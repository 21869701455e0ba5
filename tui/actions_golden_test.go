package tui

import (
	"context"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
)

// TestActionGoldenScreens keeps the Actions tab's screens as they look with
// colour off: the help, a form, the data-fields builder, the review, a profile tree
// Update user subscription on the user's sets and its
// review of what changes, a list id the account lacks refused, and an Iterable error on a field. Run with -update after an intended
// change and read the diff.
func TestActionGoldenScreens(t *testing.T) {
	t.Parallel()
	upsertToFields := func(hs *harness, env *sandboxEnv) {
		hs.openAction("Upsert user")
		hs.Paste("ana@acme.io")
		hs.Press("enter", "enter", "enter", "enter", "enter")
		hs.addField("plan", 0, "pro")
		hs.addField("score", 0, "42")
		hs.addField("address.city", 0, "Oslo")
	}
	screens := []struct {
		name  string
		steps func(*harness, *sandboxEnv)
	}{
		{"help", func(hs *harness, _ *sandboxEnv) { hs.Press("2", "?") }},
		{"form", func(hs *harness, _ *sandboxEnv) {
			hs.openAction("Upsert user")
			hs.Paste("ana@acme.io")
		}},
		{"fields", upsertToFields},
		{"review", func(hs *harness, env *sandboxEnv) {
			upsertToFields(hs, env)
			hs.Press("tab", "enter")
		}},
		{"profile", func(hs *harness, _ *sandboxEnv) {
			hs.openAction("Get user by email")
			hs.Paste("ada@example.com")
			hs.Press("enter")
		}},
		{"subscription", func(hs *harness, _ *sandboxEnv) {
			hs.openAction("Update user subscription")
			hs.Paste("ada@example.com")
			hs.Press("enter", "enter")
		}},
		{"subscription-review", func(hs *harness, _ *sandboxEnv) {
			hs.openAction("Update user subscription")
			hs.Paste("ada@example.com")
			hs.Press("enter", "enter", "x", "enter", "x", "enter", "enter", "x", "enter", "enter", "enter", "enter")
		}},
		{"list-not-in-account", func(hs *harness, env *sandboxEnv) {
			if _, err := env.hist.Add(context.Background(), history.Record{At: eventstest.Epoch, Source: history.SourceWorkbench,
				Action: "add-subscribers", Connection: "sandbox (us)", Status: 200,
				Request: []byte(`{"listId":2999,"subscribers":[{"email":"ada@example.com"}]}`), Answer: []byte(`{}`)}); err != nil {
				t.Fatal(err)
			}
			hs.Press("2", "h", "R", "enter")
		}},
		{"error", func(hs *harness, env *sandboxEnv) {
			hs.openAction("Upsert user")
			if _, err := env.c.UpdateUser(context.Background(), client.ApiUserUpdateRequest{Email: "grace@example.com", DataFields: map[string]any{"vip": true}}); err != nil {
				t.Fatal(err)
			}
			hs.Paste("ada@example.com")
			hs.Press("enter", "enter", "enter", "enter", "enter")
			hs.addField("vip", 0, "gold")
			hs.Press("tab", "enter", "enter")
		}},
	}
	for _, size := range sizes {
		for _, sc := range screens {
			t.Run(sc.name+"-"+sizeName(size), func(t *testing.T) {
				env := newSandboxEnv(t)
				hs := newHarness(t, env.deps(), size[0], size[1])
				sc.steps(hs, env)
				hs.CheckFrame(size[0], size[1])
				golden.RequireEqual(t, hs.Screen())
			})
		}
	}
}
