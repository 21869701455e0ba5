package actions

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
)

// pickData is what the forms pick from: the account's lists, channels,
// message types, campaigns and user fields, as read at one time.
type pickData struct {
	lists        []client.List
	listsErr     error
	channels     []client.Channel
	channelsErr  error
	messageTypes []client.MessageType
	typesErr     error
	fields       schema.ProjectFields
	fieldsErr    error
	campaigns    []client.Campaign
	campaignsErr error

	at    time.Time // when they were read
	stale bool      // a write since may have changed them
}

// pickMaxAge is how long a form trusts pick lists read before it opened:
// someone else may change the account meanwhile.
const pickMaxAge = time.Minute

// currentPicks are the pick lists of the connection in use (empty when not loaded).
func (p *Page) currentPicks() *pickData {
	if pd, ok := p.picks[p.conn]; ok {
		return pd
	}
	return &pickData{}
}

// picksDue says the pick lists are read again before action a's form
// opens on v: never read, a write since, older than pickMaxAge, or lacking
// an id v names (a row picked in a table, a run again).
func (p *Page) picksDue(a client.Action, v *formValues) bool {
	pd, ok := p.picks[p.conn]
	return !ok || pd.stale || p.now().Sub(pd.at) >= pickMaxAge || pd.check(a, v) != nil
}

// loadPicks reads the account's lists, channels, message types, campaigns
// and user fields; each that fails degrades its field to a typed id.
func (p *Page) loadPicks(notify bool) tea.Cmd {
	c, gen, conn := p.client, p.gen, p.conn
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		pd := &pickData{}
		pd.lists, pd.listsErr = c.Lists(ctx)
		pd.channels, pd.channelsErr = c.Channels(ctx)
		pd.messageTypes, pd.typesErr = c.MessageTypes(ctx)
		pd.campaigns, pd.campaignsErr = c.Campaigns(ctx)
		fields, err := c.UserFields(ctx)
		pd.fieldsErr = err
		if err == nil {
			pd.fields = schema.NewProjectFields(fields)
		}
		return picksLoadedMsg{conn: conn, picks: pd, gen: gen, notify: notify}
	}
}

// reloadPicks reads the pick lists again now (ctrl+r); the open form, if
// any, is rebuilt on them with what was typed kept.
func (p *Page) reloadPicks() tea.Cmd {
	if p.client == nil {
		return page.Notice("no connection in this session: add one on the Connections tab (5)")
	}
	return p.loadPicks(true)
}

// picksLoaded keeps what was read and gives it to the open form, builder
// or loading screen it belongs to.
func (p *Page) picksLoaded(msg picksLoadedMsg) tea.Cmd {
	msg.picks.at = p.now()
	p.picks[msg.conn] = msg.picks
	var note tea.Cmd
	if msg.notify {
		note = page.Notice(msg.picks.summary())
	}
	if msg.gen != p.gen || msg.conn != p.conn || p.run == nil {
		return note
	}
	switch p.stage {
	case stageLoading:
		return tea.Batch(note, p.showForm())
	case stageForm:
		// The same slot form, on a fresh huh form: the values are the run's.
		f := p.run.form
		f.Huh = p.formHuh(p.run)
		f.Wire()
		return tea.Batch(note, page.Wait(f.Huh.Init()))
	case stageFields:
		p.run.editor.setProject(msg.picks.fields, msg.picks.fieldsErr)
	}
	return note
}

// summary says what a reload read, for the status bar.
func (pd *pickData) summary() string {
	part := func(n int, what string, err error) string {
		if err != nil {
			return what + " ✗"
		}
		return fmt.Sprintf("%d %s", n, what)
	}
	return "✓ read the account again: " + strings.Join([]string{
		part(len(pd.lists), "lists", pd.listsErr),
		part(len(pd.channels), "channels", pd.channelsErr),
		part(len(pd.messageTypes), "message types", pd.typesErr),
		part(len(pd.campaigns), "campaigns", pd.campaignsErr),
		part(len(pd.fields), "user fields", pd.fieldsErr),
	}, ", ")
}

// changesPicks says a run of a can change what the forms pick from: a new
// list, or user fields a write creates (or clashes with, when another
// process created them first).
func changesPicks(a client.Action) bool {
	switch a.Name {
	case "create-list", "upsert-user", "bulk-upsert-users", "add-subscribers", "track-event":
		return true
	}
	return false
}

// markStale makes the next form opening read the pick lists again.
func (p *Page) markStale() {
	if pd, ok := p.picks[p.conn]; ok {
		pd.stale = true
	}
}

// check refuses an id in v that action a would send and the account does
// not have. Pick lists that could not be read check nothing.
func (pd *pickData) check(a client.Action, v *formValues) error {
	switch a.Name {
	case "add-subscribers":
		if strings.TrimSpace(v.listID) == "" {
			return nil
		}
		return pd.checkList(v.listID)
	case "update-subscription":
		return errors.Join(pd.checkLists(v.emailLists), pd.checkChannels(v.unsubChannels),
			pd.checkTypes(v.unsubTypes), pd.checkTypes(v.subTypes))
	}
	return nil
}

// checkList refuses a list id typed or chosen that the account lacks.
func (pd *pickData) checkList(s string) error {
	id, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
	if err != nil {
		return fmt.Errorf("%q is not a list id: a list id is a whole number, like 2001", s)
	}
	return pd.checkLists([]int64{id})
}

func (pd *pickData) checkLists(ids []int64) error {
	return notInAccount("list", ids, pd.lists, pd.listsErr, func(l client.List) int64 { return l.ID })
}

func (pd *pickData) checkChannels(ids []int64) error {
	return notInAccount("channel", ids, pd.channels, pd.channelsErr, func(c client.Channel) int64 { return c.ID })
}

func (pd *pickData) checkTypes(ids []int64) error {
	return notInAccount("message type", ids, pd.messageTypes, pd.typesErr, func(t client.MessageType) int64 { return t.ID })
}

// notInAccount names the first id the account's items lack, and the ids it
// has, in one line.
func notInAccount[T any](what string, ids []int64, items []T, loadErr error, idOf func(T) int64) error {
	if loadErr != nil {
		return nil
	}
	have := make([]int64, len(items))
	for i, it := range items {
		have[i] = idOf(it)
	}
	for _, id := range ids {
		if slices.Contains(have, id) {
			continue
		}
		if len(have) == 0 {
			return fmt.Errorf("the account has no %s %d: it has none (ctrl+r reads it again)", what, id)
		}
		const most = 10
		shown := joinIDs(have[:min(len(have), most)])
		if len(have) > most {
			shown += fmt.Sprintf(" and %d more", len(have)-most)
		}
		return fmt.Errorf("the account has no %s %d: it has %s", what, id, shown)
	}
	return nil
}
