package tui

import (
	"context"
	"fmt"
	"image/color"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/tui/pages/connections"
	"github.com/iwb-dev/iwb/tui/pages/events"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

var sizes = [][2]int{{80, 24}, {120, 40}}

func bothSizes(t *testing.T, fn func(t *testing.T, w, h int)) {
	for _, s := range sizes {
		t.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(t *testing.T) { fn(t, s[0], s[1]) })
	}
}

func stdDeps() Deps {
	return Deps{Events: eventstest.NewSource(1000), Connections: twoConns(), ListenerURL: "http://127.0.0.1:8787"}
}

func TestTabsSwitchByNumber(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)
		if hs.m.Tab() != tabEvents {
			t.Fatalf("opens on tab %d, want Events", hs.m.Tab())
		}
		titles := map[string]string{"1": "┌ Events", "2": "┌ Actions", "3": "┌ Triggers", "4": "┌ Schemas", "5": "┌ Connections"}
		for _, k := range []string{"2", "3", "4", "5", "1"} {
			hs.Press(k)
			if want := int(k[0] - '1'); hs.m.Tab() != want {
				t.Fatalf("after %s the tab is %d, want %d", k, hs.m.Tab(), want)
			}
			hs.MustShow(titles[k], "1 Events", "2 Actions", "3 Triggers", "4 Schemas", "5 Connections")
			hs.CheckFrame(w, h)
		}
	})
}

func TestStatusBarShowsConnectionListenerAndCounts(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)
		hs.MustShow("acme-prod (us)", "http://127.0.0.1:8787", "1,000 events", "167 rejected", "0 dropped")
		demo := stdDeps()
		demo.Demo = true
		hs = newHarness(t, demo, w, h)
		hs.MustShow(" demo ·")
	})
}

func TestTabMovesFocusBetweenListAndDetail(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 80, 24)
	hs.Press("up", "up") // #998: a body longer than the detail pane
	before := hs.selectedID()
	hs.MustShow(`"email": "`)
	hs.Press("tab", "down", "down")
	if after := hs.selectedID(); after != before {
		t.Fatalf("down in the detail moved the list from #%d to #%d", before, after)
	}
	hs.MustNotShow(`"email": "`) // the detail scrolled past it
	hs.Press("shift+tab", "up")
	if after := hs.selectedID(); after != before-1 {
		t.Fatalf("up in the list selected #%d, want #%d", after, before-1)
	}
}

// selectedID is the id of the event the detail pane shows.
func (h *harness) selectedID() int64 {
	h.TB().Helper()
	m := regexp.MustCompile(` · #(\d+) `).FindStringSubmatch(h.Screen())
	if m == nil {
		h.TB().Fatalf("no event is selected:\n%s", h.Screen())
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

func TestLettersInFieldsAreText(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)

		hs.Press("/")
		if hs.m.Mode() != ModeFilter {
			t.Fatalf("/ opened mode %v, want filter", hs.m.Mode())
		}
		hs.Type("q2?f")
		if hs.Quit() || hs.m.Tab() != tabEvents || hs.m.Mode() != ModeFilter {
			t.Fatalf("keys typed into the filter fired shortcuts: quit=%v tab=%d mode=%v", hs.Quit(), hs.m.Tab(), hs.m.Mode())
		}
		hs.MustShow("/q2?f")
		hs.Press("esc")

		hs.Press("ctrl+k")
		hs.Type("q5")
		if hs.Quit() || hs.m.Tab() != tabEvents || hs.m.Mode() != ModePalette {
			t.Fatalf("keys typed into the palette fired shortcuts: quit=%v tab=%d mode=%v", hs.Quit(), hs.m.Tab(), hs.m.Mode())
		}
		hs.Press("esc")

		hs.Press("5", "a")
		if hs.m.Mode() != ModeForm {
			t.Fatalf("a opened mode %v, want form", hs.m.Mode())
		}
		hs.Type("q1xq")
		if hs.Quit() || hs.m.Tab() != tabConnections || hs.m.Mode() != ModeForm {
			t.Fatalf("keys typed into the form fired shortcuts: quit=%v tab=%d mode=%v", hs.Quit(), hs.m.Tab(), hs.m.Mode())
		}
		hs.MustShow("q1xq")
		hs.CheckFrame(w, h)
	})
}

func TestQuitAsksWhileAFormHoldsInput(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 120, 40)
	hs.Press("5", "a")
	hs.Type("half-done")
	// Leave the form by the palette (letters are text in the form).
	hs.Press("ctrl+k")
	hs.Type("go to events")
	hs.Press("enter")
	if hs.m.Tab() != tabEvents || hs.m.Mode() != ModeNormal {
		t.Fatalf("the palette left tab %d mode %v", hs.m.Tab(), hs.m.Mode())
	}
	hs.Press("q")
	if hs.Quit() || hs.m.Mode() != ModeConfirm {
		t.Fatalf("q with unsaved input: quit=%v mode=%v, want a question", hs.Quit(), hs.m.Mode())
	}
	hs.MustShow("Quit and lose the connection you were adding?")
	hs.Press("n")
	if hs.Quit() || hs.m.Mode() != ModeNormal {
		t.Fatal("n did not keep the workbench open")
	}
	hs.Press("5")
	if hs.m.Mode() != ModeForm {
		t.Fatal("the parked form is gone")
	}
	hs.MustShow("half-done")
	hs.Press("ctrl+k")
	hs.Type("quit")
	hs.Press("enter", "y")
	if !hs.Quit() {
		t.Fatal("confirming did not quit")
	}
}

func TestQQuitsAtOnceAndCtrlCAlways(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 80, 24)
	hs.Press("q")
	if !hs.Quit() {
		t.Fatal("q did not quit")
	}
	hs = newHarness(t, stdDeps(), 80, 24)
	hs.Press("5", "a")
	hs.Type("x")
	hs.Press("ctrl+c")
	if !hs.Quit() {
		t.Fatal("ctrl+c in a form did not quit")
	}
}

func TestHelpListsEveryBindingOfTheView(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)
		for _, tab := range []string{"1", "5", "2"} {
			hs.Press(tab, "?")
			if hs.m.Mode() != ModeHelp {
				t.Fatalf("? opened mode %v", hs.m.Mode())
			}
			hs.MustShow("Help · " + hs.m.current().Title())
			for _, g := range hs.m.helpGroups() {
				for _, b := range g.Bindings {
					hs.MustShow(b.Help().Key + strings.Repeat(" ", 10-len([]rune(b.Help().Key))) + " " + b.Help().Desc)
				}
			}
			hs.CheckFrame(w, h)
			hs.Press("?")
			if hs.m.Mode() != ModeNormal {
				t.Fatal("? did not close the help")
			}
			hs.MustNotShow("Help ·")
		}
		hs.Press("?", "esc")
		if hs.m.Mode() != ModeNormal {
			t.Fatal("esc did not close the help")
		}
	})
}

func TestPaletteFindsEveryCommandByName(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 120, 40)
	for _, c := range hs.m.palette.all {
		hs.Press("ctrl+k")
		hs.Type(strings.ToLower(c.Name))
		got, ok := hs.m.palette.chosen()
		if !ok || got.Name != c.Name {
			t.Fatalf("typing %q chose %q", c.Name, got.Name)
		}
		hs.MustShow(c.Name)
		hs.Press("esc")
		if hs.m.Mode() != ModeNormal {
			t.Fatalf("esc left the palette in mode %v", hs.m.Mode())
		}
	}
}

func TestPaletteFuzzyRunsTheCommand(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)
		hs.Press("ctrl+k")
		hs.Type("gtconn")
		hs.MustShow("Go to Connections")
		hs.CheckFrame(w, h)
		hs.Press("enter")
		if hs.m.Tab() != tabConnections || hs.m.Mode() != ModeNormal {
			t.Fatalf("the palette ran into tab %d mode %v", hs.m.Tab(), hs.m.Mode())
		}
		hs.Press("ctrl+k")
		hs.Type("zzzz")
		hs.MustShow("no command matches")
		hs.Press("enter")
		if hs.m.Mode() != ModeNormal || hs.m.Tab() != tabConnections {
			t.Fatal("enter on no match did something")
		}
	})
}

func TestResizeNeverGarbles(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 120, 40)
	for _, s := range [][2]int{{80, 24}, {200, 60}, {109, 33}, {110, 24}, {81, 25}, {120, 40}} {
		hs.Send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
		for _, tab := range []string{"1", "2", "3", "4", "5", "1"} {
			hs.Press(tab)
			hs.CheckFrame(s[0], s[1])
		}
		hs.Press("?")
		hs.CheckFrame(s[0], s[1])
		hs.Press("?", "ctrl+k")
		hs.CheckFrame(s[0], s[1])
		hs.Press("esc")
	}
	for _, s := range [][2]int{{79, 24}, {80, 23}, {40, 10}} {
		hs.Send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
		hs.MustShow(fmt.Sprintf("The window is %d×%d: too small.", s[0], s[1]), "iwb needs at least 80×24.")
		hs.CheckFrame(s[0], s[1])
	}
	hs.Send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.MustShow("┌ Events")
}

func TestEventsFollowUntilScrolledAndAgainOnF(t *testing.T) {
	t.Parallel()
	src := eventstest.NewSource(100)
	hs := newHarness(t, Deps{Events: src}, 120, 40)
	if id := hs.selectedID(); id != 100 {
		t.Fatalf("selected #%d at start, want the newest #100", id)
	}
	hs.MustShow("following")
	src.Append(5)
	hs.Send(EventsMsg{New: 5})
	if id := hs.selectedID(); id != 105 {
		t.Fatalf("following selected #%d, want #105", id)
	}
	hs.MustShow("#105", "105/105")

	hs.Press("up")
	hs.MustShow("paused")
	src.Append(3)
	hs.Send(EventsMsg{New: 3})
	if id := hs.selectedID(); id != 104 {
		t.Fatalf("paused, the selection moved to #%d, want #104", id)
	}
	hs.MustShow("104/108")

	hs.Press("f")
	if id := hs.selectedID(); id != 108 {
		t.Fatalf("f selected #%d, want the newest #108", id)
	}
	hs.MustShow("following")
}

func TestEventsDroppedCountShowsAndPageRereads(t *testing.T) {
	t.Parallel()
	src := eventstest.NewSource(10)
	hs := newHarness(t, Deps{Events: src}, 80, 24)
	src.Append(50) // nobody subscribed here: the batch message is all the page gets
	hs.Send(EventsMsg{New: 2, Dropped: 48})
	hs.MustShow("48 dropped", "60/60")
	if id := hs.selectedID(); id != 60 {
		t.Fatalf("after drops the page shows #%d, want #60 read from the store", id)
	}
}

func TestEventsFilter(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, Deps{Events: eventstest.NewSource(60)}, w, h)
		hs.Press("/")
		hs.Type("event:emailClick")
		hs.Press("enter")
		if hs.m.Mode() != ModeNormal {
			t.Fatalf("enter left mode %v", hs.m.Mode())
		}
		hs.MustShow("/event:emailClick", "10/10")
		hs.MustNotShow("emailOpen", "emailSend")
		hs.Press("esc")
		hs.MustShow("60/60")
		hs.MustNotShow("/event:emailClick")

		hs.Press("/")
		hs.Type("workflow:60102 bo@")
		hs.MustShow("5/5")
		hs.Press("esc")
		hs.Press("/")
		hs.Type("nothing-like-this")
		hs.MustShow("No event matches the filter")
	})
}

func TestEventsCopyReplaySchema(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 120, 40)
	hs.Press("up") // #999, a system event
	hs.Press("y")
	hs.MustShow("copied the payload of #999")
	hs.Press("r")
	hs.MustShow("no forward URL")
	hs.Press("s")
	hs.MustShow("--from-event 999")

	var replayed int64
	deps := stdDeps()
	deps.Replay = func(_ context.Context, ev events.Event) (events.ForwardResult, error) {
		replayed = ev.ID
		return events.ForwardResult{URL: "http://127.0.0.1:9000/hook", Status: 202, Took: 3 * time.Millisecond}, nil
	}
	hs = newHarness(t, deps, 120, 40)
	hs.Press("r")
	if replayed != 1000 {
		t.Fatalf("replayed #%d, want #1000", replayed)
	}
	hs.MustShow("replayed #1000: 202 in 3ms")
}

func TestNoticeClearsItself(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 120, 40)
	hs.Press("s")
	hs.MustShow("no event store here")
	hs.Send(noticeExpiredMsg{id: hs.m.noticeID - 1}) // an older timer: the notice stays
	hs.MustShow("no event store here")
	hs.Send(noticeExpiredMsg{id: hs.m.noticeID})
	hs.MustNotShow("no event store here")
}

func TestConnectionsAddTestDefaultRemove(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		conns := twoConns()
		hs := newHarness(t, Deps{Connections: conns}, w, h)
		hs.Press("5")
		hs.MustShow("acme-prod", "us", "••••••••••••3f2a", "★", "acme-eu")

		hs.Press("a")
		hs.MustShow("Add connection", "Name", "Region", "API key")
		hs.CheckFrame(w, h)
		hs.Paste("acme-stage")
		hs.Press("enter", "down", "enter")
		hs.Paste("sk-secret-7d4e")
		hs.MustNotShow("sk-secret-7d4e")
		hs.Press("enter")
		if hs.m.Mode() != ModeNormal {
			t.Fatalf("after the form: mode %v", hs.m.Mode())
		}
		hs.MustShow("acme-stage", "eu", "••••••••••••7d4e", "added acme-stage")
		hs.MustNotShow("sk-secret")

		hs.Press("t")
		hs.MustShow("✓ key accepted 10:00", "acme-prod: key accepted")

		hs.Press("down", "u")
		hs.MustShow("acme-eu is the default")
		if list, _ := conns.List(context.Background()); !list[1].Default || list[0].Default {
			t.Fatalf("the store's default did not move: %+v", list)
		}

		hs.Press("x")
		hs.MustShow("Remove the connection acme-eu")
		hs.Press("n")
		hs.MustShow("acme-eu")
		hs.Press("x", "y")
		hs.MustShow("removed acme-eu")
		if list, _ := conns.List(context.Background()); len(list) != 2 {
			t.Fatalf("the store holds %d connections, want 2", len(list))
		}
		hs.CheckFrame(w, h)
	})
}

func TestConnectionsFormRefusesEmptyFields(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, Deps{Connections: twoConns()}, 120, 40)
	hs.Press("5", "a", "enter")
	hs.MustShow("give the connection a name")
	if hs.m.Mode() != ModeForm {
		t.Fatal("an empty name closed the form")
	}
	hs.Press("esc")
	if hs.m.Mode() != ModeNormal || hs.m.form != nil {
		t.Fatal("esc on an empty form did not close it at once")
	}
}

func TestConnectionTestFailureShows(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, Deps{Connections: newFakeConns(connections.Connection{Name: "bad-one", Region: "us", MaskedKey: "••••0000", Default: true})}, 120, 40)
	hs.Press("5", "t")
	hs.MustShow("✗ BadApiKey: the key was refused", "✗ testing bad-one")
}

func TestWelcomeWithoutConnections(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, Deps{Connections: newFakeConns(), Events: eventstest.NewSource(0)}, w, h)
		if hs.m.Tab() != tabConnections {
			t.Fatalf("opened on tab %d, want the welcome on Connections", hs.m.Tab())
		}
		hs.MustShow("No connection yet.", "add a connection", "start the demo")
		hs.CheckFrame(w, h)
		hs.Press("d")
		if !hs.Quit() || !hs.m.StartDemo() {
			t.Fatal("d did not end the workbench to start the demo")
		}
	})
	hs := newHarness(t, Deps{Connections: newFakeConns(), Demo: true}, 80, 24)
	if hs.m.Tab() != tabEvents {
		t.Fatal("the demo should open on Events even without a saved connection")
	}
}

func TestMouseWheelScrollsUnlessTurnedOff(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 120, 40)
	if hs.m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("mouse reporting is off by default")
	}
	hs.Send(tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelUp})
	if id := hs.selectedID(); id != 997 {
		t.Fatalf("the wheel selected #%d, want #997", id)
	}
	hs.MustShow("paused")
	deps := stdDeps()
	deps.NoMouse = true
	hs = newHarness(t, deps, 120, 40)
	if hs.m.View().MouseMode != tea.MouseModeNone {
		t.Fatal("NoMouse still asks for mouse reports")
	}
	hs.Send(tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelUp})
	if id := hs.selectedID(); id != 1000 {
		t.Fatalf("the wheel moved the list with the mouse off: #%d", id)
	}
}

func TestBackgroundColourPicksTheTheme(t *testing.T) {
	t.Parallel()
	m := New(Deps{})
	if !m.theme.Dark {
		t.Fatal("the fallback should be dark")
	}
	m.Update(tea.BackgroundColorMsg{Color: color.White})
	if m.theme.Dark {
		t.Fatal("a white background kept the dark theme")
	}
	m.Update(tea.BackgroundColorMsg{Color: color.Black})
	if !m.theme.Dark {
		t.Fatal("a black background kept the light theme")
	}
}

func TestNoColorDrawsNoColour(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 120, 40) // the harness sets NoColor
	if s := hs.m.Render(); strings.Contains(s, "38;") || strings.Contains(s, "48;") {
		t.Fatal("colour codes drawn with NoColor")
	}
	m := New(stdDeps())
	m.Update(tea.WindowSizeMsg{Width: 120, Height: 40})
	if !strings.Contains(m.Render(), "38;") {
		t.Fatal("no colour drawn by default: the NoColor check above proves nothing")
	}
}

func TestOutsideTextCannotDriveTheTerminal(t *testing.T) {
	t.Parallel()
	hs := newHarness(t, stdDeps(), 120, 40)
	// #1000 is a rejected event whose raw body holds an escape sequence.
	if strings.Contains(hs.m.Render(), "\x1b[31mnot json") {
		t.Fatal("a body's escape sequence reached the screen")
	}
	hs.MustShow(`\x1b[31mnot json`)
	hs.Press("y")
	hs.MustShow("copied the payload of #1000 with its control characters escaped")
}

func TestRelayBatchesEventsAndReportsDrops(t *testing.T) {
	t.Parallel()
	src := eventstest.NewSource(0)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan tea.Msg, 100)
	done := make(chan struct{})
	go func() {
		relay(ctx, src, nil, func(m tea.Msg) { got <- m }, 5*time.Millisecond)
		close(done)
	}()
	// Wait for the subscription before publishing.
	tuitest.WaitFor(t, 5*time.Second, "the relay subscribes", func() bool { return src.Subscribers() > 0 })
	src.Append(5)
	seen := 0
	for seen < 5 {
		select {
		case m := <-got:
			seen += m.(EventsMsg).New
		case <-time.After(5 * time.Second):
			t.Fatalf("the relay passed on %d of 5 events", seen)
		}
	}
	src.Drop(7)
	select {
	case m := <-got:
		if m.(EventsMsg).Dropped != 7 {
			t.Fatalf("the relay reported %d dropped, want 7", m.(EventsMsg).Dropped)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("the relay did not report the drops")
	}
	cancel()
	<-done
}

func TestConnectionsFilter(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, Deps{Connections: twoConns()}, w, h)
		hs.Press("5", "/")
		if hs.m.Mode() != ModeFilter {
			t.Fatalf("/ on Connections opened mode %v", hs.m.Mode())
		}
		hs.Type("EU")
		hs.MustShow("acme-eu")
		hs.MustNotShow("acme-prod  ")
		hs.CheckFrame(w, h)
		hs.Press("enter", "t")
		hs.MustShow("acme-eu: key accepted", "/EU")
		hs.Press("esc")
		hs.MustShow("acme-prod", "acme-eu")
		hs.MustNotShow("/EU")
		hs.Press("/")
		hs.Type("zz")
		hs.MustShow("No connection matches the filter")
		hs.Press("esc")
		if hs.m.Mode() != ModeNormal {
			t.Fatal("esc did not leave the filter")
		}
		hs.MustNotShow("/zz")
	})
}

func TestRelayPassesOnAnotherProcesssChanges(t *testing.T) {
	src := eventstest.NewSource(0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	got := make(chan tea.Msg, 10)
	changed := make(chan struct{}, 1)
	go relay(ctx, src, changed, func(m tea.Msg) { got <- m }, 5*time.Millisecond)
	changed <- struct{}{}
	select {
	case m := <-got:
		if m.(EventsMsg).New != 0 {
			t.Errorf("a change from outside counted %d new events", m.(EventsMsg).New)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a change from outside did not make the pages re-read")
	}
}

// TestOneFormSlotKeepsAFormThatHoldsInput: a form of another tab that holds
// input stays in the slot; a pristine one gives way.
func TestOneFormSlotKeepsAFormThatHoldsInput(t *testing.T) {
	t.Parallel()
	deps, _ := storeDeps(t)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("5", "a")
	hs.Type("half-done")
	hs.Press("ctrl+k")
	hs.Type("go to triggers")
	hs.Press("enter", "n")
	hs.MustShow("finish or cancel Add connection on the Connections tab first")
	if hs.m.Mode() != ModeNormal {
		t.Fatalf("a second form opened: mode %v", hs.m.Mode())
	}
	hs.Press("5")
	hs.MustShow("half-done")
	hs.Press("esc", "y")
	hs.Press("a") // the page forgot nothing: its form opens again
	hs.MustShow("Add connection")
	hs.Press("ctrl+k")
	hs.Type("go to triggers")
	hs.Press("enter", "n") // untouched, it gives way
	hs.MustShow("New Object trigger")
	hs.Press("esc", "5", "a")
	hs.MustShow("Add connection")
}

// sizedSource is the fake log reporting a size and a limit.
type sizedSource struct{ *eventstest.Source }

func (s sizedSource) Stats(ctx context.Context) (events.Stats, error) {
	st, err := s.Source.Stats(ctx)
	st.Bytes, st.MaxBytes = 1536<<20, 2<<30
	return st, err
}

func TestPinKeyAndTheLogSizeInTheStatusBar(t *testing.T) {
	src := eventstest.NewSource(20)
	hs := newHarness(t, Deps{Events: sizedSource{src}, Connection: "acme-prod (us)"}, 140, 30)
	hs.MustShow("20 events", "1.5GB of 2GB")
	hs.Press("p")
	hs.MustShow("pinned #20: never pruned", " pin")
	if evs, _ := src.Before(context.Background(), events.Filter{}, 0, 1); !evs[0].Pinned {
		t.Fatal("p did not pin the selected event in the log")
	}
	hs.Press("p")
	hs.MustShow("unpinned #20")
	if evs, _ := src.Before(context.Background(), events.Filter{}, 0, 1); evs[0].Pinned {
		t.Fatal("a second p did not unpin it")
	}
}
