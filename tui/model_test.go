package tui

import (
	"context"
	"fmt"
	"image/color"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
)

var sizes = [][2]int{{80, 24}, {120, 40}}

func bothSizes(t *testing.T, fn func(t *testing.T, w, h int)) {
	for _, s := range sizes {
		t.Run(fmt.Sprintf("%dx%d", s[0], s[1]), func(t *testing.T) { fn(t, s[0], s[1]) })
	}
}

func stdDeps() Deps {
	return Deps{Events: newFakeSource(1000), Connections: twoConns(), ListenerURL: "http://127.0.0.1:8787"}
}

func TestTabsSwitchByNumber(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)
		if hs.m.Tab() != tabEvents {
			t.Fatalf("opens on tab %d, want Events", hs.m.Tab())
		}
		titles := map[string]string{"1": "┌ Events", "2": "┌ Actions", "3": "┌ Triggers", "4": "┌ Schemas", "5": "┌ Connections"}
		for _, k := range []string{"2", "3", "4", "5", "1"} {
			hs.press(k)
			if want := int(k[0] - '1'); hs.m.Tab() != want {
				t.Fatalf("after %s the tab is %d, want %d", k, hs.m.Tab(), want)
			}
			hs.mustShow(titles[k], "1 Events", "2 Actions", "3 Triggers", "4 Schemas", "5 Connections")
			hs.checkFrame(w, h)
		}
	})
}

func TestStatusBarShowsConnectionListenerAndCounts(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)
		hs.mustShow("acme-prod (us)", "http://127.0.0.1:8787", "1,000 events", "167 rejected", "0 dropped")
		demo := stdDeps()
		demo.Demo = true
		hs = newHarness(t, demo, w, h)
		hs.mustShow(" demo ·")
	})
}

func TestTabMovesFocusBetweenListAndDetail(t *testing.T) {
	hs := newHarness(t, stdDeps(), 120, 40)
	before, _ := hs.m.events.list.selected()
	hs.press("tab")
	if !hs.m.events.detailFocus {
		t.Fatal("tab did not move the focus to the detail")
	}
	hs.press("down", "down")
	if after, _ := hs.m.events.list.selected(); after.ID != before.ID {
		t.Fatalf("down in the detail moved the list from #%d to #%d", before.ID, after.ID)
	}
	if hs.m.events.detailTop != 2 {
		t.Fatalf("the detail scrolled to line %d, want 2", hs.m.events.detailTop)
	}
	hs.press("shift+tab", "up")
	if after, _ := hs.m.events.list.selected(); after.ID != before.ID-1 {
		t.Fatalf("up in the list selected #%d, want #%d", after.ID, before.ID-1)
	}
}

func TestLettersInFieldsAreText(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)

		hs.press("/")
		if hs.m.Mode() != ModeFilter {
			t.Fatalf("/ opened mode %v, want filter", hs.m.Mode())
		}
		hs.typeText("q2?f")
		if hs.quit || hs.m.Tab() != tabEvents || hs.m.Mode() != ModeFilter {
			t.Fatalf("keys typed into the filter fired shortcuts: quit=%v tab=%d mode=%v", hs.quit, hs.m.Tab(), hs.m.Mode())
		}
		if v := hs.m.events.filter.Value(); v != "q2?f" {
			t.Fatalf("the filter holds %q, want q2?f", v)
		}
		hs.press("esc")

		hs.press("ctrl+k")
		hs.typeText("q5")
		if hs.quit || hs.m.Tab() != tabEvents || hs.m.Mode() != ModePalette {
			t.Fatalf("keys typed into the palette fired shortcuts: quit=%v tab=%d mode=%v", hs.quit, hs.m.Tab(), hs.m.Mode())
		}
		hs.press("esc")

		hs.press("5", "a")
		if hs.m.Mode() != ModeForm {
			t.Fatalf("a opened mode %v, want form", hs.m.Mode())
		}
		hs.typeText("q1xq")
		if hs.quit || hs.m.Tab() != tabConnections || hs.m.Mode() != ModeForm {
			t.Fatalf("keys typed into the form fired shortcuts: quit=%v tab=%d mode=%v", hs.quit, hs.m.Tab(), hs.m.Mode())
		}
		if hs.m.conns.values.name != "q1xq" {
			t.Fatalf("the name field holds %q, want q1xq", hs.m.conns.values.name)
		}
		hs.mustShow("q1xq")
		hs.checkFrame(w, h)
	})
}

func TestQuitAsksWhileAFormHoldsInput(t *testing.T) {
	hs := newHarness(t, stdDeps(), 120, 40)
	hs.press("5", "a")
	hs.typeText("half-done")
	// Leave the form by the palette (letters are text in the form).
	hs.press("ctrl+k")
	hs.typeText("go to events")
	hs.press("enter")
	if hs.m.Tab() != tabEvents || hs.m.Mode() != ModeNormal {
		t.Fatalf("the palette left tab %d mode %v", hs.m.Tab(), hs.m.Mode())
	}
	hs.press("q")
	if hs.quit || hs.m.Mode() != ModeConfirm {
		t.Fatalf("q with unsaved input: quit=%v mode=%v, want a question", hs.quit, hs.m.Mode())
	}
	hs.mustShow("Quit and lose the connection you were adding?")
	hs.press("n")
	if hs.quit || hs.m.Mode() != ModeNormal {
		t.Fatal("n did not keep the workbench open")
	}
	hs.press("5")
	if hs.m.Mode() != ModeForm || hs.m.conns.values.name != "half-done" {
		t.Fatal("the parked form lost its input")
	}
	hs.press("ctrl+k")
	hs.typeText("quit")
	hs.press("enter", "y")
	if !hs.quit {
		t.Fatal("confirming did not quit")
	}
}

func TestQQuitsAtOnceAndCtrlCAlways(t *testing.T) {
	hs := newHarness(t, stdDeps(), 80, 24)
	hs.press("q")
	if !hs.quit {
		t.Fatal("q did not quit")
	}
	hs = newHarness(t, stdDeps(), 80, 24)
	hs.press("5", "a")
	hs.typeText("x")
	hs.press("ctrl+c")
	if !hs.quit {
		t.Fatal("ctrl+c in a form did not quit")
	}
}

func TestHelpListsEveryBindingOfTheView(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)
		for _, tab := range []string{"1", "5", "2"} {
			hs.press(tab, "?")
			if hs.m.Mode() != ModeHelp {
				t.Fatalf("? opened mode %v", hs.m.Mode())
			}
			hs.mustShow("Help · " + tabNames[hs.m.Tab()])
			for _, g := range hs.m.keys.groups(hs.m.Tab(), false) {
				for _, b := range g.Bindings {
					hs.mustShow(b.Help().Key + strings.Repeat(" ", 10-len([]rune(b.Help().Key))) + " " + b.Help().Desc)
				}
			}
			hs.checkFrame(w, h)
			hs.press("?")
			if hs.m.Mode() != ModeNormal {
				t.Fatal("? did not close the help")
			}
			hs.mustNotShow("Help ·")
		}
		hs.press("?", "esc")
		if hs.m.Mode() != ModeNormal {
			t.Fatal("esc did not close the help")
		}
	})
}

func TestPaletteFindsEveryCommandByName(t *testing.T) {
	hs := newHarness(t, stdDeps(), 120, 40)
	for _, c := range hs.m.keys.commands() {
		hs.press("ctrl+k")
		hs.typeText(strings.ToLower(c.name))
		got, ok := hs.m.palette.chosen()
		if !ok || got.name != c.name {
			t.Fatalf("typing %q chose %q", c.name, got.name)
		}
		hs.mustShow(c.name)
		hs.press("esc")
		if hs.m.Mode() != ModeNormal {
			t.Fatalf("esc left the palette in mode %v", hs.m.Mode())
		}
	}
}

func TestPaletteFuzzyRunsTheCommand(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, stdDeps(), w, h)
		hs.press("ctrl+k")
		hs.typeText("gtconn")
		hs.mustShow("Go to Connections")
		hs.checkFrame(w, h)
		hs.press("enter")
		if hs.m.Tab() != tabConnections || hs.m.Mode() != ModeNormal {
			t.Fatalf("the palette ran into tab %d mode %v", hs.m.Tab(), hs.m.Mode())
		}
		hs.press("ctrl+k")
		hs.typeText("zzzz")
		hs.mustShow("no command matches")
		hs.press("enter")
		if hs.m.Mode() != ModeNormal || hs.m.Tab() != tabConnections {
			t.Fatal("enter on no match did something")
		}
	})
}

func TestResizeNeverGarbles(t *testing.T) {
	hs := newHarness(t, stdDeps(), 120, 40)
	for _, s := range [][2]int{{80, 24}, {200, 60}, {109, 33}, {110, 24}, {81, 25}, {120, 40}} {
		hs.send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
		for _, tab := range []string{"1", "2", "3", "4", "5", "1"} {
			hs.press(tab)
			hs.checkFrame(s[0], s[1])
		}
		hs.press("?")
		hs.checkFrame(s[0], s[1])
		hs.press("?", "ctrl+k")
		hs.checkFrame(s[0], s[1])
		hs.press("esc")
	}
	for _, s := range [][2]int{{79, 24}, {80, 23}, {40, 10}} {
		hs.send(tea.WindowSizeMsg{Width: s[0], Height: s[1]})
		hs.mustShow(fmt.Sprintf("The window is %d×%d: too small.", s[0], s[1]), "iwb needs at least 80×24.")
		hs.checkFrame(s[0], s[1])
	}
	hs.send(tea.WindowSizeMsg{Width: 80, Height: 24})
	hs.mustShow("┌ Events")
}

func TestEventsFollowUntilScrolledAndAgainOnF(t *testing.T) {
	src := newFakeSource(100)
	hs := newHarness(t, Deps{Events: src}, 120, 40)
	if ev, _ := hs.m.events.list.selected(); ev.ID != 100 {
		t.Fatalf("selected #%d at start, want the newest #100", ev.ID)
	}
	hs.mustShow("following")
	src.append(5)
	hs.send(EventsMsg{New: 5})
	if ev, _ := hs.m.events.list.selected(); ev.ID != 105 {
		t.Fatalf("following selected #%d, want #105", ev.ID)
	}
	hs.mustShow("#105", "105/105")

	hs.press("up")
	hs.mustShow("paused")
	src.append(3)
	hs.send(EventsMsg{New: 3})
	if ev, _ := hs.m.events.list.selected(); ev.ID != 104 {
		t.Fatalf("paused, the selection moved to #%d, want #104", ev.ID)
	}
	hs.mustShow("104/108")

	hs.press("f")
	if ev, _ := hs.m.events.list.selected(); ev.ID != 108 {
		t.Fatalf("f selected #%d, want the newest #108", ev.ID)
	}
	hs.mustShow("following")
}

func TestEventsDroppedCountShowsAndPageRereads(t *testing.T) {
	src := newFakeSource(10)
	hs := newHarness(t, Deps{Events: src}, 80, 24)
	src.append(50) // nobody subscribed here: the batch message is all the page gets
	hs.send(EventsMsg{New: 2, Dropped: 48})
	hs.mustShow("48 dropped", "60/60")
	if ev, _ := hs.m.events.list.selected(); ev.ID != 60 {
		t.Fatalf("after drops the page shows #%d, want #60 read from the store", ev.ID)
	}
}

func TestEventsFilter(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, Deps{Events: newFakeSource(60)}, w, h)
		hs.press("/")
		hs.typeText("event:emailClick")
		hs.press("enter")
		if hs.m.Mode() != ModeNormal {
			t.Fatalf("enter left mode %v", hs.m.Mode())
		}
		hs.mustShow("/event:emailClick", "10/10")
		for _, ev := range hs.m.events.list.rows {
			if ev.EventName != "emailClick" {
				t.Fatalf("the filtered list holds %s", ev.EventName)
			}
		}
		hs.press("esc")
		hs.mustShow("60/60")
		hs.mustNotShow("/event:emailClick")

		hs.press("/")
		hs.typeText("workflow:60102 bo@")
		hs.mustShow("5/5")
		hs.press("esc")
		hs.press("/")
		hs.typeText("nothing-like-this")
		hs.mustShow("No event matches the filter")
	})
}

func TestEventsCopyReplaySchema(t *testing.T) {
	hs := newHarness(t, stdDeps(), 120, 40)
	hs.press("up") // #999, a system event
	hs.press("y")
	hs.mustShow("copied the payload of #999")
	hs.press("r")
	hs.mustShow("no forward URL")
	hs.press("s")
	hs.mustShow("--from-event 999")

	var replayed int64
	deps := stdDeps()
	deps.Replay = func(_ context.Context, ev Event) (ForwardResult, error) {
		replayed = ev.ID
		return ForwardResult{URL: "http://127.0.0.1:9000/hook", Status: 202, Took: 3 * time.Millisecond}, nil
	}
	hs = newHarness(t, deps, 120, 40)
	hs.press("r")
	if replayed != 1000 {
		t.Fatalf("replayed #%d, want #1000", replayed)
	}
	hs.mustShow("replayed #1000: 202 in 3ms")
}

func TestNoticeClearsItself(t *testing.T) {
	hs := newHarness(t, stdDeps(), 120, 40)
	hs.press("s")
	hs.mustShow("no event store here")
	hs.send(noticeExpiredMsg{id: hs.m.noticeID - 1}) // an older timer: the notice stays
	hs.mustShow("no event store here")
	hs.send(noticeExpiredMsg{id: hs.m.noticeID})
	hs.mustNotShow("no event store here")
}

func TestConnectionsAddTestDefaultRemove(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		conns := twoConns()
		hs := newHarness(t, Deps{Connections: conns}, w, h)
		hs.press("5")
		hs.mustShow("acme-prod", "us", "••••••••••••3f2a", "★", "acme-eu")

		hs.press("a")
		hs.mustShow("Add connection", "Name", "Region", "API key")
		hs.checkFrame(w, h)
		hs.paste("acme-stage")
		hs.press("enter", "down", "enter")
		hs.paste("sk-secret-7d4e")
		hs.mustNotShow("sk-secret-7d4e")
		hs.press("enter")
		if hs.m.Mode() != ModeNormal {
			t.Fatalf("after the form: mode %v", hs.m.Mode())
		}
		hs.mustShow("acme-stage", "eu", "••••••••••••7d4e", "added acme-stage")
		hs.mustNotShow("sk-secret")

		hs.press("t")
		hs.mustShow("✓ key accepted 10:00", "acme-prod: key accepted")

		hs.press("down", "u")
		hs.mustShow("acme-eu is the default")
		if list, _ := conns.List(context.Background()); !list[1].Default || list[0].Default {
			t.Fatalf("the store's default did not move: %+v", list)
		}

		hs.press("x")
		hs.mustShow("Remove the connection acme-eu")
		hs.press("n")
		hs.mustShow("acme-eu")
		hs.press("x", "y")
		hs.mustShow("removed acme-eu")
		if list, _ := conns.List(context.Background()); len(list) != 2 {
			t.Fatalf("the store holds %d connections, want 2", len(list))
		}
		hs.checkFrame(w, h)
	})
}

func TestConnectionsFormRefusesEmptyFields(t *testing.T) {
	hs := newHarness(t, Deps{Connections: twoConns()}, 120, 40)
	hs.press("5", "a", "enter")
	hs.mustShow("give the connection a name")
	if hs.m.Mode() != ModeForm {
		t.Fatal("an empty name closed the form")
	}
	hs.press("esc")
	if hs.m.Mode() != ModeNormal || hs.m.conns.form != nil {
		t.Fatal("esc on an empty form did not close it at once")
	}
}

func TestConnectionTestFailureShows(t *testing.T) {
	hs := newHarness(t, Deps{Connections: newFakeConns(Connection{Name: "bad-one", Region: "us", MaskedKey: "••••0000", Default: true})}, 120, 40)
	hs.press("5", "t")
	hs.mustShow("✗ BadApiKey: the key was refused", "✗ testing bad-one")
}

func TestWelcomeWithoutConnections(t *testing.T) {
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, Deps{Connections: newFakeConns(), Events: newFakeSource(0)}, w, h)
		if hs.m.Tab() != tabConnections {
			t.Fatalf("opened on tab %d, want the welcome on Connections", hs.m.Tab())
		}
		hs.mustShow("No connection yet.", "add a connection", "start the demo")
		hs.checkFrame(w, h)
		hs.press("d")
		if !hs.quit || !hs.m.StartDemo() {
			t.Fatal("d did not end the workbench to start the demo")
		}
	})
	hs := newHarness(t, Deps{Connections: newFakeConns(), Demo: true}, 80, 24)
	if hs.m.Tab() != tabEvents {
		t.Fatal("the demo should open on Events even without a saved connection")
	}
}

func TestMouseWheelScrollsUnlessTurnedOff(t *testing.T) {
	hs := newHarness(t, stdDeps(), 120, 40)
	if hs.m.View().MouseMode != tea.MouseModeCellMotion {
		t.Fatal("mouse reporting is off by default")
	}
	hs.send(tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelUp})
	if ev, _ := hs.m.events.list.selected(); ev.ID != 997 || hs.m.events.list.follow {
		t.Fatalf("the wheel selected #%d (follow %v), want #997 and paused", ev.ID, hs.m.events.list.follow)
	}
	deps := stdDeps()
	deps.NoMouse = true
	hs = newHarness(t, deps, 120, 40)
	if hs.m.View().MouseMode != tea.MouseModeNone {
		t.Fatal("NoMouse still asks for mouse reports")
	}
	hs.send(tea.MouseWheelMsg{X: 5, Y: 10, Button: tea.MouseWheelUp})
	if ev, _ := hs.m.events.list.selected(); ev.ID != 1000 {
		t.Fatalf("the wheel moved the list with the mouse off: #%d", ev.ID)
	}
}

func TestBackgroundColourPicksTheTheme(t *testing.T) {
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
	hs := newHarness(t, stdDeps(), 120, 40)
	// #1000 is a rejected event whose raw body holds an escape sequence.
	if strings.Contains(hs.m.Render(), "\x1b[31mnot json") {
		t.Fatal("a body's escape sequence reached the screen")
	}
	hs.mustShow("·[31mnot json")
}

func TestRelayBatchesEventsAndReportsDrops(t *testing.T) {
	src := newFakeSource(0)
	ctx, cancel := context.WithCancel(context.Background())
	got := make(chan tea.Msg, 100)
	done := make(chan struct{})
	go func() {
		relay(ctx, src, func(m tea.Msg) { got <- m }, 5*time.Millisecond)
		close(done)
	}()
	// Wait for the subscription before publishing.
	deadline := time.Now().Add(5 * time.Second)
	for {
		src.mu.Lock()
		n := len(src.subs)
		src.mu.Unlock()
		if n > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the relay never subscribed")
		}
		time.Sleep(time.Millisecond)
	}
	src.append(5)
	seen := 0
	for seen < 5 {
		select {
		case m := <-got:
			seen += m.(EventsMsg).New
		case <-time.After(5 * time.Second):
			t.Fatalf("the relay passed on %d of 5 events", seen)
		}
	}
	src.dropped.Add(7)
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
	bothSizes(t, func(t *testing.T, w, h int) {
		hs := newHarness(t, Deps{Connections: twoConns()}, w, h)
		hs.press("5", "/")
		if hs.m.Mode() != ModeFilter {
			t.Fatalf("/ on Connections opened mode %v", hs.m.Mode())
		}
		hs.typeText("EU")
		hs.mustShow("acme-eu")
		hs.mustNotShow("acme-prod  ")
		hs.checkFrame(w, h)
		hs.press("enter", "t")
		hs.mustShow("acme-eu: key accepted", "/EU")
		hs.press("esc")
		hs.mustShow("acme-prod", "acme-eu")
		hs.mustNotShow("/EU")
		hs.press("/")
		hs.typeText("zz")
		hs.mustShow("No connection matches the filter")
		hs.press("esc")
		if hs.m.Mode() != ModeNormal || hs.m.conns.filter.Value() != "" {
			t.Fatal("esc did not clear the filter")
		}
	})
}
