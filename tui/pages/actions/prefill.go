package actions

import (
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
)

// pendingOpen is an action asked for from another tab: it opens once this
// tab is in view, so that its form is this tab's.
type pendingOpen struct {
	action client.Action
	values *formValues
	notice string
}

// actOnEvent prepares the form of an action on a stored event: from the
// recipe's mapping when there is one, with the payload's user where the
// form names none, and the journey's workflowId as a data field.
func (p *Page) actOnEvent(msg page.ActOnEventMsg) tea.Cmd {
	a, ok := client.LookupAction(msg.Action)
	if !ok {
		return page.Error(fmt.Errorf("acting on event #%d: unknown action %q", msg.EventID, msg.Action))
	}
	project := p.currentPicks().fields
	v := newFormValues()
	if msg.Input != nil {
		v = valuesFromBody(a, msg.Input, project)
	}
	who := prefillUser(a, v, msg.Email, msg.UserID)
	if msg.Input == nil && msg.WorkflowID != "" && takesDataFields(a) {
		var id any = msg.WorkflowID
		if _, err := strconv.ParseInt(msg.WorkflowID, 10, 64); err == nil {
			id = json.Number(msg.WorkflowID)
		}
		v.fields = append(v.fields, rowsFromData(map[string]any{"workflowId": id}, project)...)
	}
	notice := fmt.Sprintf("%s prefilled from event #%d", a.Title, msg.EventID)
	switch {
	case msg.Input != nil:
		notice += " by recipe " + termtext.Line(msg.Recipe)
	case who != "":
		notice += " (" + termtext.Line(who) + ")"
	}
	if msg.Unfit != "" {
		notice = fmt.Sprintf("%s: recipe %s does not fit event #%d (%s); prefilled with its user", a.Title,
			termtext.Line(msg.Recipe), msg.EventID, termtext.Line(msg.Unfit))
	}
	p.pending = &pendingOpen{action: a, values: v, notice: notice}
	return page.Goto(Title)
}

// openPending opens the action another tab asked for, now in view.
func (p *Page) openPending() tea.Cmd {
	o := p.pending
	p.pending = nil
	p.showHis = false
	if i := slices.IndexFunc(p.shown(), func(a client.Action) bool { return a.Name == o.action.Name }); i >= 0 {
		p.cursor = i
	}
	return tea.Batch(p.startWith(o.action, o.values), page.Notice(o.notice))
}

// prefillUser puts a user, by email or else by userId, into the values of
// an action that names one, unless they name one already. It returns who
// was put ("" for no one).
func prefillUser(a client.Action, v *formValues, email, userID string) string {
	if !namesUser(a) {
		return ""
	}
	switch a.Name {
	case "upsert-user", "send-sms", "track-event", "update-subscription":
		if v.email != "" || v.userID != "" {
			return ""
		}
		if email != "" {
			v.email = email
			return email
		}
		v.userID = userID
		return userID
	case "get-user":
		if v.email != "" {
			return ""
		}
		v.email = email
		return email
	}
	// Add subscribers, Bulk upsert users: the user is the first typed.
	if strings.TrimSpace(v.usersText) != "" || v.usersFrom == usersFile {
		return ""
	}
	v.usersText = cmpOr(email, userID)
	return v.usersText
}

// namesUser says whether the action's form names a user (or users).
func namesUser(a client.Action) bool {
	switch a.Name {
	case "upsert-user", "send-sms", "track-event", "update-subscription", "get-user", "add-subscribers", "bulk-upsert-users":
		return true
	}
	return false
}

// keepUser keeps the user a Get user by email showed: the next action
// opened that names a user starts with them.
func (p *Page) keepUser(u *client.User) tea.Cmd {
	p.carry = &client.User{Email: u.Email, UserID: u.UserID}
	return page.Notice(termtext.Line(cmpOr(u.Email, u.UserID)) + ": the next action opened keeps this user")
}

// carryInto puts the kept user into the values of an action that names a
// user, unless they name one already, and says so: the next action opened
// that names a user takes the kept one either way.
func (p *Page) carryInto(a client.Action, v *formValues) tea.Cmd {
	u := p.carry
	if u == nil || !namesUser(a) {
		return nil
	}
	p.carry = nil
	who := prefillUser(a, v, u.Email, u.UserID)
	if who == "" {
		return nil // the action is opened on a user of its own
	}
	return page.Notice(fmt.Sprintf("%s prefilled with %s from the last Get user by email", a.Title, termtext.Line(who)))
}
