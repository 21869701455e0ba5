package tui

import (
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// harness is the workbench at a fixed size, colour off, on a pinned clock,
// driven synchronously; notices never expire on their own.
type harness struct {
	*tuitest.Harness
	m *Model
}

func newHarness(t *testing.T, deps Deps, w, h int) *harness {
	t.Helper()
	deps.NoColor = true
	return newHarnessAs(t, deps, w, h)
}

// newHarnessAs is newHarness with the colour deps asks for.
func newHarnessAs(t *testing.T, deps Deps, w, h int) *harness {
	t.Helper()
	if deps.Now == nil {
		deps.Now = func() time.Time { return eventstest.Epoch }
	}
	m := New(deps)
	m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	hs := &harness{Harness: tuitest.NewHarness(t, m), m: m}
	hs.Send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.Run(m.Init())
	return hs
}

// The tabs, in the tab bar's order.
const (
	tabEvents = iota
	tabActions
	tabTriggers
	tabSchemas
	tabConnections
)
