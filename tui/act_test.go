package tui

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
)

// actEnv is a workbench on a sandbox over twelve made-up events (the
// newest, #12, an emailSend of ana@acme.io matching trigger "opens"), with
// a recipe of "opens" that maps the campaign into Upsert user, and one whose
// Track event step needs a field the events lack.
func actEnv(t *testing.T) (*sandboxEnv, Deps) {
	t.Helper()
	env := newSandboxEnv(t)
	rs, err := recipe.Open(filepath.Join(t.TempDir(), "events.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	for _, r := range []recipe.Recipe{
		{Name: "open-to-user", Trigger: "opens", Steps: []recipe.Step{{Action: "upsert-user",
			Input: json.RawMessage(`{"email":"{{email}}","dataFields":{"lastCampaign":"{{dataFields.campaignId}}"}}`)}}},
		{Name: "open-to-event", Trigger: "opens", Steps: []recipe.Step{{Action: "track-event",
			Input: json.RawMessage(`{"email":"{{email}}","eventName":"opened","dataFields":{"coupon":"{{dataFields.coupon}}"}}`)}}},
		{Name: "elsewhere", Trigger: "wf-nps", Steps: []recipe.Step{{Action: "send-sms", Input: json.RawMessage(`{"campaignId":1}`)}}},
	} {
		if err := rs.Add(context.Background(), r); err != nil {
			t.Fatal(err)
		}
	}
	deps := env.deps()
	deps.Events = eventstest.NewSource(12)
	deps.Recipes = rs
	return env, deps
}

func TestActOnAnEventOpensTheRecipesMappingFilledFromIt(t *testing.T) {
	t.Parallel()
	env, deps := actEnv(t)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("a")
	hs.MustShow("Act on event #12", "Which action?", "Upsert user · recipe open-to-user", "Track event · recipe open-to-event",
		"prefilled from this event (ana@acme.io)")
	hs.MustNotShow("recipe elsewhere") // a recipe of another trigger
	hs.Press("end", "enter")           // Upsert user
	if hs.m.Tab() != tabActions || !hs.actionForm("Upsert user") {
		t.Fatalf("tab %d, mode %v: Upsert user's form should have the keys", hs.m.Tab(), hs.m.Mode())
	}
	hs.MustShow("ana@acme.io", "Upsert user prefilled from event #12 by recipe open-to-user")
	if len(env.rec.reqs) != 0 && env.rec.count("POST", "/api/users/update") != 0 {
		t.Fatal("acting on the event sent something before the review")
	}
	hs.Press("enter", "enter", "enter", "enter", "enter")
	hs.MustShow("lastCampaign", "49005")
	hs.Press("tab", "enter")
	hs.MustShow("Review: POST /api/users/update", `"lastCampaign": 49005`)
	if n := env.rec.count("POST", "/api/users/update"); n != 0 {
		t.Fatalf("sent %d times before enter on the review", n)
	}
	hs.Press("enter")
	want := `{"dataFields":{"lastCampaign":49005},"email":"ana@acme.io"}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/users/update").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
}

func TestActOnAJourneyEventCarriesItsWorkflowID(t *testing.T) {
	t.Parallel()
	env, deps := actEnv(t)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("up", "up", "up") // #9: workflow 60102's event for bo@acme.io
	hs.Press("a")
	hs.MustShow("Act on event #9", "prefilled from this event (bo@acme.io)", "Send SMS · recipe elsewhere")
	hs.MustNotShow("Upsert user · recipe")
	hs.Press("end", "up", "up", "enter") // Track event
	if !hs.actionForm("Track event") {
		t.Fatalf("mode %v: Track event's form should have the keys", hs.m.Mode())
	}
	hs.MustShow("bo@acme.io", "Track event prefilled from event #9 (bo@acme.io)")
	hs.Paste("npsAnswered")
	hs.Press("enter", "enter", "enter", "enter", "enter", "enter", "enter", "enter")
	hs.MustShow("workflowId", "60102")
	hs.Press("tab", "enter")
	hs.MustShow("Review: POST /api/events/track", `"workflowId": 60102`, `"email": "bo@acme.io"`)
	hs.Press("enter")
	got := bodyOf(t, env.rec.last(t, "POST", "/api/events/track").Body)
	if df, _ := got["dataFields"].(map[string]any); df["workflowId"] != float64(60102) || got["eventName"] != "npsAnswered" {
		t.Fatalf("the sandbox got %v", got)
	}
}

func TestActOnAnEventARecipeMappingThatDoesNotFitSaysWhy(t *testing.T) {
	t.Parallel()
	_, deps := actEnv(t)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("a")
	hs.MustShow("> Track event · recipe open-to-event") // the first action a recipe maps is chosen
	hs.Press("enter")
	hs.MustShow("Track event: recipe open-to-event does not fit event #12 (missing pill {{dataFields.coupon}}", "ana@acme.io")
	if !hs.actionForm("Track event") {
		t.Fatalf("mode %v: Track event's form should have the keys", hs.m.Mode())
	}
}

func TestActGoldenScreens(t *testing.T) {
	t.Parallel()
	screens := []struct {
		name string
		keys []string
	}{
		{"picker", []string{"a"}},
		{"prefilled", []string{"a", "end", "enter"}},
		{"prefilled-fields", []string{"a", "end", "enter", "enter", "enter", "enter", "enter", "enter"}},
	}
	for _, size := range sizes {
		for _, sc := range screens {
			t.Run(sc.name+"-"+sizeName(size), func(t *testing.T) {
				_, deps := actEnv(t)
				hs := newHarness(t, deps, size[0], size[1])
				hs.Press(sc.keys...)
				hs.CheckFrame(size[0], size[1])
				golden.RequireEqual(t, hs.Screen())
			})
		}
	}
}

func TestReadsRunOnEnterWithoutAReview(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Get user by email")
	hs.Paste("ada@example.com")
	hs.Press("enter")
	if n := env.rec.count("GET", "/api/users/getByEmail"); n != 1 {
		t.Fatalf("enter in Get user by email sent %d requests, want 1", n)
	}
	hs.MustShow("200 OK", "firstName  Ada")
	// The pick lists read when Get user opened included channels and lists.
	channels, lists := env.rec.count("GET", "/api/channels"), env.rec.count("GET", "/api/lists")
	hs.Press("esc")
	hs.openAction("List channels")
	hs.MustShow("200 OK", "101   Marketing Email")
	hs.Press("esc")
	hs.openAction("List project lists")
	hs.MustShow("200 OK", "2001    Newsletter")
	if env.rec.count("GET", "/api/channels") != channels+1 || env.rec.count("GET", "/api/lists") != lists+1 {
		t.Fatalf("the list reads were not sent once each on enter: %+v", env.rec.reqs)
	}
	hs.Press("esc")
	// A write keeps its review.
	hs.openAction("Create list")
	hs.Paste("VIP")
	hs.Press("enter", "enter")
	hs.MustShow("Review: POST /api/lists")
	if n := env.rec.count("POST", "/api/lists"); n != 0 {
		t.Fatalf("Create list was sent %d times before its review", n)
	}
}

func TestTheLastGetUserCarriesIntoTheNextActionOpened(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Get user by email")
	hs.Paste("ada@example.com")
	hs.Press("enter")
	hs.MustShow("firstName  Ada", "ada@example.com: the next action opened keeps this user")
	hs.Press("esc")
	// A read that names no user leaves the user for the next one.
	hs.openAction("List project lists")
	hs.MustShow("2001    Newsletter")
	hs.Press("esc")
	hs.openAction("Track event")
	hs.MustShow("> ada@example.com", "Track event prefilled with ada@example.com from the last Get user by email")
	if !hs.actionForm("Track event") {
		t.Fatalf("mode %v: Track event's form should have the keys", hs.m.Mode())
	}
	hs.Press("esc") // the prefilled user is not input: no question
	hs.MustNotShow("Discard")
	// Taken once: the action after that starts empty.
	hs.openAction("Upsert user")
	hs.MustNotShow("> ada@example.com")

	// From a list's row, Add subscribers gets the user kept.
	hs.Press("esc")
	hs.openAction("Get user by email")
	hs.Paste("ada@example.com")
	hs.Press("enter", "esc")
	hs.openAction("List project lists")
	hs.Press("enter")
	if !hs.actionForm("Add subscribers to list") {
		t.Fatalf("enter on a list should open Add subscribers on it:\n%s", hs.Screen())
	}
	hs.MustShow("Add subscribers to list prefilled with ada@example.com")
	hs.Press("enter", "enter", "enter")
	hs.MustShow("ada@example.com")
}
