package events

import (
	"context"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/style"
)

// The list keeps a window of rows around the viewport; pages are read from
// the source by id, so memory and work do not grow with the log.
const (
	ReadRows   = 200          // rows per read (a refresh of the newest reads one)
	listWindow = 3 * ReadRows // rows kept at most
	listMargin = 60           // read more when the cursor comes this close to an edge
)

// loadKind says what a read was for.
type loadKind int

const (
	loadTail   loadKind = iota // the newest rows (following, or after a reset)
	loadHead                   // the oldest rows
	loadAfter                  // the rows after the window
	loadBefore                 // the rows before the window
	loadCount                  // only the count (new events while not following)
)

// listLoadedMsg carries a read back to the list.
type listLoadedMsg struct {
	gen   int
	kind  loadKind
	rows  []Event
	total int
	err   error
}

// eventList is a virtual list over an Source: it draws only the visible
// rows from a cached window and asks for neighbouring pages as the cursor
// moves. Indexes are positions in the filtered sequence, oldest first.
type eventList struct {
	src    Source
	filter Filter
	gen    int // bumped on every reset, so late reads of an old filter are dropped

	total  int
	rows   []Event
	start  int // index of rows[0]
	cursor int
	top    int // index of the first visible row
	height int

	follow  bool
	loading bool
	// asked for while a read was in flight: the user's move (latest wins)
	// goes before a refresh for new events.
	pendingMove    *loadKind
	pendingRefresh bool
	err            error

	// drawn rows, kept while they stay on screen: styling a row costs far
	// more than finding it, and a scroll step changes one or two rows.
	drawn      map[rowKey]string
	drawnTheme [2]bool // the theme's Dark and NoColor the rows were drawn with
}

// rowKey is one way of drawing one event.
type rowKey struct {
	id                int64
	width             int
	selected, focused bool
}

func newEventList(src Source) eventList {
	return eventList{src: src, follow: true}
}

// selected is the event under the cursor, if its row is loaded.
func (l *eventList) selected() (Event, bool) {
	i := l.cursor - l.start
	if l.total == 0 || i < 0 || i >= len(l.rows) {
		return Event{}, false
	}
	return l.rows[i], true
}

// setPinned marks a shown event pinned or not.
func (l *eventList) setPinned(id int64, pinned bool) {
	for i := range l.rows {
		if l.rows[i].ID == id {
			l.rows[i].Pinned = pinned
		}
	}
}

// load reads from the source in a command; the list changes only when the
// result comes back as a message.
func (l *eventList) load(kind loadKind) tea.Cmd {
	if l.src == nil {
		return nil
	}
	if l.loading {
		l.pendingMove = &kind
		return nil
	}
	l.loading = true
	src, f, gen := l.src, l.filter, l.gen
	var firstID, lastID int64
	if len(l.rows) > 0 {
		firstID, lastID = l.rows[0].ID, l.rows[len(l.rows)-1].ID
	}
	return func() tea.Msg {
		ctx := context.Background()
		msg := listLoadedMsg{gen: gen, kind: kind, total: -1}
		// A neighbouring page does not change the count: no need to ask.
		if kind != loadAfter && kind != loadBefore {
			if msg.total, msg.err = src.Count(ctx, f); msg.err != nil {
				return msg
			}
		}
		switch kind {
		case loadTail:
			msg.rows, msg.err = src.Before(ctx, f, 0, ReadRows)
		case loadHead:
			msg.rows, msg.err = src.After(ctx, f, 0, ReadRows)
		case loadAfter:
			msg.rows, msg.err = src.After(ctx, f, lastID, ReadRows)
		case loadBefore:
			msg.rows, msg.err = src.Before(ctx, f, firstID, ReadRows)
		}
		return msg
	}
}

// refresh is called when new events were stored: the newest rows are read
// again when following, else only the count.
func (l *eventList) refresh() tea.Cmd {
	if l.loading {
		l.pendingRefresh = true
		return nil
	}
	if l.follow || len(l.rows) == 0 {
		return l.load(loadTail)
	}
	return l.load(loadCount)
}

// setFilter starts over with another filter.
func (l *eventList) setFilter(f Filter) tea.Cmd {
	if f == l.filter {
		return nil
	}
	l.reset(f, true)
	return l.load(loadTail)
}

// reset empties the list for filter f; reads of the old one are dropped.
func (l *eventList) reset(f Filter, follow bool) {
	l.filter = f
	l.gen++
	l.rows, l.start, l.total, l.cursor, l.top = nil, 0, 0, 0, 0
	l.follow = follow
	l.loading, l.pendingMove, l.pendingRefresh = false, nil, false
}

// loaded takes a read's result into the window.
func (l *eventList) loaded(msg listLoadedMsg) tea.Cmd {
	if msg.gen != l.gen {
		return nil
	}
	l.loading = false
	l.err = msg.err
	if msg.err != nil {
		return nil
	}
	l.drawn = nil // rows read again may have changed
	if msg.total >= 0 {
		l.total = msg.total
	}
	switch msg.kind {
	case loadTail:
		l.rows = msg.rows
		l.start = max(l.total-len(msg.rows), 0)
	case loadHead:
		l.rows, l.start = msg.rows, 0
	case loadAfter:
		l.rows = append(l.rows, msg.rows...)
		if extra := len(l.rows) - listWindow; extra > 0 {
			l.rows = append([]Event(nil), l.rows[extra:]...)
			l.start += extra
		}
	case loadBefore:
		l.rows = append(append(make([]Event, 0, len(msg.rows)+len(l.rows)), msg.rows...), l.rows...)
		l.start -= len(msg.rows)
		if l.start < 0 { // the log moved under us; the window is still in order
			l.start = 0
		}
		if len(l.rows) > listWindow {
			l.rows = l.rows[:listWindow:listWindow]
		}
	}
	switch {
	case l.follow:
		l.cursor = l.total - 1
	case msg.kind == loadHead:
		l.cursor = 0
	}
	l.clamp()
	switch {
	case l.pendingMove != nil:
		kind := *l.pendingMove
		l.pendingMove = nil
		return l.load(kind)
	case l.pendingRefresh:
		l.pendingRefresh = false
		return l.refresh()
	}
	return l.prefetch()
}

// prefetch asks for the next page when the cursor nears an edge of the window.
func (l *eventList) prefetch() tea.Cmd {
	end := l.start + len(l.rows)
	switch {
	case len(l.rows) == 0:
		return nil
	case l.cursor-l.start < listMargin && l.start > 0:
		return l.load(loadBefore)
	case end-l.cursor < listMargin && end < l.total:
		return l.load(loadAfter)
	}
	return nil
}

// clamp keeps the cursor on a loaded row and in view.
func (l *eventList) clamp() {
	if l.total == 0 || len(l.rows) == 0 {
		l.cursor, l.top = 0, 0
		return
	}
	l.cursor = min(max(l.cursor, l.start), l.start+len(l.rows)-1, l.total-1)
	h := max(l.height, 1)
	if l.follow {
		l.top = max(l.total-h, 0)
	}
	if l.cursor < l.top {
		l.top = l.cursor
	}
	if l.cursor >= l.top+h {
		l.top = l.cursor - h + 1
	}
	l.top = max(min(l.top, l.total-h), 0)
}

// move shifts the cursor by n rows; moving up stops following.
func (l *eventList) move(n int) tea.Cmd {
	if n < 0 {
		l.follow = false
	}
	l.cursor += n
	l.clamp()
	return l.prefetch()
}

// home jumps to the oldest event.
func (l *eventList) home() tea.Cmd {
	l.follow = false
	if l.start == 0 {
		l.cursor = 0
		l.clamp()
		return l.prefetch()
	}
	return l.load(loadHead)
}

// setFollow turns following on (jumping to the newest) or off.
func (l *eventList) setFollow(on bool) tea.Cmd {
	l.follow = on
	if !on {
		return nil
	}
	l.cursor = l.total - 1
	return l.load(loadTail)
}

// setHeight is the number of visible rows.
func (l *eventList) setHeight(h int) {
	l.height = max(h, 1)
	l.clamp()
}

// view draws the visible rows, each exactly w cells wide.
func (l *eventList) view(th style.Theme, w int, focused bool) []string {
	out := make([]string, 0, l.height)
	cols := rowColumns(w)
	if l.drawn == nil || len(l.drawn) > 4*l.height || l.drawnTheme != [2]bool{th.Dark, th.NoColor} {
		l.drawn = make(map[rowKey]string, 2*l.height)
		l.drawnTheme = [2]bool{th.Dark, th.NoColor}
	}
	for i := l.top; i < l.top+l.height && i < l.total; i++ {
		j := i - l.start
		if j < 0 || j >= len(l.rows) {
			out = append(out, th.Muted.Render(style.Fit("  …", w)))
			continue
		}
		k := rowKey{l.rows[j].ID, w, i == l.cursor, focused}
		row, ok := l.drawn[k]
		if !ok {
			row = renderRow(th, &l.rows[j], cols, k.selected, focused)
			l.drawn[k] = row
		}
		out = append(out, row)
	}
	return out
}

// columns of a row, in cells.
type columns struct{ name, email, triggers, marks int }

// fixedColumns are a row's marker, HH:MM:SS time and one-letter kind, with their spaces.
const fixedColumns = 1 + 9 + 2

// emailWidth is what most addresses need; the email gets it before the
// event name and the triggers share the rest.
const emailWidth = 26

func rowColumns(w int) columns {
	c := columns{marks: 5}
	rest := max(w-fixedColumns-c.marks-3, 6)
	c.email = min(emailWidth, rest/2)
	c.name = (rest - c.email) * 60 / 100
	c.triggers = rest - c.name - c.email
	return c
}

// kindLetter is an event's kind in one cell: S system, W workflow, ✗
// rejected, ? anything else.
func kindLetter(kind string, rejected bool) string {
	switch {
	case rejected:
		return "✗"
	case kind == "system":
		return "S"
	case kind == "workflow":
		return "W"
	}
	return "?"
}

// renderRow draws one event as a line of the list.
func renderRow(th style.Theme, ev *Event, c columns, selected, focused bool) string {
	marker := " "
	if selected {
		marker = "▶"
	}
	kind, kindStyle := kindLetter(ev.Kind, ev.Rejected), th.KindStyle(ev.Kind)
	name := ev.EventName
	switch {
	case ev.Rejected:
		kindStyle = th.Error
		name = "(" + ev.RejectReason + ")"
	case name == "" && ev.WorkflowID != "":
		name = "wf " + ev.WorkflowID
	case name == "":
		name = "—"
	}
	email := ev.Who()
	if email == "" {
		email = "—"
	}
	triggers := strings.Join(ev.Triggers, ",")
	if triggers == "" {
		triggers = "—"
	}
	var marks []string
	if m := jobMark(th, ev.Jobs); m != "" {
		marks = append(marks, m)
	}
	if ev.Rejected {
		marks = append(marks, th.Error.Render("!"))
	}
	if ev.Duplicate {
		marks = append(marks, th.Warn.Render("dup"))
	}
	if ev.Pinned {
		marks = append(marks, th.Key.Render("pin"))
	}
	switch {
	case ev.Mismatch: // judged when stored, as the Schemas wizard judges
		marks = append(marks, th.Error.Render("✗"))
	case len(ev.SchemaProblems) > 0:
		marks = append(marks, th.Warn.Render("⚠"))
	}
	line := marker + ev.ReceivedAt.Format("15:04:05") + " " +
		kindStyle.Render(kind) + " " +
		style.Fit(termtext.Line(name), c.name) + " " +
		th.Muted.Render(style.Fit(termtext.Line(email), c.email)) + " " +
		style.Fit(termtext.Line(triggers), c.triggers) + " " +
		strings.Join(marks, " ")
	w := fixedColumns + c.name + 1 + c.email + 1 + c.triggers + 1 + c.marks
	line = style.Fit(line, w)
	if selected {
		style := th.Selected
		if !focused {
			style = th.Bold
		}
		return style.Render(ansi.Strip(line))
	}
	return line
}

// position is the "n of m" shown on the list's border.
func (l *eventList) position() string {
	if l.total == 0 {
		return "0"
	}
	return fmt.Sprintf("%s/%s", style.Thousands(l.cursor+1), style.Thousands(l.total))
}
