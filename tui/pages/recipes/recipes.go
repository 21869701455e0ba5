// Package recipes is the Recipes tab: the recipes with their jobs' counts,
// arming and disarming, a test on the latest matching event, the jobs of a
// recipe as a live list with each job's requests and answers, re-runs, and
// the editor.
package recipes

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

// Title is the tab's name.
const Title = "Recipes"

// Deps are what the tab reads and changes.
type Deps struct {
	Recipes *recipe.Store
	Events  webhook.EventLog
	// Client is the process's connection: re-runs go through it, and the
	// editor checks dataFields against the project's field types with it.
	Client *client.Client
	Log    interface{ Info(string, ...any) }
}

// Keys are the tab's bindings beside the shared ones.
type Keys struct {
	page.Keys
	New, Edit, Arm, Test, Rerun, Remove key.Binding
}

// DefaultKeys are the tab's bindings.
func DefaultKeys(k page.Keys) Keys {
	b := page.Bind
	return Keys{Keys: k,
		New:    b([]string{"n"}, "n", "new recipe"),
		Edit:   b([]string{"e"}, "e", "edit"),
		Arm:    b([]string{"space"}, "space", "arm/disarm"),
		Test:   b([]string{"t"}, "t", "test on the latest event"),
		Rerun:  b([]string{"R"}, "R", "re-run the job"),
		Remove: b([]string{"x", "delete"}, "x", "remove"),
	}
}

// row is one recipe as the list shows it.
type row struct {
	recipe.Saved
	tally recipe.Tally
}

// Page is the Recipes tab.
type Page struct {
	deps   Deps
	keys   Keys
	th     style.Theme
	area   page.Area
	now    func() time.Time
	rows   []row
	jobs   []recipe.Job // of the selected recipe, newest first
	cursor int
	jobCur int
	inJobs bool        // the jobs pane has the cursor
	job    *recipe.Job // the job whose detail is shown
	test   *testView   // the last test, shown until esc
	armed  map[string]bool
	err    error
	loaded bool
	// scroll is the first line of the job or test shown.
	scroll int
	// jobEvent are the lines of the shown job's event, drawn once it is read.
	jobEvent []string
	ed       *editor // the recipe being made, nil when none
	edKeys   editorKeys
	want     string // a recipe to select once the list has it
}

// testView is a test of a recipe on one event.
type testView struct {
	recipe string
	res    recipe.TestResult
	none   string // why there was no event to test on
}

// Messages of the tab's commands.
type (
	loadedMsg struct {
		rows []row
		jobs []recipe.Job
		name string // the recipe the jobs are of
		err  error
	}
	tickMsg struct{}
	doneMsg struct {
		what string
		err  error
	}
	testedMsg struct{ view testView }
	eventMsg  struct {
		id  int64
		ev  webhook.Event
		err error
	}
	rerunMsg struct {
		job recipe.Job
		err error
	}
)

// refreshEvery is how often the list and the jobs are read again.
const refreshEvery = time.Second

// New is the tab; a nil deps.Recipes turns it into a notice.
func New(deps Deps, keys page.Keys, th style.Theme, now func() time.Time) *Page {
	return &Page{deps: deps, keys: DefaultKeys(keys), edKeys: defaultEditorKeys(), th: th, now: now, armed: map[string]bool{}}
}

func (p *Page) Title() string { return Title }

func (p *Page) Init() tea.Cmd { return tea.Batch(p.load(), p.tick()) }

func (p *Page) tick() tea.Cmd {
	return page.Wait(tea.Tick(refreshEvery, func(time.Time) tea.Msg { return tickMsg{} }))
}

func (p *Page) selected() (row, bool) {
	if p.cursor < 0 || p.cursor >= len(p.rows) {
		return row{}, false
	}
	return p.rows[p.cursor], true
}

// load reads the recipes, their tallies, and the selected recipe's jobs.
func (p *Page) load() tea.Cmd {
	rs := p.deps.Recipes
	if rs == nil {
		return nil
	}
	name := ""
	if r, ok := p.selected(); ok {
		name = r.Name
	}
	return func() tea.Msg {
		ctx := context.Background()
		all, err := rs.List(ctx)
		if err != nil {
			return loadedMsg{err: err}
		}
		tallies, err := rs.Tallies(ctx)
		if err != nil {
			return loadedMsg{err: err}
		}
		rows := make([]row, len(all))
		for i, s := range all {
			rows[i] = row{Saved: s, tally: tallies[s.Name]}
		}
		if name == "" && len(rows) > 0 {
			name = rows[0].Name
		}
		var jobs []recipe.Job
		if name != "" {
			jobs, err = rs.Jobs(ctx, recipe.JobQuery{Recipe: name, Limit: 100})
		}
		return loadedMsg{rows: rows, jobs: jobs, name: name, err: err}
	}
}

// Update takes the tab's command results.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case page.ResizeMsg:
		p.area = msg.Area
	case tea.BackgroundColorMsg:
		p.th = style.NewTheme(msg.IsDark(), p.th.NoColor)
	case tickMsg:
		return tea.Batch(p.load(), p.tick())
	case page.EventsMsg:
		// New events may have started jobs, and change the preview's event.
		return tea.Batch(p.load(), p.reloadLatest())
	case editorLoadedMsg:
		return p.opened(msg)
	case latestMsg:
		if p.ed != nil {
			p.ed.latest = msg.latest
		}
	case savedMsg:
		return p.saved(msg)
	case eventMsg:
		if p.job != nil && p.job.EventID == msg.id {
			p.jobEvent = p.eventLines(msg)
		}
	case page.ShownMsg:
		if msg.Tab == Title {
			return p.load()
		}
	case loadedMsg:
		return p.loaded1(msg)
	case doneMsg:
		if msg.err != nil {
			return tea.Batch(page.Error(msg.err), p.load())
		}
		return tea.Batch(page.Notice(msg.what), p.load())
	case testedMsg:
		v := msg.view
		p.test, p.job, p.scroll = &v, nil, 0
	case rerunMsg:
		if msg.err != nil {
			return tea.Batch(page.Error(msg.err), p.load())
		}
		j := msg.job
		p.job, p.test, p.scroll = &j, nil, 0
		return tea.Batch(p.loadEvent(j.EventID), page.Notice(fmt.Sprintf("job %d: %s", j.ID, j.Status)), p.load())
	}
	return nil
}

func (p *Page) loaded1(msg loadedMsg) tea.Cmd {
	p.loaded, p.err = true, msg.err
	if msg.err != nil {
		return nil
	}
	var cmds []tea.Cmd
	for _, r := range msg.rows {
		// A recipe that disarmed itself says why in the status bar.
		if was, seen := p.armed[r.Name]; seen && was && !r.Armed && r.DisarmReason != "" {
			cmds = append(cmds, page.Error(fmt.Errorf("recipe %s disarmed itself: %s", r.Name, r.DisarmReason)))
		}
		p.armed[r.Name] = r.Armed
	}
	p.rows = msg.rows
	for i, r := range p.rows {
		if r.Name == p.want && p.want != "" {
			p.cursor, p.want = i, ""
			p.jobs, p.jobCur = nil, 0
			cmds = append(cmds, p.load())
		}
	}
	p.cursor = max(min(p.cursor, len(p.rows)-1), 0)
	if r, ok := p.selected(); ok && r.Name == msg.name {
		p.jobs = msg.jobs
	}
	p.jobCur = max(min(p.jobCur, len(p.jobs)-1), 0)
	return tea.Batch(cmds...)
}

// Focus is the editor's while it is open: letters typed are text.
func (p *Page) Focus() page.Focus {
	if p.ed != nil {
		return page.FocusForm
	}
	return page.FocusNormal
}

// Key handles the tab's keys.
func (p *Page) Key(msg tea.KeyPressMsg) tea.Cmd {
	if p.ed != nil {
		return p.editKey(msg)
	}
	k := p.keys
	if p.job != nil || p.test != nil {
		if p.scrollKey(msg) {
			return nil
		}
	}
	switch {
	case page.Matches(msg, k.Back):
		switch {
		case p.job != nil:
			p.job = nil
		case p.test != nil:
			p.test = nil
		case p.inJobs:
			p.inJobs = false
		}
	case page.Matches(msg, k.NextPane, k.PrevPane):
		p.inJobs = !p.inJobs && len(p.jobs) > 0
	case page.Matches(msg, k.Up):
		return p.move(-1)
	case page.Matches(msg, k.Down):
		return p.move(1)
	case page.Matches(msg, k.Open):
		if !p.inJobs {
			p.inJobs = len(p.jobs) > 0
			return nil
		}
		if p.jobCur < len(p.jobs) {
			j := p.jobs[p.jobCur]
			p.job, p.test, p.scroll = &j, nil, 0
			return p.loadEvent(j.EventID)
		}
	case page.Matches(msg, k.New):
		return p.edit()
	case page.Matches(msg, k.Edit):
		return p.editSaved()
	case page.Matches(msg, k.Arm):
		return p.arm()
	case page.Matches(msg, k.Test):
		return p.runTest()
	case page.Matches(msg, k.Rerun):
		return p.rerun()
	case page.Matches(msg, k.Remove):
		return p.remove()
	}
	return nil
}

func (p *Page) move(n int) tea.Cmd {
	if p.inJobs {
		p.jobCur = max(min(p.jobCur+n, len(p.jobs)-1), 0)
		return nil
	}
	before := p.cursor
	p.cursor = max(min(p.cursor+n, len(p.rows)-1), 0)
	if p.cursor != before {
		p.jobs, p.jobCur, p.job, p.test = nil, 0, nil, nil
		return p.load()
	}
	return nil
}

// Paste goes into the editor's focused field, or its picker's filter.
func (p *Page) Paste(msg tea.PasteMsg) tea.Cmd {
	e := p.ed
	if e == nil {
		return nil
	}
	if e.pick != nil {
		e.pick.filter += strings.Join(strings.Fields(msg.Content), " ")
		e.pick.cur = 0
		return nil
	}
	e.typeText(e.at(), msg.Content)
	return nil
}

// scrollKey scrolls the job or test shown; false for keys that do not scroll.
func (p *Page) scrollKey(msg tea.KeyPressMsg) bool {
	k := p.keys
	page1 := max(p.area.Side.H-3, 1)
	if p.area.Stacked {
		page1 = max(p.area.Body.H-3, 1)
	}
	switch {
	case page.Matches(msg, k.Up):
		p.scroll--
	case page.Matches(msg, k.Down):
		p.scroll++
	case page.Matches(msg, k.PageUp):
		p.scroll -= page1
	case page.Matches(msg, k.PageDown):
		p.scroll += page1
	case page.Matches(msg, k.Top):
		p.scroll = 0
	case page.Matches(msg, k.Bottom):
		p.scroll = 1 << 30
	default:
		return false
	}
	p.scroll = max(p.scroll, 0) // the view clamps the end: it knows the lines
	return true
}

// Commands are the tab's palette rows.
func (p *Page) Commands() []page.Command {
	k := p.keys
	return []page.Command{
		{Name: "New recipe", Key: k.New, Run: p.edit},
		{Name: "Edit the recipe", Key: k.Edit, Run: p.editSaved},
		{Name: "Arm or disarm the recipe", Key: k.Arm, Run: p.arm},
		{Name: "Test the recipe on the latest event", Key: k.Test, Run: p.runTest},
		{Name: "Re-run the job", Key: k.Rerun, Run: p.rerun},
		{Name: "Remove the recipe", Key: k.Remove, Run: p.remove},
	}
}

// Help is the tab's bindings.
func (p *Page) Help() []page.Group {
	k := p.keys
	e := p.edKeys
	if p.ed != nil {
		return []page.Group{{Title: "Recipe editor", Bindings: []key.Binding{e.Next, e.Prev, e.Down, e.Up, e.Pick, e.Cycle, e.Remove, e.Clear, e.Save, e.Cancel}},
			{Title: "Picker", Bindings: []key.Binding{k.Up, k.Down, k.Open, k.Back}}}
	}
	return []page.Group{
		{Title: "Recipes", Bindings: []key.Binding{k.New, k.Edit, k.Arm, k.Test, k.Remove, k.Open, k.NextPane, k.Back}},
		{Title: "Jobs", Bindings: []key.Binding{k.Rerun, k.Up, k.Down, k.PageUp, k.PageDown}},
		k.ListGroup(),
	}
}

// Hints are the tab's few keys.
func (p *Page) Hints() []page.Hint {
	k, e := p.keys, p.edKeys
	switch {
	case p.ed != nil && p.ed.pick != nil:
		return []page.Hint{{"↑/↓", "move"}, {"type", "filter"}, {"enter", "pick"}, {"esc", "close"}}
	case p.ed != nil:
		return page.HintsOf(e.Next, e.Pick, e.Cycle, e.Remove, e.Save, e.Cancel)
	case p.job != nil:
		return page.HintsOf(k.Down, k.PageDown, k.Rerun, k.Back, k.Help)
	case p.test != nil:
		return page.HintsOf(k.Down, k.PageDown, k.Back, k.Help)
	case p.inJobs:
		return page.HintsOf(k.Open, k.Rerun, k.Back, k.Help)
	}
	return page.HintsOf(k.New, k.Edit, k.Arm, k.Test, k.Open, k.Remove, k.Palette, k.Help)
}

// Unsaved asks before quitting loses a recipe being made.
func (p *Page) Unsaved() string {
	if p.ed != nil && p.ed.dirty {
		return "Quit and lose " + p.ed.what() + "?"
	}
	return ""
}

func (p *Page) chosen() (row, tea.Cmd) {
	if p.deps.Recipes == nil {
		return row{}, page.Notice("no recipes in this session")
	}
	r, ok := p.selected()
	if !ok {
		return r, page.Notice("no recipe selected: n makes one")
	}
	return r, nil
}

// arm arms or disarms the selected recipe; a recipe whose steps reach
// people is armed only after y.
func (p *Page) arm() tea.Cmd {
	r, cmd := p.chosen()
	if cmd != nil {
		return cmd
	}
	rs, events := p.deps.Recipes, p.deps.Events
	if r.Armed {
		return func() tea.Msg {
			return doneMsg{what: "disarmed " + r.Name, err: rs.Disarm(context.Background(), r.Name, "")}
		}
	}
	do := func() tea.Cmd {
		return func() tea.Msg {
			ctx := context.Background()
			var after int64
			if events != nil {
				newest, err := events.List(ctx, webhook.Query{Desc: true, Limit: 1})
				if err != nil {
					return doneMsg{err: err}
				}
				if len(newest) > 0 {
					after = newest[0].ID
				}
			}
			return doneMsg{what: fmt.Sprintf("armed %s: it runs for new events of %s", r.Name, r.Trigger),
				err: rs.Arm(ctx, r.Name, after)}
		}
	}
	if steps := r.ReachesPeople(); len(steps) > 0 {
		return page.Ask(fmt.Sprintf("%s reaches people (%s). Arm it?", r.Name, strings.Join(steps, ", ")), do)
	}
	return do()
}

// runTest tries the selected recipe on the newest event its trigger matched.
func (p *Page) runTest() tea.Cmd {
	r, cmd := p.chosen()
	if cmd != nil {
		return cmd
	}
	events := p.deps.Events
	if events == nil {
		return page.Notice("no event log in this session")
	}
	return func() tea.Msg {
		evs, err := events.List(context.Background(), webhook.Query{Trigger: r.Trigger, Desc: true, Limit: 1})
		v := testView{recipe: r.Name}
		switch {
		case err != nil:
			v.none = err.Error()
		case len(evs) == 0:
			v.none = fmt.Sprintf("no event of trigger %s is stored yet", r.Trigger)
		default:
			v.res = recipe.Test(r.Recipe, evs[0])
		}
		return testedMsg{v}
	}
}

// loadEvent reads the event of the job shown.
func (p *Page) loadEvent(id int64) tea.Cmd {
	p.jobEvent = nil
	events := p.deps.Events
	if events == nil {
		return nil
	}
	return func() tea.Msg {
		ev, err := events.Get(context.Background(), id)
		return eventMsg{id: id, ev: ev, err: err}
	}
}

// maxEventLines bounds the payload shown above a job's steps: the Events
// tab shows it whole.
const maxEventLines = 40

// eventLines are a job's event: what it was and its payload.
func (p *Page) eventLines(msg eventMsg) []string {
	th := p.th
	if msg.err != nil {
		return []string{th.Muted.Render(fmt.Sprintf("event %d: %s", msg.id, termtext.Line(msg.err.Error())))}
	}
	ev := msg.ev
	head := fmt.Sprintf("Event %d", ev.ID)
	for _, s := range []string{ev.EventName, ev.Email, ev.UserID} {
		if s != "" {
			head += " · " + s
		}
	}
	lines := []string{th.Title.Render(termtext.Line(head))}
	if len(ev.Payload) > 0 {
		body := style.JSONLines(th, ev.Payload, termtext.Line)
		if len(body) > maxEventLines {
			body = append(body[:maxEventLines], th.Muted.Render(fmt.Sprintf("… %d more lines: the Events tab shows it whole", len(body)-maxEventLines)))
		}
		lines = append(lines, body...)
	}
	return lines
}

// rerun runs the selected job again as a new job, through the runner.
func (p *Page) rerun() tea.Cmd {
	if p.deps.Recipes == nil {
		return page.Notice("no recipes in this session")
	}
	var j recipe.Job
	switch {
	case p.job != nil:
		j = *p.job
	case p.inJobs && p.jobCur < len(p.jobs):
		j = p.jobs[p.jobCur]
	default:
		return page.Notice("pick a job first: enter opens the jobs")
	}
	d := p.deps
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		id, err := d.Recipes.Rerun(ctx, j.ID)
		if err != nil {
			return rerunMsg{err: err}
		}
		c := d.Client
		job, err := recipe.RunNow(ctx, recipe.RunnerOptions{Events: d.Events, Recipes: d.Recipes,
			Client: func(context.Context) (*client.Client, error) {
				if c == nil {
					return nil, errors.New("this session has no connection")
				}
				return c, nil
			}}, id)
		return rerunMsg{job: job, err: err}
	}
}

func (p *Page) remove() tea.Cmd {
	r, cmd := p.chosen()
	if cmd != nil {
		return cmd
	}
	rs := p.deps.Recipes
	return page.Ask(fmt.Sprintf("Remove the recipe %s? Its jobs stay in the log.", r.Name), func() tea.Cmd {
		return func() tea.Msg {
			return doneMsg{what: "removed " + r.Name, err: rs.Remove(context.Background(), r.Name)}
		}
	})
}
