package tui

import (
	"errors"
	"reflect"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// pageForm is a huh form opened by the Triggers or Schemas tab: while it is
// open on its tab, keys go to it (ModeForm).
type pageForm struct {
	tab    int
	title  string
	form   *huh.Form
	submit func() tea.Cmd // runs when the form completes
	input  func() any     // what the user can change in the form, as a value
	opened any            // input as the form opened, defaults and all
}

// dirty says the user changed the form since it opened: esc or quit would
// lose that. Defaults and prefilled values are not input.
func (pf *pageForm) dirty() bool {
	return pf.input != nil && !reflect.DeepEqual(pf.input(), pf.opened)
}

// Messages of a page form's end.
type (
	pageFormDoneMsg   struct{ f *pageForm }
	pageFormCancelMsg struct{ f *pageForm }
)

// formTheme follows the workbench's idea of the background, which it learnt
// from the terminal, rather than letting huh guess on its own.
func formTheme(th Theme) huh.Theme {
	if th.NoColor {
		return huh.ThemeFunc(huh.ThemeBase)
	}
	return huh.ThemeFunc(func(bool) *huh.Styles { return huh.ThemeCharm(th.Dark) })
}

// openPageForm shows a form on the current tab; submit runs when it is
// completed, esc cancels it. input returns the form's values (a copy, no
// shared slices); esc and quit ask first when they changed since the form
// opened. Groups are built before: building sets a form's defaults.
func (m *Model) openPageForm(title string, submit func() tea.Cmd, input func() any, groups ...*huh.Group) tea.Cmd {
	f := huh.NewForm(groups...).WithShowHelp(false).WithTheme(formTheme(m.theme)).WithWidth(m.formWidth())
	pf := &pageForm{tab: m.tab, title: title, form: f, submit: submit, input: input}
	if input != nil {
		pf.opened = input()
	}
	f.SubmitCmd = func() tea.Msg { return pageFormDoneMsg{pf} }
	f.CancelCmd = func() tea.Msg { return pageFormCancelMsg{pf} }
	m.pform = pf
	return f.Init()
}

// pageFormOpen says a page form has the keys.
func (m *Model) pageFormOpen() bool { return m.pform != nil && m.pform.tab == m.tab }

// pageFormKey handles a key while a page form is open.
func (m *Model) pageFormKey(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case matches(msg, m.keys.Palette):
		return m.openPalette()
	case matches(msg, m.keys.Back) && !filtering(m.pform.form.GetFocusedField()):
		pf := m.pform
		if pf.dirty() {
			m.ask("Discard what you typed?", func() tea.Cmd { m.closePageForm(pf); return nil })
			return nil
		}
		m.closePageForm(pf)
		return nil
	}
	return m.updatePageForm(msg)
}

// filtering says a field is filtering its options: esc then clears the
// filter rather than closing the form.
func filtering(f huh.Field) bool {
	ff, ok := f.(interface{ GetFiltering() bool })
	return ok && ff.GetFiltering()
}

func (m *Model) updatePageForm(msg tea.Msg) tea.Cmd {
	_, cmd := m.pform.form.Update(msg)
	return cmd
}

func (m *Model) closePageForm(pf *pageForm) {
	if m.pform == pf {
		m.pform = nil
	}
}

// pageFormMsg handles the end of a page form.
func (m *Model) pageFormMsg(msg tea.Msg) (tea.Cmd, bool) {
	switch msg := msg.(type) {
	case pageFormDoneMsg:
		if m.pform != msg.f {
			return nil, true
		}
		m.pform = nil
		return msg.f.submit(), true
	case pageFormCancelMsg:
		m.closePageForm(msg.f)
		return nil, true
	}
	return nil, false
}

// pageFormView draws the open form in the whole body.
func (m *Model) pageFormView() []string {
	b := m.layout.Body
	lines := strings.Split(m.pform.form.View(), "\n")
	return box(m.theme, b.W, b.H, m.pform.title, m.theme.Muted.Render("enter next · esc cancel"), lines, true)
}

// notEmpty is a form check for a field that must be filled.
func notEmpty(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(what)
		}
		return nil
	}
}
