package tui

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
	"github.com/charmbracelet/x/ansi"
)

// The tabs, in the contract's order.
const (
	tabEvents = iota
	tabActions
	tabTriggers
	tabSchemas
	tabConnections
)

var tabNames = [5]string{"Events", "Actions", "Triggers", "Schemas", "Connections"}

// Mode decides where a key goes, so that a letter typed into a field is text
// and never a shortcut.
type Mode int

const (
	ModeNormal  Mode = iota
	ModeFilter       // typing into the list filter
	ModeForm         // a form has focus
	ModePalette      // the command palette is open
	ModeHelp         // the help overlay is open
	ModeConfirm      // a yes/no question is asked
)

func (m Mode) String() string {
	return [...]string{"normal", "filter", "form", "palette", "help", "confirm"}[m]
}

// noticeFor is how long a notice or error stays in the status bar.
const noticeFor = 5 * time.Second

// EventsMsg is what the relay sends: how many events were stored since the
// last batch, and the subscription's dropped count so far. The page re-reads
// from the source, which holds every event.
type EventsMsg struct {
	New     int
	Dropped uint64
}

// Messages of the root model's own commands.
type (
	statsMsg struct {
		stats EventStats
		err   error
	}
	noticeExpiredMsg struct{ id int }
	replayedMsg      struct {
		id  int64
		res ForwardResult
		err error
	}
	nativeCopyMsg struct{ err error }
)

// overlay is a dialog drawn over the page.
type overlay int

const (
	overlayNone overlay = iota
	overlayHelp
	overlayPalette
	overlayConfirm
)

// confirmation is a question waiting for y or n.
type confirmation struct {
	question string
	yes      func() tea.Cmd
}

// Model is the workbench: the only tea.Model. Pages and components are plain
// structs it calls; every read or write of the outside world runs in a
// tea.Cmd.
type Model struct {
	deps    Deps
	log     *slog.Logger
	keys    KeyMap
	theme   Theme
	noColor bool
	layout  Layout

	tab       int
	overlay   overlay
	filtering bool
	confirm   *confirmation
	palette   palette

	events  eventsPage
	conns   connsPage
	actions actionsPage
	trig    triggersPage
	sch     schemasPage
	pform   *pageForm // a form of the Triggers or Schemas tab

	stats        EventStats
	statsLoading bool
	dropped      uint64

	notice     string
	noticeErr  bool
	noticeID   int
	firstConns bool // the first connections read is still to come
	startDemo  bool
	quitting   bool

	// tick schedules the notice's expiry; tests that drive the model
	// synchronously replace it rather than wait seconds.
	tick func(time.Duration, func(time.Time) tea.Msg) tea.Cmd
}

// New builds the workbench on its dependencies.
func New(deps Deps) *Model {
	log := deps.Log
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	k := DefaultKeyMap()
	m := &Model{
		deps:       deps,
		log:        log,
		keys:       k,
		noColor:    deps.NoColor,
		theme:      NewTheme(true, deps.NoColor),
		palette:    newPalette(k),
		events:     newEventsPage(deps.Events),
		conns:      newConnsPage(deps.Connections),
		actions:    newActionsPage(deps.Client, deps.History),
		firstConns: true,
		tick:       tea.Tick,
	}
	m.layout = Compute(MinWidth, MinHeight)
	m.events.resize(m.layout)
	return m
}

// Init asks the terminal for its background and reads the first pages.
func (m *Model) Init() tea.Cmd {
	return tea.Batch(tea.RequestBackgroundColor, m.events.list.load(loadTail), m.loadStats(), m.conns.load(),
		m.loadTriggers(""), m.loadJourneys(), m.actions.loadHistory())
}

// Mode is where keys go now.
func (m *Model) Mode() Mode {
	switch m.overlay {
	case overlayHelp:
		return ModeHelp
	case overlayPalette:
		return ModePalette
	case overlayConfirm:
		return ModeConfirm
	}
	switch {
	case m.tab == tabConnections && m.conns.form != nil, m.pageFormOpen(), m.tab == tabActions && m.actions.inForm():
		return ModeForm
	case m.filtering && (m.tab == tabEvents || m.tab == tabConnections || m.tab == tabActions):
		return ModeFilter
	}
	return ModeNormal
}

// Tab is the index of the open tab (0 Events … 4 Connections).
func (m *Model) Tab() int { return m.tab }

// StartDemo says the user chose the demo on the welcome screen.
func (m *Model) StartDemo() bool { return m.startDemo }

func matches(msg tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }

// Update takes one message; it never blocks.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.layout = Compute(msg.Width, msg.Height)
		m.events.resize(m.layout)
		if m.conns.form != nil {
			m.conns.form.WithWidth(m.formWidth())
		}
		if m.pform != nil {
			m.pform.form.WithWidth(m.formWidth())
		}
		if r := m.actions.run; r != nil && r.form != nil {
			pane := m.actionPane()
			r.form.WithWidth(max(pane.W-4, 20)).WithHeight(max(pane.H-5-len(bannerView(m.theme, r, pane.W-2)), 5))
		}
		return m, nil
	case tea.BackgroundColorMsg:
		m.theme = NewTheme(msg.IsDark(), m.noColor)
		m.events.filter.SetStyles(inputStyles(msg.IsDark()))
		m.conns.filter.SetStyles(inputStyles(msg.IsDark()))
		m.actions.filter.SetStyles(inputStyles(msg.IsDark()))
		m.palette.input.SetStyles(inputStyles(msg.IsDark()))
		return m, nil
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		return m, m.paste(msg)
	case tea.MouseWheelMsg:
		return m, m.wheel(msg)

	case EventsMsg:
		m.dropped = msg.Dropped
		return m, tea.Batch(m.events.list.refresh(), m.loadStats(), m.refreshTriggers())
	case listLoadedMsg:
		cmd := m.events.list.loaded(msg)
		if msg.err != nil && msg.gen == m.events.list.gen {
			return m, tea.Batch(cmd, m.setError(fmt.Errorf("reading events: %w", msg.err)))
		}
		return m, cmd
	case statsMsg:
		m.statsLoading = false
		if msg.err != nil {
			m.log.Warn("reading event stats", "err", msg.err)
			return m, nil
		}
		m.stats = msg.stats
		return m, nil

	case connsLoadedMsg:
		m.conns.loadedMsg(msg)
		if m.firstConns {
			m.firstConns = false
			if m.conns.welcome() && !m.deps.Demo {
				m.tab = tabConnections
			}
		}
		if msg.err != nil {
			return m, m.setError(fmt.Errorf("reading connections: %w", msg.err))
		}
		return m, nil
	case connDoneMsg:
		if msg.err != nil {
			return m, tea.Batch(m.setError(msg.err), m.conns.load())
		}
		return m, tea.Batch(m.setNotice(msg.what), m.conns.load())
	case connTestedMsg:
		m.conns.testing = ""
		m.conns.tests[msg.name] = testResult{err: msg.err, at: m.deps.Now()}
		if msg.err != nil {
			return m, m.setError(fmt.Errorf("testing %s: %w", msg.name, msg.err))
		}
		return m, m.setNotice(msg.name + ": key accepted")
	case formSubmittedMsg:
		return m, m.conns.submit()
	case formCancelledMsg:
		m.conns.closeForm()
		return m, nil

	case noticeExpiredMsg:
		if msg.id == m.noticeID {
			m.notice, m.noticeErr = "", false
		}
		return m, nil
	case replayedMsg:
		if msg.err != nil {
			return m, m.setError(fmt.Errorf("replaying #%d: %w", msg.id, msg.err))
		}
		return m, m.setNotice(fmt.Sprintf("replayed #%d: %s", msg.id, ansi.Strip(forwardText(m.theme, &msg.res))))
	case nativeCopyMsg:
		if msg.err != nil {
			// OSC 52 was sent as well; many terminals take that alone.
			m.log.Debug("native clipboard unavailable", "err", msg.err)
		}
		return m, nil
	}
	for _, handle := range []func(tea.Msg) (tea.Cmd, bool){m.pageFormMsg, m.triggersMsg, m.schemasMsg, m.actionMsg} {
		if cmd, ok := handle(msg); ok {
			return m, cmd
		}
	}
	// Anything else (a form's own messages, cursor blinks) goes to the open
	// form of the tab in view, else to the one form open: huh's messages
	// carry no form id, so two forms must never both take one.
	switch {
	case m.pform != nil && m.pform.tab == m.tab:
		return m, m.updatePageForm(msg)
	case m.tab == tabConnections && m.conns.form != nil:
		return m, m.updateForm(msg)
	case m.tab == tabActions && m.actions.inForm():
		return m, m.actionUpdate(msg)
	case m.pform != nil:
		return m, m.updatePageForm(msg)
	case m.conns.form != nil:
		return m, m.updateForm(msg)
	case m.actions.inForm():
		return m, m.actionUpdate(msg)
	}
	return m, nil
}

// updateForm hands a message to the open form.
func (m *Model) updateForm(msg tea.Msg) tea.Cmd {
	// The form is a pointer and changes in place; its returned model is itself.
	_, cmd := m.conns.form.Update(msg)
	return cmd
}

// key routes a key press by mode.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if matches(msg, k.ForceQuit) {
		m.quitting = true
		return tea.Quit
	}
	switch m.Mode() {
	case ModeHelp:
		if matches(msg, k.Help, k.Back, k.Quit, k.Open) {
			m.overlay = overlayNone
		}
		return nil
	case ModeConfirm:
		switch {
		case matches(msg, k.Yes):
			c := m.confirm
			m.overlay, m.confirm = overlayNone, nil
			return c.yes()
		case matches(msg, k.No):
			m.overlay, m.confirm = overlayNone, nil
		}
		return nil
	case ModePalette:
		return m.paletteKey(msg)
	case ModeFilter:
		return m.filterKey(msg)
	case ModeForm:
		if m.pageFormOpen() {
			return m.pageFormKey(msg)
		}
		switch {
		case matches(msg, k.Palette):
			return m.openPalette()
		case m.tab == tabActions:
			return m.actionFormKey(msg)
		case matches(msg, k.Back):
			if m.conns.dirty() {
				m.ask("Discard the new connection?", func() tea.Cmd { m.conns.closeForm(); return nil })
				return nil
			}
			m.conns.closeForm()
			return nil
		}
		return m.updateForm(msg)
	}
	return m.normalKey(msg)
}

// normalKey handles shortcuts when no field has focus.
func (m *Model) normalKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	for i, b := range k.Tabs {
		if matches(msg, b) {
			return m.do(actTabEvents + action(i))
		}
	}
	switch {
	case matches(msg, k.Quit):
		return m.do(actQuit)
	case matches(msg, k.Help):
		return m.do(actHelp)
	case matches(msg, k.Palette):
		return m.openPalette()
	case matches(msg, k.NextPane, k.PrevPane):
		if m.tab == tabEvents {
			m.events.detailFocus = !m.events.detailFocus
		}
		return nil
	}
	if m.layout.TooSmall {
		return nil
	}
	switch m.tab {
	case tabTriggers:
		return m.triggersKey(msg)
	case tabSchemas:
		return m.schemasKey(msg)
	case tabEvents:
		if cmd, ok := m.events.keyNav(k, msg); ok {
			return cmd
		}
		switch {
		case matches(msg, k.Back):
			if m.events.filter.Value() != "" {
				m.events.filter.SetValue("")
				return m.events.list.setFilter(EventFilter{})
			}
			m.events.detailFocus = false
		case matches(msg, k.Open):
			m.events.detailFocus = true
		case matches(msg, k.Filter):
			return m.do(actFilter)
		case matches(msg, k.Follow):
			return m.do(actFollow)
		case matches(msg, k.Copy):
			return m.do(actCopy)
		case matches(msg, k.Replay):
			return m.do(actReplay)
		case matches(msg, k.Schema):
			return m.do(actSchema)
		}
	case tabActions:
		return m.actionKey(msg)
	case tabConnections:
		switch {
		case matches(msg, k.Filter):
			return m.do(actFilter)
		case matches(msg, k.Back) && m.conns.filter.Value() != "":
			m.conns.filter.SetValue("")
			m.conns.move(0)
		case matches(msg, k.Up):
			m.conns.move(-1)
		case matches(msg, k.Down):
			m.conns.move(1)
		case matches(msg, k.Top):
			m.conns.cursor = 0
		case matches(msg, k.Bottom):
			m.conns.move(len(m.conns.conns))
		case matches(msg, k.AddConn):
			return m.do(actAddConn)
		case matches(msg, k.TestConn):
			return m.do(actTestConn)
		case matches(msg, k.UseConn):
			return m.do(actUseConn)
		case matches(msg, k.RemoveConn):
			return m.do(actRemoveConn)
		case matches(msg, k.StartDemo) && m.conns.welcome() && !m.deps.Demo:
			return m.do(actStartDemo)
		}
	}
	return nil
}

// do runs an action, whether it came from a key or from the palette.
func (m *Model) do(a action) tea.Cmd {
	switch a {
	case actTabEvents, actTabActions, actTabTriggers, actTabSchemas, actTabConnections:
		m.tab = int(a - actTabEvents)
		if m.tab == tabSchemas {
			return m.loadMismatches()
		}
		return nil
	case actHelp:
		m.overlay = overlayHelp
		return nil
	case actQuit:
		if m.actions.unsaved() {
			m.ask("Quit and lose the action you are filling in?", m.quit)
			return nil
		}
		if m.conns.dirty() {
			m.ask("Quit and lose the connection you were adding?", m.quit)
			return nil
		}
		if pf := m.pform; pf != nil && pf.dirty() {
			m.ask("Quit and lose what you typed in "+pf.title+"?", m.quit)
			return nil
		}
		return m.quit()
	case actFilter:
		// The filter of the list in view; from elsewhere, the events'.
		switch {
		case m.tab == tabConnections && m.conns.form == nil:
		case m.tab == tabActions && m.actions.stage == stageList && !m.actions.showHis:
		default:
			m.tab = tabEvents
		}
		m.filtering = true
		return m.filterInput().Focus()
	case actHistory:
		m.tab = tabActions
		p := &m.actions
		if p.stage != stageList {
			p.closeRun()
		}
		p.showHis, p.cursor = !p.showHis, 0
		return p.loadHistory()
	case actEditUser:
		m.tab = tabActions
		return m.editUser()
	case actStartDemo:
		if m.deps.Demo {
			return m.setNotice("this is the demo already")
		}
		m.startDemo = true
		return m.quit()
	}
	switch {
	case a >= actNewObject && a <= actSetupWebhook:
		return m.triggerAction(a)
	case a >= actAddField && a <= actExportSchema:
		return m.schemaAction(a)
	}
	if a >= actFollow && a <= actSchema {
		m.tab = tabEvents
		return m.eventAction(a)
	}
	m.tab = tabConnections
	return m.connAction(a)
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	return tea.Quit
}

// eventAction runs an Events tab action.
func (m *Model) eventAction(a action) tea.Cmd {
	list := &m.events.list
	if a == actFollow {
		on := !list.follow
		return tea.Batch(list.setFollow(on), m.setNotice(map[bool]string{true: "following the newest events", false: "paused"}[on]))
	}
	ev, ok := list.selected()
	if !ok {
		return m.setNotice("no event selected")
	}
	switch a {
	case actCopy:
		payload := string(ev.Body)
		native := func() tea.Msg { return nativeCopyMsg{clipboard.WriteAll(payload)} }
		return tea.Batch(tea.SetClipboard(payload), native,
			m.setNotice(fmt.Sprintf("✓ copied the payload of #%d (%s bytes)", ev.ID, thousands(len(ev.Body)))))
	case actReplay:
		if m.deps.Replay == nil {
			return m.setNotice("no forward URL: start the listener with --forward-to URL to replay")
		}
		replay := m.deps.Replay
		return tea.Batch(m.setNotice(fmt.Sprintf("replaying #%d…", ev.ID)), func() tea.Msg {
			res, err := replay(context.Background(), ev)
			return replayedMsg{id: ev.ID, res: res, err: err}
		})
	case actSchema:
		return m.handOffEvent(ev)
	}
	return nil
}

// connAction runs a Connections tab action.
func (m *Model) connAction(a action) tea.Cmd {
	p := &m.conns
	if p.store == nil {
		return m.setNotice("no keystore in this session")
	}
	if a == actAddConn {
		if p.form != nil {
			return nil
		}
		return p.openForm(m.theme, m.formWidth())
	}
	c, ok := p.selected()
	if !ok {
		return m.setNotice("no connection selected: a adds one")
	}
	switch a {
	case actTestConn:
		return p.test(c.Name)
	case actUseConn:
		if c.Default {
			return m.setNotice(c.Name + " is already the default")
		}
		return p.use(c.Name)
	case actRemoveConn:
		m.ask(fmt.Sprintf("Remove the connection %s and its key from the keyring?", c.Name), func() tea.Cmd { return p.remove(c.Name) })
	}
	return nil
}

func (m *Model) formWidth() int { return max(m.layout.Body.W-4, 20) }

// ask opens a yes/no question.
func (m *Model) ask(q string, yes func() tea.Cmd) {
	m.confirm = &confirmation{question: q, yes: yes}
	m.overlay = overlayConfirm
}

// filterInput is the filter line of the tab in view.
func (m *Model) filterInput() *textinput.Model {
	switch m.tab {
	case tabConnections:
		return &m.conns.filter
	case tabActions:
		return &m.actions.filter
	}
	return &m.events.filter
}

// applyFilter narrows the list in view to the filter line's text; the
// Events list reads again from the source.
func (m *Model) applyFilter() tea.Cmd {
	switch m.tab {
	case tabConnections:
		m.conns.move(0)
		return nil
	case tabActions:
		m.actions.move(0)
		return nil
	}
	return m.events.list.setFilter(parseFilter(m.events.filter.Value()))
}

// filterKey edits the filter of the list in view; every change applies.
func (m *Model) filterKey(msg tea.KeyPressMsg) tea.Cmd {
	in := m.filterInput()
	switch {
	case matches(msg, m.keys.Back):
		m.filtering = false
		in.Blur()
		in.SetValue("")
		return m.applyFilter()
	case matches(msg, m.keys.Open):
		m.filtering = false
		in.Blur()
		return nil
	}
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	return tea.Batch(cmd, m.applyFilter())
}

func (m *Model) openPalette() tea.Cmd {
	m.overlay = overlayPalette
	m.palette.input.SetValue("")
	m.palette.refilter()
	return m.palette.input.Focus()
}

// paletteKey edits the palette's query or runs the chosen command.
func (m *Model) paletteKey(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.palette
	switch {
	case matches(msg, m.keys.Back, m.keys.Palette):
		m.overlay = overlayNone
		p.input.Blur()
		return nil
	case msg.String() == "up" || msg.String() == "ctrl+p" || msg.String() == "shift+tab":
		p.move(-1)
		return nil
	case msg.String() == "down" || msg.String() == "ctrl+n" || msg.String() == "tab":
		p.move(1)
		return nil
	case matches(msg, m.keys.Open):
		c, ok := p.chosen()
		m.overlay = overlayNone
		p.input.Blur()
		if !ok {
			return nil
		}
		return m.do(c.act)
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.refilter()
	return cmd
}

// paste puts pasted text into the field that has focus, if any.
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	switch m.Mode() {
	case ModeFilter:
		in := m.filterInput()
		var cmd tea.Cmd
		*in, cmd = in.Update(msg)
		return tea.Batch(cmd, m.applyFilter())
	case ModePalette:
		var cmd tea.Cmd
		m.palette.input, cmd = m.palette.input.Update(msg)
		m.palette.refilter()
		return cmd
	case ModeForm:
		if m.pageFormOpen() {
			return m.updatePageForm(msg)
		}
		if m.tab == tabActions {
			return m.actionUpdate(msg)
		}
		return m.updateForm(msg)
	}
	return nil
}

// wheel scrolls the list or pane under the mouse.
func (m *Model) wheel(msg tea.MouseWheelMsg) tea.Cmd {
	if m.deps.NoMouse || m.Mode() != ModeNormal && m.Mode() != ModeFilter {
		return nil
	}
	n := 3
	switch msg.Button {
	case tea.MouseWheelUp:
		n = -3
	case tea.MouseWheelDown:
	default:
		return nil
	}
	switch m.tab {
	case tabEvents:
		s := m.layout.Side
		if msg.X >= s.X && msg.Y >= s.Y && msg.X < s.X+s.W && msg.Y < s.Y+s.H {
			m.events.scrollDetail(n)
			return nil
		}
		return m.events.list.move(n)
	case tabConnections:
		m.conns.move(n / 3)
	case tabActions:
		if a := m.actions.answer; a != nil {
			a.scroll = max(a.scroll+n, 0)
		}
	}
	return nil
}

func (m *Model) loadStats() tea.Cmd {
	src := m.deps.Events
	if src == nil || m.statsLoading {
		return nil
	}
	m.statsLoading = true
	return func() tea.Msg {
		s, err := src.Stats(context.Background())
		return statsMsg{s, err}
	}
}

// setNotice shows a message in the status bar for a few seconds.
func (m *Model) setNotice(s string) tea.Cmd {
	m.noticeID++
	m.notice, m.noticeErr = s, false
	id := m.noticeID
	return m.tick(noticeFor, func(time.Time) tea.Msg { return noticeExpiredMsg{id} })
}

// setError shows an error in the status bar and logs it.
func (m *Model) setError(err error) tea.Cmd {
	m.log.Error("workbench", "err", err)
	cmd := m.setNotice(err.Error())
	m.noticeErr = true
	return cmd
}

// View draws the whole screen: every line exactly the window's width.
func (m *Model) View() tea.View {
	var v tea.View
	v.AltScreen = true
	if !m.deps.NoMouse {
		v.MouseMode = tea.MouseModeCellMotion
	}
	v.WindowTitle = "iwb"
	if m.quitting {
		return v
	}
	v.SetContent(m.Render())
	return v
}

// Render is the screen as a string, for View and for tests.
func (m *Model) Render() string {
	l := m.layout
	if l.TooSmall {
		msg := fmt.Sprintf("The window is %d×%d: too small.\niwb needs at least %d×%d.\nMake it larger, or press q to quit.", l.Width, l.Height, MinWidth, MinHeight)
		lines := centered(l.Width, l.Height, msg)
		for i := range lines {
			lines[i] = fit(lines[i], l.Width)
		}
		return strings.Join(lines, "\n")
	}
	body := m.body()
	switch m.overlay {
	case overlayHelp:
		body = drawOver(body, m.helpView(), l.Width)
	case overlayPalette:
		body = drawOver(body, m.paletteView(), l.Width)
	case overlayConfirm:
		body = drawOver(body, m.confirmView(), l.Width)
	}
	lines := make([]string, 0, l.Height)
	lines = append(lines, m.headerView())
	lines = append(lines, body...)
	lines = append(lines, m.hintsView(), m.statusView())
	// Every part is drawn to the exact width already (box, spread, fit), so
	// the lines are joined without measuring them again.
	return strings.Join(lines, "\n")
}

// body draws the open tab.
func (m *Model) body() []string {
	l, th := m.layout, m.theme
	if m.pageFormOpen() {
		return m.pageFormView()
	}
	switch m.tab {
	case tabTriggers:
		return m.triggersView()
	case tabSchemas:
		return m.schemasView()
	case tabConnections:
		return m.conns.view(th, l.Body, m.deps.Demo, m.filtering)
	case tabActions:
		return m.actionsView(th, l.Body)
	default:
		return m.events.view(th, l, m.stats, m.dropped, m.filtering)
	}
}

// headerView is the tab bar, with the mode on the right when keys go to a
// field or a dialog.
func (m *Model) headerView() string {
	th := m.theme
	parts := []string{th.Accent.Render(" iwb ")}
	for i, name := range tabNames {
		label := fmt.Sprintf(" %d %s ", i+1, name)
		if i == m.tab {
			parts = append(parts, th.TabActive.Render(label))
		} else {
			parts = append(parts, th.TabInactive.Render(label))
		}
	}
	right := ""
	if mode := m.Mode(); mode != ModeNormal {
		right = th.Accent.Render(strings.ToUpper(mode.String())) + " "
	}
	return spread(strings.Join(parts, ""), right, m.layout.Width)
}

// connectionLabel names the connection in use.
func (m *Model) connectionLabel() string {
	switch {
	case m.deps.Demo:
		return "demo"
	case m.deps.Connection != "":
		return clean(m.deps.Connection)
	}
	for _, c := range m.conns.conns {
		if c.Default {
			return clean(c.Name) + " (" + clean(c.Region) + ")"
		}
	}
	return "no connection"
}

// hintsView shows the keys of the current mode and view, and the notice on
// the right.
func (m *Model) hintsView() string {
	th := m.theme
	var pairs [][2]string
	switch m.Mode() {
	case ModeFilter:
		pairs = [][2]string{{"enter", "keep filter"}, {"esc", "clear"}}
		if m.tab == tabEvents {
			pairs = append(pairs, [2]string{"event:NAME workflow:ID trigger:NAME", "fields"})
		}
	case ModeForm:
		if m.tab == tabActions {
			pairs = m.actionHints()
			break
		}
		pairs = [][2]string{{"tab", "next field"}, {"shift+tab", "back"}, {"enter", "next / add"}, {"esc", "cancel"}, {"ctrl+k", "commands"}}
	case ModePalette:
		pairs = [][2]string{{"↑/↓", "choose"}, {"enter", "run"}, {"esc", "close"}}
	case ModeHelp:
		pairs = [][2]string{{"?/esc", "close help"}}
	case ModeConfirm:
		pairs = [][2]string{{"y", "yes"}, {"n/esc", "no"}}
	default:
		if m.tab == tabActions && !m.layout.TooSmall {
			pairs = m.actionHints()
			break
		}
		for _, b := range m.keys.hints(m.tab, m.conns.welcome()) {
			pairs = append(pairs, [2]string{b.Help().Key, b.Help().Desc})
		}
	}
	parts := make([]string, len(pairs))
	for i, p := range pairs {
		parts[i] = th.Key.Render(p[0]) + " " + th.Muted.Render(p[1])
	}
	return spread(" "+strings.Join(parts, "  "), m.noticeView(), m.layout.Width)
}

// statusView is the status bar: the connection and the listener on the
// left, the counts on the right; the left part gives way first.
func (m *Model) statusView() string {
	th := m.theme
	listener := th.Muted.Render("listener off")
	switch {
	case m.deps.ListenerURL != "":
		listener = clean(m.deps.ListenerURL)
	case m.deps.ListenerErr != "":
		listener = th.Warn.Render("listener off: " + clean(m.deps.ListenerErr))
	}
	dropped := thousands(int(m.dropped)) + " dropped"
	if m.dropped > 0 {
		dropped = th.Warn.Render(dropped)
	}
	left := " " + th.Bold.Render(m.connectionLabel()) + th.Muted.Render(" · ") + listener
	counts := "  " + thousands(m.stats.Total) + " events · " + thousands(m.stats.Rejected) + " rejected · " + dropped + " "
	if ansi.StringWidth(left)+ansi.StringWidth(counts) > m.layout.Width {
		counts = "  " + thousands(m.stats.Total) + " events · " + thousands(m.stats.Rejected) + " rej · " +
			strings.Replace(dropped, "dropped", "drop", 1) + " "
	}
	return spread(left, counts, m.layout.Width)
}

// noticeView is the last notice or error, shown until it expires.
func (m *Model) noticeView() string {
	if m.notice == "" {
		return ""
	}
	n := clean(m.notice)
	if w := m.layout.Width - 4; ansi.StringWidth(n) > w {
		n = ansi.Truncate(n, w, "…")
	}
	if m.noticeErr {
		return m.theme.Error.Render("✗ "+n) + " "
	}
	return m.theme.Accent.Render(n) + " "
}

// helpView is the help overlay: every binding of the current view.
func (m *Model) helpView() []string {
	th := m.theme
	groups := m.keys.groups(m.tab, m.conns.welcome())
	render := func(gs []bindingGroup) []string {
		var out []string
		for i, g := range gs {
			if i > 0 {
				out = append(out, "")
			}
			out = append(out, th.Title.Render(g.Title))
			for _, b := range g.Bindings {
				out = append(out, th.Key.Render(fit(b.Help().Key, 10))+" "+b.Help().Desc)
			}
		}
		return out
	}
	left, right := render(groups[:len(groups)-1]), render(groups[len(groups)-1:])
	colW := 34
	rows := max(len(left), len(right))
	lines := make([]string, rows)
	for i := range lines {
		var a, b string
		if i < len(left) {
			a = left[i]
		}
		if i < len(right) {
			b = right[i]
		}
		lines[i] = " " + fit(a, colW) + "  " + fit(b, colW)
	}
	w := 2*colW + 5
	h := min(rows+2, m.layout.Body.H)
	return box(th, w, h, "Help · "+tabNames[m.tab], th.Muted.Render("? or esc closes"), lines, true)
}

// paletteView is the command palette.
func (m *Model) paletteView() []string {
	th := m.theme
	w := min(64, m.layout.Width-4)
	p := &m.palette
	p.input.SetWidth(w - 6)
	lines := []string{p.input.View(), ""}
	rows := min(len(p.all), m.layout.Body.H-5)
	first := max(p.selected-rows+1, 0)
	for i := first; i < len(p.matches) && i < first+rows; i++ {
		c := p.matches[i]
		line := spread(" "+c.name, th.Muted.Render(c.binding.Help().Key)+" ", w-3)
		if i == p.selected {
			line = th.Selected.Render("▶" + ansi.Strip(line))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	if len(p.matches) == 0 {
		lines = append(lines, th.Muted.Render(" no command matches"))
	}
	for len(lines) < rows+2 {
		lines = append(lines, "")
	}
	return box(th, w, len(lines)+2, "Commands", th.Muted.Render("esc closes"), lines, true)
}

// confirmView is the yes/no question.
func (m *Model) confirmView() []string {
	th := m.theme
	q := m.confirm.question
	w := min(max(ansi.StringWidth(q)+6, 40), m.layout.Width-4)
	lines := []string{"", " " + q, "", " " + th.Key.Render("y") + " yes   " + th.Key.Render("n") + " no", ""}
	return box(th, w, len(lines)+2, "Confirm", "", lines, true)
}
