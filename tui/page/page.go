// Package page is the contract between the workbench's root model and its
// tabs. A tab is a plain struct behind Page: the root calls it, and it
// answers the root only with messages (a notice, a question, a form to hold,
// a tab to show), so no page ever reaches the root or another page.
package page

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// Rect is a region of the screen in cells.
type Rect struct{ X, Y, W, H int }

// Area is where a page draws: the whole body, and the body split into two
// panes (list and detail); Stacked says Side is under Main rather than
// beside it.
type Area struct {
	Body, Main, Side Rect
	Stacked          bool
}

// Focus says where a page wants its keys to go, so that a letter typed into
// a field is text and never a shortcut.
type Focus int

const (
	FocusNormal Focus = iota // shortcuts
	FocusFilter              // typing into the page's filter line
	FocusForm                // a field of the page has the keys
)

// Page is one tab of the workbench. Every read or write of the outside world
// runs in a tea.Cmd; the methods themselves never block.
type Page interface {
	// Title is the tab bar's name of the page.
	Title() string
	// Init starts the first reads.
	Init() tea.Cmd
	// Update takes every message the root does not keep for itself: the
	// page's own command results and the broadcasts of this package
	// (ResizeMsg, ShownMsg, ConnLabelMsg, …). Others it ignores.
	Update(msg tea.Msg) tea.Cmd
	// Key takes a key press while the page is in view and no overlay or
	// form of the root has it.
	Key(msg tea.KeyPressMsg) tea.Cmd
	// Paste takes pasted text while the page's filter or field has focus.
	Paste(msg tea.PasteMsg) tea.Cmd
	// Focus is where the page's keys go now.
	Focus() Focus
	// View draws the page into its area: exactly a.Body.H lines, each
	// exactly a.Body.W cells wide.
	View(a Area) []string
	// Help is the page's groups of bindings, for the help overlay; the
	// root adds the global ones.
	Help() []Group
	// Hints are the few keys shown at the bottom while the page is in view.
	Hints() []Hint
	// Commands are the page's rows of the command palette.
	Commands() []Command
	// Unsaved is the question to ask before quitting would lose input,
	// or "" when nothing would be lost.
	Unsaved() string
}

// Filterer is a page with a filter line the palette's "Filter the list" can
// open; ok is false when the page has no list to filter in its present state.
type Filterer interface {
	StartFilter() (cmd tea.Cmd, ok bool)
}

// Wheeler is a page that scrolls with the mouse wheel: n rows (negative is
// up) at cell (x, y).
type Wheeler interface {
	Wheel(x, y, n int) tea.Cmd
}

// Hint is one key and what it does, as the hints line shows it: {key, desc}.
type Hint [2]string

// HintsOf are the hints of bindings, as their help says.
func HintsOf(bs ...key.Binding) []Hint {
	out := make([]Hint, len(bs))
	for i, b := range bs {
		out[i] = Hint{b.Help().Key, b.Help().Desc}
	}
	return out
}

// Command is one row of the command palette: its name, the key that does the
// same (shown beside it) and what it runs. The root shows the page's tab
// before it runs the command.
type Command struct {
	Name string
	Key  key.Binding
	Run  func() tea.Cmd
}
