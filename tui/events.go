package tui

import (
	"strings"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// eventsPage is the Events tab: the live list, the selected event's detail,
// and the filter line.
type eventsPage struct {
	list        eventList
	filter      textinput.Model
	detailFocus bool // the detail pane has focus rather than the list
	detailTop   int  // first visible line of the detail

	// the rendered detail, kept while the same event is shown at the same width
	detailID    int64
	detailW     int
	detailDark  bool
	detailCache []string
}

func newEventsPage(src EventSource) eventsPage {
	return eventsPage{list: newEventList(src), filter: newFilterInput()}
}

// newFilterInput is the one-line input of a list filter.
func newFilterInput() textinput.Model {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "text, event:NAME, workflow:ID, trigger:NAME"
	ti.SetStyles(inputStyles(true))
	return ti
}

// inputStyles are the text inputs' styles for a dark or light background,
// with a steady cursor: a blinking one redraws the screen twice a second.
func inputStyles(dark bool) textinput.Styles {
	st := textinput.DefaultStyles(dark)
	st.Cursor.Blink = false
	return st
}

// parseFilter reads the filter line: event:, workflow: and trigger: words
// pick those fields, the rest is free text.
func parseFilter(s string) EventFilter {
	var f EventFilter
	var text []string
	for _, w := range strings.Fields(s) {
		k, v, ok := strings.Cut(w, ":")
		switch {
		case ok && v != "" && (k == "event" || k == "e"):
			f.EventName = v
		case ok && v != "" && (k == "workflow" || k == "wf"):
			f.WorkflowID = v
		case ok && v != "" && (k == "trigger" || k == "t"):
			f.Trigger = v
		default:
			text = append(text, w)
		}
	}
	f.Text = strings.Join(text, " ")
	return f
}

// detail returns the selected event's detail lines for width w, cached.
func (p *eventsPage) detail(th Theme, ev Event, w int) []string {
	if p.detailCache == nil || p.detailID != ev.ID || p.detailW != w || p.detailDark != th.Dark {
		if p.detailID != ev.ID {
			p.detailTop = 0
		}
		p.detailCache = detailLines(th, ev, w)
		p.detailID, p.detailW, p.detailDark = ev.ID, w, th.Dark
	}
	return p.detailCache
}

// scrollDetail moves the detail by n lines; the view keeps it in range.
func (p *eventsPage) scrollDetail(n int) {
	p.detailTop = max(p.detailTop+n, 0)
}

// resize fits the list to its pane: the border and the footer line take
// three rows.
func (p *eventsPage) resize(l Layout) {
	p.list.setHeight(l.Main.H - 3)
}

// view draws the tab into the body's two panes.
func (p *eventsPage) view(th Theme, l Layout, stats EventStats, dropped uint64, filtering bool) []string {
	listR, sideR := l.Main, l.Side
	title := "Events"
	right := thousands(stats.Total) + " · " + thousands(stats.Rejected) + " rejected · " + thousands(int(dropped)) + " dropped"
	inner := listR.W - 2
	rows := p.list.view(th, inner, !p.detailFocus)
	if p.list.total == 0 {
		rows = append(rows, th.Muted.Render(" "+emptyEventsText(p.list)))
	}
	for len(rows) < p.list.height {
		rows = append(rows, "")
	}
	var footer string
	switch {
	case filtering:
		pos := "  " + p.list.position()
		p.filter.SetWidth(inner - 2 - len(pos))
		footer = spread(p.filter.View(), pos, inner)
	default:
		state := th.Muted.Render("paused · f to follow")
		if p.list.follow {
			state = th.OK.Render("following")
		}
		if p.list.err != nil {
			state = th.Error.Render("read failed: " + clean(p.list.err.Error()))
		}
		left := ""
		if v := p.filter.Value(); v != "" {
			left = th.Accent.Render("/" + clean(v))
		}
		footer = spread(left, p.list.position()+"  "+state, inner)
	}
	rows = append(rows, footer)
	listBox := box(th, listR.W, listR.H, title, th.Muted.Render(right), rows, !p.detailFocus)

	var detail []string
	dtitle := "Detail"
	if ev, ok := p.list.selected(); ok {
		lines := p.detail(th, ev, sideR.W-2)
		p.detailTop = min(p.detailTop, max(len(lines)-(sideR.H-2), 0))
		detail = lines[p.detailTop:]
		dtitle = detailTitle(ev)
	} else {
		detail = []string{th.Muted.Render("Select an event to see its body, headers and forward result.")}
	}
	sideBox := box(th, sideR.W, sideR.H, dtitle, "", detail, p.detailFocus)
	if l.Stacked {
		return append(listBox, sideBox...)
	}
	return beside(listBox, sideBox)
}

// emptyEventsText says why the list is empty.
func emptyEventsText(l eventList) string {
	switch {
	case l.src == nil:
		return "No event store: start the listener to see webhooks here."
	case l.filter != EventFilter{}:
		return "No event matches the filter; esc clears it."
	}
	return "No events yet: webhooks appear here as they arrive."
}

// keyNav handles the moving keys of the focused pane; it reports whether the
// key was one of them.
func (p *eventsPage) keyNav(k KeyMap, msg tea.KeyPressMsg) (tea.Cmd, bool) {
	page := max(p.list.height-1, 1)
	if p.detailFocus {
		switch {
		case matches(msg, k.Up):
			p.scrollDetail(-1)
		case matches(msg, k.Down):
			p.scrollDetail(1)
		case matches(msg, k.PageUp):
			p.scrollDetail(-page)
		case matches(msg, k.PageDown):
			p.scrollDetail(page)
		case matches(msg, k.Top):
			p.detailTop = 0
		case matches(msg, k.Bottom):
			p.detailTop = 1 << 30
		default:
			return nil, false
		}
		return nil, true
	}
	switch {
	case matches(msg, k.Up):
		return p.list.move(-1), true
	case matches(msg, k.Down):
		return p.list.move(1), true
	case matches(msg, k.PageUp):
		return p.list.move(-page), true
	case matches(msg, k.PageDown):
		return p.list.move(page), true
	case matches(msg, k.Top):
		return p.list.home(), true
	case matches(msg, k.Bottom):
		return p.list.setFollow(true), true
	}
	return nil, false
}
