package page

import (
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
)

// NewFilterInput is the one-line input of a list filter, styled by st.
func NewFilterInput(st textinput.Styles) textinput.Model {
	ti := textinput.New()
	ti.Prompt = "/"
	ti.Placeholder = "text, event:NAME, workflow:ID, trigger:NAME"
	ti.SetStyles(st)
	return ti
}

// FilterKey edits a page's filter line while it has focus: enter keeps the
// filter, esc clears it, and every change runs apply.
func FilterKey(k Keys, msg tea.KeyPressMsg, in *textinput.Model, filtering *bool, apply func() tea.Cmd) tea.Cmd {
	switch {
	case Matches(msg, k.Back):
		*filtering = false
		in.Blur()
		in.SetValue("")
		return apply()
	case Matches(msg, k.Open):
		*filtering = false
		in.Blur()
		return nil
	}
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	return tea.Batch(Wait(cmd), apply())
}

// FilterHints are the hints while a filter line has focus.
func FilterHints() []Hint {
	return []Hint{{"enter", "keep filter"}, {"esc", "clear"}}
}

// FilterPaste puts pasted text into a page's filter line and runs apply.
func FilterPaste(msg tea.PasteMsg, in *textinput.Model, apply func() tea.Cmd) tea.Cmd {
	var cmd tea.Cmd
	*in, cmd = in.Update(msg)
	return tea.Batch(Wait(cmd), apply())
}
