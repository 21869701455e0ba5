package main

import (
	"context"
	"strings"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/tui"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// schemaWorkbench is the workbench over a live log with the trigger opens:
// event 2 breaks its schema, 8 fits it, 9 fits with a field it does not know.
func schemaWorkbench(t *testing.T) (*liveStore, *tuitest.Harness) {
	t.Helper()
	l := mixedLog(t)
	l.post(t, "/iterable", `{"email":"bo@example.com","eventName":"emailOpen","dataFields":{"campaignId":7}}`)              // 8
	l.post(t, "/iterable", `{"email":"cy@example.com","eventName":"emailOpen","dataFields":{"campaignId":7,"extra":true}}`) // 9
	m := tui.New(tui.Deps{Events: newStoreEvents(l.store), Store: l.store, ListenerURL: l.url, NoColor: true})
	h := tuitest.NewHarness(t, m)
	h.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.Run(m.Init())
	return l, h
}

// TestSchemaVerdictAndEventsMarkAgree: the mark an event gets on the Events
// tab (✗ does not fit, ⚠ fields the schema does not know) and the Schemas
// wizard's verdict on it come from one check, so they agree event by event.
func TestSchemaVerdictAndEventsMarkAgree(t *testing.T) {
	l, h := schemaWorkbench(t)
	ctx := context.Background()
	tr, err := l.store.Trigger(ctx, "opens")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range []int64{2, 8, 9} {
		ev, err := l.store.Get(ctx, id)
		if err != nil {
			t.Fatal(err)
		}
		_, fits, err := webhook.CheckPayload(tr.Schema, ev.Payload)
		if err != nil || fits == eventFromStore(ev).Mismatch {
			t.Errorf("#%d: the verdict says fits=%v, the Events tab's mark mismatch=%v (%v)", id, fits, eventFromStore(ev).Mismatch, err)
		}
	}
	h.Press("/")
	h.Type("trigger:opens")
	h.Press("enter")
	screen := h.Screen()
	for _, row := range []struct{ who, mark string }{{"grace@example.com", "✗"}, {"bo@example.com", ""}, {"cy@example.com", "⚠"}} {
		line := lineWith(screen, row.who)
		if got := strings.TrimSpace(line[strings.Index(line, "opens")+len("opens"):]); !strings.HasPrefix(got, row.mark) || row.mark == "" && strings.ContainsAny(got, "✗⚠") {
			t.Errorf("the row of %s is marked %q, want %q:\n%s", row.who, got, row.mark, screen)
		}
	}

	// The wizard offers the trigger's own events, each judged the same way,
	// and its verdict on the one picked agrees.
	h.Press("3", "4", "e")
	screen = h.Screen()
	for _, want := range []string{"events opens matched, newest first", "✗ #2 ", "✓ #8 ", "✓ #9 "} {
		if !strings.Contains(screen, want) {
			t.Errorf("the wizard's picker lacks %q:\n%s", want, screen)
		}
	}
	if strings.Contains(screen, "emailSend") {
		t.Errorf("the picker offers an event opens did not match:\n%s", screen)
	}
	h.Press("end", "enter") // the oldest, #2
	if s := h.Screen(); !strings.Contains(s, "✗ does not fit the current schema: dataFields.campaignId: expected integer, found string") {
		t.Errorf("the wizard's verdict on #2:\n%s", s)
	}
	h.Press("esc")
	h.Press("e", "enter") // all three together
	if s := h.Screen(); !strings.Contains(s, "✗ 1 of 3 do not fit the current schema (#2)") {
		t.Errorf("the wizard's verdict on all three:\n%s", s)
	}
}

// TestTriggersTableCountsMismatchesAndEnterOpensTheEvent: the Triggers table
// shows how many paths do not fit the schema, the Schemas tab lists them, and
// enter on one shows its latest event on the Events tab, among the trigger's.
func TestTriggersTableCountsMismatchesAndEnterOpensTheEvent(t *testing.T) {
	_, h := schemaWorkbench(t)
	h.Press("3")
	if s := h.Screen(); !strings.Contains(lineWith(s, "▶ opens"), "3 fields ✗1") {
		t.Fatalf("the Triggers table does not count the mismatch:\n%s", s)
	}
	h.Press("4")
	h.Press("tab")
	if s := h.Screen(); !strings.Contains(s, "▶✗ dataFields.campaignId    ×1    #2") {
		t.Fatalf("tab does not select the mismatch:\n%s", s)
	}
	h.Press("enter")
	s := h.Screen()
	if !strings.Contains(s, "trigger:opens") || !strings.Contains(lineWith(s, "▶"), "grace@example.com") {
		t.Fatalf("enter does not show event #2 on the Events tab:\n%s", s)
	}
	if !strings.Contains(s, "#2") {
		t.Fatalf("the detail is not of event #2:\n%s", s)
	}
}

// lineWith is the first line of the screen's left pane holding text, ""
// if none.
func lineWith(screen, text string) string {
	for _, l := range strings.Split(screen, "\n") {
		// The panes meet at two borders, either drawn dashed out of focus.
		for _, edge := range []string{"││", "│╎", "╎│"} {
			l, _, _ = strings.Cut(l, edge)
		}
		if strings.Contains(l, text) {
			return l
		}
	}
	return ""
}
