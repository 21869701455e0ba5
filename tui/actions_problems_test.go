package tui

import (
	"strings"
	"testing"
)

// TestADuplicateDataFieldMarksBothRowsAndTheNoticeGoes: a data field given
// twice marks both its rows with the reason, right under each; review is
// refused with a notice that goes by itself once a row is removed.
func TestADuplicateDataFieldMarksBothRowsAndTheNoticeGoes(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		env := newSandboxEnv(t)
		hs := newHarness(t, env.deps(), w, h)
		hs.openAction("Upsert user")
		hs.Paste("ada@example.com")
		hs.Press("enter", "enter", "enter", "enter", "enter")
		hs.addField("plan", 0, "pro")
		hs.addField("tier", 0, "gold")
		hs.addField("plan", 0, "basic")
		s := hs.Screen()
		if n := strings.Count(s, "✗ plan: given twice (rows 1 and 3)"); n != 2 {
			t.Fatalf("%d rows say plan is given twice, want both:\n%s", n, s)
		}
		if n := strings.Count(s, "(project) ✗"); n != 2 {
			t.Fatalf("%d rows are marked ✗, want both plan rows:\n%s", n, s)
		}
		hs.CheckFrame(w, h)
		hs.Press("tab", "enter")
		hs.MustShow("fix the ✗ rows first: plan: given twice")
		// The third row goes: both marks and the notice go with it.
		hs.Press("up", "up", "delete")
		hs.MustNotShow("given twice", "fix the ✗ rows first", "✗")
		hs.MustShow(`"plan": "pro"`, `"tier": "gold"`)
		hs.Press("tab", "enter")
		hs.MustShow("Review: POST /api/users/update")
		if n := env.rec.count("POST", "/api/users/update"); n != 0 {
			t.Fatalf("sent before the review was confirmed")
		}
	})
}
