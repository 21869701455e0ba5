package actions

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// Title is the tab's name.
const Title = "Actions"

// Keys are the tab's bindings beside the shared ones.
type Keys struct {
	page.Keys
	History, Rerun, CopyCurl, EditUser key.Binding
	AddDataField, RemoveDataField      key.Binding
	Reload                             key.Binding
}

// DefaultKeys are the tab's bindings.
func DefaultKeys(k page.Keys) Keys {
	b := page.Bind
	return Keys{Keys: k,
		History:         b([]string{"h"}, "h", "history"),
		Rerun:           b([]string{"R"}, "R", "run again"),
		CopyCurl:        b([]string{"c"}, "c", "copy as curl"),
		EditUser:        b([]string{"e"}, "e", "edit user"),
		AddDataField:    b([]string{"+", "insert"}, "+", "add data field"),
		RemoveDataField: b([]string{"delete", "ctrl+x"}, "del", "remove data field"),
		Reload:          b([]string{"ctrl+r"}, "ctrl+r", "reload pick lists"),
	}
}

func (p *Page) Title() string { return Title }

// Init reads the history.
func (p *Page) Init() tea.Cmd { return p.loadHistory() }

// Update takes the tab's command results and the root's broadcasts; other
// messages go to the data-fields builder while it has the keys.
func (p *Page) Update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case page.ResizeMsg:
		p.area = msg.Area
		if r := p.run; r != nil && r.form != nil {
			pane := p.actionPane()
			r.form.Huh.WithWidth(max(pane.W-4, 20)).WithHeight(max(pane.H-5-len(bannerView(p.th, r, pane.W-2)), 5))
		}
		return nil
	case tea.BackgroundColorMsg:
		p.th = style.NewTheme(msg.IsDark(), p.th.NoColor)
		p.filter.SetStyles(style.InputStyles(msg.IsDark()))
		return nil
	case page.ConnLabelMsg:
		p.conn = msg.Label
		return nil
	case page.ActOnEventMsg:
		return p.actOnEvent(msg)
	case page.ShownMsg:
		if msg.Tab == Title && p.pending != nil {
			return p.openPending()
		}
		return nil
	}
	if cmd, ok := p.actionMsg(msg); ok {
		return cmd
	}
	if p.stage == stageFields {
		return p.run.editor.update(msg)
	}
	return nil
}

// Focus is the form's while a form or the builder has the keys.
func (p *Page) Focus() page.Focus {
	switch {
	case p.stage == stageForm || p.stage == stageFields:
		return page.FocusForm
	case p.filtering:
		return page.FocusFilter
	}
	return page.FocusNormal
}

// StartFilter opens the filter line of the list of actions.
func (p *Page) StartFilter() (tea.Cmd, bool) {
	if p.stage != stageList || p.showHis {
		return nil, false
	}
	p.filtering = true
	return page.Wait(p.filter.Focus()), true
}

// Key handles the tab's keys; the root hands a form's keys to the form.
func (p *Page) Key(msg tea.KeyPressMsg) tea.Cmd {
	switch {
	case p.filtering:
		return page.FilterKey(p.keys.Keys, msg, &p.filter, &p.filtering, p.refilter)
	case page.Matches(msg, p.keys.Reload) && p.stage != stageLoading && p.stage != stageSending:
		return p.reloadPicks()
	case p.stage == stageFields:
		return p.fieldsKey(msg)
	case p.stage == stageForm:
		return nil
	}
	return p.actionKey(msg)
}

// formKey takes the tab's own keys while its form has the keys.
func (p *Page) formKey(msg tea.KeyPressMsg) (tea.Cmd, bool) {
	if page.Matches(msg, p.keys.Reload) {
		return p.reloadPicks(), true
	}
	return nil, false
}

// Paste goes to the filter line or the builder while they have focus.
func (p *Page) Paste(msg tea.PasteMsg) tea.Cmd {
	switch {
	case p.filtering:
		return page.FilterPaste(msg, &p.filter, p.refilter)
	case p.stage == stageFields:
		return p.run.editor.update(msg)
	}
	return nil
}

// Wheel scrolls the answer shown.
func (p *Page) Wheel(_, _, n int) tea.Cmd {
	if a := p.answer; a != nil {
		a.scroll = max(a.scroll+n, 0)
	}
	return nil
}

// Commands are the ten actions by name, and the history's.
func (p *Page) Commands() []page.Command {
	k := p.keys
	out := make([]page.Command, 0, len(client.Actions)+2)
	for _, a := range client.Actions {
		out = append(out, page.Command{Name: a.Title, Run: func() tea.Cmd { return p.start(a) }})
	}
	return append(out,
		page.Command{Name: "Show the action history", Key: k.History, Run: p.toggleHistory},
		page.Command{Name: "Edit the user shown in Upsert user", Key: k.EditUser, Run: p.editUser},
		page.Command{Name: "Reload the account's lists and fields", Key: k.Reload, Run: p.reloadPicks})
}

// start opens an action from the palette, asking first when it would
// discard what the open one holds.
func (p *Page) start(a client.Action) tea.Cmd { return p.startWith(a, nil) }

// startWith opens an action on values v (nil: empty), asking first when it
// would discard what the open one holds.
func (p *Page) startWith(a client.Action, v *formValues) tea.Cmd {
	open := func() tea.Cmd {
		var drop tea.Cmd
		if r := p.run; r != nil && r.form != nil {
			drop = page.Send(page.CloseFormMsg{Form: r.form})
		}
		p.closeRun()
		p.showHis = false
		return tea.Batch(drop, p.openAction(a, v))
	}
	if p.unsaved() {
		return page.Ask("Discard this "+p.run.action.Title+"?", open)
	}
	return open()
}

// toggleHistory shows the history in the list, or the actions again.
func (p *Page) toggleHistory() tea.Cmd {
	if p.stage != stageList {
		p.closeRun()
	}
	p.showHis, p.cursor = !p.showHis, 0
	return p.loadHistory()
}

// Help is the tab's bindings.
func (p *Page) Help() []page.Group {
	k := p.keys
	return []page.Group{{Title: "Actions", Bindings: []key.Binding{k.Open, k.Filter, k.History, k.Rerun, k.CopyCurl, k.EditUser,
		k.AddDataField, k.RemoveDataField, k.Reload}}, k.ListGroup()}
}

// Hints are the keys of the screen in view.
func (p *Page) Hints() []page.Hint {
	if p.filtering {
		return page.FilterHints()
	}
	return p.actionHints()
}

// Unsaved asks before quitting would lose an action being filled in: a
// form, its data fields or its review, changed by the user.
func (p *Page) Unsaved() string {
	if p.unsaved() {
		return "Quit and lose the action you are filling in?"
	}
	return ""
}

// View draws the tab into the body.
func (p *Page) View(a page.Area) []string { return p.actionsView(p.th, a.Body) }

// refilter keeps the cursor in the list the filter lets through.
func (p *Page) refilter() tea.Cmd {
	p.move(0)
	return nil
}
