package events

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/tui/page"
)

// Rows read around an event shown on request: a few before it, and enough
// after it to reach the newest of a trigger's recent events (the window the
// Schemas tab's mismatches come from), so that its place in the list is known.
const (
	jumpBefore = 100
	jumpAfter  = listWindow - jumpBefore
)

// jumpedMsg is the rows around the event asked for, with the count of the
// events the filter selects.
type jumpedMsg struct {
	gen           int
	id            int64
	before, after []Event
	total         int
	err           error
}

// showEvent is page.ShowEventMsg: the list filtered to the trigger, the
// cursor on the event, and the tab in view.
func (p *Page) showEvent(msg page.ShowEventMsg) tea.Cmd {
	text := ""
	if msg.Trigger != "" {
		text = "trigger:" + msg.Trigger
	}
	p.filter.SetValue(text)
	p.filtering, p.detailFocus = false, false
	return tea.Batch(p.list.jump(parseFilter(text), msg.ID), page.Goto(Title))
}

// jump starts over on filter f with the rows around the event id.
func (l *eventList) jump(f Filter, id int64) tea.Cmd {
	if l.src == nil {
		return nil
	}
	l.reset(f, false)
	l.loading = true
	src, gen := l.src, l.gen
	return func() tea.Msg {
		ctx := context.Background()
		msg := jumpedMsg{gen: gen, id: id}
		if msg.total, msg.err = src.Count(ctx, f); msg.err != nil {
			return msg
		}
		if msg.before, msg.err = src.Before(ctx, f, id+1, jumpBefore); msg.err != nil {
			return msg
		}
		msg.after, msg.err = src.After(ctx, f, id, jumpAfter)
		return msg
	}
}

// jumped takes the rows around the event; when the event is gone, or too
// far from the newest for its place to be known, the newest rows are read
// instead and a notice says why.
func (l *eventList) jumped(msg jumpedMsg) tea.Cmd {
	if msg.gen != l.gen {
		return nil
	}
	l.loading, l.err = false, msg.err
	if msg.err != nil {
		return page.Error(fmt.Errorf("reading events around #%d: %w", msg.id, msg.err))
	}
	n := len(msg.before)
	if n == 0 || msg.before[n-1].ID != msg.id || len(msg.after) == jumpAfter {
		l.follow = true
		return tea.Batch(l.load(loadTail), page.Notice(fmt.Sprintf("#%d is no longer among these events: showing the newest", msg.id)))
	}
	l.drawn = nil
	l.total = msg.total
	l.rows = append(msg.before, msg.after...)
	l.start = max(l.total-len(l.rows), 0)
	l.cursor = l.start + n - 1
	l.clamp()
	return l.prefetch()
}
