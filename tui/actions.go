package tui

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"
	"time"

	"charm.land/bubbles/v2/spinner"
	"charm.land/bubbles/v2/textinput"
	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/atotto/clipboard"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/schema"
)

// stage is where the Actions tab is in running one action.
type stage int

const (
	stageList    stage = iota // choosing an action, or a run in the history
	stageLoading              // the account's pick lists are loading
	stageForm                 // the huh form has the keys
	stageFields               // the data-fields builder has the keys
	stageReview               // the request, before it is sent
	stageSending              // waiting for Iterable (a progress bar for bulk)
	stageAnswer               // Iterable's answer, or a run from the history
)

// pickData is what the forms pick from, read once per connection.
type pickData struct {
	lists        []client.List
	listsErr     error
	channels     []client.Channel
	channelsErr  error
	messageTypes []client.MessageType
	typesErr     error
	fields       schema.ProjectFields
	fieldsErr    error
}

// run is one opening of an action: its values survive the form being
// rebuilt (back from the review, reopened after an error).
type run struct {
	action    client.Action
	values    *formValues
	opened    *formValues // the values once the form first set its defaults
	form      *huh.Form
	editor    *fieldEditor // nil when the action takes no dataFields
	banner    string       // Iterable's error, shown over the reopened form
	fieldErrs map[string]string

	body    []byte // the reviewed request
	users   int    // users of a bulk action (counted in the file when from one)
	curl    string
	counted bool // the file's users are counted

	started  time.Time
	cancel   context.CancelFunc
	progress client.BulkProgress
	progCh   chan client.BulkProgress
}

// answer is what one run (or one history record) shows.
type answer struct {
	action   client.Action
	status   int
	took     time.Duration
	body     []byte // Iterable's answer
	request  []byte // shown for a history record
	err      error
	user     *client.User // Get user by email
	lists    []client.List
	channels []client.Channel
	summary  *client.BulkSummary
	record   bool  // a history record, not a fresh answer
	histErr  error // the run could not be kept in the history
	cursor   int   // the selected table row
	scroll   int
}

// actionsPage is the Actions tab.
type actionsPage struct {
	client  *client.Client
	hist    *history.Store
	filter  textinput.Model
	cursor  int
	showHis bool // the left pane shows the history
	records []history.Record
	hisErr  error

	stage   stage
	gen     int // the opening the form's messages belong to
	run     *run
	answer  *answer
	picks   map[string]*pickData // by connection label
	spinner spinner.Model
}

// Messages of the Actions tab's commands.
type (
	picksLoadedMsg struct {
		conn  string
		picks *pickData
		gen   int
	}
	actionDoneMsg struct {
		gen int
		ans *answer
	}
	bulkProgressMsg struct {
		gen int
		p   client.BulkProgress
	}
	usersCountedMsg struct {
		gen   int
		users int
		err   error
	}
	historyLoadedMsg struct {
		records []history.Record
		err     error
	}
)

func newActionsPage(c *client.Client, h *history.Store) actionsPage {
	fi := newFilterInput()
	fi.Placeholder = "part of an action's name"
	return actionsPage{client: c, hist: h, filter: fi, picks: map[string]*pickData{},
		spinner: spinner.New(spinner.WithSpinner(spinner.Dot))}
}

// shown are the actions the filter lets through.
func (p *actionsPage) shown() []client.Action {
	q := strings.ToLower(strings.TrimSpace(p.filter.Value()))
	var out []client.Action
	for _, a := range client.Actions {
		if q == "" || strings.Contains(strings.ToLower(a.Title+" "+a.Description+" "+a.Name), q) {
			out = append(out, a)
		}
	}
	return out
}

func (p *actionsPage) move(n int) {
	count := len(p.shown())
	if p.showHis {
		count = len(p.records)
	}
	p.cursor = max(min(p.cursor+n, count-1), 0)
}

// inForm says a field has the keys: every letter is text.
func (p *actionsPage) inForm() bool {
	return p.stage == stageForm || p.stage == stageFields
}

// open starts a fresh run of an action on values v (nil: empty).
func (m *Model) openAction(a client.Action, v *formValues) tea.Cmd {
	p := &m.actions
	if p.client == nil {
		return m.setNotice("no connection in this session: add one on the Connections tab (5)")
	}
	if v == nil {
		v = newFormValues()
	}
	p.gen++
	p.answer = nil
	p.run = &run{action: a, values: v, fieldErrs: map[string]string{}}
	if needsPicks(a) {
		if _, ok := p.picks[m.connectionLabel()]; !ok {
			p.stage = stageLoading
			return tea.Batch(p.loadPicks(m.connectionLabel()), p.spinner.Tick)
		}
	}
	return m.showForm()
}

// currentPicks are the pick lists of the connection in use (empty when not loaded).
func (m *Model) currentPicks() *pickData {
	if pd, ok := m.actions.picks[m.connectionLabel()]; ok {
		return pd
	}
	return &pickData{}
}

// loadPicks reads the account's lists, channels, message types and user
// fields; each that fails degrades its field to a typed id.
func (p *actionsPage) loadPicks(conn string) tea.Cmd {
	c, gen := p.client, p.gen
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		pd := &pickData{}
		pd.lists, pd.listsErr = c.Lists(ctx)
		pd.channels, pd.channelsErr = c.Channels(ctx)
		pd.messageTypes, pd.typesErr = c.MessageTypes(ctx)
		fields, err := c.UserFields(ctx)
		pd.fieldsErr = err
		if err == nil {
			pd.fields = schema.ProjectFields{}
			for k, t := range fields {
				pd.fields[k] = schema.DataType(t)
			}
		}
		return picksLoadedMsg{conn: conn, picks: pd, gen: gen}
	}
}

// paneSize is the inside of the pane the form and its screens draw in.
func (m *Model) actionPane() Rect {
	b := m.layout.Body
	if b.W >= sideBySideWidth {
		return Rect{b.X + actionListW, b.Y, b.W - actionListW, b.H}
	}
	return b
}

// actionListW is the width of the list beside an open action.
const actionListW = 33

// showForm opens the run's form, or goes on when the action asks nothing.
func (m *Model) showForm() tea.Cmd {
	p := &m.actions
	r := p.run
	if !hasForm(r.action) {
		return m.review()
	}
	pane := m.actionPane()
	h := pane.H - 2 - len(bannerView(m.theme, r, pane.W-2))
	r.form = themed(buildForm(r.action, r.values, m.currentPicks(), r.fieldErrs), m.theme, pane.W-4, h, p.gen)
	if r.opened == nil {
		// Building the form set its defaults (the first list of a pick
		// list): they are not input a user could lose.
		opened := r.values.input()
		r.opened = &opened
	}
	p.stage = stageForm
	return r.form.Init()
}

// showFields opens the data-fields builder on the run's rows.
func (m *Model) showFields() tea.Cmd {
	p := &m.actions
	r := p.run
	if r.editor == nil {
		pd := m.currentPicks()
		r.editor = newFieldEditor(r.values.fields, pd.fields, userFieldsAction(r.action), m.theme.Dark)
		r.editor.fieldsErr = pd.fieldsErr
		for name, msg := range r.fieldErrs {
			r.editor.serverErrs[name] = msg
		}
	}
	p.stage = stageFields
	return nil
}

// formDone goes on from the huh form: to the data fields, or the review.
func (m *Model) formDone() tea.Cmd {
	r := m.actions.run
	if takesDataFields(r.action) && !(r.action.UsersField != "" && r.values.usersFrom == usersFile) {
		return m.showFields()
	}
	return m.review()
}

// review builds the request and shows it.
func (m *Model) review() tea.Cmd {
	p := &m.actions
	r := p.run
	var data map[string]any
	if r.editor != nil && p.stage == stageFields {
		var err error
		data, err = r.editor.build()
		if err != nil {
			return m.setError(fmt.Errorf("fix the data fields first: %w", firstLine(err)))
		}
		r.values.fields = r.editor.rows
	} else if r.editor != nil {
		data, _ = r.editor.build()
	}
	body, err := buildBody(r.action, r.values, m.currentPicks(), data)
	if err == nil {
		_, err = r.action.Check(body)
	}
	if err != nil && !(r.action.UsersField != "" && r.values.usersFrom == usersFile) {
		return m.setError(err)
	}
	r.body = body
	r.users = len(typedUsers(r.values.usersText))
	r.curl = p.client.Curl(r.action, body)
	r.banner = ""
	delete(r.fieldErrs, "file")
	p.stage = stageReview
	if r.action.UsersField != "" && r.values.usersFrom == usersFile {
		r.counted = false
		return countUsers(p.gen, r.values.filePath, m.currentPicks().fields)
	}
	r.counted = true
	return nil
}

// firstLine is the first of several joined errors, for the status bar.
func firstLine(err error) error {
	s, _, _ := strings.Cut(err.Error(), "\n")
	return errors.New(s)
}

// openUsers opens a users file with the project's types for CSV columns.
func openUsers(path string, project schema.ProjectFields) (client.UserSource, *os.File, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the users file: %w", err)
	}
	src, err := client.OpenUsers(path, f, project.CSVCell)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return src, f, nil
}

// countUsers reads the file once before sending: how many users it holds
// (over 100 must be confirmed) and whether every line reads.
func countUsers(gen int, path string, project schema.ProjectFields) tea.Cmd {
	return func() tea.Msg {
		src, f, err := openUsers(path, project)
		if err != nil {
			return usersCountedMsg{gen: gen, err: err}
		}
		defer f.Close()
		n := 0
		for {
			_, err := src.Next()
			if errors.Is(err, io.EOF) {
				return usersCountedMsg{gen: gen, users: n}
			}
			if err != nil {
				return usersCountedMsg{gen: gen, users: n, err: err}
			}
			n++
		}
	}
}

// send runs the reviewed request.
func (m *Model) send() tea.Cmd {
	p := &m.actions
	r := p.run
	if r.action.UsersField != "" && !r.counted {
		return m.setNotice("still counting the users in the file…")
	}
	p.stage = stageSending
	r.started = m.deps.Now()
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	c, hist, conn, gen, a, body, now := p.client, p.hist, m.connectionLabel(), p.gen, r.action, r.body, m.deps.Now
	keep := func(ans *answer, req []byte) *answer {
		if hist != nil {
			stored := ans.body
			if ans.err != nil && len(stored) == 0 {
				stored = []byte(ans.err.Error())
			}
			_, ans.histErr = hist.Add(context.Background(), history.Record{At: now(), Action: a.Name, Connection: conn,
				Status: ans.status, Duration: ans.took, Request: req, Answer: stored})
		}
		return ans
	}
	if a.UsersField == "" {
		return tea.Batch(p.spinner.Tick, func() tea.Msg {
			defer cancel()
			start := now()
			out, err := c.Run(ctx, a, body)
			return actionDoneMsg{gen, keep(newAnswer(a, out, err, now().Sub(start)), body)}
		})
	}
	// Bulk: stream the users, typed or from the file, with progress.
	r.progCh = make(chan client.BulkProgress, 1)
	progCh, path, fromFile, typed, req := r.progCh, r.values.filePath, r.values.usersFrom == usersFile, r.body, r.request()
	project := m.currentPicks().fields
	stream := func() tea.Msg {
		defer cancel()
		defer close(progCh)
		start := now()
		var src client.UserSource
		if fromFile {
			s, f, err := openUsers(path, project)
			if err != nil {
				return actionDoneMsg{gen, keep(&answer{action: a, err: err, took: now().Sub(start)}, req)}
			}
			defer f.Close()
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
	return tea.Batch(p.spinner.Tick, stream, waitProgress(gen, progCh))
}

// request is the run's request as the history keeps it: the body, and for
// users from a file the file's path in place of the users.
func (r *run) request() []byte { return requestOf(r.action, r.values, r.body) }

func requestOf(a client.Action, v *formValues, body []byte) []byte {
	if a.UsersField == "" || v.usersFrom != usersFile {
		return body
	}
	var env map[string]any
	_ = json.Unmarshal(body, &env)
	if env == nil {
		env = map[string]any{}
	}
	env[fileKey] = v.filePath
	b, _ := json.Marshal(env)
	return b
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

func setErrStatus(ans *answer) {
	var apiErr *client.Error
	switch {
	case ans.err == nil, errors.Is(ans.err, client.ErrUserNotFound):
	case errors.As(ans.err, &apiErr):
		ans.status = apiErr.Status
	default:
		var bf *client.BulkFailure
		if !errors.As(ans.err, &bf) {
			ans.status = 0
		}
	}
}

// done ends a run: the outcome on screen, the history read again, and a
// word when the run could not be kept.
func (m *Model) done(ans *answer) tea.Cmd {
	cmds := []tea.Cmd{m.show(ans), m.actions.loadHistory()}
	if ans.histErr != nil {
		cmds = append(cmds, m.setError(ans.histErr))
	}
	return tea.Batch(cmds...)
}

// show puts the outcome on screen: an Iterable error reopens the form with
// the input kept and the fields it names marked; anything else is shown.
func (m *Model) show(ans *answer) tea.Cmd {
	p := &m.actions
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
		return m.showForm()
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

func (p *actionsPage) loadHistory() tea.Cmd {
	h := p.hist
	if h == nil {
		return nil
	}
	return func() tea.Msg {
		recs, err := h.Recent(context.Background(), 200)
		return historyLoadedMsg{recs, err}
	}
}

// closeRun goes back to the list.
func (p *actionsPage) closeRun() {
	if p.run != nil && p.run.cancel != nil {
		p.run.cancel()
	}
	p.run, p.answer = nil, nil
	p.stage = stageList
	p.gen++
}

// actionMsg takes the Actions tab's own messages; ok is false for others.
func (m *Model) actionMsg(msg tea.Msg) (tea.Cmd, bool) {
	p := &m.actions
	switch msg := msg.(type) {
	case picksLoadedMsg:
		p.picks[msg.conn] = msg.picks
		if msg.gen == p.gen && p.stage == stageLoading {
			return m.showForm(), true
		}
		return nil, true
	case actionFormDoneMsg:
		if msg.gen == p.gen && p.stage == stageForm {
			return m.formDone(), true
		}
		return nil, true
	case actionFormCancelMsg:
		if msg.gen == p.gen && p.stage == stageForm {
			p.closeRun()
		}
		return nil, true
	case usersCountedMsg:
		if msg.gen != p.gen || p.run == nil {
			return nil, true
		}
		if msg.err != nil {
			p.run.fieldErrs["file"] = msg.err.Error()
			return tea.Batch(m.showForm(), m.setError(fmt.Errorf("reading the users: %w", msg.err))), true
		}
		p.run.users, p.run.counted = msg.users, true
		return nil, true
	case bulkProgressMsg:
		if msg.gen != p.gen || p.run == nil {
			return nil, true
		}
		p.run.progress = msg.p
		return waitProgress(msg.gen, p.run.progCh), true
	case actionDoneMsg:
		if msg.gen != p.gen || p.run == nil {
			return nil, true
		}
		return m.done(msg.ans), true
	case historyLoadedMsg:
		p.records, p.hisErr = msg.records, msg.err
		p.move(0)
		return nil, true
	case spinner.TickMsg:
		if msg.ID != p.spinner.ID() {
			return nil, false // another page's spinner
		}
		if p.stage == stageLoading || p.stage == stageSending {
			var cmd tea.Cmd
			p.spinner, cmd = p.spinner.Update(msg)
			return cmd, true
		}
		return nil, true
	}
	return nil, false
}

// actionKey takes a key on the Actions tab when no field has it.
func (m *Model) actionKey(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.actions
	k := m.keys
	switch p.stage {
	case stageList:
		switch {
		case matches(msg, k.Up):
			p.move(-1)
		case matches(msg, k.Down):
			p.move(1)
		case matches(msg, k.Top):
			p.cursor = 0
		case matches(msg, k.Bottom):
			p.move(1 << 20)
		case matches(msg, k.Filter) && !p.showHis:
			return m.do(actFilter)
		case matches(msg, k.History):
			return m.do(actHistory)
		case matches(msg, k.Back):
			switch {
			case p.showHis:
				p.showHis, p.cursor = false, 0
			case p.filter.Value() != "":
				p.filter.SetValue("")
				p.move(0)
			}
		case matches(msg, k.Rerun) && p.showHis:
			return m.rerun()
		case matches(msg, k.Open):
			if p.showHis {
				if p.cursor < len(p.records) {
					p.answer = recordAnswer(p.records[p.cursor])
					p.stage = stageAnswer
				}
				return nil
			}
			shown := p.shown()
			if p.cursor < len(shown) {
				return m.openAction(shown[p.cursor], nil)
			}
		}
	case stageLoading, stageSending:
		if matches(msg, k.Back) {
			if p.stage == stageSending && p.run.action.UsersField != "" {
				cancel := p.run.cancel
				m.ask("Stop sending? Users already sent stay sent.", func() tea.Cmd { cancel(); return nil })
				return nil
			}
			if p.stage == stageLoading {
				p.closeRun()
			}
		}
	case stageReview:
		r := p.run
		switch {
		case matches(msg, k.CopyCurl):
			curl := r.curl
			return tea.Batch(tea.SetClipboard(curl), func() tea.Msg { return nativeCopyMsg{clipboard.WriteAll(curl)} },
				m.setNotice("✓ copied the curl command (key masked)"))
		case matches(msg, k.Back):
			switch {
			case r.editor != nil && !(r.action.UsersField != "" && r.values.usersFrom == usersFile):
				return m.showFields()
			case hasForm(r.action):
				return m.showForm()
			}
			p.closeRun()
		case msg.String() == "y" && m.reachesPeople():
			return m.send()
		case matches(msg, k.Open):
			if m.reachesPeople() {
				return m.setNotice("this reaches people: press y to send")
			}
			return m.send()
		}
	case stageAnswer:
		return m.answerKey(msg)
	}
	return nil
}

// reachesPeople says the reviewed write can reach a person: it needs y.
func (m *Model) reachesPeople() bool {
	r := m.actions.run
	return r != nil && r.action.NeedsConfirmation(r.users)
}

func (m *Model) answerKey(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.actions
	a := p.answer
	k := m.keys
	rows := len(a.lists) + len(a.channels)
	switch {
	case matches(msg, k.Back):
		if a.record {
			p.answer, p.stage = nil, stageList
			return nil
		}
		p.closeRun()
	case matches(msg, k.Up):
		if rows > 0 {
			a.cursor = max(a.cursor-1, 0)
		} else {
			a.scroll = max(a.scroll-1, 0)
		}
	case matches(msg, k.Down):
		if rows > 0 {
			a.cursor = min(a.cursor+1, rows-1)
		} else {
			a.scroll++
		}
	case matches(msg, k.PageDown):
		a.scroll += 10
	case matches(msg, k.PageUp):
		a.scroll = max(a.scroll-10, 0)
	case matches(msg, k.EditUser) && a.user != nil:
		return m.do(actEditUser)
	case matches(msg, k.Open) && len(a.lists) > 0:
		l := a.lists[a.cursor]
		sub, _ := client.LookupAction("add-subscribers")
		v := newFormValues()
		v.listID = fmt.Sprint(l.ID)
		return m.openAction(sub, v)
	case matches(msg, k.Rerun):
		return m.rerun()
	}
	return nil
}

// editUser opens Upsert user on the profile shown.
func (m *Model) editUser() tea.Cmd {
	a := m.actions.answer
	if a == nil || a.user == nil {
		return m.setNotice("no profile shown: run Get user by email first")
	}
	up, _ := client.LookupAction("upsert-user")
	v := newFormValues()
	v.email, v.userID = a.user.Email, ""
	if v.email == "" {
		v.userID = a.user.UserID
	}
	v.fields = rowsFromData(profileFields(a.user.DataFields), m.currentPicks().fields)
	return m.openAction(up, v)
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
func (m *Model) rerun() tea.Cmd {
	p := &m.actions
	var rec history.Record
	switch {
	case p.answer != nil && p.answer.record:
		rec = history.Record{Action: p.answer.action.Name, Request: p.answer.request}
	case p.answer != nil && p.run != nil:
		rec = history.Record{Action: p.run.action.Name, Request: p.run.request()}
	case p.showHis && p.cursor < len(p.records):
		rec = p.records[p.cursor]
	default:
		return m.setNotice("choose a run in the history (h) first")
	}
	a, ok := client.LookupAction(rec.Action)
	if !ok {
		return m.setError(fmt.Errorf("the history names an unknown action %q", rec.Action))
	}
	return m.openAction(a, valuesFromBody(a, rec.Request, m.currentPicks().fields))
}

func recordAnswer(r history.Record) *answer {
	a, _ := client.LookupAction(r.Action)
	if a.Name == "" {
		a = client.Action{Name: r.Action, Title: r.Action}
	}
	return &answer{action: a, status: r.Status, took: r.Duration, body: r.Answer, request: r.Request, record: true}
}

// formKey takes a key while the form or the builder has the keys.
func (m *Model) actionFormKey(msg tea.KeyPressMsg) tea.Cmd {
	p := &m.actions
	r := p.run
	if p.stage == stageFields {
		if !r.editor.editing && matches(msg, m.keys.Back) {
			m.discardRun()
			return nil
		}
		cmd, res := r.editor.key(m.keys, msg)
		switch res {
		case editorReview:
			return m.review()
		case editorBack:
			r.values.fields = r.editor.rows
			return m.showForm()
		}
		return cmd
	}
	if matches(msg, m.keys.Back) {
		m.discardRun()
		return nil
	}
	_, cmd := r.form.Update(msg)
	return cmd
}

// discardRun leaves the open form, asking first when something was typed.
func (m *Model) discardRun() {
	p := &m.actions
	r := p.run
	if !r.touched() {
		p.closeRun()
		return
	}
	m.ask("Discard this "+r.action.Title+"?", func() tea.Cmd { p.closeRun(); return nil })
}

// touched says the user changed the run's values since its form opened:
// defaults and prefilled values are not input a user could lose.
func (r *run) touched() bool {
	if r.editor != nil {
		r.values.fields = r.editor.rows
	}
	return r.opened != nil && !reflect.DeepEqual(r.values.input(), *r.opened)
}

// unsaved says the Actions tab holds input that leaving would lose: a form,
// its data fields or its review, changed by the user.
func (p *actionsPage) unsaved() bool {
	switch p.stage {
	case stageForm, stageFields, stageReview:
		return p.run != nil && p.run.touched()
	}
	return false
}

// actionUpdate hands other messages to the form or builder with the keys.
func (m *Model) actionUpdate(msg tea.Msg) tea.Cmd {
	p := &m.actions
	switch {
	case p.stage == stageForm && p.run.form != nil:
		_, cmd := p.run.form.Update(msg)
		return cmd
	case p.stage == stageFields:
		return p.run.editor.update(msg)
	}
	return nil
}

// selectedAction is the action under the cursor.
func (p *actionsPage) selectedAction() (client.Action, bool) {
	shown := p.shown()
	if p.showHis || p.cursor >= len(shown) {
		return client.Action{}, false
	}
	return shown[p.cursor], true
}
