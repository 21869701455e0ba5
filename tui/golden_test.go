package tui

import (
	"testing"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
	"github.com/iwb-dev/iwb/tui/style"
)

// TestGoldenScreens keeps each tab, the help, the palette, the add form, the
// welcome and the too-small message as they look with colour off. Run with
// -update after an intended change and read the diff.
func TestGoldenScreens(t *testing.T) {
	t.Parallel()
	screens := []struct {
		name string
		deps func() Deps
		keys []string
	}{
		{"events", stdDeps, nil},
		{"events-scrolled", stdDeps, []string{"pgup", "up", "up"}},
		{"actions", stdDeps, []string{"2"}},
		{"triggers", stdDeps, []string{"3"}},
		{"schemas", stdDeps, []string{"4"}},
		{"connections", stdDeps, []string{"5"}},
		{"connections-add", stdDeps, []string{"5", "a"}},
		{"connections-remove", stdDeps, []string{"5", "x"}},
		{"help-events", stdDeps, []string{"?"}},
		{"help-connections", stdDeps, []string{"5", "?"}},
		{"palette", stdDeps, []string{"ctrl+k"}},
		{"welcome", func() Deps { return Deps{Connections: newFakeConns(), Events: eventstest.NewSource(0)} }, nil},
		{"no-events", func() Deps { return Deps{Connections: twoConns(), Events: eventstest.NewSource(0)} }, nil},
	}
	for _, size := range sizes {
		for _, sc := range screens {
			t.Run(sc.name+"-"+sizeName(size), func(t *testing.T) {
				hs := newHarness(t, sc.deps(), size[0], size[1])
				hs.Press(sc.keys...)
				hs.CheckFrame(size[0], size[1])
				golden.RequireEqual(t, hs.Screen())
			})
		}
	}
	t.Run("too-small-79x23", func(t *testing.T) {
		hs := newHarness(t, stdDeps(), 79, 23)
		golden.RequireEqual(t, hs.Screen())
	})
}

func sizeName(s [2]int) string {
	return itoa(s[0]) + "x" + itoa(s[1])
}

func itoa(n int) string { return style.Thousands(n) }
