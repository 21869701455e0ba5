//go:build unix

package main

import (
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// TestDemoTriggersAndSchemasFromTheKeyboard runs the real binary in a real
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
	term.WaitFor(eventsWithin, " S ")

	// A New Object trigger on emailOpen: the multi-select, filtered.
	term.SendKeys("3")
	term.WaitFor(2*time.Second, "┌ Triggers", "clicks") // the demo recipe's trigger
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
	// Read by the table's row, not the notice: the demo recipe's own notices
	// (a cap reached) may take the status bar first.
	screen := term.WaitUntil(2*time.Second, "the trigger opens in the table", func(s string) bool {
		return regexp.MustCompile(`opens +New Object +emailOpen`).MatchString(s) && strings.Contains(s, "URL for Iterable:")
	})
	checkFrame(t, screen, 120, 40, "the Triggers tab")

	// A New Workflow trigger, picked from the sandbox's journeys.
	term.SendKeys("N")
	term.WaitFor(5*time.Second, "New Workflow trigger", "Welcome series")
	term.SendText("welcome")
	term.WaitFor(2*time.Second, "> welcome")
	term.SendKeys("Enter")
	term.WaitFor(2*time.Second, "┃ Journey")
	term.SendKeys("Enter")
	term.WaitUntil(2*time.Second, "the trigger welcome in the table", func(s string) bool {
		return regexp.MustCompile(`welcome +New Workflow +wf 4101`).MatchString(s)
	})

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
	var s string
	checked := tuitest.Poll(30*time.Second, func() bool {
		term.SendKeys("3", "4") // re-read the mismatches
		s = term.Screen()
		return (strings.Contains(s, "every event since the schema was set fits it") || strings.Contains(s, " ×")) &&
			strings.Contains(flatText(s), "opens")
	})
	if !checked {
		t.Fatalf("the Schemas tab shows no check of later events:\n%s", s)
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

	term.Quit("q")
}

// TestDemoSendSMSMatchesATrigger runs the real binary in a real terminal:
// in iwb demo, from the keyboard alone, a New Object trigger on
// smsSend, the sandbox's system webhook pointed at the listener from the
// Triggers tab, then Send SMS on the Actions tab; its smsSend webhook shows
// on the Events tab, matched by the trigger, on the path the webhook was
// pointed at. No simulated traffic runs, so every event is the user's doing.
func TestDemoSendSMSMatchesATrigger(t *testing.T) {
	if testing.Short() {
		t.Skip("the real-terminal test is skipped with -short")
	}
	// Waits pass as soon as the screen shows the text; the bound is wide
	// for machines busy with the rest of the tests.
	const within = 10 * time.Second
	bin := buildIWB(t)
	_, env := workbenchEnv(t)
	term := tuitest.Start(t, 120, 40, env, bin, "demo", "--interval", "0")
	term.WaitFor(eventsWithin, "demo · http://127.0.0.1:", " 0 events")

	// A New Object trigger on smsSend.
	term.SendKeys("3")
	term.WaitFor(within, "┌ Triggers", "clicks") // the demo recipe's trigger
	term.SendKeys("n")
	term.WaitFor(within, "New Object trigger", "Name")
	term.SendText("texts")
	term.SendKeys("Enter")
	term.WaitFor(within, "┃ Events")
	term.SendKeys("/")
	term.SendText("smsSend")
	term.WaitGone(within, "emailOpen")
	term.SendKeys("Enter")
	term.SendKeys("Space") // the first left: smsSend, before smsSendSkip
	term.WaitFor(within, "✓ SMS       smsSend ")
	term.SendKeys("Enter")
	term.WaitFor(within, "┃ Other event names")
	term.SendKeys("Enter")
	term.WaitFor(within, "added texts", "New Object", "smsSend")

	// The sandbox's system webhook, pointed at the listener's root (the
	// demo started it on /iterable/system) after the review.
	term.SendKeys("w")
	term.WaitFor(within, "Pick the system webhook", "#1")
	term.SendKeys("Enter")
	term.WaitFor(within, "Review: POST /api/webhooks", `"enabled": true,`)
	term.SendKeys("Enter")
	screen := term.WaitFor(within, "✓ webhook 1 sends to http://127.0.0.1:")
	if !regexp.MustCompile(`sends to http://127\.0\.0\.1:\d+/ with no auth`).MatchString(flatText(screen)) {
		t.Fatalf("the webhook should now send to the listener's root:\n%s", screen)
	}

	// Send SMS to a seeded user, confirmed with y.
	term.SendKeys("2")
	term.WaitFor(within, "┌ Actions", "Send SMS")
	term.SendKeys("/")
	term.SendText("sms")
	term.WaitGone(within, "Upsert user")
	term.SendKeys("Enter") // leaves the filter
	term.WaitGone(within, "FILTER")
	term.SendKeys("Enter") // opens Send SMS
	// huh moves to the next field through a command, so a key sent on
	// the heels of enter could land in the field just left: each text
	// waits for its field's focus mark.
	// The campaign is picked from the account's SMS campaigns.
	term.WaitFor(within, "┃ Campaign *", "Flash sale SMS ("+strconv.Itoa(sandbox.SMSCampaignID)+")", "FORM")
	term.SendKeys("Enter")
	term.WaitFor(within, "┃ Other campaign ID")
	term.SendKeys("Enter")
	term.WaitFor(within, "┃ Recipient email")
	term.SendText("ada@example.com")
	term.SendKeys("Enter", "Enter", "Enter", "Enter") // no user id, now, the default on repeats
	term.WaitFor(within, "+ add field", "review the request")
	term.SendKeys("Tab", "Enter")
	term.WaitFor(within, "Review: POST /api/sms/target", `"recipientEmail": "ada@example.com"`, "y yes, send")
	term.SendKeys("y")
	term.WaitFor(within, "200 OK")
	term.SendKeys("Escape")
	term.WaitGone(within, "200 OK")

	// The smsSend it fired, on the Events tab, matched by the trigger.
	term.SendKeys("1", "/")
	term.WaitFor(within, "FILTER")
	term.SendText("trigger:texts")
	term.SendKeys("Enter")
	screen = term.WaitFor(eventsWithin, "smsSend ")
	if !regexp.MustCompile(`S +smsSend +ada@exampl\S* +texts `).MatchString(screen) {
		t.Fatalf("the smsSend row should name ada and the trigger texts:\n%s", screen)
	}
	term.SendKeys("Enter")
	// The detail: it came to the root, where w pointed the webhook.
	screen = term.WaitFor(within, "smsSend · ", `"campaignId": 73003,`, "path     /")
	if !regexp.MustCompile(`path +/ +│`).MatchString(screen) {
		t.Fatalf("the smsSend should have come to the listener's root, where w pointed the webhook:\n%s", screen)
	}
	term.SendKeys("Escape")
	term.WaitGone(within, "/trigger:texts")

	term.Quit("q")
}
