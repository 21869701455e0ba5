package tui

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// connsPage is the Connections tab: the keystore's connections with their
// test results, and the add form when open.
type connsPage struct {
	store   Connections
	conns   []Connection
	filter  textinput.Model // narrows the list by name
	loaded  bool
	err     error
	cursor  int
	tests   map[string]testResult
	form    *huh.Form
	values  *connFormValues
	opened  connFormValues // the values as the form opened
	testing string         // the connection being tested
}

// testResult is the last test of one connection.
type testResult struct {
	err error
	at  time.Time
}

// connFormValues are the add form's fields; huh writes into them.
type connFormValues struct {
	name, region, key string
}

// Messages of the Connections tab's commands.
type (
	connsLoadedMsg struct {
		conns []Connection
		err   error
	}
	connDoneMsg struct { // an add, use or remove finished
		what string // the notice to show on success
		err  error
	}
	connTestedMsg struct {
		name string
		err  error
	}
	formSubmittedMsg struct{}
	formCancelledMsg struct{}
)

func newConnsPage(store Connections) connsPage {
	fi := newFilterInput()
	fi.Placeholder = "part of a name"
	return connsPage{store: store, tests: map[string]testResult{}, filter: fi}
}

// shown are the connections the filter lets through; the cursor indexes it.
func (p *connsPage) shown() []Connection {
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
func (p *connsPage) welcome() bool {
	return p.loaded && len(p.conns) == 0 && p.err == nil
}

func (p *connsPage) selected() (Connection, bool) {
	shown := p.shown()
	if p.cursor < 0 || p.cursor >= len(shown) {
		return Connection{}, false
	}
	return shown[p.cursor], true
}

func (p *connsPage) load() tea.Cmd {
	if p.store == nil {
		return nil
	}
	store := p.store
	return func() tea.Msg {
		conns, err := store.List(context.Background())
		return connsLoadedMsg{conns, err}
	}
}

func (p *connsPage) loadedMsg(msg connsLoadedMsg) {
	p.loaded = true
	p.err = msg.err
	if msg.err == nil {
		p.conns = msg.conns
	}
	p.move(0)
}

func (p *connsPage) move(n int) {
	p.cursor = max(min(p.cursor+n, len(p.shown())-1), 0)
}

// openForm starts a fresh add form (huh forms are single use).
func (p *connsPage) openForm(th Theme, w int) tea.Cmd {
	v := &connFormValues{region: "us"}
	p.values = v
	f := huh.NewForm(huh.NewGroup(
		huh.NewInput().Title("Name").Description("how you will call it, e.g. acme-prod").
			Value(&v.name).Validate(validateConnName),
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
	)).WithShowHelp(false).WithTheme(formTheme(th)).WithWidth(max(w, 20))
	f.SubmitCmd = func() tea.Msg { return formSubmittedMsg{} }
	f.CancelCmd = func() tea.Msg { return formCancelledMsg{} }
	p.form, p.opened = f, *v
	return f.Init()
}

// validateConnName accepts names usable on the command line.
func validateConnName(s string) error {
	switch {
	case s == "":
		return errors.New("give the connection a name")
	case strings.ContainsAny(s, " \t/\\"):
		return errors.New("a name has no spaces or slashes")
	}
	return nil
}

// dirty says the open form holds input that quitting would lose.
func (p *connsPage) dirty() bool {
	return p.form != nil && p.values != nil && *p.values != p.opened
}

func (p *connsPage) closeForm() {
	p.form, p.values = nil, nil
}

// submit adds the connection of the completed form.
func (p *connsPage) submit() tea.Cmd {
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
		return connDoneMsg{what: "added " + v.name, err: err}
	}
}

func (p *connsPage) test(name string) tea.Cmd {
	if p.store == nil {
		return nil
	}
	p.testing = name
	store := p.store
	return func() tea.Msg {
		return connTestedMsg{name, store.Test(context.Background(), name)}
	}
}

func (p *connsPage) use(name string) tea.Cmd {
	store := p.store
	return func() tea.Msg {
		err := store.Use(context.Background(), name)
		if err != nil {
			err = fmt.Errorf("making %s the default: %w", name, err)
		}
		return connDoneMsg{what: name + " is the default", err: err}
	}
}

func (p *connsPage) remove(name string) tea.Cmd {
	store := p.store
	return func() tea.Msg {
		err := store.Remove(context.Background(), name)
		if err != nil {
			err = fmt.Errorf("removing %s: %w", name, err)
		}
		return connDoneMsg{what: "removed " + name, err: err}
	}
}

// view draws the tab into the whole body.
func (p *connsPage) view(th Theme, b Rect, demo, filtering bool) []string {
	if p.form != nil {
		lines := strings.Split(p.form.View(), "\n")
		return box(th, b.W, b.H, "Add connection", th.Muted.Render("esc cancel"), lines, true)
	}
	if p.welcome() {
		return box(th, b.W, b.H, "Welcome to iwb", "", welcomeLines(th, demo, b.W-2), true)
	}
	var lines []string
	switch {
	case p.store == nil:
		lines = []string{th.Muted.Render("No keystore in this session.")}
	case p.err != nil:
		lines = []string{th.Error.Render("Could not read the connections: " + clean(p.err.Error()))}
	case !p.loaded:
		lines = []string{th.Muted.Render("Reading the connections…")}
	}
	nameW := 4
	for _, c := range p.conns {
		nameW = max(nameW, len([]rune(c.Name)))
	}
	nameW = min(nameW, 24)
	shown := p.shown()
	if len(p.conns) > 0 {
		lines = append(lines, th.Muted.Render(fit("  "+fit("NAME", nameW)+"  REGION  KEY", b.W-2)))
	}
	if len(p.conns) > 0 && len(shown) == 0 {
		lines = append(lines, th.Muted.Render("  No connection matches the filter; esc clears it."))
	}
	for i, c := range shown {
		mark := " "
		if c.Default {
			mark = th.Accent.Render("★")
		}
		line := " " + fit(clean(c.Name), nameW) + "  " + fit(clean(c.Region), 6) + "  " +
			fit(clean(c.MaskedKey), 18) + " " + mark + " " + p.testText(th, c.Name)
		if i == p.cursor {
			line = th.Selected.Render("▶" + fit(line, b.W-3))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	right := ""
	if len(p.conns) > 0 {
		right = th.Muted.Render(fmt.Sprintf("%d · ★ default", len(p.conns)))
	}
	// The filter line sits on the last row inside the border.
	for len(lines) < b.H-3 {
		lines = append(lines, "")
	}
	switch {
	case filtering:
		p.filter.SetWidth(b.W - 5)
		lines = append(lines[:b.H-3], p.filter.View())
	case p.filter.Value() != "":
		lines = append(lines[:b.H-3], th.Accent.Render("/"+clean(p.filter.Value())))
	}
	return box(th, b.W, b.H, "Connections", right, lines, true)
}

// testText is the last test result of a connection.
func (p *connsPage) testText(th Theme, name string) string {
	if p.testing == name {
		return th.Muted.Render("testing…")
	}
	r, ok := p.tests[name]
	switch {
	case !ok:
		return th.Muted.Render("not tested")
	case r.err != nil:
		return th.Error.Render("✗ " + clean(r.err.Error()))
	}
	return th.OK.Render("✓ key accepted " + r.at.Format("15:04"))
}

// welcomeLines greet a user with no connection.
func welcomeLines(th Theme, demo bool, w int) []string {
	lines := []string{
		"",
		th.Title.Render("  No connection yet."),
		"",
		"  iwb keeps each Iterable project as a named connection; its API key lives",
		"  in your OS keyring and is only ever shown masked.",
		"",
		"  " + th.Key.Render("a") + "  add a connection (name, region, API key)",
	}
	if !demo {
		lines = append(lines, "  "+th.Key.Render("d")+"  start the demo: a built-in sandbox with live webhooks, no account needed")
	}
	for i, l := range lines {
		lines[i] = fit(l, w)
	}
	return lines
}
