package tui

import (
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

// View draws the whole screen: every line exactly the window's width.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	if !m.deps.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "iwb"
	if m.quitting {
		return v
	}
	v.SetContent(m.Render())
	return v
}

// Render is the screen as a string, for View and for tests.
func (m *Model) Render() string {
	l := m.layout
	if l.TooSmall {
		msg := fmt.Sprintf("The window is %d×%d: too small.\niwb needs at least %d×%d.\nMake it larger, or press q to quit.", l.Width, l.Height, MinWidth, MinHeight)
		lines := style.Centered(l.Width, l.Height, msg)
		for i := range lines {
			lines[i] = style.Fit(lines[i], l.Width)
		}
		return strings.Join(lines, "\n")
	}
	body := m.body()
	switch m.overlay {
	case overlayHelp:
		body = style.DrawOver(body, m.helpView(), l.Width)
	case overlayPalette:
		body = style.DrawOver(body, m.paletteView(), l.Width)
	case overlayConfirm:
		body = style.DrawOver(body, m.confirmView(), l.Width)
	}
	lines := make([]string, 0, l.Height)
	lines = append(lines, m.headerView())
	lines = append(lines, body...)
	lines = append(lines, m.hintsView(), m.statusView())
	// Every part is drawn to the exact width already (box, spread, fit), so
	// the lines are joined without measuring them again.
	return strings.Join(lines, "\n")
}

// body draws the open tab, or the slot's form when it is the tab's and
// not drawn by the page itself.
func (m *Model) body() []string {
	if f := m.form; m.formHere() && !f.Inline {
		b := m.layout.Body
		lines := strings.Split(f.Huh.View(), "\n")
		return style.Box(m.theme, b.W, b.H, f.Title, m.theme.Muted.Render(f.Footer), lines, true)
	}
	return m.current().View(m.layout.Area)
}

// headerView is the tab bar, with the mode on the right when keys go to a
// field or a dialog.
func (m *Model) headerView() string {
	th := m.theme
	parts := []string{th.Accent.Render(" iwb ")}
	for i, p := range m.pages {
		label := fmt.Sprintf(" %d %s ", i+1, p.Title())
		parts = append(parts, th.Tab(label, i == m.tab))
	}
	tabs := strings.Join(parts, "")
	right := ""
	if mode := m.Mode(); mode != ModeNormal {
		right = th.Accent.Render(strings.ToUpper(mode.String())) + " "
	} else if last := m.lastRefusal(); last != "" {
		if room := m.layout.Width - ansi.StringWidth(tabs) - 2; room > 12 {
			right = th.Warn.Render(ansi.Truncate(last, room, "…")) + " "
		}
	}
	return style.Spread(tabs, right, m.layout.Width)
}

// refusals are the listener's refused deliveries and failed forwards (none
// without a listener).
func (m *Model) refusals() webhook.Refusals {
	if m.deps.Listener == nil {
		return webhook.Refusals{}
	}
	return m.deps.Listener.Refusals()
}

// statusCodes are the answers the listener refuses with, by kind.
var statusCodes = map[string]string{"auth": "401", "bad body": "400", "too large": "413", "busy": "503"}

// lastRefusal says when the listener last refused a delivery and why, e.g.
// "✗ 401 at 12:03:04: POST /iterable without valid header credentials".
func (m *Model) lastRefusal() string {
	kind, f, ok := m.refusals().Latest()
	if !ok {
		return ""
	}
	return "✗ " + statusCodes[kind] + " at " + f.Last.Local().Format(time.TimeOnly) + ": " + termtext.Line(f.Cause)
}

// refusalCounts are the nonzero refusals by status and the failed
// forwards, e.g. "401×3 413×1 · forward ✗2"; "" when nothing failed.
func refusalCounts(r webhook.Refusals) string {
	var parts []string
	for _, k := range []struct {
		code string
		n    int64
	}{{"401", r.Auth.Count}, {"400", r.BadBody.Count}, {"413", r.TooLarge.Count}, {"503", r.Busy.Count}} {
		if k.n > 0 {
			parts = append(parts, k.code+"×"+style.Thousands(int(k.n)))
		}
	}
	out := strings.Join(parts, " ")
	if r.Forward.Count > 0 {
		if out != "" {
			out += " · "
		}
		out += "forward ✗" + style.Thousands(int(r.Forward.Count))
	}
	return out
}

// hintsView shows the keys of the current mode and view, and the notice on
// the right.
func (m *Model) hintsView() string {
	th := m.theme
	var pairs []page.Hint
	switch m.Mode() {
	case ModePalette:
		pairs = []page.Hint{{"↑/↓", "choose"}, {"enter", "run"}, {"esc", "close"}}
	case ModeHelp:
		pairs = []page.Hint{{"?/esc", "close help"}}
	case ModeConfirm:
		pairs = []page.Hint{{"y", "yes"}, {"n/esc", "no"}}
	default:
		if f := m.form; m.formHere() && !f.Inline {
			pairs = []page.Hint{{"tab", "next field"}, {"shift+tab", "back"}, {"enter", "next / add"}, {"esc", "cancel"}, {"ctrl+k", "commands"}}
			break
		}
		pairs = m.current().Hints()
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = th.Key.Render(p[0]) + " " + th.Muted.Render(p[1])
	}
	return style.Spread(" "+strings.Join(parts, "  "), m.noticeView(), m.layout.Width)
}

// statusView is the status bar: the connection and the listener on the
// left, the counts on the right; the left part gives way first.
func (m *Model) statusView() string {
	th := m.theme
	listener := th.Muted.Render("listener off")
	switch {
	case m.deps.ListenerURL != "":
		listener = termtext.Line(m.deps.ListenerURL)
	case m.deps.ListenerErr != "":
		listener = th.Warn.Render("listener off: " + termtext.Line(m.deps.ListenerErr))
	}
	dropped := style.Thousands(int(m.stats.Dropped)) + " dropped"
	if m.stats.Dropped > 0 {
		dropped = th.Warn.Render(dropped)
	}
	left := " " + th.Bold.Render(m.connectionLabel()) + th.Muted.Render(" · ") + listener
	refused := ""
	if rc := refusalCounts(m.refusals()); rc != "" {
		refused = th.Warn.Render("refused "+rc) + " · "
	}
	size := ""
	if m.stats.Bytes > 0 {
		size = " · " + style.Bytes(m.stats.Bytes)
		if m.stats.MaxBytes > 0 {
			size += " of " + style.Bytes(m.stats.MaxBytes)
		}
	}
	counts := "  " + style.Thousands(m.stats.Total) + " events · " + style.Thousands(m.stats.Rejected) + " rejected · " + refused + dropped + size + " "
	if ansi.StringWidth(left)+ansi.StringWidth(counts) > m.layout.Width {
		counts = "  " + style.Thousands(m.stats.Total) + " events · " + style.Thousands(m.stats.Rejected) + " rej · " + refused +
			strings.Replace(dropped, "dropped", "drop", 1) + size + " "
	}
	return style.Spread(left, counts, m.layout.Width)
}

// noticeView is the last notice or error, shown until it expires.
func (m *Model) noticeView() string {
	if m.notice == "" {
		return ""
	}
	n := termtext.Line(m.notice)
	if w := m.layout.Width - 4; ansi.StringWidth(n) > w {
		n = ansi.Truncate(n, w, "…")
	}
	if m.noticeErr {
		return m.theme.Error.Render("✗ "+n) + " "
	}
	return m.theme.Accent.Render(n) + " "
}

// helpView is the help overlay: every binding of the current view.
func (m *Model) helpView() []string {
	th := m.theme
	groups := m.helpGroups()
	render := func(gs []page.Group) []string {
		var out []string
		for i, g := range gs {
			if i > 0 {
				out = append(out, "")
			}
			out = append(out, th.Title.Render(g.Title))
			for _, b := range g.Bindings {
				out = append(out, th.Key.Render(style.Fit(b.Help().Key, 10))+" "+b.Help().Desc)
			}
		}
		return out
	}
	left, right := render(groups[:len(groups)-1]), render(groups[len(groups)-1:])
	colW := 34
	rows := max(len(left), len(right))
	lines := make([]string, rows)
	for i := range lines {
		var a, b string
		if i < len(left) {
			a = left[i]
		}
		if i < len(right) {
			b = right[i]
		}
		lines[i] = " " + style.Fit(a, colW) + "  " + style.Fit(b, colW)
	}
	w := 2*colW + 5
	h := min(rows+2, m.layout.Body.H)
	return style.Box(th, w, h, "Help · "+m.current().Title(), th.Muted.Render("? or esc closes"), lines, true)
}

// paletteView is the command palette.
func (m *Model) paletteView() []string {
	th := m.theme
	w := min(64, m.layout.Width-4)
	p := &m.palette
	p.input.SetWidth(w - 6)
	lines := []string{p.input.View(), ""}
	rows := min(len(p.all), m.layout.Body.H-5)
	first := max(p.selected-rows+1, 0)
	for i := first; i < len(p.matches) && i < first+rows; i++ {
		c := p.matches[i]
		line := style.Spread(" "+c.Name, th.Muted.Render(c.Key.Help().Key)+" ", w-3)
		if i == p.selected {
			line = th.Selected.Render("▶" + ansi.Strip(line))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	if len(p.matches) == 0 {
		lines = append(lines, th.Muted.Render(" no command matches"))
	}
	for len(lines) < rows+2 {
		lines = append(lines, "")
	}
	return style.Box(th, w, len(lines)+2, "Commands", th.Muted.Render("esc closes"), lines, true)
}

// confirmView is the yes/no question.
func (m *Model) confirmView() []string {
	th := m.theme
	q := m.confirm.question
	w := min(max(ansi.StringWidth(q)+6, 40), m.layout.Width-4)
	lines := []string{"", " " + q, "", " " + th.Key.Render("y") + " yes   " + th.Key.Render("n") + " no", ""}
	return style.Box(th, w, len(lines)+2, "Confirm", "", lines, true)
}

// helpGroups are the page's bindings, then the global ones.
func (m *Model) helpGroups() []page.Group {
	k := m.keys
	global := page.Group{Title: "Everywhere", Bindings: append(append([]key.Binding(nil), m.tabKeys...),
		k.NextPane, k.PrevPane, k.Filter, k.Palette, k.Open, k.Back, k.Help, k.Quit, k.ForceQuit)}
	return append(m.current().Help(), global)
}
