package tui

import "charm.land/bubbles/v2/key"

// KeyMap is every binding of the workbench, in one place: key handling, the
// hints line, the help overlay and the command palette all read it.
type KeyMap struct {
	Tabs      [5]key.Binding
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

	Follow, Copy, Replay, Schema key.Binding

	AddConn, TestConn, UseConn, RemoveConn, StartDemo key.Binding

	NewObject, NewWorkflow, EditTrigger, RemoveTrigger, CopyURL, PublicURL, SetupWebhook key.Binding

	AddField, AddInside, RenameField, DeleteField, MoveFieldUp, MoveFieldDown, SetType, ToggleOptional,
	SetLabel, SetHint, WizardPaste, WizardEvent, ImportSchema, ExportSchema, PrevTrigger, NextTrigger key.Binding
	History, Rerun, CopyCurl, EditUser key.Binding
	AddDataField, RemoveDataField      key.Binding

	Yes, No key.Binding
}

// DefaultKeyMap is the contract's keys.
func DefaultKeyMap() KeyMap {
	b := func(keys []string, help, desc string) key.Binding {
		return key.NewBinding(key.WithKeys(keys...), key.WithHelp(help, desc))
	}
	k := KeyMap{
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

		Follow: b([]string{"f"}, "f", "follow"),
		Copy:   b([]string{"y"}, "y", "copy"),
		Replay: b([]string{"r"}, "r", "replay"),
		Schema: b([]string{"s"}, "s", "schema"),

		AddConn:    b([]string{"a"}, "a", "add"),
		TestConn:   b([]string{"t"}, "t", "test"),
		UseConn:    b([]string{"u"}, "u", "default"),
		RemoveConn: b([]string{"x", "delete"}, "x", "remove"),
		StartDemo:  b([]string{"d"}, "d", "demo"),

		NewObject:     b([]string{"n"}, "n", "new Object"),
		NewWorkflow:   b([]string{"N"}, "N", "new Workflow"),
		EditTrigger:   b([]string{"e"}, "e", "edit"),
		RemoveTrigger: b([]string{"x", "delete"}, "x", "remove"),
		CopyURL:       b([]string{"c"}, "c", "copy URL"),
		PublicURL:     b([]string{"b"}, "b", "public URL"),
		SetupWebhook:  b([]string{"w"}, "w", "webhook setup"),

		AddField:       b([]string{"a"}, "a", "add field"),
		AddInside:      b([]string{"A"}, "A", "add inside"),
		RenameField:    b([]string{"r"}, "r", "rename"),
		DeleteField:    b([]string{"d", "delete"}, "d", "delete"),
		MoveFieldUp:    b([]string{"K"}, "K", "move up"),
		MoveFieldDown:  b([]string{"J"}, "J", "move down"),
		SetType:        b([]string{"t"}, "t", "type"),
		ToggleOptional: b([]string{"o"}, "o", "optional"),
		SetLabel:       b([]string{"l"}, "l", "label"),
		SetHint:        b([]string{"h"}, "h", "hint"),
		WizardPaste:    b([]string{"w"}, "w", "wizard (paste)"),
		WizardEvent:    b([]string{"e"}, "e", "wizard (event)"),
		ImportSchema:   b([]string{"i"}, "i", "import"),
		ExportSchema:   b([]string{"x"}, "x", "export"),
		PrevTrigger:    b([]string{"["}, "[", "previous trigger"),
		NextTrigger:    b([]string{"]"}, "]", "next trigger"),
		History:        b([]string{"h"}, "h", "history"),
		Rerun:          b([]string{"R"}, "R", "run again"),
		CopyCurl:       b([]string{"c"}, "c", "copy as curl"),
		EditUser:       b([]string{"e"}, "e", "edit user"),

		AddDataField:    b([]string{"+", "insert"}, "+", "add data field"),
		RemoveDataField: b([]string{"delete", "ctrl+x"}, "del", "remove data field"),

		Yes: b([]string{"y", "enter"}, "y", "yes"),
		No:  b([]string{"n", "esc"}, "n", "no"),
	}
	for i, name := range tabNames {
		n := string(rune('1' + i))
		k.Tabs[i] = b([]string{n}, n, name)
	}
	return k
}

// bindingGroup is a titled set of bindings in the help overlay.
type bindingGroup struct {
	Title    string
	Bindings []key.Binding
}

// groups are the bindings of one view, for the help overlay: the page's own
// first, then moving in lists, then the global keys.
func (k KeyMap) groups(tab int, welcome bool) []bindingGroup {
	global := bindingGroup{"Everywhere", append(k.Tabs[:],
		k.NextPane, k.PrevPane, k.Filter, k.Palette, k.Open, k.Back, k.Help, k.Quit, k.ForceQuit)}
	list := bindingGroup{"Lists", []key.Binding{k.Up, k.Down, k.PageUp, k.PageDown, k.Top, k.Bottom}}
	var page []bindingGroup
	switch tab {
	case tabTriggers:
		page = []bindingGroup{{"Triggers", []key.Binding{k.NewObject, k.NewWorkflow, k.EditTrigger, k.RemoveTrigger,
			k.CopyURL, k.PublicURL, k.SetupWebhook, k.Open}}, list}
	case tabSchemas:
		page = []bindingGroup{{"Schemas", []key.Binding{k.AddField, k.AddInside, k.RenameField, k.DeleteField,
			k.MoveFieldUp, k.MoveFieldDown, k.SetType, k.ToggleOptional, k.SetLabel, k.SetHint}},
			{"Wizard and files", []key.Binding{k.WizardPaste, k.WizardEvent, k.ImportSchema, k.ExportSchema,
				k.PrevTrigger, k.NextTrigger}}}
	case tabEvents:
		page = []bindingGroup{{"Events", []key.Binding{k.Follow, k.Copy, k.Replay, k.Schema}}, list}
	case tabActions:
		page = []bindingGroup{{"Actions", []key.Binding{k.Open, k.Filter, k.History, k.Rerun, k.CopyCurl, k.EditUser,
			k.AddDataField, k.RemoveDataField}}, list}
	case tabConnections:
		if welcome {
			page = []bindingGroup{{"Welcome", []key.Binding{k.AddConn, k.StartDemo}}}
		} else {
			page = []bindingGroup{{"Connections", []key.Binding{k.AddConn, k.TestConn, k.UseConn, k.RemoveConn}}, list}
		}
	}
	return append(page, global)
}

// hints are the few bindings shown at the bottom of a view.
func (k KeyMap) hints(tab int, welcome bool) []key.Binding {
	switch tab {
	case tabTriggers:
		return []key.Binding{k.NewObject, k.NewWorkflow, k.EditTrigger, k.RemoveTrigger, k.CopyURL, k.PublicURL, k.SetupWebhook, k.Help}
	case tabSchemas:
		return []key.Binding{k.AddField, k.RenameField, k.DeleteField, k.SetType, k.ToggleOptional, k.WizardPaste, k.WizardEvent, k.Help}
	case tabEvents:
		return []key.Binding{k.Follow, k.Filter, k.Copy, k.Replay, k.Schema, k.Palette, k.Help}
	case tabActions:
		return []key.Binding{k.Open, k.Filter, k.History, k.Palette, k.Help}
	case tabConnections:
		if welcome {
			return []key.Binding{k.AddConn, k.StartDemo, k.Help}
		}
		return []key.Binding{k.AddConn, k.TestConn, k.UseConn, k.RemoveConn, k.Filter, k.Palette, k.Help}
	}
	return []key.Binding{k.Palette, k.Help, k.Quit}
}
