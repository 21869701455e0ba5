// Package triggers is the Triggers and the Schemas tabs. Both show one
// trigger list with one selection: Triggers picks a trigger, Schemas
// designs the schema of the one picked, and its [ and ] move the same
// selection. Two pages over one shared core keep that list read once and
// the selection in one place.
package triggers

import (
	"context"
	"log/slog"
	"time"

	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

// The tabs' names.
const (
	TriggersTitle = "Triggers"
	SchemasTitle  = "Schemas"
)

// Keys are the two tabs' bindings beside the shared ones.
type Keys struct {
	page.Keys
	NewObject, NewWorkflow, EditTrigger, RemoveTrigger, CopyURL, PublicURL, SetupWebhook key.Binding

	AddField, AddInside, RenameField, DeleteField, MoveFieldUp, MoveFieldDown, SetType, ToggleOptional,
	SetLabel, SetHint, WizardPaste, WizardEvent, ImportSchema, ExportSchema, PrevTrigger, NextTrigger key.Binding
}

// DefaultKeys are the two tabs' bindings.
func DefaultKeys(k page.Keys) Keys {
	b := page.Bind
	return Keys{Keys: k,
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
	}
}

// Deps are what the two tabs need. A nil Store turns both into a notice; a
// nil Client turns the journey picker and the webhook setup off.
type Deps struct {
	Store    webhook.EventLog
	Listener *webhook.Server // the embedded listener, nil when it runs elsewhere
	Client   *client.Client
	// SetupWebhook points one of Iterable's system webhooks at the listener
	// (with a new token the listener then requires, or with none); nil turns
	// the webhook setup off.
	SetupWebhook func(ctx context.Context, hookID int64, endpoint string, withToken bool) (*client.Webhook, error)
	ListenerURL  string // where the embedded listener takes webhooks
	Demo         bool
	Now          func() time.Time
	Log          *slog.Logger
}

// core is what the two tabs share.
type core struct {
	store       webhook.EventLog
	listener    *webhook.Server
	client      *client.Client
	setup       func(ctx context.Context, hookID int64, endpoint string, withToken bool) (*client.Webhook, error)
	listenerURL string
	demo        bool
	now         func() time.Time
	log         *slog.Logger
	keys        Keys
	th          style.Theme
	area        page.Area
	inView      string // the tab in view
	trig        triggersState
	sch         schemasState
}

// action is one thing the user can do on the two tabs, by key or from the
// palette: both run the same code.
type action int

const (
	actNewObject action = iota
	actNewWorkflow
	actEditTrigger
	actRemoveTrigger
	actCopyURL
	actPublicURL
	actSetupWebhook
	actAddField
	actAddInside
	actRenameField
	actDeleteField
	actMoveUp
	actMoveDown
	actSetType
	actToggleOptional
	actSetLabel
	actSetHint
	actWizardPaste
	actWizardEvent
	actImportSchema
	actExportSchema
)

// Triggers is the Triggers tab. It takes the messages of both tabs.
type Triggers struct{ *core }

// Schemas is the Schemas tab, on the Triggers tab's core.
type Schemas struct{ *core }

// New is the two tabs over one core.
func New(d Deps, keys page.Keys, th style.Theme) (*Triggers, *Schemas) {
	c := &core{store: d.Store, listener: d.Listener, client: d.Client, setup: d.SetupWebhook, listenerURL: d.ListenerURL, demo: d.Demo,
		now: d.Now, log: d.Log, keys: DefaultKeys(keys), th: th}
	return &Triggers{c}, &Schemas{c}
}

// openForm puts a form of the tab in view into the root's slot.
func (c *core) openForm(title string, submit func() tea.Cmd, input func() any, groups ...*huh.Group) tea.Cmd {
	return page.NewForm(title, style.FormTheme(c.th), c.area.Body.W-4, submit, input, groups...).Open()
}

// update takes the messages of both tabs, once.
func (c *core) update(msg tea.Msg) tea.Cmd {
	switch msg := msg.(type) {
	case page.ResizeMsg:
		c.area = msg.Area
		return nil
	case tea.BackgroundColorMsg:
		c.th = style.NewTheme(msg.IsDark(), c.th.NoColor)
		return nil
	case page.ShownMsg:
		c.inView = msg.Tab
		return c.loadMismatches()
	case page.EventsMsg:
		return c.refreshTriggers()
	case page.SchemaFromEventMsg:
		return c.handOffEvent(msg)
	}
	if cmd, ok := c.triggersMsg(msg); ok {
		return cmd
	}
	cmd, _ := c.schemasMsg(msg)
	return cmd
}

func (p *Triggers) Title() string { return TriggersTitle }

// Init reads the triggers and, in the background, the account's journeys.
func (p *Triggers) Init() tea.Cmd { return tea.Batch(p.loadTriggers(""), p.loadJourneys()) }

// Update takes the messages of both tabs.
func (p *Triggers) Update(msg tea.Msg) tea.Cmd { return p.update(msg) }

func (p *Triggers) Key(msg tea.KeyPressMsg) tea.Cmd { return p.triggersKey(msg) }
func (p *Triggers) Paste(tea.PasteMsg) tea.Cmd      { return nil }
func (p *Triggers) Focus() page.Focus               { return page.FocusNormal }
func (p *Triggers) View(a page.Area) []string       { return p.triggersView(a) }
func (p *Triggers) Unsaved() string                 { return "" }
func (p *Schemas) Title() string                    { return SchemasTitle }
func (p *Schemas) Init() tea.Cmd                    { return nil }
func (p *Schemas) Key(msg tea.KeyPressMsg) tea.Cmd  { return p.schemasKey(msg) }
func (p *Schemas) Paste(tea.PasteMsg) tea.Cmd       { return nil }
func (p *Schemas) Focus() page.Focus                { return page.FocusNormal }
func (p *Schemas) View(a page.Area) []string        { return p.schemasView(a) }
func (p *Schemas) Unsaved() string                  { return "" }

// Update is nothing: the Triggers tab takes the messages of both.
func (p *Schemas) Update(tea.Msg) tea.Cmd { return nil }

// Help is the Triggers tab's bindings.
func (p *Triggers) Help() []page.Group {
	k := p.keys
	return []page.Group{{Title: "Triggers", Bindings: []key.Binding{k.NewObject, k.NewWorkflow, k.EditTrigger, k.RemoveTrigger,
		k.CopyURL, k.PublicURL, k.SetupWebhook, k.Open}}, k.ListGroup()}
}

// Help is the Schemas tab's bindings.
func (p *Schemas) Help() []page.Group {
	k := p.keys
	return []page.Group{{Title: "Schemas", Bindings: []key.Binding{k.AddField, k.AddInside, k.RenameField, k.DeleteField,
		k.MoveFieldUp, k.MoveFieldDown, k.SetType, k.ToggleOptional, k.SetLabel, k.SetHint}},
		{Title: "Wizard and files", Bindings: []key.Binding{k.WizardPaste, k.WizardEvent, k.ImportSchema, k.ExportSchema,
			k.PrevTrigger, k.NextTrigger}},
		{Title: "Mismatches", Bindings: []key.Binding{key.NewBinding(key.WithKeys("tab"), key.WithHelp("tab", "to the mismatches and back")),
			key.NewBinding(key.WithKeys("enter"), key.WithHelp("enter", "open its latest event on the Events tab"))}}}
}

// Hints are the Triggers tab's few keys.
func (p *Triggers) Hints() []page.Hint {
	k := p.keys
	return page.HintsOf(k.NewObject, k.NewWorkflow, k.EditTrigger, k.RemoveTrigger, k.CopyURL, k.PublicURL, k.SetupWebhook, k.Help)
}

// Hints are the Schemas tab's few keys.
func (p *Schemas) Hints() []page.Hint {
	k := p.keys
	return page.HintsOf(k.AddField, k.RenameField, k.DeleteField, k.SetType, k.ToggleOptional, k.WizardPaste, k.WizardEvent, k.Help)
}

// Commands are the Triggers tab's palette rows.
func (p *Triggers) Commands() []page.Command {
	k := p.keys
	run := func(a action) func() tea.Cmd { return func() tea.Cmd { return p.triggerAction(a) } }
	return []page.Command{
		{Name: "New Object trigger (by event name)", Key: k.NewObject, Run: run(actNewObject)},
		{Name: "New Workflow trigger (by journey)", Key: k.NewWorkflow, Run: run(actNewWorkflow)},
		{Name: "Edit the trigger", Key: k.EditTrigger, Run: run(actEditTrigger)},
		{Name: "Remove the trigger", Key: k.RemoveTrigger, Run: run(actRemoveTrigger)},
		{Name: "Copy the trigger's URL for Iterable", Key: k.CopyURL, Run: run(actCopyURL)},
		{Name: "Set the public base URL (tunnel)", Key: k.PublicURL, Run: run(actPublicURL)},
		{Name: "Set up Iterable's system webhook", Key: k.SetupWebhook, Run: run(actSetupWebhook)},
	}
}

// schemaKeys pair the Schemas tab's bindings with their actions, for its
// keys and its palette rows alike.
func (c *core) schemaKeys() []struct {
	name    string
	binding key.Binding
	act     action
} {
	k := c.keys
	return []struct {
		name    string
		binding key.Binding
		act     action
	}{
		{"Schema: add a field", k.AddField, actAddField},
		{"Schema: add a field inside the object", k.AddInside, actAddInside},
		{"Schema: rename the field", k.RenameField, actRenameField},
		{"Schema: delete the field", k.DeleteField, actDeleteField},
		{"Schema: move the field up", k.MoveFieldUp, actMoveUp},
		{"Schema: move the field down", k.MoveFieldDown, actMoveDown},
		{"Schema: change the field's type", k.SetType, actSetType},
		{"Schema: toggle optional", k.ToggleOptional, actToggleOptional},
		{"Schema: set the field's label", k.SetLabel, actSetLabel},
		{"Schema: set the field's hint", k.SetHint, actSetHint},
		{"Schema: paste a sample payload (JSON wizard)", k.WizardPaste, actWizardPaste},
		{"Schema: infer from a stored event", k.WizardEvent, actWizardEvent},
		{"Schema: import a file (Workato or JSON Schema)", k.ImportSchema, actImportSchema},
		{"Schema: export to a file", k.ExportSchema, actExportSchema},
	}
}

// Commands are the Schemas tab's palette rows.
func (p *Schemas) Commands() []page.Command {
	var out []page.Command
	for _, s := range p.schemaKeys() {
		a := s.act
		out = append(out, page.Command{Name: s.name, Key: s.binding, Run: func() tea.Cmd { return p.schemaAction(a) }})
	}
	return out
}
