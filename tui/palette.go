package tui

import (
	"sort"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// command is one line of the palette: a page's command, run on its tab, or
// one of the root's own (tab "").
type command struct {
	page.Command
	tab string
}

// commands are the root's and every page's, in the tab bar's order: the
// palette finds each by name, and runs the same code as its key.
func (m *Model) commands() []command {
	k := m.keys
	var out []command
	for i, p := range m.pages {
		title := p.Title()
		out = append(out, command{Command: page.Command{Name: "Go to " + title, Key: m.tabKeys[i],
			Run: func() tea.Cmd { return m.show(title) }}})
	}
	out = append(out, command{Command: page.Command{Name: "Filter the list", Key: k.Filter, Run: m.filter}})
	for _, p := range m.pages {
		for _, c := range p.Commands() {
			out = append(out, command{Command: c, tab: p.Title()})
		}
	}
	return append(out,
		command{Command: page.Command{Name: "Show help", Key: k.Help, Run: func() tea.Cmd { m.overlay = overlayHelp; return nil }}},
		command{Command: page.Command{Name: "Quit", Key: k.Quit, Run: m.quitAsking}})
}

// palette is the ctrl+k command finder.
type palette struct {
	input    textinput.Model
	all      []command
	matches  []command
	selected int
}

func newPalette(all []command) palette {
	ti := textinput.New()
	ti.Prompt = "› "
	ti.Placeholder = "type a command"
	ti.SetStyles(style.InputStyles(true))
	p := palette{input: ti, all: all}
	p.refilter()
	return p
}

// refilter ranks the commands against the typed text.
func (p *palette) refilter() {
	q := p.input.Value()
	type scored struct {
		c     command
		score int
	}
	var found []scored
	for i, c := range p.all {
		if s, ok := matchScore(q, c.Name); ok {
			found = append(found, scored{c, s*100 + i})
		}
	}
	sort.SliceStable(found, func(a, b int) bool { return found[a].score < found[b].score })
	p.matches = p.matches[:0]
	for _, f := range found {
		p.matches = append(p.matches, f.c)
	}
	p.selected = 0
}

func (p *palette) move(n int) {
	if len(p.matches) == 0 {
		return
	}
	p.selected = (p.selected + n + len(p.matches)) % len(p.matches)
}

func (p *palette) chosen() (command, bool) {
	if p.selected >= len(p.matches) {
		return command{}, false
	}
	return p.matches[p.selected], true
}

// matchScore finds query in name, case-insensitively: a substring match
// ranks by where it starts (word starts first), otherwise the letters must
// appear in order (fuzzy) and rank after every substring match. Lower is
// better.
func matchScore(query, name string) (int, bool) {
	q := strings.ToLower(strings.TrimSpace(query))
	n := strings.ToLower(name)
	if q == "" {
		return 0, true
	}
	if i := strings.Index(n, q); i >= 0 {
		if i == 0 || n[i-1] == ' ' {
			return i, true
		}
		return 100 + i, true
	}
	pos, gaps := 0, 0
	for _, r := range q {
		if unicode.IsSpace(r) {
			continue
		}
		j := strings.IndexRune(n[pos:], r)
		if j < 0 {
			return 0, false
		}
		gaps += j
		pos += j + len(string(r))
	}
	return 1000 + gaps, true
}
