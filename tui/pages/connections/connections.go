// Package connections is the Connections tab: the keystore's named
// connections with their test results, the add form, and the welcome shown
// when there is none yet.
package connections

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// Title is the tab's name.
const Title = "Connections"

// Connection is one named connection as the tab shows it. The key is only
// ever seen masked.
type Connection struct {
	Name      string
	Region    string // "us" or "eu"
	BaseURL   string // empty for the region's default host
	MaskedKey string // e.g. ••••••••••••3f2a
	Default   bool
}

// Store is the keystore as the tab uses it.
type Store interface {
	List(ctx context.Context) ([]Connection, error)
	Add(ctx context.Context, name, region, key string) error
	Remove(ctx context.Context, name string) error
	Use(ctx context.Context, name string) error
	// Test checks the key against the API; nil means it was accepted.
	Test(ctx context.Context, name string) error
}

// Keys are the tab's bindings beside the shared ones.
type Keys struct {
	page.Keys
	Add, Test, Use, Remove, StartDemo key.Binding
}

// DefaultKeys are the tab's bindings.
func DefaultKeys(k page.Keys) Keys {
	b := page.Bind
	return Keys{Keys: k,
		Add:       b([]string{"a"}, "a", "add"),
		Test:      b([]string{"t"}, "t", "test"),
		Use:       b([]string{"u"}, "u", "default"),
		Remove:    b([]string{"x", "delete"}, "x", "remove"),
		StartDemo: b([]string{"d"}, "d", "demo"),
	}
}

// Page is the Connections tab.
type Page struct {
	store     Store
	keys      Keys
	th        style.Theme
	area      page.Area
	demo      bool
	now       func() time.Time
	conns     []Connection
	filter    textinput.Model // narrows the list by name
	filtering bool
	loaded    bool
	first     bool // the first read is still to come
	err       error
	cursor    int
	tests     map[string]testResult
	form      *page.Form // the add form while it is open
	values    *formValues
	testing   string // the connection being tested
}

// testResult is the last test of one connection.
type testResult struct {
	err error
	at  time.Time
}

// formValues are the add form's fields; huh writes into them.
type formValues struct {
	name, region, key string
}

// Messages of the tab's commands.
type (
	loadedMsg struct {
		conns []Connection
		err   error
	}
	doneMsg struct { // an add, use or remove finished
		what string // the notice to show on success
		err  error
	}
	testedMsg struct {
		name string
		err  error
	}
)

// New is the tab on store (nil: no keystore in this session); demo says the
// session runs on the built-in sandbox.
func New(store Store, keys page.Keys, th style.Theme, demo bool, now func() time.Time) *Page {
	fi := page.NewFilterInput(style.InputStyles(th.Dark))
	fi.Placeholder = "part of a name"
	return &Page{store: store, keys: DefaultKeys(keys), th: th, demo: demo, now: now, first: true,
		tests: map[string]testResult{}, filter: fi}
}

func (p *Page) Title() string { return Title }

func (p *Page) Init() tea.Cmd { return p.load() }

// shown are the connections the filter lets through; the cursor indexes it.
func (p *Page) shown() []Connection {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	if q == "" {
		return p.conns
	}
	var out []Connection
	for _, c := range p.conns {
		if strings.Contains(strings.ToLower(c.Name), q) {
			out = append(out, c)
		}
	}
	return out
}

// welcome is true when there is no connection at all: the tab then offers to
// add one or to start the demo.
func (p *Page) welcome() bool {
	return p.loaded && len(p.conns) == 0 && p.err == nil
}

func (p *Page) selected() (Connection, bool) {
	shown := p.shown()
	if p.cursor < 0 || p.cursor >= len(shown) {
		return Connection{}, false
	}
	return shown[p.cursor], true
}

func (p *Page) load() tea.Cmd {
	if p.store == nil {
		return nil
	}
	store := p.store
	return func() tea.Msg {
		conns, err := store.List(context.Background())
		return loadedMsg{conns, err}
	}
}

func (p *Page) move(n int) {
	p.cursor = max(min(p.cursor+n, len(p.shown())-1), 0)
}

// defaultLabel names the default connection, "" when there is none.
func (p *Page) defaultLabel() string {
	for _, c := range p.conns {
		if c.Default {
			return termtext.Line(c.Name) + " (" + termtext.Line(c.Region) + ")"
		}
	}
	return ""
}

// Update takes the tab's command results.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case page.ResizeMsg:
		p.area = msg.Area
	case tea.BackgroundColorMsg:
		p.th = style.NewTheme(msg.IsDark(), p.th.NoColor)
		p.filter.SetStyles(style.InputStyles(msg.IsDark()))
	case loadedMsg:
		p.loaded = true
		p.err = msg.err
		if msg.err == nil {
			p.conns = msg.conns
		}
		p.move(0)
		cmds := []tea.Cmd{page.Send(page.DefaultConnMsg{Label: p.defaultLabel()})}
		if p.first {
			p.first = false
			if p.welcome() && !p.demo {
				cmds = append(cmds, page.Goto(Title))
			}
		}
		if msg.err != nil {
			cmds = append(cmds, page.Error(fmt.Errorf("reading connections: %w", msg.err)))
		}
		return tea.Batch(cmds...)
	case doneMsg:
		if msg.err != nil {
			return tea.Batch(page.Error(msg.err), p.load())
		}
		return tea.Batch(page.Notice(msg.what), p.load())
	case testedMsg:
		p.testing = ""
		p.tests[msg.name] = testResult{err: msg.err, at: p.now()}
		if msg.err != nil {
			return page.Error(fmt.Errorf("testing %s: %w", msg.name, msg.err))
		}
		return page.Notice(msg.name + ": key accepted")
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
	if p.form != nil {
		return nil, false
	}
	p.filtering = true
	return page.Wait(p.filter.Focus()), true
}

// Key handles the tab's keys.
func (p *Page) Key(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	if p.filtering {
		return page.FilterKey(k.Keys, msg, &p.filter, &p.filtering, p.refilter)
	}
	switch {
	case page.Matches(msg, k.Filter):
		cmd, _ := p.StartFilter()
		return cmd
	case page.Matches(msg, k.Back) && p.filter.Value() != "":
		p.filter.SetValue("")
		p.move(0)
	case page.Matches(msg, k.Up):
		p.move(-1)
	case page.Matches(msg, k.Down):
		p.move(1)
	case page.Matches(msg, k.Top):
		p.cursor = 0
	case page.Matches(msg, k.Bottom):
		p.move(len(p.conns))
	case page.Matches(msg, k.Add):
		return p.add()
	case page.Matches(msg, k.Test):
		return p.test()
	case page.Matches(msg, k.Use):
		return p.use()
	case page.Matches(msg, k.Remove):
		return p.remove()
	case page.Matches(msg, k.StartDemo) && p.welcome() && !p.demo:
		return p.startDemo()
	}
	return nil
}

// Paste goes to the filter line while it is typed.
func (p *Page) Paste(msg tea.PasteMsg) tea.Cmd {
	if !p.filtering {
		return nil
	}
	return page.FilterPaste(msg, &p.filter, p.refilter)
}

// Wheel moves the cursor a row per wheel step.
func (p *Page) Wheel(_, _, n int) tea.Cmd {
	p.move(n / 3)
	return nil
}

// Commands are the tab's palette rows.
func (p *Page) Commands() []page.Command {
	k := p.keys
	return []page.Command{
		{Name: "Add a connection", Key: k.Add, Run: p.add},
		{Name: "Test the connection", Key: k.Test, Run: p.test},
		{Name: "Make the connection the default", Key: k.Use, Run: p.use},
		{Name: "Remove the connection", Key: k.Remove, Run: p.remove},
		{Name: "Start the demo", Key: k.StartDemo, Run: p.startDemo},
	}
}

// Help is the tab's bindings.
func (p *Page) Help() []page.Group {
	k := p.keys
	if p.welcome() {
		return []page.Group{{Title: "Welcome", Bindings: []key.Binding{k.Add, k.StartDemo}}}
	}
	return []page.Group{{Title: "Connections", Bindings: []key.Binding{k.Add, k.Test, k.Use, k.Remove}}, k.ListGroup()}
}

// Hints are the tab's few keys.
func (p *Page) Hints() []page.Hint {
	k := p.keys
	if p.filtering {
		return page.FilterHints()
	}
	if p.welcome() {
		return page.HintsOf(k.Add, k.StartDemo, k.Help)
	}
	return page.HintsOf(k.Add, k.Test, k.Use, k.Remove, k.Filter, k.Palette, k.Help)
}

// Unsaved is nothing: the add form's input is the form slot's to ask about.
func (p *Page) Unsaved() string { return "" }

// startDemo ends the workbench so that the caller starts the demo.
func (p *Page) startDemo() tea.Cmd {
	if p.demo {
		return page.Notice("this is the demo already")
	}
	return page.Send(page.StartDemoMsg{})
}

// add opens a fresh add form (huh forms are single use).
func (p *Page) add() tea.Cmd {
	if p.store == nil {
		return page.Notice("no keystore in this session")
	}
	if p.form != nil {
		return nil
	}
	v := &formValues{region: "us"}
	p.values = v
	f := page.NewForm("Add connection", style.FormTheme(p.th), p.area.Body.W-4, p.submit, func() any { return *v },
		huh.NewGroup(
			huh.NewInput().Title("Name").Description("how you will call it, e.g. acme-prod").
				Value(&v.name).Validate(validateName),
			huh.NewSelect[string]().Title("Region").
				Options(huh.NewOption("US  api.iterable.com", "us"), huh.NewOption("EU  api.eu.iterable.com", "eu")).
				Value(&v.region),
			huh.NewInput().Title("API key").Description("kept in the OS keyring, shown only masked").
				EchoMode(huh.EchoModePassword).Value(&v.key).Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("paste the project's server-side API key")
				}
				return nil
			}),
		))
	f.Footer = "esc cancel"
	f.Discard = "Discard the new connection?"
	f.Quit = "Quit and lose the connection you were adding?"
	f.Closed = p.closeForm
	p.form = f
	return f.Open()
}

// validateName accepts names usable on the command line.
func validateName(s string) error {
	switch {
	case s == "":
		return errors.New("give the connection a name")
	case strings.ContainsAny(s, " \t/\\"):
		return errors.New("a name has no spaces or slashes")
	}
	return nil
}

func (p *Page) closeForm() {
	p.form, p.values = nil, nil
}

// submit adds the connection of the completed form.
func (p *Page) submit() tea.Cmd {
	v := p.values
	p.closeForm()
	if p.store == nil || v == nil {
		return nil
	}
	store := p.store
	return func() tea.Msg {
		err := store.Add(context.Background(), v.name, v.region, v.key)
		if err != nil {
			err = fmt.Errorf("adding %s: %w", v.name, err)
		}
		return doneMsg{what: "added " + v.name, err: err}
	}
}

// chosen is the selected connection, or the notice that there is none.
func (p *Page) chosen() (Connection, tea.Cmd) {
	if p.store == nil {
		return Connection{}, page.Notice("no keystore in this session")
	}
	c, ok := p.selected()
	if !ok {
		return c, page.Notice("no connection selected: a adds one")
	}
	return c, nil
}

func (p *Page) test() tea.Cmd {
	c, cmd := p.chosen()
	if cmd != nil {
		return cmd
	}
	p.testing = c.Name
	store := p.store
	return func() tea.Msg {
		return testedMsg{c.Name, store.Test(context.Background(), c.Name)}
	}
}

func (p *Page) use() tea.Cmd {
	c, cmd := p.chosen()
	if cmd != nil {
		return cmd
	}
	if c.Default {
		return page.Notice(c.Name + " is already the default")
	}
	store := p.store
	return func() tea.Msg {
		err := store.Use(context.Background(), c.Name)
		if err != nil {
			err = fmt.Errorf("making %s the default: %w", c.Name, err)
		}
		return doneMsg{what: c.Name + " is the default", err: err}
	}
}

func (p *Page) remove() tea.Cmd {
	c, cmd := p.chosen()
	if cmd != nil {
		return cmd
	}
	store := p.store
	return page.Ask(fmt.Sprintf("Remove the connection %s and its key from the keyring?", c.Name), func() tea.Cmd {
		return func() tea.Msg {
			err := store.Remove(context.Background(), c.Name)
			if err != nil {
				err = fmt.Errorf("removing %s: %w", c.Name, err)
			}
			return doneMsg{what: "removed " + c.Name, err: err}
		}
	})
}

// refilter keeps the cursor in the list the filter lets through.
func (p *Page) refilter() tea.Cmd {
	p.move(0)
	return nil
}
