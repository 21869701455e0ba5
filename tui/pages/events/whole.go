package events

import (
	"context"
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/tui/page"
)

// wholeMsg is the whole read of a cut event, then what waited for it (nil:
// only the detail).
type wholeMsg struct {
	ev   Event
	err  error
	then func(Event) tea.Cmd
}

// selected is the event under the cursor as its detail and the keys use it:
// with its whole body once read.
func (p *Page) selected() (Event, bool) {
	ev, ok := p.list.selected()
	if ok && ev.Cut && p.whole != nil && p.whole.ID == ev.ID {
		ev.Body, ev.Cut, ev.Email, ev.UserID = p.whole.Body, false, p.whole.Email, p.whole.UserID
	}
	return ev, ok
}

// readWhole reads the selected event whole when its row holds a cut body,
// once per selection; the detail shows the cut body until it arrives.
func (p *Page) readWhole() tea.Cmd {
	ev, ok := p.selected()
	if !ok || !ev.Cut || p.wholeAsked == ev.ID {
		return nil
	}
	p.wholeAsked = ev.ID
	return p.getWhole(ev, nil)
}

// withWhole runs then on the selected event whole, reading it first when
// its row holds a cut body.
func (p *Page) withWhole(then func(Event) tea.Cmd) tea.Cmd {
	ev, ok := p.selected()
	switch {
	case !ok:
		return page.Notice("no event selected")
	case !ev.Cut:
		return then(ev)
	}
	return p.getWhole(ev, then)
}

func (p *Page) getWhole(ev Event, then func(Event) tea.Cmd) tea.Cmd {
	src := p.list.src
	return func() tea.Msg {
		whole, err := src.Get(context.Background(), ev.ID)
		ev.Body, ev.Cut, ev.Email, ev.UserID = whole.Body, false, whole.Email, whole.UserID
		return wholeMsg{ev: ev, err: err, then: then}
	}
}

// wholeRead keeps a whole read for the detail while its event stays
// selected, and runs what waited for it.
func (p *Page) wholeRead(msg wholeMsg) tea.Cmd {
	if msg.err != nil {
		return page.Error(fmt.Errorf("reading #%d: %w", msg.ev.ID, msg.err))
	}
	if sel, ok := p.list.selected(); ok && sel.ID == msg.ev.ID {
		p.whole, p.doc = &msg.ev, nil
	} else if p.wholeAsked == msg.ev.ID {
		p.wholeAsked = 0 // moved on: read again if it comes back
	}
	if msg.then == nil {
		return nil
	}
	return msg.then(msg.ev)
}
