// Package events is the Events tab: the live list of stored webhooks, the
// selected event's detail, and the filter line.
package events

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// Title is the tab's name.
const Title = "Events"

// Keys are the tab's bindings beside the shared ones.
type Keys struct {
	page.Keys
	Follow, Copy, Replay, Schema, Act, Pin key.Binding
}

// DefaultKeys are the tab's bindings.
func DefaultKeys(k page.Keys) Keys {
	b := page.Bind
	return Keys{Keys: k,
		Follow: b([]string{"f"}, "f", "follow"),
		Copy:   b([]string{"y"}, "y", "copy"),
		Replay: b([]string{"r"}, "r", "replay"),
		Schema: b([]string{"s"}, "s", "schema"),
		Act:    b([]string{"a"}, "a", "act"),
		Pin:    b([]string{"p"}, "p", "pin"),
	}
}

// Replayer sends an event again to the forward URL.
type Replayer func(ctx context.Context, ev Event) (ForwardResult, error)

// Page is the Events tab.
type Page struct {
	keys    Keys
	th      style.Theme
	area    page.Area
	replay  Replayer
	recipes Recipes // nil: no recipes in this session
	// the jobs of the list's window, as last read
	jobs                   map[int64][]recipe.Job
	jobsReading, jobsAgain bool
	jobsTicking            bool // a read of unfinished jobs is due
	jobsErr                error
	list                   eventList
	filter                 textinput.Model
	filtering              bool
	stats                  page.StatsMsg
	detailFocus            bool // the detail pane has focus rather than the list
	detailTop              int  // first visible line of the detail
	doc                    *detailDoc
	whole                  *Event // the last cut event read whole
	wholeAsked             int64  // the cut event whose whole read was asked for
}

// pinnedMsg is the end of a pin or unpin.
type pinnedMsg struct {
	id     int64
	pinned bool
	err    error
}

// replayedMsg is the end of a replay.
type replayedMsg struct {
	id  int64
	res ForwardResult
	err error
}

// New is the tab on src (nil: no event store in this session); replay nil
// says there is no forward URL, rs nil that there are no recipes.
func New(src Source, replay Replayer, rs Recipes, keys page.Keys, th style.Theme) *Page {
	return &Page{keys: DefaultKeys(keys), th: th, replay: replay, recipes: rs, list: newEventList(src),
		filter: page.NewFilterInput(style.InputStyles(th.Dark))}
}

func (p *Page) Title() string { return Title }

// Init reads the newest events.
func (p *Page) Init() tea.Cmd { return p.list.load(loadTail) }

// Update takes the list's reads and the root's broadcasts; a selected
// event that was cut is then read whole.
func (p *Page) Update(msg tea.Msg) tea.Cmd { return tea.Batch(p.update(msg), p.readWhole()) }

func (p *Page) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case page.ResizeMsg:
		p.area = msg.Area
		// The border and the footer line take three rows.
		p.list.setHeight(msg.Area.Main.H - 3)
	case tea.BackgroundColorMsg:
		p.th = style.NewTheme(msg.IsDark(), p.th.NoColor)
		p.filter.SetStyles(style.InputStyles(msg.IsDark()))
	case page.StatsMsg:
		p.stats = msg
	case page.EventsMsg:
		return p.list.refresh()
	case page.ShowEventMsg:
		return p.showEvent(msg)
	case jumpedMsg:
		return p.list.jumped(msg)
	case listLoadedMsg:
		if p.doc != nil {
			p.doc.changed()
		}
		cmd := p.list.loaded(msg)
		if msg.gen != p.list.gen {
			return cmd
		}
		if msg.err != nil {
			return tea.Batch(cmd, page.Error(fmt.Errorf("reading events: %w", msg.err)))
		}
		// Rows read again keep the jobs known until the jobs are read too.
		p.applyJobs()
		return tea.Batch(cmd, p.readJobs())
	case jobsReadMsg:
		return p.jobsRead(msg)
	case jobsTickMsg:
		p.jobsTicking = false
		return p.readJobs()
	case pinnedMsg:
		if msg.err != nil {
			return page.Error(fmt.Errorf("pinning #%d: %w", msg.id, msg.err))
		}
		p.list.setPinned(msg.id, msg.pinned)
		if msg.pinned {
			return page.Notice(fmt.Sprintf("📌 pinned #%d: never pruned", msg.id))
		}
		return page.Notice(fmt.Sprintf("unpinned #%d: it ages like the others", msg.id))
	case actReadMsg:
		return p.pickAction(msg)
	case wholeMsg:
		return p.wholeRead(msg)
	case replayedMsg:
		if msg.err != nil {
			return page.Error(fmt.Errorf("replaying #%d: %w", msg.id, msg.err))
		}
		return page.Notice(fmt.Sprintf("replayed #%d: %s", msg.id, forwardPlain(&msg.res)))
	}
	return nil
}

// Focus is the filter's while it is being typed.
func (p *Page) Focus() page.Focus {
	if p.filtering {
		return page.FocusFilter
	}
	return page.FocusNormal
}

// StartFilter opens the filter line.
func (p *Page) StartFilter() (tea.Cmd, bool) {
	p.filtering = true
	return page.Wait(p.filter.Focus()), true
}

// applyFilter reads the list again with the filter line's text.
func (p *Page) applyFilter() tea.Cmd { return p.list.setFilter(parseFilter(p.filter.Value())) }

// Key handles the tab's keys; a selected event that was cut is then read
// whole.
func (p *Page) Key(msg tea.KeyPressMsg) tea.Cmd { return tea.Batch(p.key(msg), p.readWhole()) }

func (p *Page) key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	if p.filtering {
		return page.FilterKey(k.Keys, msg, &p.filter, &p.filtering, p.applyFilter)
	}
	if page.Matches(msg, k.NextPane, k.PrevPane) {
		p.detailFocus = !p.detailFocus
		return nil
	}
	if cmd, ok := p.keyNav(msg); ok {
		return cmd
	}
	switch {
	case page.Matches(msg, k.Back):
		if p.filter.Value() != "" {
			p.filter.SetValue("")
			return p.list.setFilter(Filter{})
		}
		p.detailFocus = false
	case page.Matches(msg, k.Open):
		p.detailFocus = true
	case page.Matches(msg, k.Filter):
		cmd, _ := p.StartFilter()
		return cmd
	case page.Matches(msg, k.Follow):
		return p.follow()
	case page.Matches(msg, k.Copy):
		return p.copy()
	case page.Matches(msg, k.Replay):
		return p.replayOne()
	case page.Matches(msg, k.Schema):
		return p.schema()
	case page.Matches(msg, k.Act):
		return p.act()
	case page.Matches(msg, k.Pin):
		return p.pin()
	}
	return nil
}

// Paste goes to the filter line while it is typed.
func (p *Page) Paste(msg tea.PasteMsg) tea.Cmd {
	if !p.filtering {
		return nil
	}
	return page.FilterPaste(msg, &p.filter, p.applyFilter)
}

// Wheel scrolls the detail when the pointer is over it, else the list.
func (p *Page) Wheel(x, y, n int) tea.Cmd {
	if p.overDetail(x, y) {
		p.scrollDetail(n)
		return nil
	}
	return tea.Batch(p.list.move(n), p.readWhole())
}

// Commands are the tab's palette rows.
func (p *Page) Commands() []page.Command {
	k := p.keys
	return []page.Command{
		{Name: "Follow the newest events", Key: k.Follow, Run: p.follow},
		{Name: "Copy the event payload", Key: k.Copy, Run: p.copy},
		{Name: "Replay the event to the forward URL", Key: k.Replay, Run: p.replayOne},
		{Name: "Infer a schema from the event", Key: k.Schema, Run: p.schema},
		{Name: "Act on the event (an action prefilled from it)", Key: k.Act, Run: p.act},
		{Name: "Pin the event (never pruned), or unpin it", Key: k.Pin, Run: p.pin},
	}
}

// Help is the tab's bindings.
func (p *Page) Help() []page.Group {
	k := p.keys
	return []page.Group{{Title: "Events", Bindings: []key.Binding{k.Follow, k.Copy, k.Replay, k.Schema, k.Act, k.Pin}}, k.ListGroup()}
}

// Hints are the tab's few keys.
func (p *Page) Hints() []page.Hint {
	k := p.keys
	if p.filtering {
		return append(page.FilterHints(), page.Hint{"event:NAME workflow:ID trigger:NAME", "fields"})
	}
	return page.HintsOf(k.Follow, k.Filter, k.Copy, k.Replay, k.Schema, k.Act, k.Palette, k.Help)
}

// Unsaved is nothing: the tab holds no input.
func (p *Page) Unsaved() string { return "" }

func (p *Page) follow() tea.Cmd {
	on := !p.list.follow
	return tea.Batch(p.list.setFollow(on), page.Notice(map[bool]string{true: "following the newest events", false: "paused"}[on]))
}

func (p *Page) copy() tea.Cmd {
	return p.withWhole(func(ev Event) tea.Cmd {
		text, escaped := copyText(ev.Body)
		notice := fmt.Sprintf("✓ copied the payload of #%d (%s bytes)", ev.ID, style.Thousands(len(ev.Body)))
		if escaped {
			notice = fmt.Sprintf("✓ copied the payload of #%d with its control characters escaped, as shown", ev.ID)
		}
		return page.Copy(text, notice)
	})
}

// copyText is what y puts on the clipboard: a JSON body with the characters
// a terminal acts on written as \u escapes (the same JSON value), any other
// body as the pane shows it, escaped, so pasting it never drives a terminal.
// escaped says whether the text differs from the body.
func copyText(body []byte) (text string, escaped bool) {
	if json.Valid(body) {
		text = string(termtext.JSON(body))
	} else {
		text = termtext.Block(string(body))
	}
	return text, text != string(body)
}

func (p *Page) replayOne() tea.Cmd {
	ev, ok := p.list.selected()
	if !ok {
		return page.Notice("no event selected")
	}
	if p.replay == nil {
		return page.Notice("no forward URL: start the listener with --forward-to URL to replay")
	}
	replay := p.replay
	return tea.Batch(page.Notice(fmt.Sprintf("replaying #%d…", ev.ID)), func() tea.Msg {
		res, err := replay(context.Background(), ev)
		return replayedMsg{id: ev.ID, res: res, err: err}
	})
}

// pin pins the selected event, or unpins a pinned one.
func (p *Page) pin() tea.Cmd {
	ev, ok := p.list.selected()
	if !ok {
		return page.Notice("no event selected")
	}
	src := p.list.src
	if src == nil {
		return page.Notice("no event log in this session")
	}
	pinned := !ev.Pinned
	return func() tea.Msg {
		return pinnedMsg{id: ev.ID, pinned: pinned, err: src.Pin(context.Background(), ev.ID, pinned)}
	}
}

// schema hands the selected event to the schema wizard.
func (p *Page) schema() tea.Cmd {
	ev, ok := p.list.selected()
	if !ok {
		return page.Notice("no event selected")
	}
	return page.Send(page.SchemaFromEventMsg{ID: ev.ID, Triggers: ev.Triggers})
}

// parseFilter reads the filter line: event:, workflow: and trigger: words
// pick those fields, the rest is free text.
func parseFilter(s string) Filter {
	var f Filter
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

// keyNav handles the moving keys of the focused pane; it reports whether the
// key was one of them.
func (p *Page) keyNav(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	k := p.keys
	pg := max(p.list.height-1, 1)
	if p.detailFocus {
		switch {
		case page.Matches(msg, k.Up):
			p.scrollDetail(-1)
		case page.Matches(msg, k.Down):
			p.scrollDetail(1)
		case page.Matches(msg, k.PageUp):
			p.scrollDetail(-pg)
		case page.Matches(msg, k.PageDown):
			p.scrollDetail(pg)
		case page.Matches(msg, k.Top):
			p.detailTop = 0
		case page.Matches(msg, k.Bottom):
			p.detailTop = 1 << 30
		default:
			return nil, false
		}
		return nil, true
	}
	switch {
	case page.Matches(msg, k.Up):
		return p.list.move(-1), true
	case page.Matches(msg, k.Down):
		return p.list.move(1), true
	case page.Matches(msg, k.PageUp):
		return p.list.move(-pg), true
	case page.Matches(msg, k.PageDown):
		return p.list.move(pg), true
	case page.Matches(msg, k.Top):
		return p.list.home(), true
	case page.Matches(msg, k.Bottom):
		return p.list.setFollow(true), true
	}
	return nil, false
}
