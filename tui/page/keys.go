package page

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Keys are the bindings every page shares: moving in lists, opening,
// going back, filtering, and the global keys the root handles. A page keeps
// its own bindings beside these, so one KeyMap per page feeds its key
// handling, its hints, its help and its palette rows.
type Keys struct {
	NextPane  key.Binding
	PrevPane  key.Binding
	Help      key.Binding
	Filter    key.Binding
	Palette   key.Binding
	Open      key.Binding
	Back      key.Binding
	Quit      key.Binding
	ForceQuit key.Binding

	Up, Down, PageUp, PageDown, Top, Bottom key.Binding

	Yes, No key.Binding
}

// Bind is a binding of keys, shown as help with desc.
func Bind(keys []string, help, desc string) key.Binding {
	return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
}

// DefaultKeys are the shared bindings.
func DefaultKeys() Keys {
	b := Bind
	return Keys{
		NextPane:  b([]string{"tab"}, "tab", "next pane or field"),
		PrevPane:  b([]string{"shift+tab"}, "shift+tab", "previous pane or field"),
		Help:      b([]string{"?"}, "?", "help"),
		Filter:    b([]string{"/"}, "/", "filter"),
		Palette:   b([]string{"ctrl+k"}, "ctrl+k", "commands"),
		Open:      b([]string{"enter"}, "enter", "open"),
		Back:      b([]string{"esc"}, "esc", "back, clear filter"),
		Quit:      b([]string{"q"}, "q", "quit"),
		ForceQuit: b([]string{"ctrl+c"}, "ctrl+c", "quit now"),

		Up:       b([]string{"up", "k"}, "↑/k", "up"),
		Down:     b([]string{"down", "j"}, "↓/j", "down"),
		PageUp:   b([]string{"pgup", "ctrl+u"}, "pgup", "page up"),
		PageDown: b([]string{"pgdown", "ctrl+d"}, "pgdn", "page down"),
		Top:      b([]string{"home", "g"}, "home/g", "oldest"),
		Bottom:   b([]string{"end", "G"}, "end/G", "newest"),

		Yes: b([]string{"y", "enter"}, "y", "yes"),
		No:  b([]string{"n", "esc"}, "n", "no"),
	}
}

// Group is a titled set of bindings in the help overlay.
type Group struct {
	Title    string
	Bindings []key.Binding
}

// ListGroup is the moving keys of a list, for a page's help.
func (k Keys) ListGroup() Group {
	return Group{"Lists", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
}

// Matches says msg is one of the bindings.
func Matches(msg tea.KeyPressMsg, b ...key.Binding) bool { return key.Matches(msg, b...) }
