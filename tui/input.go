package tui

import (
	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/pages/events"
)

// key routes a key press by mode.
func (m *Model) key(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	if page.Matches(msg, k.ForceQuit) {
		return m.quit()
	}
	switch m.Mode() {
	case ModeHelp:
		if page.Matches(msg, k.Help, k.Back, k.Quit, k.Open) {
			m.overlay = overlayNone
		}
		return nil
	case ModeConfirm:
		switch {
		case page.Matches(msg, k.Yes):
			c := m.confirm
			m.overlay, m.confirm = overlayNone, nil
			return c.yes()
		case page.Matches(msg, k.No):
			m.overlay, m.confirm = overlayNone, nil
		}
		return nil
	case ModePalette:
		return m.paletteKey(msg)
	case ModeFilter:
		return m.current().Key(msg)
	case ModeForm:
		if page.Matches(msg, k.Palette) {
			return m.openPalette()
		}
		if m.formHere() {
			return m.formKey(msg)
		}
		return m.current().Key(msg)
	}
	return m.normalKey(msg)
}

// formKey handles a key while the slot's form has the keys: esc leaves it
// (asking first when it holds input), the rest goes to the form.
func (m *Model) formKey(msg tea.KeyPressMsg) tea.Cmd {
	f := m.form
	if page.Matches(msg, m.keys.Back) && !f.Filtering() {
		if f.Dirty() {
			m.ask(f.Discard, func() tea.Cmd { m.closeForm(f); return nil })
			return nil
		}
		m.closeForm(f)
		return nil
	}
	if f.Key != nil {
		if cmd, ok := f.Key(msg); ok {
			return cmd
		}
	}
	_, cmd := f.Huh.Update(msg)
	return page.Wait(cmd)
}

// normalKey handles the global shortcuts, then the page's.
func (m *Model) normalKey(msg tea.KeyPressMsg) tea.Cmd {
	k := m.keys
	for i, b := range m.tabKeys {
		if page.Matches(msg, b) {
			return m.show(m.pages[i].Title())
		}
	}
	switch {
	case page.Matches(msg, k.Quit):
		return m.quitAsking()
	case page.Matches(msg, k.Help):
		m.overlay = overlayHelp
		return nil
	case page.Matches(msg, k.Palette):
		return m.openPalette()
	}
	if m.layout.TooSmall {
		return nil
	}
	return m.current().Key(msg)
}

// filter opens the filter of the list in view; from a page without one,
// the events'.
func (m *Model) filter() tea.Cmd {
	if f, ok := m.current().(page.Filterer); ok {
		if cmd, ok := f.StartFilter(); ok {
			return cmd
		}
	}
	show := m.show(events.Title)
	if f, ok := m.current().(page.Filterer); ok {
		cmd, _ := f.StartFilter()
		return tea.Batch(show, cmd)
	}
	return show
}

func (m *Model) openPalette() tea.Cmd {
	m.overlay = overlayPalette
	m.palette.input.SetValue("")
	m.palette.refilter()
	return page.Wait(m.palette.input.Focus())
}

// paletteKey edits the palette's query or runs the chosen command.
func (m *Model) paletteKey(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.palette
	switch {
	case page.Matches(msg, m.keys.Back, m.keys.Palette):
		m.overlay = overlayNone
		p.input.Blur()
		return nil
	case msg.String() == "up" || msg.String() == "ctrl+p" || msg.String() == "shift+tab":
		p.move(-1)
		return nil
	case msg.String() == "down" || msg.String() == "ctrl+n" || msg.String() == "tab":
		p.move(1)
		return nil
	case page.Matches(msg, m.keys.Open):
		c, ok := p.chosen()
		m.overlay = overlayNone
		p.input.Blur()
		if !ok {
			return nil
		}
		return m.run(c)
	}
	var cmd tea.Cmd
	p.input, cmd = p.input.Update(msg)
	p.refilter()
	return page.Wait(cmd)
}

// run runs a palette command: a page's on its own tab.
func (m *Model) run(c command) tea.Cmd {
	if c.tab == "" {
		return c.Run()
	}
	return tea.Batch(m.show(c.tab), c.Run())
}

// paste puts pasted text into the field that has focus, if any.
func (m *Model) paste(msg tea.PasteMsg) tea.Cmd {
	switch m.Mode() {
	case ModePalette:
		var cmd tea.Cmd
		m.palette.input, cmd = m.palette.input.Update(msg)
		m.palette.refilter()
		return page.Wait(cmd)
	case ModeForm:
		if m.formHere() {
			_, cmd := m.form.Huh.Update(msg)
			return page.Wait(cmd)
		}
		return m.current().Paste(msg)
	case ModeFilter:
		return m.current().Paste(msg)
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
	if w, ok := m.current().(page.Wheeler); ok {
		return w.Wheel(msg.X, msg.Y, n)
	}
	return nil
}
