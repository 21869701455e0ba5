package events

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/style"
)

// detailDoc is the selected event's detail as the pane draws it at one
// width and theme: the body, whose lines are found and drawn only as they
// come into view, then the tail's sections (headers, path, query,
// triggers, forward result, schema problems). Drawn lines are kept while
// they stay in view, so a frame that changed nothing costs a map lookup a
// line.
type detailDoc struct {
	id    int64
	w     int
	theme [2]bool // the theme's Dark and NoColor
	body  *style.Body
	tail  []section // nil: to be made again from the event
	drawn map[int]string
}

// section is a part of the detail under the body: n lines, each drawn when
// it comes into view.
type section struct {
	n    int
	line func(i int) string
}

// lines is a section of lines drawn already.
func lines(ls ...string) section {
	return section{n: len(ls), line: func(i int) string { return ls[i] }}
}

func newDetailDoc(th style.Theme, ev Event, w int) *detailDoc {
	return &detailDoc{id: ev.ID, w: w, theme: [2]bool{th.Dark, th.NoColor},
		body: style.NewBody(th, ev.Body, termtext.Line), drawn: map[int]string{}}
}

// fits says the document was drawn for this event, width and theme.
func (d *detailDoc) fits(th style.Theme, ev Event, w int) bool {
	return d != nil && d.id == ev.ID && d.w == w && d.theme == [2]bool{th.Dark, th.NoColor}
}

// changed forgets what may differ in a newer read of the same event: the
// tail. The body of an event never changes.
func (d *detailDoc) changed() {
	d.tail = nil
	clear(d.drawn)
}

// line is line i of the detail, exactly d.w cells wide; ok is false past
// the last.
func (d *detailDoc) line(th style.Theme, ev Event, i int) (string, bool) {
	if l, ok := d.drawn[i]; ok {
		return l, true
	}
	l, ok := d.body.Line(i, d.w)
	if !ok {
		// The body ended before line i, so its length is known.
		j := i - d.body.Len()
		for _, s := range d.sections(th, ev) {
			if j < s.n {
				l, ok = s.line(j), j >= 0
				break
			}
			j -= s.n
		}
		if !ok {
			return "", false
		}
	}
	l = style.Fit(" "+l, d.w)
	d.drawn[i] = l
	return l, true
}

func (d *detailDoc) sections(th style.Theme, ev Event) []section {
	if d.tail == nil {
		d.tail = detailTail(th, ev)
	}
	return d.tail
}

// len is the number of lines; it reads the whole body.
func (d *detailDoc) len(th style.Theme, ev Event) int {
	n := d.body.Len()
	for _, s := range d.sections(th, ev) {
		n += s.n
	}
	return n
}

// view is the h lines from top, and top moved back so the last page is
// full when top was past it.
func (d *detailDoc) view(th style.Theme, ev Event, top, h int) ([]string, int) {
	if len(d.drawn) > 4*h {
		clear(d.drawn)
	}
	if _, ok := d.line(th, ev, top+h-1); !ok {
		top = max(min(top, d.len(th, ev)-h), 0)
	}
	out := make([]string, 0, h)
	for i := top; i < top+h; i++ {
		l, ok := d.line(th, ev, i)
		if !ok {
			break
		}
		out = append(out, l)
	}
	return out, top
}

// detailTail is what the detail shows under the body: headers, path,
// query, triggers, forward result, schema problems and the jobs the event
// started, a line each (the pane cuts them to its width).
func detailTail(th style.Theme, ev Event) []section {
	names := make([]string, 0, len(ev.Headers))
	for k := range ev.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	headers := section{n: len(names), line: func(i int) string {
		k := names[i]
		return "  " + th.Muted.Render(termtext.Line(k)+":") + " " + termtext.Line(strings.Join(ev.Headers[k], ", "))
	}}
	if len(names) == 0 {
		headers = lines(th.Muted.Render("  none"))
	}
	rest := []string{
		th.Title.Render("path") + "     " + termtext.Line(orDash(ev.Path)),
		th.Title.Render("query") + "    " + termtext.Line(orDash(ev.Query)),
		th.Title.Render("triggers") + " " + termtext.Line(orDash(strings.Join(ev.Triggers, ", "))),
		th.Title.Render("forward") + "  " + forwardText(th, ev.Forward),
	}
	if len(ev.SchemaProblems) == 0 {
		rest = append(rest, th.Title.Render("schema")+"   "+th.OK.Render("✓ no problems"))
	} else {
		rest = append(rest, th.Title.Render("schema")+"   "+th.Warn.Render(fmt.Sprintf("⚠ %d problem(s)", len(ev.SchemaProblems))))
		for _, p := range ev.SchemaProblems {
			rest = append(rest, "  "+th.Warn.Render("• ")+termtext.Line(p))
		}
	}
	return []section{lines("", th.Title.Render("headers")), headers, lines(rest...), lines(jobLines(th, ev.Jobs)...)}
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// forwardText says what became of forwarding the event.
func forwardText(th style.Theme, f *ForwardResult) string {
	switch {
	case f == nil:
		return th.Muted.Render("not forwarded")
	case f.Err != "":
		return th.Error.Render("failed: "+termtext.Line(f.Err)) + " " + th.Muted.Render(termtext.Line(f.URL))
	}
	st := th.OK
	if f.Status >= 300 {
		st = th.Error
	}
	return st.Render(fmt.Sprintf("%d", f.Status)) + " in " + f.Took.Round(time.Millisecond).String() + " " + th.Muted.Render(termtext.Line(f.URL))
}

// detailTitle is the detail pane's border title.
func detailTitle(ev Event) string {
	name := ev.EventName
	if name == "" && ev.WorkflowID != "" {
		name = "workflow " + ev.WorkflowID
	}
	if ev.Rejected {
		name = "rejected"
	}
	return ansi.Truncate(termtext.Line(orDash(name)), 30, "…") + " · " + ev.ReceivedAt.Format("15:04:05.000") + " · #" + fmt.Sprint(ev.ID)
}
