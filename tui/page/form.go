package page

import (
	"errors"
	"reflect"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
)

// Form is a huh form in the root's one form slot. A page builds it with
// NewForm and opens it with Open; while it is in the slot and its tab is in
// view, keys go to it. When the user completes it the root empties the slot
// and runs Submit; esc (asking first when the input changed) or the form's
// own cancel empties the slot and runs Closed.
type Form struct {
	Huh   *huh.Form
	Title string // the frame's title when the root draws the form
	// Footer is the frame's right-hand note; Inline forms are drawn by
	// their page (inside its own pane) and have none.
	Footer string
	Inline bool
	Submit func() tea.Cmd
	// Closed runs when the form goes without being completed.
	Closed func()
	// Discard is the question esc asks when the input changed; Quit the
	// one quitting asks.
	Discard, Quit string
	// Changed says the user changed the form since it opened.
	Changed func() bool
	// Key takes the page's own keys while the form has the keys (ok: taken),
	// before huh sees them; nil when the page has none.
	Key func(msg tea.KeyPressMsg) (cmd tea.Cmd, ok bool)

	tab string // the tab the form belongs to, set by the root
}

// Messages of a form's end; Form says which, since huh's own carry no id.
type (
	FormDoneMsg   struct{ Form *Form }
	FormCancelMsg struct{ Form *Form }
)

// NewForm is a form of groups that runs submit when completed. input
// returns what the user can change as a value (a copy, no shared slices):
// the form is Changed when it differs from its value as the form opened.
// Groups are built before: building sets a form's defaults, which are not
// input.
func NewForm(title string, theme huh.Theme, width int, submit func() tea.Cmd, input func() any, groups ...*huh.Group) *Form {
	f := &Form{
		Huh:     huh.NewForm(groups...).WithShowHelp(false).WithTheme(theme).WithWidth(max(width, 20)),
		Title:   title,
		Footer:  "enter next · esc cancel",
		Submit:  submit,
		Discard: "Discard what you typed?",
		Quit:    "Quit and lose what you typed in " + title + "?",
	}
	if input != nil {
		opened := input()
		f.Changed = func() bool { return !reflect.DeepEqual(input(), opened) }
	}
	f.Wire()
	return f
}

// Wire makes the huh form's end messages this form's.
func (f *Form) Wire() {
	f.Huh.SubmitCmd = func() tea.Msg { return FormDoneMsg{f} }
	f.Huh.CancelCmd = func() tea.Msg { return FormCancelMsg{f} }
}

// Open is the command that puts f into the root's form slot; the form's
// Init runs once it is there.
func (f *Form) Open() tea.Cmd { return send(OpenFormMsg{f}) }

// Dirty says esc or quit would lose input.
func (f *Form) Dirty() bool { return f.Changed != nil && f.Changed() }

// SetTab records the tab the form belongs to.
func (f *Form) SetTab(tab string) { f.tab = tab }

// Tab is the tab the form belongs to.
func (f *Form) Tab() string { return f.tab }

// Filtering says the focused field is filtering its options: esc then
// clears the filter rather than closing the form.
func (f *Form) Filtering() bool {
	ff, ok := f.Huh.GetFocusedField().(interface{ GetFiltering() bool })
	return ok && ff.GetFiltering()
}

// NotEmpty is a form check for a field that must be filled.
func NotEmpty(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(what)
		}
		return nil
	}
}
