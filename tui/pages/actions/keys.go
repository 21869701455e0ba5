package actions

import (
	"fmt"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/tui/page"
)

// actionKey takes a key on the Actions tab when no field has it.
func (p *Page) actionKey(msg tea.KeyPressMsg) tea.Cmd {
	k := p.keys
	switch p.stage {
	case stageList:
		switch {
		case page.Matches(msg, k.Up):
			p.move(-1)
		case page.Matches(msg, k.Down):
			p.move(1)
		case page.Matches(msg, k.Top):
			p.cursor = 0
		case page.Matches(msg, k.Bottom):
			p.move(1 << 20)
		case page.Matches(msg, k.Filter) && !p.showHis:
			cmd, _ := p.StartFilter()
			return cmd
		case page.Matches(msg, k.History):
			return p.toggleHistory()
		case page.Matches(msg, k.Back):
			switch {
			case p.showHis:
				p.showHis, p.cursor = false, 0
			case p.filter.Value() != "":
				p.filter.SetValue("")
				p.move(0)
			}
		case page.Matches(msg, k.Rerun) && p.showHis:
			return p.rerun()
		case page.Matches(msg, k.Open):
			if p.showHis {
				if p.cursor < len(p.records) {
					p.answer = recordAnswer(p.records[p.cursor])
					p.stage = stageAnswer
				}
				return nil
			}
			shown := p.shown()
			if p.cursor < len(shown) {
				return p.openAction(shown[p.cursor], nil)
			}
		}
	case stageLoading, stageSending:
		if page.Matches(msg, k.Back) {
			if p.stage == stageSending && p.run.action.UsersField != "" {
				cancel := p.run.cancel
				return page.Ask("Stop sending? Users already sent stay sent.", func() tea.Cmd { cancel(); return nil })
			}
			if p.stage == stageLoading {
				p.closeRun()
			}
		}
	case stageReview:
		r := p.run
		switch {
		case page.Matches(msg, k.CopyCurl):
			curl := r.curl
			return page.Copy(curl, "✓ copied the curl command (it reads the key from $ITERABLE_API_KEY)")
		case page.Matches(msg, k.Back):
			switch {
			case r.editor != nil && !(r.action.UsersField != "" && r.values.usersFrom == usersFile):
				return p.showFields()
			case hasForm(r.action):
				return p.showForm()
			}
			p.closeRun()
		case msg.String() == "y" && p.reachesPeople():
			return p.send()
		case page.Matches(msg, k.Open):
			if p.reachesPeople() {
				return page.Notice("this reaches people: press y to send")
			}
			return p.send()
		}
	case stageAnswer:
		return p.answerKey(msg)
	}
	return nil
}

// reachesPeople says the reviewed write can reach a person: it needs y.
func (p *Page) reachesPeople() bool {
	r := p.run
	return r != nil && r.action.NeedsConfirmation(r.users)
}

func (p *Page) answerKey(msg tea.KeyPressMsg) tea.Cmd {
	a := p.answer
	k := p.keys
	rows := len(a.lists) + len(a.channels)
	switch {
	case page.Matches(msg, k.Back):
		if a.record {
			p.answer, p.stage = nil, stageList
			return nil
		}
		p.closeRun()
	case page.Matches(msg, k.Up):
		if rows > 0 {
			a.cursor = max(a.cursor-1, 0)
		} else {
			a.scroll = max(a.scroll-1, 0)
		}
	case page.Matches(msg, k.Down):
		if rows > 0 {
			a.cursor = min(a.cursor+1, rows-1)
		} else {
			a.scroll++
		}
	case page.Matches(msg, k.PageDown):
		a.scroll += 10
	case page.Matches(msg, k.PageUp):
		a.scroll = max(a.scroll-10, 0)
	case page.Matches(msg, k.EditUser) && a.user != nil:
		return p.editUser()
	case page.Matches(msg, k.Open) && len(a.lists) > 0:
		l := a.lists[a.cursor]
		sub, _ := client.LookupAction("add-subscribers")
		v := newFormValues()
		v.listID = fmt.Sprint(l.ID)
		return p.openAction(sub, v)
	case page.Matches(msg, k.Rerun):
		return p.rerun()
	}
	return nil
}

// editUser opens Upsert user on the profile shown.
func (p *Page) editUser() tea.Cmd {
	a := p.answer
	if a == nil || a.user == nil {
		return page.Notice("no profile shown: run Get user by email first")
	}
	up, _ := client.LookupAction("upsert-user")
	v := newFormValues()
	v.email, v.userID = a.user.Email, ""
	if v.email == "" {
		v.userID = a.user.UserID
	}
	v.fields = rowsFromData(profileFields(a.user.DataFields), p.currentPicks().fields)
	return p.openAction(up, v)
}

// profileFields are the data fields a user can set: what Iterable keeps
// itself (ids, dates it stamps, lists, subscriptions) is left out.
func profileFields(df map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range df {
		if !systemField[k] {
			out[k] = v
		}
	}
	return out
}

var systemField = map[string]bool{
	"email": true, "userId": true, "signupDate": true, "profileUpdatedAt": true, "signupSource": true,
	"emailListIds": true, "unsubscribedChannelIds": true, "unsubscribedMessageTypeIds": true,
	"subscribedMessageTypeIds": true, "itblInternal": true,
}

// rerun opens the form of the run shown (or chosen in the history) with
// its request filled in.
func (p *Page) rerun() tea.Cmd {
	var rec history.Record
	switch {
	case p.answer != nil && p.answer.record:
		rec = history.Record{Action: p.answer.action.Name, Request: p.answer.request}
	case p.answer != nil && p.run != nil:
		rec = history.Record{Action: p.run.action.Name, Request: p.run.request()}
	case p.showHis && p.cursor < len(p.records):
		rec = p.records[p.cursor]
	default:
		return page.Notice("choose a run in the history (h) first")
	}
	a, ok := client.LookupAction(rec.Action)
	if !ok {
		return page.Error(fmt.Errorf("the history names an unknown action %q", rec.Action))
	}
	return p.openAction(a, valuesFromBody(a, rec.Request, p.currentPicks().fields))
}

func recordAnswer(r history.Record) *answer {
	a, _ := client.LookupAction(r.Action)
	if a.Name == "" {
		a = client.Action{Name: r.Action, Title: r.Action}
	}
	return &answer{action: a, status: r.Status, took: r.Duration, body: r.Answer, request: r.Request, record: true}
}

// fieldsKey takes a key while the data-fields builder has the keys.
func (p *Page) fieldsKey(msg tea.KeyPressMsg) tea.Cmd {
	r := p.run
	if !r.editor.editing && page.Matches(msg, p.keys.Back) {
		return p.discardRun()
	}
	cmd, res := r.editor.key(p.keys, msg)
	switch res {
	case editorReview:
		return p.review()
	case editorBack:
		r.values.fields = r.editor.rows
		return p.showForm()
	}
	return cmd
}

// discardRun leaves the open form, asking first when something was typed.
func (p *Page) discardRun() tea.Cmd {
	r := p.run
	if !r.touched() {
		p.closeRun()
		return nil
	}
	return page.Ask("Discard this "+r.action.Title+"?", func() tea.Cmd { p.closeRun(); return nil })
}
