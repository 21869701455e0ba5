package tuitest

import (
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/tui/page"
)

// Model is a root model a Harness can drive: Render is its screen as a
// string.
type Model interface {
	tea.Model
	Render() string
}

// Harness drives a root model synchronously, as the program would: each
// message goes to Update, and the commands it returns run and feed their
// messages back until things settle. Commands marked as waiting by design
// (page.Wait: ticks, cursor blinks, progress waiters) are given up after a
// short bound rather than waited for; real work (SQLite, loopback HTTP) has
// a long one.
type Harness struct {
	tb   testing.TB
	m    Model
	quit bool
}

// A round of commands waits for every command's answer, up to workBound for
// real work (slow under -race on a loaded machine), but a command marked as
// waiting only until it has run waitBound without answering: one that
// answers at once (a form's next step) is never lost, one that waits by
// design (a cursor blink, 530 ms) is given up. The bound counts from when
// the command started running, not from when it was queued, so a loaded
// machine that is slow to start it does not make the harness give up early.
const (
	waitBound = 60 * time.Millisecond
	workBound = 3 * time.Second
)

// NewHarness drives m; it sends nothing yet.
func NewHarness(tb testing.TB, m Model) *Harness { return &Harness{tb: tb, m: m} }

// TB is the test the harness fails.
func (h *Harness) TB() testing.TB { return h.tb }

// Quit says a command ended the program.
func (h *Harness) Quit() bool { return h.quit }

// Send hands msg to the model and runs what follows.
func (h *Harness) Send(msg tea.Msg) {
	h.tb.Helper()
	_, cmd := h.m.Update(msg)
	h.Run(cmd)
}

// job is a command to run, and whether it was marked as waiting.
type job struct {
	cmd  tea.Cmd
	wait bool
}

// Run executes commands round by round, feeding back what they return.
func (h *Harness) Run(cmd tea.Cmd) {
	type result struct {
		msg tea.Msg
		i   int
	}
	queue := []job{{cmd: cmd}}
	for round := 0; len(queue) > 0 && round < 100; round++ {
		jobs := queue
		queue = nil
		results := make(chan result, len(jobs))
		started := make([]atomic.Int64, len(jobs)) // when each began to run
		pending := map[int]bool{}
		work := 0
		for i, j := range jobs {
			if j.cmd == nil {
				continue
			}
			pending[i] = true
			if !j.wait {
				work++
			}
			go func() {
				started[i].Store(time.Now().UnixNano())
				results <- result{j.cmd(), i}
			}()
		}
		workUp := time.After(workBound)
		tick := time.NewTicker(5 * time.Millisecond)
	collect:
		for len(pending) > 0 {
			select {
			case r := <-results:
				if !pending[r.i] {
					continue // given up on already
				}
				delete(pending, r.i)
				if !jobs[r.i].wait {
					work--
				}
				queue = append(queue, h.take(r.msg, jobs[r.i].wait)...)
			case <-tick.C:
				if work > 0 {
					continue
				}
				now := time.Now().UnixNano()
				for i := range pending {
					if s := started[i].Load(); s != 0 && now-s >= int64(waitBound) {
						delete(pending, i)
					}
				}
			case <-workUp:
				// Work that outlives a key press (a bulk send the test
				// then stops) goes on without the harness.
				break collect
			}
		}
		tick.Stop()
	}
}

// take feeds one message back and returns the commands it produced; the
// commands a waiting command batches wait too.
func (h *Harness) take(msg tea.Msg, wait bool) []job {
	switch msg := msg.(type) {
	case nil:
		return nil
	case page.WaitMsg:
		return []job{{msg.Cmd, true}}
	case tea.BatchMsg:
		return jobs(msg, wait)
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
		return jobs(cmds, wait)
	}
	_, cmd := h.m.Update(msg)
	return []job{{cmd: cmd}}
}

func jobs(cmds []tea.Cmd, wait bool) []job {
	out := make([]job, len(cmds))
	for i, c := range cmds {
		out[i] = job{c, wait}
	}
	return out
}

// Press sends keys by name: "q", "ctrl+k", "esc", "shift+tab", "?".
func (h *Harness) Press(keys ...string) {
	h.tb.Helper()
	for _, k := range keys {
		h.Send(KeyPress(k))
	}
}

// Type sends each character as a key press.
func (h *Harness) Type(s string) {
	h.tb.Helper()
	for _, r := range s {
		h.Send(tea.KeyPressMsg{Code: r, Text: string(r)})
	}
}

// Paste sends text as a bracketed paste, as a terminal does.
func (h *Harness) Paste(s string) {
	h.tb.Helper()
	h.Send(tea.PasteMsg{Content: s})
}

// KeyPress is the key press of a key's name.
func KeyPress(name string) tea.KeyPressMsg {
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

// Screen is the rendered screen without styling.
func (h *Harness) Screen() string { return ansi.Strip(h.m.Render()) }

// MustShow fails unless the screen holds every text.
func (h *Harness) MustShow(texts ...string) {
	h.tb.Helper()
	s := h.Screen()
	for _, text := range texts {
		if !strings.Contains(s, text) {
			h.tb.Fatalf("the screen lacks %q:\n%s", text, s)
		}
	}
}

// MustNotShow fails if the screen holds any of the texts.
func (h *Harness) MustNotShow(texts ...string) {
	h.tb.Helper()
	s := h.Screen()
	for _, text := range texts {
		if strings.Contains(s, text) {
			h.tb.Fatalf("the screen should not show %q:\n%s", text, s)
		}
	}
}

// CheckFrame fails unless the screen is exactly w×h cells.
func (h *Harness) CheckFrame(w, hgt int) {
	h.tb.Helper()
	lines := strings.Split(h.m.Render(), "\n")
	if len(lines) != hgt {
		h.tb.Fatalf("the screen has %d lines, want %d", len(lines), hgt)
	}
	for i, l := range lines {
		if got := ansi.StringWidth(l); got != w {
			h.tb.Fatalf("line %d is %d cells wide, want %d: %q", i, got, w, ansi.Strip(l))
		}
	}
}
