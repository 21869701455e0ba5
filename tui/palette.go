package tui

import (
	"sort"
	"strings"
	"unicode"

	"charm.land/bubbles/v2/key"
	"charm.land/bubbles/v2/textinput"
)

// action is something the user can do, by key or from the palette: both
// paths run the same code (Model.do).
type action int

const (
	actNone action = iota
	actTabEvents
	actTabActions
	actTabTriggers
	actTabSchemas
	actTabConnections
	actFollow
	actFilter
	actCopy
	actReplay
	actSchema
	actAddConn
	actTestConn
	actUseConn
	actRemoveConn
	actStartDemo
	actHelp
	actQuit
	// The Triggers tab's.
	actNewObject
	actNewWorkflow
	actEditTrigger
	actRemoveTrigger
	actCopyURL
	actPublicURL
	actSetupWebhook
	// The Schemas tab's.
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
	actHistory
	actEditUser
)

// command is one line of the palette.
type command struct {
	name    string
	binding key.Binding
	act     action
}

// commands lists every command of the workbench by the name the palette
// finds it by; the key shown comes from the KeyMap.
func (k KeyMap) commands() []command {
	return []command{
		{"Go to Events", k.Tabs[0], actTabEvents},
		{"Go to Actions", k.Tabs[1], actTabActions},
		{"Go to Triggers", k.Tabs[2], actTabTriggers},
		{"Go to Schemas", k.Tabs[3], actTabSchemas},
		{"Go to Connections", k.Tabs[4], actTabConnections},
		{"Follow the newest events", k.Follow, actFollow},
		{"Filter the list", k.Filter, actFilter},
		{"Copy the event payload", k.Copy, actCopy},
		{"Replay the event to the forward URL", k.Replay, actReplay},
		{"Infer a schema from the event", k.Schema, actSchema},
		{"Add a connection", k.AddConn, actAddConn},
		{"Test the connection", k.TestConn, actTestConn},
		{"Make the connection the default", k.UseConn, actUseConn},
		{"Remove the connection", k.RemoveConn, actRemoveConn},
		{"Start the demo", k.StartDemo, actStartDemo},
		{"New Object trigger (by event name)", k.NewObject, actNewObject},
		{"New Workflow trigger (by journey)", k.NewWorkflow, actNewWorkflow},
		{"Edit the trigger", k.EditTrigger, actEditTrigger},
		{"Remove the trigger", k.RemoveTrigger, actRemoveTrigger},
		{"Copy the trigger's URL for Iterable", k.CopyURL, actCopyURL},
		{"Set the public base URL (tunnel)", k.PublicURL, actPublicURL},
		{"Set up Iterable's system webhook", k.SetupWebhook, actSetupWebhook},
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
		{"Show the action history", k.History, actHistory},
		{"Edit the user shown in Upsert user", k.EditUser, actEditUser},
		{"Show help", k.Help, actHelp},
		{"Quit", k.Quit, actQuit},
	}
}

// palette is the ctrl+k command finder.
type palette struct {
	input    textinput.Model
	all      []command
	matches  []command
	selected int
}

func newPalette(k KeyMap) palette {
	ti := textinput.New()
	ti.Prompt = "› "
	ti.Placeholder = "type a command"
	ti.SetStyles(inputStyles(true))
	p := palette{input: ti, all: k.commands()}
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
		if s, ok := matchScore(q, c.name); ok {
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
