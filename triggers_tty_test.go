//go:build unix

package main

import (
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestDemoTriggersAndSchemasFromTheKeyboard is issue 8's Done-when in a real
// terminal: in iwb demo, both kinds of trigger are made from the keyboard
// alone, a schema is inferred from a live emailOpen with s and later
// emailOpen events are checked against it, and the sandbox's webhook is
// pointed at the listener from the Triggers tab.
func TestDemoTriggersAndSchemasFromTheKeyboard(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	// Fast traffic, so that an emailOpen (1 in ~70 events) comes soon.
	term := tuitest.Start(t, 120, 40, env, bin, "demo", "--interval", "20ms")
	term.WaitFor(eventsWithin, " system ")

	// A New Object trigger on emailOpen: the multi-select, filtered.
	term.SendKeys("3")
	term.WaitFor(2*time.Second, "┌ Triggers", "No trigger yet")
	term.SendKeys("n")
	term.WaitFor(2*time.Second, "New Object trigger", "Name")
	term.SendText("opens")
	term.SendKeys("Enter")
	term.WaitFor(2*time.Second, "┃ Events")
	term.SendKeys("/")
	term.SendText("emailOpen")
	term.WaitGone(2*time.Second, "emailClick")
	term.SendKeys("Enter")
	term.SendKeys("Space")
	term.WaitFor(2*time.Second, "✓ Email     emailOpen")
	term.SendKeys("Enter")
	term.WaitFor(2*time.Second, "┃ Other event names")
	term.SendKeys("Enter")
	screen := term.WaitFor(2*time.Second, "added opens", "New Object", "emailOpen", "URL for Iterable:")
	checkFrame(t, screen, 120, 40, "the Triggers tab")

	// A New Workflow trigger, picked from the sandbox's journeys.
	term.SendKeys("N")
	term.WaitFor(5*time.Second, "New Workflow trigger", "Welcome series")
	term.SendText("welcome")
	term.WaitFor(2*time.Second, "> welcome")
	term.SendKeys("Enter")
	term.WaitFor(2*time.Second, "┃ Journey")
	term.SendKeys("Enter")
	term.WaitFor(2*time.Second, "added welcome", "wf 4101")

	// s on an emailOpen the trigger matched: the wizard, then apply.
	term.SendKeys("1", "/")
	term.WaitFor(2*time.Second, "FILTER")
	term.SendText("trigger:opens")
	term.SendKeys("Enter", "G")
	term.WaitFor(20*time.Second, "emailOpen ")
	term.SendKeys("s")
	term.WaitFor(5*time.Second, "JSON wizard · opens", "From event #", "+ eventName string", "enter apply")
	term.SendKeys("Enter")
	term.WaitFor(2*time.Second, "applied the schema from event", "Schema · opens (emailOpen)", "eventName", "dataFields")

	// Widen it with every emailOpen so far, so fields some events lack
	// become optional.
	term.SendKeys("e")
	term.WaitFor(5*time.Second, "Infer from which event?", "emailOpen") // "All N events" first when there are several
	term.SendKeys("Enter")
	term.WaitFor(5*time.Second, "JSON wizard · opens", "changes to the current schema")
	term.SendKeys("Enter")
	term.WaitFor(2*time.Second, "applied the schema from")

	// Later emailOpen events are checked against it on arrival: the
	// Schemas tab sums up what did not fit, by path.
	deadline := time.Now().Add(30 * time.Second)
	for {
		term.SendKeys("3", "4") // re-read the mismatches
		s := term.Screen()
		if strings.Contains(s, "every event since the schema was set fits it") || strings.Contains(s, " ×") {
			if strings.Contains(flatText(s), "opens") {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the Schemas tab shows no check of later events:\n%s", s)
		}
		time.Sleep(200 * time.Millisecond)
	}
	term.SendKeys("1")
	term.WaitFor(2*time.Second, "┌ Events")
	term.SendKeys("Enter")
	term.WaitFor(5*time.Second, "schema") // the detail of a checked event

	// The sandbox's system webhook, pointed at the listener from the
	// Triggers tab after the review.
	term.SendKeys("Escape") // alone: ESC then 3 would read as alt+3
	term.WaitGone(2*time.Second, "/trigger:opens")
	term.SendKeys("3", "w")
	term.WaitFor(5*time.Second, "Pick the system webhook", "#1")
	term.SendKeys("Enter")
	term.WaitFor(2*time.Second, "Review: POST /api/webhooks", `"enabled": true,`, "tick them there")
	term.SendKeys("Enter")
	term.WaitFor(5*time.Second, "✓ webhook 1 sends to http://127.0.0.1:")

	term.SendKeys("q")
	if code := term.WaitExit(10 * time.Second); code != 0 {
		t.Fatalf("iwb demo exited %d, want 0; screen:\n%s", code, term.Screen())
	}
	term.Clean()
}
