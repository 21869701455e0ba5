package tui

import (
	"reflect"
	"runtime"
	"strings"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"
)

// harness drives the root model synchronously, as the program would: each
// message goes to Update, and the commands it returns run and feed their
// messages back until things settle. Commands that wait (notice timers,
// cursor blinks) are given up after a bound rather than waited for.
type harness struct {
	t    *testing.T
	m    *Model
	quit bool
}

// A round of commands waits for every command's answer, up to workBound for
// real work (SQLite, loopback HTTP: slow under -race on a loaded machine), but
// only timerBound for commands that wait by design (cursor blinks, ticks,
// progress waiters), whose answers come later or never.
const (
	timerBound = 150 * time.Millisecond
	workBound  = 3 * time.Second
)

// waits tells the commands that wait by design, by the name of their function.
func waits(c tea.Cmd) bool {
	name := runtime.FuncForPC(reflect.ValueOf(c).Pointer()).Name()
	for _, w := range []string{"Blink", "Tick", "tick", "waitProgress", "wait"} {
		if strings.Contains(name, w) {
			return true
		}
	}
	return false
}

func newHarness(t *testing.T, deps Deps, w, h int) *harness {
	t.Helper()
	deps.NoColor = true
	if deps.Now == nil {
		deps.Now = func() time.Time { return fakeEpoch }
	}
	hs := &harness{t: t, m: New(deps)}
	hs.m.tick = func(time.Duration, func(time.Time) tea.Msg) tea.Cmd { return nil }
	hs.send(tea.WindowSizeMsg{Width: w, Height: h})
	hs.run(hs.m.Init())
	return hs
}

func (h *harness) send(msg tea.Msg) {
	h.t.Helper()
	_, cmd := h.m.Update(msg)
	h.run(cmd)
}

// run executes commands round by round, feeding back what they return.
func (h *harness) run(cmd tea.Cmd) {
	type result struct {
		msg   tea.Msg
		timer bool
	}
	queue := []tea.Cmd{cmd}
	for round := 0; len(queue) > 0 && round < 100; round++ {
		work, timers := 0, 0
		results := make(chan result, len(queue))
		for _, c := range queue {
			if c == nil {
				continue
			}
			timer := waits(c)
			if timer {
				timers++
			} else {
				work++
			}
			go func() { results <- result{c(), timer} }()
		}
		queue = nil
		timersUp, workUp := time.After(timerBound), time.After(workBound)
		timersDone := false
	collect:
		for work > 0 || (timers > 0 && !timersDone) {
			select {
			case r := <-results:
				if r.timer {
					timers--
				} else {
					work--
				}
				queue = append(queue, h.take(r.msg)...)
			case <-timersUp:
				timersDone, timersUp = true, nil
			case <-workUp:
				// Work that outlives a key press (a bulk send the test
				// then stops) goes on without the harness.
				break collect
			}
		}
	}
}

// take feeds one message back and returns the commands it produced.
func (h *harness) take(msg tea.Msg) []tea.Cmd {
	switch msg := msg.(type) {
	case nil:
		return nil
	case tea.BatchMsg:
		return msg
	case tea.QuitMsg:
		h.quit = true
		return nil
	}
	// tea.Sequence's message is an unexported []tea.Cmd.
	if v := reflect.ValueOf(msg); v.Kind() == reflect.Slice && v.Type().Elem() == reflect.TypeFor[tea.Cmd]() {
		cmds := make([]tea.Cmd, v.Len())
		for i := range cmds {
			cmds[i] = v.Index(i).Interface().(tea.Cmd)
		}
		return cmds
	}
	_, cmd := h.m.Update(msg)
	return []tea.Cmd{cmd}
}

// press sends keys by name: "q", "ctrl+k", "esc", "shift+tab", "?".
func (h *harness) press(keys ...string) {
	h.t.Helper()
	for _, k := range keys {
		h.send(keyPress(k))
	}
}

// typeText sends each character as a key press.
func (h *harness) typeText(s string) {
	for _, r := range s {
		h.send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// paste sends text as a bracketed paste, as a terminal does.
func (h *harness) paste(s string) {
	h.t.Helper()
	h.send(tea.PasteMsg{Content: s})
}

func keyPress(name string) tea.KeyPressMsg {
	special := map[string]rune{
		"esc": tea.KeyEscape, "enter": tea.KeyEnter, "tab": tea.KeyTab, "up": tea.KeyUp,
		"down": tea.KeyDown, "pgup": tea.KeyPgUp, "pgdown": tea.KeyPgDown, "home": tea.KeyHome,
		"end": tea.KeyEnd, "backspace": tea.KeyBackspace, "space": tea.KeySpace,
	}
	var mod tea.KeyMod
	base := name
	if m, rest, ok := strings.Cut(name, "+"); ok && rest != "" {
		switch m {
		case "ctrl":
			mod = tea.ModCtrl
		case "shift":
			mod = tea.ModShift
		}
		base = rest
	}
	if code, ok := special[base]; ok {
		return tea.KeyPressMsg{Code: code, Mod: mod}
	}
	r := []rune(base)[0]
	if mod != 0 {
		return tea.KeyPressMsg{Code: r, Mod: mod}
	}
	return tea.KeyPressMsg{Code: r, Text: base}
}

// screen is the rendered screen without styling.
func (h *harness) screen() string {
	return ansi.Strip(h.m.Render())
}

// mustShow fails unless the screen holds every text.
func (h *harness) mustShow(texts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, text := range texts {
		if !strings.Contains(s, text) {
			h.t.Fatalf("the screen lacks %q:\n%s", text, s)
		}
	}
}

// mustNotShow fails if the screen holds any of the texts.
func (h *harness) mustNotShow(texts ...string) {
	h.t.Helper()
	s := h.screen()
	for _, text := range texts {
		if strings.Contains(s, text) {
			h.t.Fatalf("the screen should not show %q:\n%s", text, s)
		}
	}
}

// checkFrame fails unless the screen is exactly w×h cells.
func (h *harness) checkFrame(w, hgt int) {
	h.t.Helper()
	lines := strings.Split(h.m.Render(), "\n")
	if len(lines) != hgt {
		h.t.Fatalf("the screen has %d lines, want %d", len(lines), hgt)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			h.t.Fatalf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}
