package tui

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"
	"github.com/atotto/clipboard"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/secret"
	"github.com/iwb-dev/iwb/webhook"
)

// triggersPage is the Triggers tab: the triggers with their counts, the URL
// to give Iterable, and the setup of Iterable's system webhook.
type triggersPage struct {
	triggers  []webhook.Trigger
	loaded    bool
	loading   bool
	err       error
	cursor    int
	publicURL string
	token     string // the listener token, only ever shown masked

	journeys        []client.Journey
	journeysErr     error
	journeysLoading bool

	setup *webhookSetup // the webhook setup screens, when open
}

// The steps of the webhook setup.
const (
	setupLoading = iota // reading Iterable's system webhooks
	setupPick           // choosing one
	setupReview         // the exact change, before it is sent
	setupSending
)

// webhookSetup points one of Iterable's system webhooks at the listener.
type webhookSetup struct {
	step      int
	hooks     []client.Webhook
	cursor    int
	endpoint  string
	withToken bool
}

// Messages of the Triggers tab's commands.
type (
	triggersLoadedMsg struct {
		sel       string // the trigger to select; "" keeps the selection
		triggers  []webhook.Trigger
		publicURL string
		token     string
		err       error
	}
	journeysLoadedMsg struct {
		journeys []client.Journey
		err      error
	}
	triggerSavedMsg struct { // an add, edit, remove or setting finished
		what     string
		warnings []string
		sel      string // the trigger to select afterwards
		err      error
	}
	webhooksLoadedMsg struct {
		hooks []client.Webhook
		err   error
	}
	webhookSetMsg struct {
		hook  *client.Webhook
		token bool
		err   error
	}
)

// selected is the trigger under the cursor.
func (p *triggersPage) selected() (webhook.Trigger, bool) {
	if p.cursor < 0 || p.cursor >= len(p.triggers) {
		return webhook.Trigger{}, false
	}
	return p.triggers[p.cursor], true
}

func (p *triggersPage) move(n int) {
	p.cursor = max(min(p.cursor+n, len(p.triggers)-1), 0)
}

func (p *triggersPage) selectName(name string) {
	for i, t := range p.triggers {
		if t.Name == name {
			p.cursor = i
			return
		}
	}
	p.move(0)
}

// refreshTriggers reads the counts again as events arrive, one read at a time.
func (m *Model) refreshTriggers() tea.Cmd {
	if m.trig.loading {
		return nil
	}
	return m.loadTriggers("")
}

// loadTriggers reads the triggers and the listener settings, then selects
// sel (or keeps the selection).
func (m *Model) loadTriggers(sel string) tea.Cmd {
	st := m.deps.Store
	if st == nil {
		return nil
	}
	m.trig.loading = true
	return func() tea.Msg {
		ctx := context.Background()
		ts, err := st.Triggers(ctx)
		if err != nil {
			return triggersLoadedMsg{err: err}
		}
		pub, err := st.PublicURL(ctx)
		if err != nil {
			return triggersLoadedMsg{err: err}
		}
		tok, err := st.ListenerToken(ctx)
		return triggersLoadedMsg{sel: sel, triggers: ts, publicURL: pub, token: tok, err: err}
	}
}

// loadJourneys reads the account's journeys in the background, for the New
// Workflow form; on error the form asks for the id instead.
func (m *Model) loadJourneys() tea.Cmd {
	c := m.deps.Client
	if c == nil || m.trig.journeysLoading {
		return nil
	}
	m.trig.journeysLoading = true
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var all []client.Journey
		for page := 1; page <= 20; page++ { // at most 1,000 journeys
			r, err := c.Journeys(ctx, page, 50)
			if err != nil {
				return journeysLoadedMsg{all, fmt.Errorf("listing journeys: %w", err)}
			}
			all = append(all, r.Journeys...)
			if len(r.Journeys) < 50 || int64(len(all)) >= r.TotalJourneysCount {
				break
			}
		}
		return journeysLoadedMsg{journeys: all}
	}
}

// triggersMsg handles the Triggers tab's messages.
func (m *Model) triggersMsg(msg tea.Msg) (tea.Cmd, bool) {
	p := &m.trig
	switch msg := msg.(type) {
	case triggersLoadedMsg:
		p.loading, p.loaded, p.err = false, true, msg.err
		if msg.err != nil {
			return m.setError(fmt.Errorf("reading triggers: %w", msg.err)), true
		}
		name := msg.sel
		if t, ok := p.selected(); ok && name == "" {
			name = t.Name
		}
		p.triggers, p.publicURL, p.token = msg.triggers, msg.publicURL, msg.token
		p.selectName(name)
		if sel := m.sch.pendingSel; sel != nil {
			for i, r := range m.rows() {
				if r.path.String() == sel.String() {
					m.sch.cursor = i
				}
			}
			m.sch.pendingSel = nil
		}
		return m.loadMismatches(), true
	case journeysLoadedMsg:
		p.journeysLoading = false
		p.journeys, p.journeysErr = msg.journeys, msg.err
		if msg.err != nil {
			m.log.Warn("journeys for the New Workflow form", "err", msg.err)
		}
		return nil, true
	case triggerSavedMsg:
		if msg.err != nil {
			return tea.Batch(m.setError(msg.err), m.loadTriggers("")), true
		}
		notice := msg.what
		if len(msg.warnings) > 0 {
			notice += " · warning: " + strings.Join(msg.warnings, "; ")
		}
		return tea.Batch(m.setNotice(notice), m.loadTriggers(msg.sel)), true
	case webhooksLoadedMsg:
		if p.setup == nil {
			return nil, true
		}
		if msg.err != nil {
			p.setup = nil
			return m.setError(fmt.Errorf("listing Iterable's system webhooks: %w", msg.err)), true
		}
		if len(msg.hooks) == 0 {
			p.setup = nil
			return m.setNotice("the project has no system webhook: add one in Iterable (Integrations → System Webhooks), then press w again"), true
		}
		p.setup.hooks, p.setup.step = msg.hooks, setupPick
		return nil, true
	case webhookSetMsg:
		p.setup = nil
		if msg.err != nil {
			return m.setError(fmt.Errorf("setting up the webhook: %w", msg.err)), true
		}
		auth := "no auth"
		if msg.token {
			auth = "a token the listener now requires"
		}
		return tea.Batch(m.loadTriggers(""), m.setNotice(fmt.Sprintf(
			"✓ webhook %d sends to %s with %s · tick its event types in Iterable's web app",
			msg.hook.ID, msg.hook.Endpoint, auth))), true
	}
	return nil, false
}

// baseURL is where Iterable should send: the public URL when set, else the
// listener's own.
func (m *Model) baseURL() string {
	if m.trig.publicURL != "" {
		return m.trig.publicURL
	}
	return m.deps.ListenerURL
}

// triggerURL is the URL to give Iterable for t.
func (m *Model) triggerURL(t webhook.Trigger) string {
	base := m.baseURL()
	if base == "" {
		return ""
	}
	return webhook.TriggerURL(base, t)
}

// triggerAction runs a Triggers tab action, from a key or the palette.
func (m *Model) triggerAction(a action) tea.Cmd {
	m.tab = tabTriggers
	if m.deps.Store == nil {
		return m.setNotice("no event store in this session: triggers live in the listener's database")
	}
	switch a {
	case actNewObject:
		return m.objectForm(nil)
	case actNewWorkflow:
		return m.workflowForm(nil)
	case actPublicURL:
		return m.publicURLForm()
	case actSetupWebhook:
		return m.startWebhookSetup()
	}
	t, ok := m.trig.selected()
	if !ok {
		return m.setNotice("no trigger yet: n adds a New Object trigger, N a New Workflow one")
	}
	switch a {
	case actEditTrigger:
		if t.Kind == webhook.TriggerWorkflow {
			return m.workflowForm(&t)
		}
		return m.objectForm(&t)
	case actRemoveTrigger:
		st := m.deps.Store
		m.ask(fmt.Sprintf("Remove the trigger %s? Its events stay in the log.", t.Name), func() tea.Cmd {
			return func() tea.Msg {
				err := st.RemoveTrigger(context.Background(), t.Name)
				if err != nil {
					err = fmt.Errorf("removing %s: %w", t.Name, err)
				}
				return triggerSavedMsg{what: "removed " + t.Name, err: err}
			}
		})
		return nil
	case actCopyURL:
		u := m.triggerURL(t)
		if u == "" {
			return m.setNotice("the listener is not running: no URL to copy")
		}
		native := func() tea.Msg { return nativeCopyMsg{clipboard.WriteAll(u)} }
		return tea.Batch(tea.SetClipboard(u), native, m.setNotice("✓ copied "+u))
	}
	return nil
}

// eventOptions are the documented event names, grouped by channel: the
// channel leads each label so that filtering by "sms" keeps the SMS group.
func eventOptions(selected []string) []huh.Option[string] {
	var opts []huh.Option[string]
	for _, g := range webhook.EventGroups {
		for _, name := range g.Names {
			opts = append(opts, huh.NewOption(fmt.Sprintf("%-9s %s", g.Channel, name), name).Selected(slices.Contains(selected, name)))
		}
	}
	return opts
}

// objectValues are the New Object form's fields.
type objectValues struct {
	name   string
	events []string
	other  string // comma-separated names Iterable does not document
}

// objectForm adds a New Object trigger, or edits t's event names.
func (m *Model) objectForm(t *webhook.Trigger) tea.Cmd {
	v := &objectValues{}
	title := "New Object trigger"
	var fields []huh.Field
	if t != nil {
		title = "Edit " + t.Name
		v.name = t.Name
		for _, n := range t.EventNames {
			if webhook.KnownEventName(n) {
				v.events = append(v.events, n)
			} else {
				v.other = strings.TrimPrefix(v.other+","+n, ",")
			}
		}
	} else {
		fields = append(fields, huh.NewInput().Title("Name").Description("e.g. opens").Value(&v.name).
			Validate(notEmpty("give the trigger a name")))
	}
	height := max(m.layout.Body.H-10, 6)
	fields = append(fields,
		huh.NewMultiSelect[string]().Title("Events").
			Description("space ticks · / filters (by channel or name) · enter goes on").
			Options(eventOptions(v.events)...).Value(&v.events).Filterable(true).Height(height),
		huh.NewInput().Title("Other event names").Description("comma-separated, for names Iterable added since").Value(&v.other),
	)
	st := m.deps.Store
	editing := t != nil
	submit := func() tea.Cmd {
		tr := webhook.Trigger{Name: strings.TrimSpace(v.name), Kind: webhook.TriggerObject, EventNames: append([]string(nil), v.events...)}
		for _, n := range strings.Split(v.other, ",") {
			if n = strings.TrimSpace(n); n != "" && !slices.Contains(tr.EventNames, n) {
				tr.EventNames = append(tr.EventNames, n)
			}
		}
		return saveTrigger(st, tr, editing)
	}
	input := func() any { return [3]string{v.name, strings.Join(v.events, ","), v.other} }
	return m.openPageForm(title, submit, input, huh.NewGroup(fields...))
}

// saveTrigger adds or updates a trigger in the background.
func saveTrigger(st webhook.EventLog, t webhook.Trigger, editing bool) tea.Cmd {
	return func() tea.Msg {
		ctx := context.Background()
		var warnings []string
		var err error
		what := "added " + t.Name
		if editing {
			what = "saved " + t.Name
			warnings, err = st.UpdateTrigger(ctx, t)
		} else {
			warnings, err = st.AddTrigger(ctx, t)
		}
		if err != nil {
			err = fmt.Errorf("saving %s: %w", t.Name, err)
		}
		return triggerSavedMsg{what: what, warnings: warnings, sel: t.Name, err: err}
	}
}

// workflowValues are the New Workflow form's fields.
type workflowValues struct {
	name, picked, typed string
}

// otherJourney is the picker's choice for typing the id instead.
const otherJourney = "other"

// workflowForm adds a New Workflow trigger, or edits t's workflow id. The id
// is picked from the account's journeys when they could be read, or typed
// (a journey editor URL works too).
func (m *Model) workflowForm(t *webhook.Trigger) tea.Cmd {
	v := &workflowValues{picked: otherJourney}
	title := "New Workflow trigger"
	var first []huh.Field
	if t != nil {
		title = "Edit " + t.Name
		v.name, v.typed = t.Name, t.WorkflowID
	} else {
		first = append(first, huh.NewInput().Title("Name").Description("e.g. nps").Value(&v.name).
			Validate(notEmpty("give the trigger a name")))
	}
	p := &m.trig
	var groups []*huh.Group
	if len(p.journeys) > 0 {
		if t == nil {
			v.picked = strconv.FormatInt(p.journeys[0].ID, 10)
		}
		opts := make([]huh.Option[string], 0, len(p.journeys)+1)
		for _, j := range p.journeys {
			id := strconv.FormatInt(j.ID, 10)
			label := fmt.Sprintf("%-8s %s", id, j.Name)
			if !j.Enabled {
				label += " (disabled)"
			}
			opts = append(opts, huh.NewOption(label, id).Selected(id == v.typed))
			if id == v.typed {
				v.picked = id
			}
		}
		opts = append(opts, huh.NewOption("Type an id or paste the journey editor URL…", otherJourney))
		first = append(first, huh.NewSelect[string]().Title("Journey").Options(opts...).Value(&v.picked).
			Height(min(len(opts)+1, max(m.layout.Body.H-8, 4))))
	}
	if len(first) > 0 {
		groups = append(groups, huh.NewGroup(first...))
	}
	desc := "the number in the journey editor's URL, or the URL itself (.../workflows/1234/edit)"
	switch {
	case m.deps.Client == nil:
	case p.journeysLoading:
		desc += " · the journeys are still loading"
	case p.journeysErr != nil:
		desc += " · the journeys could not be read: " + p.journeysErr.Error()
	}
	typed := huh.NewInput().Title("Workflow id").Description(desc).Value(&v.typed).Validate(func(s string) error {
		_, err := webhook.ParseWorkflowID(s)
		return err
	})
	groups = append(groups, huh.NewGroup(typed).WithHideFunc(func() bool { return v.picked != otherJourney }))
	st := m.deps.Store
	editing := t != nil
	submit := func() tea.Cmd {
		id := v.picked
		if id == otherJourney {
			id, _ = webhook.ParseWorkflowID(v.typed) // checked by the field
		}
		return saveTrigger(st, webhook.Trigger{Name: strings.TrimSpace(v.name), Kind: webhook.TriggerWorkflow, WorkflowID: id}, editing)
	}
	return m.openPageForm(title, submit, func() any { return *v }, groups...)
}

// publicURLForm sets (or clears) the public base URL, kept in the database.
func (m *Model) publicURLForm() tea.Cmd {
	v := m.trig.publicURL
	st := m.deps.Store
	in := huh.NewInput().Title("Public base URL").
		Description("your tunnel's HTTPS address to this listener (e.g. https://abc.ngrok.app); empty uses the local URL").
		Value(&v).Validate(func(s string) error { _, err := webhook.CheckPublicURL(s); return err })
	submit := func() tea.Cmd {
		return func() tea.Msg {
			saved, err := st.SetPublicURL(context.Background(), v)
			what := "public base URL: " + saved
			if saved == "" {
				what = "public base URL cleared: the local listener URL is shown"
			}
			return triggerSavedMsg{what: what, err: err}
		}
	}
	return m.openPageForm("Public base URL", submit, func() any { return v }, huh.NewGroup(in))
}

// startWebhookSetup lists Iterable's system webhooks to pick one.
func (m *Model) startWebhookSetup() tea.Cmd {
	c := m.deps.Client
	if c == nil {
		return m.setNotice("no connection to Iterable in this session: the webhook cannot be set up from here")
	}
	if m.baseURL() == "" {
		return m.setNotice("no listener URL: start the listener, or set your tunnel's URL with b")
	}
	m.trig.setup = &webhookSetup{step: setupLoading, endpoint: webhook.TriggerURL(m.baseURL(), webhook.Trigger{Kind: webhook.TriggerObject})}
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		hooks, err := c.Webhooks(ctx)
		return webhooksLoadedMsg{hooks, err}
	}
}

// setupKey handles keys on the webhook setup screens.
func (m *Model) setupKey(msg tea.KeyPressMsg) tea.Cmd {
	k, s := m.keys, m.trig.setup
	if matches(msg, k.Back) {
		if s.step == setupReview {
			s.step = setupPick
		} else if s.step != setupSending {
			m.trig.setup = nil
		}
		return nil
	}
	switch s.step {
	case setupPick:
		switch {
		case matches(msg, k.Up):
			s.cursor = max(s.cursor-1, 0)
		case matches(msg, k.Down):
			s.cursor = min(s.cursor+1, len(s.hooks)-1)
		case msg.String() == "a":
			s.withToken = !s.withToken
		case matches(msg, k.Open):
			s.step = setupReview
		}
	case setupReview:
		if matches(msg, k.Open) {
			s.step = setupSending
			return m.sendWebhookSetup(s.hooks[s.cursor], s.endpoint, s.withToken)
		}
		if msg.String() == "a" {
			s.withToken = !s.withToken
		}
	}
	return nil
}

// sendWebhookSetup points the webhook at the listener and enables it; with
// a token, the listener requires it from then on (saved, so `iwb listen`
// requires it too). Iterable is changed first so that no event it sends is
// refused in between.
func (m *Model) sendWebhookSetup(h client.Webhook, endpoint string, withToken bool) tea.Cmd {
	c, st, srv := m.deps.Client, m.deps.Store, m.deps.Listener
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		authType, token := "NoAuth", ""
		if withToken {
			authType, token = "Basic", webhook.NewListenerToken() // Basic: Iterable sends the token as-is
		}
		enabled := true
		up := client.WebhookUpdate{ID: h.ID, Endpoint: &endpoint, Enabled: &enabled, AuthType: &authType}
		if token != "" {
			up.AuthToken = &token
		}
		got, err := c.UpdateWebhook(ctx, up)
		if err != nil {
			return webhookSetMsg{err: err}
		}
		if err := st.SetListenerToken(ctx, token); err != nil {
			return webhookSetMsg{err: fmt.Errorf("the webhook is set, but the token could not be saved: %w", err)}
		}
		if srv != nil {
			srv.SetAuth(webhook.TokenAuth(token))
		}
		return webhookSetMsg{hook: got, token: withToken}
	}
}

// triggersKey handles the Triggers tab's keys in normal mode.
func (m *Model) triggersKey(msg tea.KeyPressMsg) tea.Cmd {
	if m.trig.setup != nil {
		return m.setupKey(msg)
	}
	k, p := m.keys, &m.trig
	switch {
	case matches(msg, k.Up):
		p.move(-1)
		return m.loadMismatches()
	case matches(msg, k.Down):
		p.move(1)
		return m.loadMismatches()
	case matches(msg, k.Top):
		p.cursor = 0
	case matches(msg, k.Bottom):
		p.move(len(p.triggers))
	case matches(msg, k.Open):
		if _, ok := p.selected(); ok {
			return m.do(actTabSchemas)
		}
	case matches(msg, k.NewObject):
		return m.do(actNewObject)
	case matches(msg, k.NewWorkflow):
		return m.do(actNewWorkflow)
	case matches(msg, k.EditTrigger):
		return m.do(actEditTrigger)
	case matches(msg, k.RemoveTrigger):
		return m.do(actRemoveTrigger)
	case matches(msg, k.CopyURL):
		return m.do(actCopyURL)
	case matches(msg, k.PublicURL):
		return m.do(actPublicURL)
	case matches(msg, k.SetupWebhook):
		return m.do(actSetupWebhook)
	}
	return nil
}

// ago is a short age: 2s, 5m, 3h, 4d.
func ago(now, t time.Time) string {
	d := now.Sub(t)
	switch {
	case d < time.Minute:
		return fmt.Sprintf("%ds", max(int(d.Seconds()), 0))
	case d < time.Hour:
		return fmt.Sprintf("%dm", int(d.Minutes()))
	case d < 48*time.Hour:
		return fmt.Sprintf("%dh", int(d.Hours()))
	}
	return fmt.Sprintf("%dd", int(d.Hours()/24))
}

// triggersView draws the tab: the list and the URL on the left (all of the
// body when narrow), the selected trigger's schema on the right.
func (m *Model) triggersView() []string {
	th, l := m.theme, m.layout
	if m.trig.setup != nil {
		return m.setupView()
	}
	main := l.Main
	if l.Stacked {
		main = l.Body
	}
	lines := m.triggerListLines(main.W-2, main.H-2)
	right := ""
	if n := len(m.trig.triggers); n > 0 {
		right = th.Muted.Render(fmt.Sprintf("%d", n))
	}
	list := box(th, main.W, main.H, "Triggers", right, lines, true)
	if l.Stacked {
		return list
	}
	title, side := "Schema", []string{th.Muted.Render(" Select a trigger to see its schema.")}
	if t, ok := m.trig.selected(); ok {
		title = "Schema · " + clean(t.Name)
		side = m.schemaPreview(t, l.Side.W-2)
	}
	return beside(list, box(th, l.Side.W, l.Side.H, title, "", side, false))
}

// triggerListLines are the list, the add buttons and the URL section, in
// h lines: the list scrolls to keep the cursor in view.
func (m *Model) triggerListLines(w, h int) []string {
	th, p := m.theme, &m.trig
	var lines []string
	switch {
	case m.deps.Store == nil:
		return []string{th.Muted.Render(" No event store in this session.")}
	case p.err != nil:
		lines = append(lines, th.Error.Render(" Could not read the triggers: "+clean(p.err.Error())))
	case !p.loaded:
		lines = append(lines, th.Muted.Render(" Reading the triggers…"))
	case len(p.triggers) == 0:
		lines = append(lines, th.Muted.Render(" No trigger yet. A trigger picks the events you care about:"),
			th.Muted.Render(" New Object by event name, New Workflow by journey."))
	}
	nameW := 6
	for _, t := range p.triggers {
		nameW = max(nameW, len([]rune(t.Name)))
	}
	nameW = min(nameW, 16)
	now := m.deps.Now()
	// Fixed columns: name, kind (12), schema (11), matched (8), last (4).
	onW := max(w-nameW-42, 6)
	if len(p.triggers) > 0 {
		lines = append(lines, th.Muted.Render("  "+fit("NAME", nameW)+" "+fit("KIND", 12)+" "+fit("ON", onW)+" "+
			fit("SCHEMA", 11)+fmt.Sprintf(" %8s %4s", "MATCHED", "LAST")))
	}
	urls := m.urlLines(w)
	rows := max(h-len(lines)-3-len(urls)-1, 3) // header, buttons, blanks
	first := max(p.cursor-rows+1, 0)
	for i, t := range p.triggers {
		if i < first || i >= first+rows {
			continue
		}
		kind, on := "New Object  ", strings.Join(t.EventNames, ",")
		if t.Kind == webhook.TriggerWorkflow {
			kind, on = "New Workflow", "wf "+t.WorkflowID
		}
		sc := th.Muted.Render("no schema")
		if t.Schema != nil {
			sc = th.OK.Render(fmt.Sprintf("✓ %d fields", len(t.Schema)))
		}
		last := "—"
		if !t.LastMatch.IsZero() {
			last = ago(now, t.LastMatch)
		}
		line := " " + fit(clean(t.Name), nameW) + " " + kind + " " + fit(clean(on), onW) + " " + fit(sc, 11) +
			fmt.Sprintf(" %8s %4s", thousands(int(t.Matched)), last)
		if i == p.cursor {
			line = th.Selected.Render("▶" + fit(line, w-1))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", "  "+th.Key.Render("n")+" + New Object   "+th.Key.Render("N")+" + New Workflow")
	lines = append(lines, "")
	return append(lines, urls...)
}

// urlLines say where Iterable should send, and how.
func (m *Model) urlLines(w int) []string {
	th, p := m.theme, &m.trig
	t, ok := p.selected()
	if !ok {
		t = webhook.Trigger{Kind: webhook.TriggerObject}
	}
	u := m.triggerURL(t)
	if u == "" {
		return []string{" " + th.Muted.Render("The listener is not running: no URL to give Iterable.")}
	}
	lines := []string{" " + th.Title.Render("URL for Iterable:"), " " + th.Accent.Render(clean(u)) + th.Muted.Render("  (c copy)")}
	if t.Kind == webhook.TriggerWorkflow {
		lines = append(lines, " Paste it into the journey's Call Webhook tile (POST).")
	} else {
		lines = append(lines, " Iterable → Integrations → System Webhooks · "+th.Key.Render("w")+" set it up from here")
	}
	if !strings.HasPrefix(u, "https://") {
		lines = append(lines, " "+th.Warn.Render("⚠ Iterable needs HTTPS: set your tunnel's address with ")+th.Key.Render("b"))
	}
	auth := "listener auth: none"
	if p.token != "" {
		auth = "listener auth: token " + secret.Mask(p.token) + " (Authorization header)"
	}
	lines = append(lines, " "+th.Muted.Render(auth))
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return lines
}

// setupView draws the webhook setup screens.
func (m *Model) setupView() []string {
	th, b, s := m.theme, m.layout.Body, m.trig.setup
	w := b.W - 2
	var lines []string
	auth := "NoAuth"
	if s.withToken {
		auth = "a token iwb makes; Iterable sends it, the listener requires it"
	}
	switch s.step {
	case setupLoading:
		lines = []string{"", th.Muted.Render(" Reading Iterable's system webhooks (GET /api/webhooks)…")}
	case setupPick:
		lines = []string{"", " Pick the system webhook to point at this listener:", ""}
		for i, h := range s.hooks {
			state := "disabled"
			if h.Enabled {
				state = "enabled"
			}
			line := fmt.Sprintf(" #%-5d %-8s  %-8s  %s", h.ID, state, h.AuthType, clean(cmp.Or(h.Endpoint, "(no endpoint)")))
			if i == s.cursor {
				line = th.Selected.Render("▶" + fit(line, w-1))
			} else {
				line = " " + line
			}
			lines = append(lines, line)
		}
		lines = append(lines, "", " Auth: "+auth, "",
			" "+th.Key.Render("enter")+" review   "+th.Key.Render("a")+" toggle token auth   "+th.Key.Render("esc")+" cancel")
	case setupReview, setupSending:
		h := s.hooks[s.cursor]
		authType := "NoAuth"
		if s.withToken {
			authType = "Basic"
		}
		lines = []string{"",
			" " + th.Title.Render("Review: POST /api/webhooks"),
			" {",
			fmt.Sprintf(`   "id": %d,`, h.ID),
			fmt.Sprintf(`   "endpoint": %q,`, s.endpoint),
			`   "enabled": true,`,
			fmt.Sprintf(`   "authType": %q%s`, authType, map[bool]string{true: ",", false: ""}[s.withToken]),
		}
		if s.withToken {
			lines = append(lines, `   "authToken": "(made when sent; kept by iwb, never shown)"`)
		}
		lines = append(lines, " }", "",
			" Now:  "+clean(cmp.Or(h.Endpoint, "(no endpoint)"))+"  "+map[bool]string{true: "enabled", false: "disabled"}[h.Enabled]+"  "+h.AuthType,
			" Auth: "+auth)
		if s.withToken && m.deps.Listener == nil {
			lines = append(lines, " "+th.Warn.Render("⚠ The listener runs elsewhere (iwb listen): restart it to require the token."))
		}
		if s.withToken && m.deps.Demo {
			lines = append(lines, " "+th.Warn.Render("⚠ The demo's simulated traffic sends no token: only the sandbox's own webhooks will pass."))
		}
		if !strings.HasPrefix(s.endpoint, "https://") && !m.deps.Demo {
			lines = append(lines, " "+th.Warn.Render("⚠ Iterable refuses plain http: set your tunnel's URL with b first."))
		}
		lines = append(lines, "",
			" "+th.Warn.Render("Iterable sends only the event types ticked on this webhook in its web app")+" ",
			" "+th.Warn.Render("(Integrations → System Webhooks → edit): tick them there."), "")
		if s.step == setupSending {
			lines = append(lines, th.Muted.Render(" Sending…"))
		} else {
			lines = append(lines, " "+th.Key.Render("enter")+" send   "+th.Key.Render("a")+" toggle token auth   "+th.Key.Render("esc")+" back")
		}
	}
	for i := range lines {
		lines[i] = fit(lines[i], w)
	}
	return box(th, b.W, b.H, "Set up Iterable's system webhook", "", lines, true)
}
