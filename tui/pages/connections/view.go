package connections

import (
	"fmt"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// View draws the tab into the whole body.
func (p *Page) View(a page.Area) []string {
	th, b := p.th, a.Body
	if p.welcome() {
		return style.Box(th, b.W, b.H, "Welcome to iwb", "", welcomeLines(th, p.demo, b.W-2), true)
	}
	var lines []string
	switch {
	case p.store == nil:
		lines = []string{th.Muted.Render("No keystore in this session.")}
	case p.err != nil:
		lines = []string{th.Error.Render("Could not read the connections: " + termtext.Line(p.err.Error()))}
	case !p.loaded:
		lines = []string{th.Muted.Render("Reading the connections…")}
	}
	nameW := 4
	for _, c := range p.conns {
		nameW = max(nameW, len([]rune(c.Name)))
	}
	nameW = min(nameW, 24)
	shown := p.shown()
	if len(p.conns) > 0 {
		lines = append(lines, th.Muted.Render(style.Fit("  "+style.Fit("NAME", nameW)+"  REGION  KEY", b.W-2)))
	}
	if len(p.conns) > 0 && len(shown) == 0 {
		lines = append(lines, th.Muted.Render("  No connection matches the filter; esc clears it."))
	}
	for i, c := range shown {
		mark := " "
		if c.Default {
			mark = th.Accent.Render("★")
		}
		line := " " + style.Fit(termtext.Line(c.Name), nameW) + "  " + style.Fit(termtext.Line(c.Region), 6) + "  " +
			style.Fit(termtext.Line(c.MaskedKey), 18) + " " + mark + " " + p.testText(c.Name)
		if i == p.cursor {
			line = th.Selected.Render("▶" + style.Fit(line, b.W-3))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	right := ""
	if len(p.conns) > 0 {
		right = th.Muted.Render(fmt.Sprintf("%d · ★ default", len(p.conns)))
	}
	// The filter line sits on the last row inside the border.
	for len(lines) < b.H-3 {
		lines = append(lines, "")
	}
	switch {
	case p.filtering:
		p.filter.SetWidth(b.W - 5)
		lines = append(lines[:b.H-3], p.filter.View())
	case p.filter.Value() != "":
		lines = append(lines[:b.H-3], th.Accent.Render("/"+termtext.Line(p.filter.Value())))
	}
	return style.Box(th, b.W, b.H, "Connections", right, lines, true)
}

// testText is the last test result of a connection.
func (p *Page) testText(name string) string {
	th := p.th
	if p.testing == name {
		return th.Muted.Render("testing…")
	}
	r, ok := p.tests[name]
	switch {
	case !ok:
		return th.Muted.Render("not tested")
	case r.err != nil:
		return th.Error.Render("✗ " + termtext.Line(r.err.Error()))
	}
	return th.OK.Render("✓ key accepted " + r.at.Format("15:04"))
}

// welcomeLines greet a user with no connection.
func welcomeLines(th style.Theme, demo bool, w int) []string {
	lines := []string{
		"",
		th.Title.Render("  No connection yet."),
		"",
		"  iwb keeps each Iterable project as a named connection; its API key lives",
		"  in your OS keyring and is only ever shown masked.",
		"",
		"  " + th.Key.Render("a") + "  add a connection (name, region, API key)",
	}
	if !demo {
		lines = append(lines, "  "+th.Key.Render("d")+"  start the demo: a built-in sandbox with live webhooks, no account needed")
	}
	for i, l := range lines {
		lines[i] = style.Fit(l, w)
	}
	return lines
}
