package actions

import (
	"context"
	"fmt"
	"reflect"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// stage is where the Actions tab is in running one action.
type stage int

const (
	stageList    stage = iota // choosing an action, or a run in the history
	stageLoading              // the account's pick lists are loading
	stageForm                 // the huh form has the keys
	stageFields               // the data-fields builder has the keys
	stageReview               // the request, before it is sent
	stageSending              // waiting for Iterable (a progress bar for bulk)
	stageAnswer               // Iterable's answer, or a run from the history
)

// run is one opening of an action: its values survive the form being
// rebuilt (back from the review, reopened after an error).
type run struct {
	action    client.Action
	values    *formValues
	opened    *formValues // the values once the form first set its defaults
	form      *page.Form
	editor    *fieldEditor   // nil when the action takes no dataFields
	banner    string         // Iterable's error, shown over the reopened form
	loading   string         // what the loading screen says is being read
	subs      *subscriptions // Update user subscription: the user's sets as read
	fieldErrs map[string]string

	body    []byte // the reviewed request
	users   int    // users of a bulk action (counted in the file when from one)
	curl    string
	counted bool                // the file's users are counted
	columns []client.FileColumn // the data fields the file sets, once counted

	started  time.Time
	cancel   context.CancelFunc
	progress client.BulkProgress
	progCh   chan client.BulkProgress
}

// answer is what one run (or one history record) shows.
type answer struct {
	action   client.Action
	status   int
	took     time.Duration
	body     []byte // Iterable's answer
	request  []byte // shown for a history record
	err      error
	user     *client.User // Get user by email
	lists    []client.List
	channels []client.Channel
	summary  *client.BulkSummary
	record   bool  // a history record, not a fresh answer
	histErr  error // the run could not be kept in the history
	cursor   int   // the selected table row
	scroll   int
}

// Page is the Actions tab.
type Page struct {
	keys      Keys
	th        style.Theme
	area      page.Area
	conn      string // the connection in use, as the status bar names it
	now       func() time.Time
	filtering bool
	client    *client.Client
	hist      *history.Store
	filter    textinput.Model
	cursor    int
	showHis   bool // the left pane shows the history
	records   []history.Record
	hisErr    error

	stage   stage
	gen     int // the opening the form's messages belong to
	run     *run
	answer  *answer
	picks   map[string]*pickData // by connection label
	spinner spinner.Model
	pending *pendingOpen // asked for by another tab, opened once in view
	carry   *client.User // the last Get user's user, until an action takes it
}

// Messages of the Actions tab's commands.
type (
	picksLoadedMsg struct {
		conn   string
		picks  *pickData
		gen    int
		notify bool // ctrl+r asked: say what was read
	}
	actionDoneMsg struct {
		gen int
		ans *answer
	}
	bulkProgressMsg struct {
		gen int
		p   client.BulkProgress
	}
	usersCountedMsg struct {
		gen     int
		users   int
		columns []client.FileColumn
		err     error
	}
	historyLoadedMsg struct {
		records []history.Record
		err     error
	}
)

// New is the tab on c (nil: no connection in this session) and h (nil: runs
// are not kept); conn names the connection in use.
func New(c *client.Client, h *history.Store, conn string, keys page.Keys, th style.Theme, now func() time.Time) *Page {
	fi := page.NewFilterInput(style.InputStyles(th.Dark))
	fi.Placeholder = "part of an action's name"
	return &Page{client: c, hist: h, conn: conn, keys: DefaultKeys(keys), th: th, now: now, filter: fi,
		picks: map[string]*pickData{}, spinner: spinner.New(spinner.WithSpinner(spinner.Dot))}
}

// shown are the actions the filter lets through.
func (p *Page) shown() []client.Action {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	var out []client.Action
	for _, a := range client.Actions {
		if q == "" || strings.Contains(strings.ToLower(a.Title+" "+a.Description+" "+a.Name), q) {
			out = append(out, a)
		}
	}
	return out
}

func (p *Page) move(n int) {
	count := len(p.shown())
	if p.showHis {
		count = len(p.records)
	}
	p.cursor = max(min(p.cursor+n, count-1), 0)
}

// open starts a fresh run of an action on values v (nil: empty).
func (p *Page) openAction(a client.Action, v *formValues) tea.Cmd {
	if p.client == nil {
		return page.Notice("no connection in this session: add one on the Connections tab (5)")
	}
	if v == nil {
		v = newFormValues()
	}
	carried := p.carryInto(a, v)
	p.gen++
	p.answer = nil
	p.run = &run{action: a, values: v, fieldErrs: map[string]string{},
		loading: "the account's lists, channels, message types and fields"}
	if needsPicks(a) && p.picksDue(a, v) {
		p.stage = stageLoading
		return tea.Batch(carried, p.loadPicks(false), page.Wait(p.spinner.Tick))
	}
	return tea.Batch(carried, p.showForm())
}

// actionPane is the pane the form and its screens draw in.
func (p *Page) actionPane() page.Rect {
	b := p.area.Body
	if !p.area.Stacked {
		return page.Rect{X: b.X + actionListW, Y: b.Y, W: b.W - actionListW, H: b.H}
	}
	return b
}

// actionListW is the width of the list beside an open action.
const actionListW = 33

// showForm opens the run's form, or goes on when the action asks nothing.
func (p *Page) showForm() tea.Cmd {
	r := p.run
	if !hasForm(r.action) {
		return p.review()
	}
	if r.subs == nil && p.subscriptionsDue() && givenUser(r.values) {
		return p.waitSubscriptions() // opened on a user: their sets first
	}
	gen := p.gen
	f := &page.Form{
		Huh:     p.formHuh(r),
		Title:   r.action.Title,
		Inline:  true,
		Discard: "Discard this " + r.action.Title + "?",
		Quit:    "Quit and lose the action you are filling in?",
		Changed: r.touched,
		Key:     p.formKey,
		Submit: func() tea.Cmd {
			if gen != p.gen || p.stage != stageForm {
				return nil
			}
			return p.formDone()
		},
		Closed: func() {
			if gen == p.gen && p.stage == stageForm {
				p.closeRun()
			}
		},
	}
	f.Wire()
	r.form = f
	if r.opened == nil {
		// Building the form set its defaults (the first list of a pick
		// list): they are not input a user could lose.
		opened := r.values.input()
		r.opened = &opened
	}
	p.stage = stageForm
	return f.Open()
}

// formHuh is a fresh huh form of the run, sized for the pane.
func (p *Page) formHuh(r *run) *huh.Form {
	pane := p.actionPane()
	h := pane.H - 2 - len(bannerView(p.th, r, pane.W-2))
	f := sized(buildForm(r.action, r.values, p.currentPicks(), r.subs, r.fieldErrs), p.th, pane.W-4, h)
	if r.subs.readFor(r.values) {
		f.NextGroup() // the user is given: open on their sets
	}
	return f
}

// showFields opens the data-fields builder on the run's rows.
func (p *Page) showFields() tea.Cmd {
	r := p.run
	if r.editor == nil {
		pd := p.currentPicks()
		r.editor = newFieldEditor(r.values.fields, pd.fields, userFieldsAction(r.action), p.th.Dark)
		r.editor.fieldsErr = pd.fieldsErr
		for name, msg := range r.fieldErrs {
			r.editor.serverErrs[name] = msg
		}
	}
	p.stage = stageFields
	return nil
}

// formDone goes on from the huh form: to the data fields, or the review.
func (p *Page) formDone() tea.Cmd {
	r := p.run
	if p.subscriptionsDue() {
		return p.waitSubscriptions()
	}
	if takesDataFields(r.action) && !(r.action.UsersField != "" && r.values.usersFrom == usersFile) {
		return p.showFields()
	}
	return p.review()
}

func (p *Page) loadHistory() tea.Cmd {
	h := p.hist
	if h == nil {
		return nil
	}
	return func() tea.Msg {
		recs, err := h.Recent(context.Background(), 200)
		return historyLoadedMsg{recs, err}
	}
}

// closeRun goes back to the list.
func (p *Page) closeRun() {
	if p.run != nil && p.run.cancel != nil {
		p.run.cancel()
	}
	p.run, p.answer = nil, nil
	p.stage = stageList
	p.gen++
}

// actionMsg takes the Actions tab's own messages; ok is false for others.
func (p *Page) actionMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case picksLoadedMsg:
		return p.picksLoaded(msg), true
	case subscriptionsLoadedMsg:
		if msg.gen != p.gen || p.run == nil || p.stage != stageLoading {
			return nil, true
		}
		return p.subscriptionsLoaded(msg.subs), true
	case usersCountedMsg:
		if msg.gen != p.gen || p.run == nil {
			return nil, true
		}
		if msg.err != nil {
			r, path := p.run, p.run.values.filePath
			r.fieldErrs["file"] = msg.err.Error()
			// The notice goes once another file is named.
			return tea.Batch(p.showForm(), page.ErrorUntil(fmt.Errorf("reading the users: %w", msg.err), func() bool {
				return p.run != r || r.values.filePath != path
			})), true
		}
		p.run.users, p.run.columns, p.run.counted = msg.users, msg.columns, true
		return nil, true
	case bulkProgressMsg:
		if msg.gen != p.gen || p.run == nil {
			return nil, true
		}
		p.run.progress = msg.p
		return page.Wait(waitProgress(msg.gen, p.run.progCh)), true
	case actionDoneMsg:
		if msg.gen != p.gen || p.run == nil {
			return nil, true
		}
		return p.done(msg.ans), true
	case historyLoadedMsg:
		p.records, p.hisErr = msg.records, msg.err
		p.move(0)
		return nil, true
	case spinner.TickMsg:
		if msg.ID != p.spinner.ID() {
			return nil, false // another page's spinner
		}
		if p.stage == stageLoading || p.stage == stageSending {
			var cmd tea.Cmd
			p.spinner, cmd = p.spinner.Update(msg)
			return page.Wait(cmd), true
		}
		return nil, true
	}
	return nil, false
}

// touched says the user changed the run's values since its form opened:
// defaults and prefilled values are not input a user could lose.
func (r *run) touched() bool {
	if r.editor != nil {
		r.values.fields = r.editor.rows
	}
	return r.opened != nil && !reflect.DeepEqual(r.values.input(), *r.opened)
}

// unsaved says the Actions tab holds input that leaving would lose: a form,
// its data fields or its review, changed by the user.
func (p *Page) unsaved() bool {
	switch p.stage {
	case stageForm, stageFields, stageReview:
		return p.run != nil && p.run.touched()
	}
	return false
}
