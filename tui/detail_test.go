package tui

import (
	"context"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/tui/pages/events"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
)

// bodySource is a Source whose events have the given bodies.
type bodySource struct {
	*eventstest.Source
	bodies map[int64][]byte
}

func (s bodySource) swap(evs []events.Event, err error) ([]events.Event, error) {
	for i := range evs {
		if b, ok := s.bodies[evs[i].ID]; ok {
			evs[i].Body = b
		}
	}
	return evs, err
}

func (s bodySource) After(ctx context.Context, f events.Filter, id int64, limit int) ([]events.Event, error) {
	return s.swap(s.Source.After(ctx, f, id, limit))
}

func (s bodySource) Before(ctx context.Context, f events.Filter, id int64, limit int) ([]events.Event, error) {
	return s.swap(s.Source.Before(ctx, f, id, limit))
}

// TestHugeEventOpensAndScrollsInTheWorkbench: an event stored with arrays
// nested 10,000 deep (before the listener's bound) shows, scrolls to its
// end and back, and copies, in the workbench.
func TestHugeEventOpensAndScrollsInTheWorkbench(t *testing.T) {
	deep := []byte(strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000))
	src := bodySource{eventstest.NewSource(3), map[int64][]byte{3: deep}}
	hs := newHarness(t, Deps{Connections: twoConns(), Events: src}, 120, 40)
	hs.MustShow("workflow 60102 · ", "#3", " [", "   [", "‹14› [") // deeper than half the pane: its depth
	hs.MustNotShow("‹35› [", "schema   ✓")
	hs.CheckFrame(120, 40)

	hs.Press("enter", "pgdown", "pgdown")
	hs.MustShow("‹70› [")
	hs.MustNotShow("‹14› [")
	hs.Press("G")
	hs.MustShow("schema   ✓ no problems", "triggers wf-nps")
	hs.CheckFrame(120, 40)
	hs.Press("g")
	hs.MustShow("‹14› [")
	hs.MustNotShow("schema   ✓")
	hs.Press("y")
	hs.MustShow("copied the payload of #3 (20,000 bytes)")
}
