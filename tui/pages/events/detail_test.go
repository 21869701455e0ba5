package events

import (
	"strings"
	"testing"

	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// detailText is the detail pane's text in the frame, borders and the list
// pane left out.
func detailText(frame []string) []string {
	out := make([]string, 0, len(frame))
	for _, l := range frame[1 : len(frame)-1] {
		l = ansi.Strip(l)
		l = ansi.Cut(l, benchArea.Side.X+1, benchArea.Side.X+benchArea.Side.W-1)
		out = append(out, strings.TrimRight(l, " "))
	}
	return out
}

func press(p *Page, keys ...string) {
	for _, k := range keys {
		p.Key(tuitest.KeyPress(k))
	}
}

// checkFrame fails unless the frame fills the area exactly.
func checkFrame(t *testing.T, frame []string, what string) {
	t.Helper()
	if len(frame) != benchArea.Body.H {
		t.Fatalf("%s: %d lines, want %d", what, len(frame), benchArea.Body.H)
	}
	for _, l := range frame {
		if w := ansi.StringWidth(l); w != benchArea.Body.W {
			t.Fatalf("%s: a line is %d cells, want %d: %q", what, w, benchArea.Body.W, ansi.Strip(l))
		}
	}
}

func TestHugeEventsOpenScrollAndCopy(t *testing.T) {
	for _, c := range worstBodies() {
		t.Run(c.name, func(t *testing.T) {
			ev := Event{ID: 7, Body: c.body, Headers: c.headers, Path: "/hooks"}
			p := benchPage(ev)
			frame := p.View(benchArea)
			checkFrame(t, frame, "opened")
			first := detailText(frame)[0]
			if first == "" {
				t.Fatalf("the body's first line is blank:\n%s", strings.Join(detailText(frame), "\n"))
			}
			// Drawing the view drew only the lines in it.
			if n := len(p.doc.drawn); n > benchArea.Side.H-2 {
				t.Fatalf("%d lines drawn for a view of %d", n, benchArea.Side.H-2)
			}

			press(p, "tab", "G")
			frame = p.View(benchArea)
			checkFrame(t, frame, "at the bottom")
			text := detailText(frame)
			for text[len(text)-1] == "" { // a short detail does not fill the pane
				text = text[:len(text)-1]
			}
			if last := text[len(text)-1]; !strings.Contains(last, "schema   ✓ no problems") {
				t.Fatalf("the bottom of the detail ends with %q, want the schema line", last)
			}
			press(p, "pgup", "k", "k")
			frame = p.View(benchArea)
			checkFrame(t, frame, "a page up")
			long := p.doc.len(p.th, p.list.rows[0]) > benchArea.Side.H-2
			if got := detailText(frame)[len(text)-1]; long && got == text[len(text)-1] {
				t.Fatalf("scrolling up did not move the view")
			}
			press(p, "g")
			if got := detailText(p.View(benchArea))[0]; got != first {
				t.Fatalf("back at the top the first line is %q, want %q", got, first)
			}

			copied, escaped := copyText(c.body)
			if escaped && strings.ContainsAny(copied, "\x1b\x07\u202e\u200b\x9b") {
				t.Fatalf("the copied text holds characters a terminal acts on")
			}
			if !escaped && copied != string(c.body) {
				t.Fatal("an unescaped copy differs from the body")
			}
		})
	}
}

func TestDetailIsDrawnOncePerEventWidthAndTheme(t *testing.T) {
	ev := Event{ID: 1, Body: []byte(`{"email":"ana@acme.io","n":1}`)}
	p := benchPage(ev)
	before := p.View(benchArea)
	if !strings.Contains(strings.Join(detailText(before), "\n"), `"email": "ana@acme.io"`) {
		t.Fatalf("the body is not shown:\n%s", strings.Join(detailText(before), "\n"))
	}

	// A frame with nothing changed reuses what was drawn: a body changed
	// under the same event does not show (bodies never change in the log).
	p.list.rows[0].Body = []byte(`{"email":"bo@acme.io"}`)
	if got := p.View(benchArea); strings.Join(got, "\n") != strings.Join(before, "\n") {
		t.Fatal("the same event at the same width and theme was drawn again")
	}

	// Another width, another theme, another event: drawn again.
	narrow := benchArea
	narrow.Side.W -= 10
	narrow.Main.W += 10
	p.Update(page.ResizeMsg{Area: narrow})
	if got := strings.Join(p.View(narrow), "\n"); !strings.Contains(got, "bo@acme.io") {
		t.Fatal("a new width did not draw the detail again")
	}
	p.list.rows[0].Body = []byte(`{"email":"cy@acme.io"}`)
	p.th = style.NewTheme(false, false)
	if got := strings.Join(p.View(narrow), "\n"); !strings.Contains(got, "cy@acme.io") {
		t.Fatal("a new theme did not draw the detail again")
	}
	p.list.rows[0] = Event{ID: 2, Body: []byte(`{"email":"di@acme.io"}`)}
	if got := strings.Join(p.View(narrow), "\n"); !strings.Contains(got, "di@acme.io") {
		t.Fatal("another event did not draw the detail again")
	}

	// A newer read of the event (its forward result came) redraws the
	// lines under the body, not the body.
	p.list.rows[0].Forward = &ForwardResult{URL: "http://127.0.0.1:9/x", Status: 202}
	p.Update(listLoadedMsg{gen: -1})
	if got := ansi.Strip(strings.Join(p.View(narrow), "\n")); !strings.Contains(got, "202 in 0s") {
		t.Fatalf("the forward result of a newer read is not shown:\n%s", got)
	}
}
