package tui

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/iwb-dev/iwb/webhook"
)

// TestGoldenFormKinds keeps one form of each kind as it looks without
// colour, where every selection, tick, toggle and focus must read in text
// ([x], (•), >, ┃, [2 Actions]), and with colour (the escape sequences
// kept): a select, a multi-select, a yes/no toggle, an input, a text area
// and the data-fields builder.
func TestGoldenFormKinds(t *testing.T) {
	t.Parallel()
	triggersDeps := func(t *testing.T) Deps {
		deps, st := opensWithSchema(t)
		addTrigger(t, st, webhook.Trigger{Name: "nps", Kind: webhook.TriggerWorkflow, WorkflowID: "60102"})
		return deps
	}
	kinds := []struct {
		name  string
		deps  func(t *testing.T) Deps
		steps func(hs *harness)
	}{
		{"select", triggersDeps, func(hs *harness) { hs.Press("3", "down", "4", "down", "t", "down", "down") }},
		{"multi-select", triggersDeps, func(hs *harness) {
			hs.Press("3", "n")
			hs.Type("opens")
			hs.Press("enter", "down", "space", "down", "down", "space")
		}},
		{"toggle", triggersDeps, func(hs *harness) {
			hs.Press("4", "a")
			hs.Type("plan")
			hs.Press("enter", "left")
		}},
		{"input", triggersDeps, func(hs *harness) {
			hs.Press("3", "b")
			hs.Type("abc.ngrok.app")
			hs.Press("enter") // refused beside the field: no scheme
		}},
		{"text-area", triggersDeps, func(hs *harness) {
			hs.Press("4", "w")
			hs.Paste(`{"email": "ana@acme.io",` + "\n" + `"eventName": "emailOpen"}`)
		}},
		{"data-fields", func(t *testing.T) Deps { return newSandboxEnv(t).deps() }, func(hs *harness) {
			hs.openAction("Upsert user")
			hs.Paste("ana@acme.io")
			hs.Press("enter", "enter", "enter", "enter", "enter")
			hs.addField("plan", 0, "pro")
			hs.Press("+")
			hs.Paste("tier")
			hs.Press("tab", "right")
		}},
		{"data-fields-clash", func(t *testing.T) Deps { return newSandboxEnv(t).deps() }, func(hs *harness) {
			hs.openAction("Upsert user")
			hs.Paste("ana@acme.io")
			hs.Press("enter", "enter", "enter", "enter", "enter")
			hs.addField("plan", 0, "pro")
			hs.addField("score", 0, "4.5")
			hs.addField("plan", 0, "basic")
		}},
	}
	for _, colour := range []bool{false, true} {
		mode := "no-color"
		if colour {
			mode = "color"
		}
		for _, size := range sizes {
			for _, k := range kinds {
				t.Run(k.name+"-"+mode+"-"+sizeName(size), func(t *testing.T) {
					deps := k.deps(t)
					deps.NoColor = !colour
					hs := newHarnessAs(t, deps, size[0], size[1])
					k.steps(hs)
					hs.CheckFrame(size[0], size[1])
					hs.requireGolden(t, colour)
				})
			}
		}
	}
}

// requireGolden compares the screen with its golden file: as text without
// colour, with its escape sequences with colour.
func (hs *harness) requireGolden(t *testing.T, colour bool) {
	t.Helper()
	if colour {
		golden.RequireEqual(t, hs.m.Render())
		return
	}
	golden.RequireEqual(t, hs.Screen())
}
