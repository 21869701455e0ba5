package actions

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
)

// review builds the request and shows it.
func (p *Page) review() tea.Cmd {
	r := p.run
	var data map[string]any
	if r.editor != nil && p.stage == stageFields {
		var err error
		data, err = r.editor.build()
		if err != nil {
			// The rows say what is wrong; the notice goes once they are fixed.
			return page.ErrorUntil(fmt.Errorf("fix the ✗ rows first: %w", firstLine(err)), func() bool {
				_, err := r.editor.build()
				return p.run != r || err == nil
			})
		}
		r.values.fields = r.editor.rows
	} else if r.editor != nil {
		data, _ = r.editor.build()
	}
	body, err := p.request(r, data)
	if err != nil && !(r.action.UsersField != "" && r.values.usersFrom == usersFile) {
		return page.ErrorUntil(err, func() bool {
			if p.run != r {
				return true
			}
			var data map[string]any
			if r.editor != nil {
				data, _ = r.editor.build()
			}
			_, err := p.request(r, data)
			return err == nil
		})
	}
	r.body = body
	r.users = len(typedUsers(r.values.usersText))
	r.curl = p.client.Curl(r.action, body)
	r.banner = ""
	delete(r.fieldErrs, "file")
	p.stage = stageReview
	if r.action.UsersField != "" && r.values.usersFrom == usersFile {
		r.counted = false
		return countUsers(p.gen, r.values.filePath, p.currentPicks().fields)
	}
	r.counted = true
	if !r.action.Write {
		// A read changes nothing: it runs at once, without a review.
		return p.send()
	}
	return nil
}

// request is the run's body from its values and data fields, with what
// would keep it from being sent.
func (p *Page) request(r *run, data map[string]any) ([]byte, error) {
	body, err := buildBody(r.action, r.values, p.currentPicks(), r.subs, data)
	if err == nil {
		err = p.currentPicks().check(r.action, r.values)
	}
	if err == nil && r.action.Name == "update-subscription" {
		err = checkSubscription(r.values, p.currentPicks())
	}
	if err == nil {
		_, err = r.action.Check(body)
	}
	return body, err
}

// firstLine is the first of several joined errors, for the status bar.
func firstLine(err error) error {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return errors.New(s)
}

// countUsers reads the file once before sending: how many users it holds
// (over 100 must be confirmed) and whether every line reads.
func countUsers(gen int, path string, project schema.ProjectFields) tea.Cmd {
	return func() tea.Msg {
		c, err := client.CheckUsersFile(path, project.CSVCell)
		if err == nil {
			err = c.Err()
		}
		return usersCountedMsg{gen: gen, users: c.Users, columns: c.Columns, err: err}
	}
}

// send runs the reviewed request.
func (p *Page) send() tea.Cmd {
	r := p.run
	if r.action.UsersField != "" && !r.counted {
		return page.Notice("still counting the users in the file…")
	}
	p.stage = stageSending
	r.started = p.now()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	c, hist, conn, gen, a, body, now := p.client, p.hist, p.conn, p.gen, r.action, r.body, p.now
	keep := func(ans *answer, req []byte) *answer {
		if hist != nil {
			status, stored := history.Outcome(ans.body, ans.err)
			_, ans.histErr = hist.Add(context.Background(), history.Record{At: now(), Source: history.SourceWorkbench,
				Action: a.Name, Connection: conn, Status: status, Duration: ans.took, Request: req, Answer: stored})
		}
		return ans
	}
	if a.UsersField == "" {
		return tea.Batch(page.Wait(p.spinner.Tick), func() tea.Msg {
			defer cancel()
			start := now()
			out, err := c.Run(ctx, a, body)
			return actionDoneMsg{gen, keep(newAnswer(a, out, err, now().Sub(start)), body)}
		})
	}
	// Bulk: stream the users, typed or from the file, with progress.
	r.progCh = make(chan client.BulkProgress, 1)
	progCh, path, fromFile, typed, req := r.progCh, r.values.filePath, r.values.usersFrom == usersFile, r.body, r.request()
	project := p.currentPicks().fields
	stream := func() tea.Msg {
		defer cancel()
		defer close(progCh)
		start := now()
		var src client.UserSource
		if fromFile {
			s, closeFile, err := client.OpenUsersFile(path, project.CSVCell)
			if err != nil {
				return actionDoneMsg{gen, keep(&answer{action: a, err: err, took: now().Sub(start)}, req)}
			}
			defer closeFile()
			src = s
		} else {
			var env map[string]json.RawMessage
			_ = json.Unmarshal(typed, &env)
			var users []client.OptionalApiUser
			_ = json.Unmarshal(env[a.UsersField], &users)
			src = &sliceUsers{users: users}
		}
		st := client.Streamer{Client: c, Action: a, Fields: body, Progress: func(bp client.BulkProgress) {
			// Only the latest count matters: replace what the page has not read.
			select {
			case <-progCh:
			default:
			}
			progCh <- bp
		}}
		sum, err := st.Stream(ctx, src)
		ans := &answer{action: a, took: now().Sub(start), summary: sum, err: err, status: 200}
		if sum != nil {
			ans.body, _ = json.MarshalIndent(sum, "", "  ")
		}
		setErrStatus(ans)
		return actionDoneMsg{gen, keep(ans, req)}
	}
	return tea.Batch(page.Wait(p.spinner.Tick), stream, page.Wait(waitProgress(gen, progCh)))
}

// request is the run's request as the history keeps it: the body, and for
// users from a file the file's path in place of the users.
func (r *run) request() []byte { return requestOf(r.action, r.values, r.body) }

func requestOf(a client.Action, v *formValues, body []byte) []byte {
	if a.UsersField == "" || v.usersFrom != usersFile {
		return body
	}
	return history.WithUsersFile(body, v.filePath)
}

// waitProgress delivers the stream's next progress report.
func waitProgress(gen int, ch <-chan client.BulkProgress) tea.Cmd {
	return func() tea.Msg {
		bp, ok := <-ch
		if !ok {
			return nil
		}
		return bulkProgressMsg{gen, bp}
	}
}

// sliceUsers is typed users as a stream source.
type sliceUsers struct {
	users []client.OptionalApiUser
	next  int
}

func (s *sliceUsers) Next() (client.OptionalApiUser, error) {
	if s.next >= len(s.users) {
		return client.OptionalApiUser{}, io.EOF
	}
	s.next++
	return s.users[s.next-1], nil
}

// newAnswer reads the outcome of one call.
func newAnswer(a client.Action, out json.RawMessage, err error, took time.Duration) *answer {
	ans := &answer{action: a, status: 200, took: took, body: out, err: err}
	setErrStatus(ans)
	if err != nil {
		return ans
	}
	switch a.Name {
	case "get-user":
		var r client.UserResponse
		if json.Unmarshal(out, &r) == nil {
			ans.user = r.User
		}
	case "list-lists":
		var r client.ListsResponse
		_ = json.Unmarshal(out, &r)
		ans.lists = r.Lists
	case "list-channels":
		var r client.ChannelsResponse
		_ = json.Unmarshal(out, &r)
		ans.channels = r.Channels
	}
	return ans
}

// setErrStatus gives a failed run the status the history keeps for it.
func setErrStatus(ans *answer) {
	if ans.err != nil {
		ans.status, _ = history.Outcome(nil, ans.err)
	}
}

// done ends a run: the outcome on screen, the history read again, and a
// word when the run could not be kept.
func (p *Page) done(ans *answer) tea.Cmd {
	cmds := []tea.Cmd{p.show(ans), p.loadHistory()}
	if changesPicks(ans.action) {
		p.markStale()
		// Reopened on Iterable's refusal (a field another process made
		// first): the form is checked against the account as it is now.
		if p.stage == stageForm || p.stage == stageFields {
			cmds = append(cmds, p.loadPicks(false))
		}
	}
	if ans.user != nil {
		cmds = append(cmds, p.keepUser(ans.user))
	}
	if ans.histErr != nil {
		cmds = append(cmds, page.Error(ans.histErr))
	}
	return tea.Batch(cmds...)
}

// show puts the outcome on screen: an Iterable error reopens the form with
// the input kept and the fields it names marked; anything else is shown.
func (p *Page) show(ans *answer) tea.Cmd {
	r := p.run
	var apiErr *client.Error
	if errors.As(ans.err, &apiErr) && hasForm(r.action) {
		r.banner = fmt.Sprintf("✗ HTTP %d %s · %s: %s", apiErr.Status, apiErr.Code, durationText(ans.took), apiErr.Msg)
		r.fieldErrs = map[string]string{}
		inData := false
		for name, fe := range apiErr.ValidationErrors {
			msg := fmt.Sprintf("Iterable expects %s", fe.ExpectedType)
			if len(fe.IncomingTypes) > 0 {
				msg += fmt.Sprintf(", got %s", strings.Join(fe.IncomingTypes, "/"))
			}
			if fe.OffendingValue != nil {
				msg += fmt.Sprintf(" (%v)", fe.OffendingValue)
			}
			if fe.ExpectedType == "" {
				msg = fe.Type
			}
			r.fieldErrs[name] = msg
			if r.editor != nil && editorHas(r.editor, name) {
				inData = true
				r.editor.serverErrs[name] = msg
			}
		}
		// An email Iterable refuses names no field; it is the email's.
		if apiErr.Code == "InvalidEmailAddressError" && len(apiErr.ValidationErrors) == 0 {
			r.fieldErrs[emailField(r.action)] = apiErr.Msg
		}
		if inData {
			p.stage = stageFields
			return nil
		}
		return p.showForm()
	}
	p.answer = ans
	p.stage = stageAnswer
	return nil
}

// emailField is the body field that holds the action's email.
func emailField(a client.Action) string {
	if a.Name == "send-sms" {
		return "recipientEmail"
	}
	return "email"
}

func editorHas(e *fieldEditor, name string) bool {
	for _, r := range e.rows {
		if r.Name == name {
			return true
		}
	}
	return false
}

func durationText(d time.Duration) string {
	switch {
	case d < time.Millisecond:
		return "<1 ms"
	case d < time.Second:
		return fmt.Sprintf("%d ms", d.Milliseconds())
	}
	return fmt.Sprintf("%.1f s", d.Seconds())
}
