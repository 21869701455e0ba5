package recipes

import (
	"fmt"
	"strings"

	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// labelW is the width of the editor's line labels.
const labelW = 22

// editorView draws the editor in the main pane and, beside or under it,
// the picker when open, else the live preview.
func (p *Page) editorView(a page.Area) []string {
	th, e := p.th, p.ed
	m, s := a.Main, a.Side
	if a.Stacked {
		// The pane in use gets two thirds of the body: the editor, or the
		// picker while it is open.
		small := max(a.Body.H/3, 7)
		m.H = a.Body.H - small
		if e.pick != nil {
			m.H = small
		}
		s.H = a.Body.H - m.H
	}
	lines, focus := e.lines(p, m.W-2)
	top := max(0, min(focus-(m.H-2)/2, len(lines)-(m.H-2)))
	if top > 0 {
		lines = lines[top:]
	}
	title := "New recipe"
	if e.editing != "" {
		title = "Edit recipe " + termtext.Line(e.editing)
	}
	left := style.Box(th, m.W, m.H, title, th.Muted.Render("ctrl+s save · esc cancel"), lines, e.pick == nil)
	var side []string
	if e.pick != nil {
		side = style.Box(th, s.W, s.H, termtext.Line(e.pick.title), th.Muted.Render("enter pick · esc close"), e.pick.lines(th, s.W-2, s.H-2), true)
	} else {
		title, right := "Preview", "nothing sent"
		if ev := e.latest[e.triggerName()]; ev != nil {
			title = fmt.Sprintf("Preview · event %d", ev.ID)
		}
		side = style.Box(th, s.W, s.H, title, th.Muted.Render(right), e.previewLines(p, s.W-2, s.H-2), false)
	}
	if a.Stacked {
		return append(left, side...)
	}
	return style.Beside(left, side)
}

// lines are the editor's lines, with the line of the focused cell.
func (e *editor) lines(p *Page, w int) (out []string, focus int) {
	th := p.th
	cells, labels := e.cells()
	cur := e.at()
	byCell, rest := e.problems()
	for _, r := range rest {
		for _, l := range strings.Split(ansi.Wordwrap("✗ "+termtext.Line(r), w-2, ""), "\n") {
			out = append(out, th.Error.Render(l))
		}
	}
	var notes []string
	for i := 0; i < len(labels); i++ {
		line := th.Muted.Render(style.Fit(labels[i], labelW))
		if labels[i] == "" {
			line = strings.Repeat(" ", 2)
		}
		if strings.HasPrefix(labels[i], "Step ") || labels[i] == "Name" || labels[i] == "Trigger" || strings.HasPrefix(labels[i], "When ") {
			line = th.Title.Render(style.Fit(labels[i], labelW))
		}
		notes = notes[:0]
		for j, c := range cells {
			if c.line != i {
				continue
			}
			if c.kind == cDataName {
				line = th.Muted.Render("  dataFields.")
			}
			text := e.cellText(th, c, j == e.cur)
			if j == e.cur {
				focus = len(out)
				text = th.Selected.Render(text)
			}
			line += text + " "
			if c.kind == cDataName {
				line += th.Muted.Render("= ")
			}
			notes = append(notes, byCell[j]...)
		}
		if c := cur; c.line == i && c.kind == cAction {
			a, _ := client.LookupAction(e.steps[c.step].action)
			line += th.Muted.Render(a.Method + " " + a.Path)
		}
		mark := " "
		if cur.line == i {
			mark = th.Accent.Render("▶")
		}
		out = append(out, mark+line)
		for _, n := range notes {
			for _, l := range strings.Split(ansi.Wordwrap("✗ "+termtext.Line(n), w-6, ""), "\n") {
				out = append(out, "    "+th.Error.Render(l))
			}
		}
	}
	return out, focus
}

// cellText is a cell as drawn: a choice with its marks, a field's text with
// the cursor when focused, a hint when empty.
func (e *editor) cellText(th style.Theme, c cell, focused bool) string {
	cursor := ""
	if focused {
		cursor = "█"
	}
	blank := func(hint string) string {
		if focused {
			return cursor + th.Muted.Render(hint)
		}
		return th.Muted.Render("·" + hint)
	}
	switch c.kind {
	case cName:
		if e.editing != "" {
			return termtext.Line(e.editing) + th.Muted.Render("  (its name stays)")
		}
	case cTrigger:
		return "‹" + termtext.Line(e.triggerName()) + "›"
	case cCondOp:
		return "‹" + string(e.conds[c.row].op) + "›"
	case cAction:
		a, _ := client.LookupAction(e.steps[c.step].action)
		return "‹" + a.Title + "›"
	case cAddCond:
		return th.Accent.Render("+ condition")
	case cAddData:
		return th.Accent.Render("+ data field")
	case cAddStep:
		return th.Accent.Render("+ step")
	case cCondValue:
		if e.conds[c.row].op == recipe.OpExists {
			return th.Muted.Render("(no value)")
		}
	}
	s, _ := e.text(c)
	if *s == "" {
		switch c.kind {
		case cName:
			return blank("the recipe's name")
		case cCondPath:
			return blank("path")
		case cCondValue:
			return blank("value")
		case cDataName:
			return blank("name")
		}
		if focused {
			return blank("type a value, enter for a pill")
		}
		return blank("")
	}
	text := termtext.Line(*s)
	if strings.HasPrefix(text, "{{") && strings.HasSuffix(text, "}}") && strings.Count(text, "{{") == 1 {
		text = th.Accent.Render(text)
	}
	return text + cursor
}

// previewLines are the request each step would send on the trigger's
// latest event, filled as the recipe stands now; nothing is sent. Bodies
// that do not fit the pane pretty-printed are shown compact, wrapped.
func (e *editor) previewLines(p *Page, w, h int) []string {
	th := p.th
	ev := e.latest[e.triggerName()]
	if ev == nil {
		return []string{th.Muted.Render("no event of " + termtext.Line(e.triggerName()) + " yet to preview on")}
	}
	res := recipe.Test(e.recipe(), *ev)
	build := func(compact bool) []string {
		var lines []string
		if res.Reason != "" {
			lines = append(lines, th.Warn.Render("it would be skipped: "+termtext.Line(res.Reason)))
		} else {
			lines = append(lines, th.OK.Render("it would run"))
		}
		for i, s := range res.Steps {
			lines = append(lines, th.Title.Render(fmt.Sprintf("%d. %s %s", i+1, s.Method, termtext.Line(s.Path))))
			if s.Problem != "" {
				lines = append(lines, th.Error.Render("✗ "+termtext.Line(s.Problem)))
			}
			switch {
			case string(s.Body) == "null":
			case compact:
				lines = append(lines, strings.Split(ansi.Hardwrap(termtext.Line(string(s.Body)), w, false), "\n")...)
			default:
				lines = append(lines, style.JSONLines(th, s.Body, termtext.Line)...)
			}
		}
		for _, n := range e.report.Notes {
			lines = append(lines, th.Muted.Render(termtext.Line(n)))
		}
		return lines
	}
	if lines := build(false); len(lines) <= h {
		return lines
	}
	return build(true)
}
