package tui

import (
	"context"
	"io"
	"log/slog"
	"reflect"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/pages/actions"
	"github.com/iwb-dev/iwb/tui/pages/connections"
	"github.com/iwb-dev/iwb/tui/pages/events"
	"github.com/iwb-dev/iwb/tui/pages/recipes"
	"github.com/iwb-dev/iwb/tui/pages/triggers"
	"github.com/iwb-dev/iwb/tui/style"
)

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
// last batch, and the subscription's dropped count so far.
type EventsMsg = page.EventsMsg

// Messages of the root model's own commands.
type (
	statsMsg struct {
		stats events.Stats
		err   error
	}
	noticeExpiredMsg struct{ id int }
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

// Model is the workbench: the only tea.Model. Pages are plain structs it
// calls; every read or write of the outside world runs in a tea.Cmd.
type Model struct {
	deps    Deps
	log     *slog.Logger
	keys    page.Keys
	tabKeys []key.Binding
	theme   style.Theme
	noColor bool
	layout  Layout

	pages   []page.Page // in the tab bar's order
	tab     int
	overlay overlay
	confirm *confirmation
	palette palette
	form    *page.Form // the one form slot

	stats        page.StatsMsg
	statsLoading bool
	defaultConn  string // the keystore's default connection, as the status bar names it

	notice    string
	noticeErr bool
	noticeID  int
	// noticeFixed says the notice's cause is gone (nil: it only expires).
	noticeFixed func() bool
	startDemo   bool
	quitting    bool

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
	k := page.DefaultKeys()
	th := style.NewTheme(true, deps.NoColor)
	m := &Model{deps: deps, log: log, keys: k, noColor: deps.NoColor, theme: th, tick: tea.Tick}
	trig, sch := triggers.New(triggers.Deps{Store: deps.Store, Listener: deps.Listener, Client: deps.Client, SetupWebhook: deps.SetupWebhook,
		ListenerURL: deps.ListenerURL, Demo: deps.Demo, Now: deps.Now, Log: log}, k, th)
	var rs events.Recipes
	if deps.Recipes != nil {
		rs = deps.Recipes
	}
	m.pages = []page.Page{
		events.New(deps.Events, deps.Replay, rs, k, th),
		actions.New(deps.Client, deps.History, m.connectionLabel(), k, th, deps.Now),
		trig, sch,
		connections.New(deps.Connections, k, th, deps.Demo, deps.Now),
		recipes.New(recipes.Deps{Recipes: deps.Recipes, Events: deps.Store, Client: deps.Client}, k, th, deps.Now),
	}
	for i, p := range m.pages {
		n := string(rune('1' + i))
		m.tabKeys = append(m.tabKeys, page.Bind([]string{n}, n, p.Title()))
	}
	m.palette = newPalette(m.commands())
	m.resize(Compute(MinWidth, MinHeight))
	return m
}

// Init asks the terminal for its background and reads the first pages.
func (m *Model) Init() tea.Cmd {
	cmds := []tea.Cmd{tea.RequestBackgroundColor, m.loadStats()}
	for _, p := range m.pages {
		cmds = append(cmds, p.Init())
	}
	return tea.Batch(cmds...)
}

// current is the page in view.
func (m *Model) current() page.Page { return m.pages[m.tab] }

// formHere says the slot's form belongs to the page in view: it has the keys.
func (m *Model) formHere() bool { return m.form != nil && m.form.Tab() == m.current().Title() }

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
	if m.formHere() {
		return ModeForm
	}
	switch m.current().Focus() {
	case page.FocusForm:
		return ModeForm
	case page.FocusFilter:
		return ModeFilter
	}
	return ModeNormal
}

// Tab is the index of the open tab (0 Events … 4 Connections).
func (m *Model) Tab() int { return m.tab }

// StartDemo says the user chose the demo on the welcome screen.
func (m *Model) StartDemo() bool { return m.startDemo }

// broadcast hands msg to every page.
func (m *Model) broadcast(msg tea.Msg) tea.Cmd {
	cmds := make([]tea.Cmd, 0, len(m.pages))
	for _, p := range m.pages {
		cmds = append(cmds, p.Update(msg))
	}
	return tea.Batch(cmds...)
}

func (m *Model) resize(l Layout) {
	m.layout = l
	m.broadcast(page.ResizeMsg{Area: l.Area})
	if m.form != nil && !m.form.Inline {
		m.form.Huh.WithWidth(m.formWidth())
	}
}

func (m *Model) formWidth() int { return max(m.layout.Body.W-4, 20) }

// Update takes one message; it never blocks.
func (m *Model) Update(msg tea.Msg) (tea.Model, tea.Cmd) {
	defer m.dropFixedNotice()
	switch msg := msg.(type) {
	case tea.WindowSizeMsg:
		m.resize(Compute(msg.Width, msg.Height))
		return m, nil
	case tea.BackgroundColorMsg:
		m.theme = style.NewTheme(msg.IsDark(), m.noColor)
		m.palette.input.SetStyles(style.InputStyles(msg.IsDark()))
		return m, m.broadcast(msg)
	case tea.KeyPressMsg:
		return m, m.key(msg)
	case tea.PasteMsg:
		return m, m.paste(msg)
	case tea.MouseWheelMsg:
		return m, m.wheel(msg)
	case page.WaitMsg:
		return m, msg.Cmd
	case EventsMsg:
		m.stats.Dropped = msg.Dropped
		return m, tea.Batch(m.broadcast(msg), m.broadcast(m.stats), m.loadStats())
	case statsMsg:
		m.statsLoading = false
		if msg.err != nil {
			m.log.Warn("reading event stats", "err", msg.err)
			return m, nil
		}
		m.stats.Total, m.stats.Rejected = msg.stats.Total, msg.stats.Rejected
		m.stats.Bytes, m.stats.MaxBytes = msg.stats.Bytes, msg.stats.MaxBytes
		return m, m.broadcast(m.stats)
	case noticeExpiredMsg:
		if msg.id == m.noticeID {
			m.notice, m.noticeErr, m.noticeFixed = "", false, nil
		}
		return m, nil
	}
	if cmd, ok := m.pageMsg(msg); ok {
		return m, cmd
	}
	cmd := m.broadcast(msg)
	if m.form != nil && !ours(msg) {
		// A form's own messages (its steps, cursor blinks) carry no form
		// id: with one slot there is only one form to take them. The
		// pages' results never reach it.
		_, fcmd := m.form.Huh.Update(msg)
		cmd = tea.Batch(cmd, page.Wait(fcmd))
	}
	return m, cmd
}

// ours says msg is a type of this module (a page's command result), not one
// of the libraries' (a form's step, a cursor's blink).
func ours(msg tea.Msg) bool {
	t := reflect.TypeOf(msg)
	for t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t != nil && strings.HasPrefix(t.PkgPath(), "github.com/iwb-dev/iwb/")
}

// pageMsg takes the messages pages send the root.
func (m *Model) pageMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case page.NoticeMsg:
		if msg.Err {
			m.log.Error("workbench", "err", msg.Text)
		}
		cmd := m.setNotice(msg.Text, msg.Err)
		m.noticeFixed = msg.Fixed
		return cmd, true
	case page.AskMsg:
		m.ask(msg.Question, msg.Yes)
		return nil, true
	case page.GotoMsg:
		return m.show(msg.Tab), true
	case page.StartDemoMsg:
		m.startDemo = true
		return m.quit(), true
	case page.DefaultConnMsg:
		before := m.connectionLabel()
		m.defaultConn = msg.Label
		if label := m.connectionLabel(); label != before {
			return m.broadcast(page.ConnLabelMsg{Label: label}), true
		}
		return nil, true
	case page.CopiedMsg:
		if msg.Err != nil {
			// OSC 52 was sent as well; many terminals take that alone.
			m.log.Debug("native clipboard unavailable", "err", msg.Err)
		}
		return nil, true
	case page.OpenFormMsg:
		return m.openForm(msg.Form), true
	case page.CloseFormMsg:
		if m.form == msg.Form {
			m.form = nil
		}
		return nil, true
	case page.FormDoneMsg:
		if m.form != msg.Form {
			return nil, true
		}
		m.form = nil
		return msg.Form.Submit(), true
	case page.FormCancelMsg:
		m.closeForm(msg.Form)
		return nil, true
	}
	return nil, false
}

// openForm puts f into the slot, for the page in view. A form of another
// tab that holds input is kept: the user finishes or cancels it first.
func (m *Model) openForm(f *page.Form) tea.Cmd {
	if old := m.form; old != nil && old != f {
		if old.Dirty() {
			if f.Closed != nil {
				f.Closed() // the page forgets the form it could not open
			}
			return m.setNotice("finish or cancel "+old.Title+" on the "+old.Tab()+" tab first", false)
		}
		m.closeForm(old)
	}
	f.SetTab(m.current().Title())
	if !f.Inline {
		f.Huh.WithWidth(m.formWidth())
		// huh sized its groups for 80 columns when they were built: a
		// size message makes it measure them again at this width, so a
		// description that wraps here does not push the field out of view.
		f.Huh.Update(tea.WindowSizeMsg{Width: m.formWidth(), Height: max(m.layout.Body.H-2, 5)})
	}
	m.form = f
	return page.Wait(f.Huh.Init())
}

// closeForm empties the slot of f without completing it.
func (m *Model) closeForm(f *page.Form) {
	if m.form != f {
		return
	}
	m.form = nil
	if f.Closed != nil {
		f.Closed()
	}
}

// show brings the tab of that title into view.
func (m *Model) show(title string) tea.Cmd {
	for i, p := range m.pages {
		if p.Title() == title {
			m.tab = i
			return m.broadcast(page.ShownMsg{Tab: title})
		}
	}
	return nil
}

func (m *Model) quit() tea.Cmd {
	m.quitting = true
	return tea.Quit
}

// quitAsking quits, asking first when a page or the form holds input.
func (m *Model) quitAsking() tea.Cmd {
	for _, p := range m.pages {
		if q := p.Unsaved(); q != "" {
			m.ask(q, m.quit)
			return nil
		}
	}
	if f := m.form; f != nil && f.Dirty() {
		m.ask(f.Quit, m.quit)
		return nil
	}
	return m.quit()
}

// ask opens a yes/no question.
func (m *Model) ask(q string, yes func() tea.Cmd) {
	m.confirm = &confirmation{question: q, yes: yes}
	m.overlay = overlayConfirm
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

// dropFixedNotice takes the notice down once its cause is gone.
func (m *Model) dropFixedNotice() {
	if m.noticeFixed != nil && m.noticeFixed() {
		m.notice, m.noticeErr, m.noticeFixed = "", false, nil
	}
}

// setNotice shows a message in the status bar for a few seconds.
func (m *Model) setNotice(s string, isErr bool) tea.Cmd {
	m.noticeID++
	m.noticeFixed = nil
	m.notice, m.noticeErr = s, isErr
	id := m.noticeID
	return page.Wait(m.tick(noticeFor, func(time.Time) tea.Msg { return noticeExpiredMsg{id} }))
}

// connectionLabel names the connection in use.
func (m *Model) connectionLabel() string {
	switch {
	case m.deps.Demo:
		return "demo"
	case m.deps.Connection != "":
		return termtext.Line(m.deps.Connection)
	case m.defaultConn != "":
		return m.defaultConn
	}
	return "no connection"
}
