package page

import (
	tea "charm.land/bubbletea/v2"
	"github.com/atotto/clipboard"
)

// Messages a page sends the root, each made by the function of the same name.
type (
	// NoticeMsg shows a line in the status bar for a few seconds; Err
	// shows it as an error (and logs it).
	NoticeMsg struct {
		Text string
		Err  bool
		// Fixed, when set, says the notice's cause is gone: the root takes
		// the notice down then, before it would expire. It runs in Update.
		Fixed func() bool
	}
	// AskMsg asks a yes/no question; Yes runs on yes.
	AskMsg struct {
		Question string
		Yes      func() tea.Cmd
	}
	// GotoMsg shows the tab of that title.
	GotoMsg struct{ Tab string }
	// OpenFormMsg puts a form into the root's one form slot.
	OpenFormMsg struct{ Form *Form }
	// CloseFormMsg takes Form out of the slot, if it is there, without
	// running its Closed.
	CloseFormMsg struct{ Form *Form }
	// StartDemoMsg ends the workbench so that the caller starts the demo.
	StartDemoMsg struct{}
	// DefaultConnMsg says which connection is the default now ("" for
	// none): the status bar names it when the session has no other label.
	DefaultConnMsg struct{ Label string }
	// CopiedMsg is the end of a copy to the system clipboard; a failure
	// matters little, OSC 52 was sent as well.
	CopiedMsg struct{ Err error }
)

// Messages the root sends every page.
type (
	// ResizeMsg is the page's area after the window changed.
	ResizeMsg struct{ Area Area }
	// ShownMsg names the tab that came into view.
	ShownMsg struct{ Tab string }
	// ConnLabelMsg names the connection in use, as the status bar does.
	ConnLabelMsg struct{ Label string }
	// EventsMsg says events were stored: how many since the last one, and
	// the live subscription's dropped count so far.
	EventsMsg struct {
		New     int
		Dropped uint64
	}
	// StatsMsg are the event log's totals, as the status bar shows them.
	StatsMsg struct {
		Total, Rejected int
		Dropped         uint64
		Bytes, MaxBytes int64 // the log on disk, and its limit (0: none)
	}
	// SchemaFromEventMsg asks for a schema inferred from a stored event that
	// matched the triggers named.
	SchemaFromEventMsg struct {
		ID       int64
		Triggers []string
	}
	// ShowEventMsg asks the Events tab to show the event of that id among
	// the events of the trigger named, and to come into view.
	ShowEventMsg struct {
		ID      int64
		Trigger string
	}
	// ActOnEventMsg asks for Action's form (its CLI name) prefilled from
	// stored event EventID, whose payload names Email, UserID and
	// WorkflowID. Recipe names a recipe of the event's trigger with a step
	// of Action: Input is that step's input filled from the event, or Unfit
	// says why it could not be (Input is then nil).
	ActOnEventMsg struct {
		EventID                   int64
		Action                    string
		Email, UserID, WorkflowID string
		Recipe, Unfit             string
		Input                     []byte
	}
)

// send is a command that answers msg at once.
func send(msg tea.Msg) tea.Cmd { return func() tea.Msg { return msg } }

// Notice shows s in the status bar.
func Notice(s string) tea.Cmd { return send(NoticeMsg{Text: s}) }

// Error shows err in the status bar as an error.
func Error(err error) tea.Cmd { return send(NoticeMsg{Text: err.Error(), Err: true}) }

// ErrorUntil shows err in the status bar as an error until fixed says its
// cause is gone (or it expires).
func ErrorUntil(err error, fixed func() bool) tea.Cmd {
	return send(NoticeMsg{Text: err.Error(), Err: true, Fixed: fixed})
}

// Ask asks a yes/no question; yes runs on yes.
func Ask(question string, yes func() tea.Cmd) tea.Cmd {
	return send(AskMsg{Question: question, Yes: yes})
}

// Goto shows the tab of that title.
func Goto(tab string) tea.Cmd { return send(GotoMsg{Tab: tab}) }

// Send is a command that answers msg at once, for the messages of this
// package that have no function of their own.
func Send(msg tea.Msg) tea.Cmd { return send(msg) }

// Copy puts text on the clipboard, by OSC 52 and by the system's own
// clipboard where there is one, and says what was copied.
func Copy(text, notice string) tea.Cmd {
	native := func() tea.Msg { return CopiedMsg{clipboard.WriteAll(text)} }
	return tea.Batch(tea.SetClipboard(text), native, Notice(notice))
}
