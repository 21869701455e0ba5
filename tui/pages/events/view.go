package events

import (
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// detail is the h lines of the selected event's detail in view, w cells
// wide. The document is kept while the same event is shown at the same
// width and theme; another event starts at its top.
func (p *Page) detail(ev Event, w, h int) []string {
	if !p.doc.fits(p.th, ev, w) {
		if p.doc == nil || p.doc.id != ev.ID {
			p.detailTop = 0
		}
		p.doc = newDetailDoc(p.th, ev, w)
	}
	lines, top := p.doc.view(p.th, ev, p.detailTop, h)
	p.detailTop = top
	return lines
}

// scrollDetail moves the detail by n lines; the view keeps it in range.
func (p *Page) scrollDetail(n int) {
	p.detailTop = max(p.detailTop+n, 0)
}

// overDetail says cell (x, y) is in the detail pane.
func (p *Page) overDetail(x, y int) bool {
	s := p.area.Side
	return x >= s.X && y >= s.Y && x < s.X+s.W && y < s.Y+s.H
}

// forwardPlain is forwardText without styling, for the status bar.
func forwardPlain(f *ForwardResult) string {
	return ansi.Strip(forwardText(style.NewTheme(true, true), f))
}

// View draws the tab into the body's two panes.
func (p *Page) View(a page.Area) []string {
	th := p.th
	listR, sideR := a.Main, a.Side
	title := "Events"
	right := style.Thousands(p.stats.Total) + " · " + style.Thousands(p.stats.Rejected) + " rejected · " + style.Thousands(int(p.stats.Dropped)) + " dropped"
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
	case p.filtering:
		pos := "  " + p.list.position()
		p.filter.SetWidth(inner - 2 - len(pos))
		footer = style.Spread(p.filter.View(), pos, inner)
	default:
		state := th.Muted.Render("paused · f to follow")
		if p.list.follow {
			state = th.OK.Render("following")
		}
		if p.list.err != nil {
			state = th.Error.Render("read failed: " + termtext.Line(p.list.err.Error()))
		}
		left := ""
		if v := p.filter.Value(); v != "" {
			left = th.Accent.Render("/" + termtext.Line(v))
		}
		footer = style.Spread(left, p.list.position()+"  "+state, inner)
	}
	rows = append(rows, footer)
	listBox := style.Box(th, listR.W, listR.H, title, th.Muted.Render(right), rows, !p.detailFocus)

	var detail []string
	dtitle := "Detail"
	if ev, ok := p.selected(); ok {
		detail = p.detail(ev, sideR.W-2, sideR.H-2)
		dtitle = detailTitle(ev)
	} else {
		detail = []string{th.Muted.Render("Select an event to see its body, headers and forward result.")}
	}
	sideBox := style.Box(th, sideR.W, sideR.H, dtitle, "", detail, p.detailFocus)
	if a.Stacked {
		return append(listBox, sideBox...)
	}
	return style.Beside(listBox, sideBox)
}

// emptyEventsText says why the list is empty.
func emptyEventsText(l eventList) string {
	switch {
	case l.src == nil:
		return "No event store: start the listener to see webhooks here."
	case l.filter != Filter{}:
		return "No event matches the filter; esc clears it."
	}
	return "No events yet: webhooks appear here as they arrive."
}
