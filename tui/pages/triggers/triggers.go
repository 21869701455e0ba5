package triggers

import (
	"context"
	"fmt"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/secret"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

// triggersState is what the Triggers tab keeps: the triggers with their counts, the URL
// to give Iterable, and the setup of Iterable's system webhook.
type triggersState struct {
	triggers []webhook.Trigger
	// misfits are each schema's mismatches by path, errors then warnings,
	// as the Schemas tab lists them.
	misfits map[string][2]int
	loaded  bool
	loading bool
	err     error
	cursor  int
	ends    webhook.Endpoints // where Iterable sends, and the token (only ever shown masked)

	journeys        []client.Journey
	journeysErr     error
	journeysLoading bool

	setup *webhookSetup // the webhook setup screens, when open
}

// Messages of the Triggers tab's commands.
type (
	triggersLoadedMsg struct {
		sel      string // the trigger to select; "" keeps the selection
		triggers []webhook.Trigger
		misfits  map[string][2]int
		ends     webhook.Endpoints
		err      error
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
func (p *triggersState) selected() (webhook.Trigger, bool) {
	if p.cursor < 0 || p.cursor >= len(p.triggers) {
		return webhook.Trigger{}, false
	}
	return p.triggers[p.cursor], true
}

func (p *triggersState) move(n int) {
	p.cursor = max(min(p.cursor+n, len(p.triggers)-1), 0)
}

func (p *triggersState) selectName(name string) {
	for i, t := range p.triggers {
		if t.Name == name {
			p.cursor = i
			return
		}
	}
	p.move(0)
}

// refreshTriggers reads the counts again as events arrive, one read at a time.
func (c *core) refreshTriggers() tea.Cmd {
	if c.trig.loading {
		return nil
	}
	return c.loadTriggers("")
}

// loadTriggers reads the triggers and the listener settings, then selects
// sel (or keeps the selection).
func (c *core) loadTriggers(sel string) tea.Cmd {
	st, listenerURL := c.store, c.listenerURL
	if st == nil {
		return nil
	}
	c.trig.loading = true
	return func() tea.Msg {
		ctx := context.Background()
		ts, err := st.Triggers(ctx)
		if err != nil {
			return triggersLoadedMsg{err: err}
		}
		misfits := map[string][2]int{}
		for _, t := range ts {
			if t.Schema == nil {
				continue
			}
			list, err := st.Mismatches(ctx, t.Name, 0)
			if err != nil {
				return triggersLoadedMsg{err: err}
			}
			misfits[t.Name] = countMisfits(list)
		}
		ends, err := st.Endpoints(ctx, listenerURL)
		return triggersLoadedMsg{sel: sel, triggers: ts, misfits: misfits, ends: ends, err: err}
	}
}

// countMisfits counts the paths that do not fit and those the schema does
// not know.
func countMisfits(list []webhook.Mismatch) [2]int {
	var n [2]int
	for _, m := range list {
		if m.Warning {
			n[1]++
		} else {
			n[0]++
		}
	}
	return n
}

// loadJourneys reads the account's journeys in the background, for the New
// Workflow form; on error the form asks for the id instead.
func (c *core) loadJourneys() tea.Cmd {
	cl := c.client
	if cl == nil || c.trig.journeysLoading {
		return nil
	}
	c.trig.journeysLoading = true
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var all []client.Journey
		for pg := 1; pg <= 20; pg++ { // at most 1,000 journeys
			r, err := cl.Journeys(ctx, pg, 50)
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
func (c *core) triggersMsg(msg tea.Msg) (tea.Cmd, bool) {
	p := &c.trig
	switch msg := msg.(type) {
	case triggersLoadedMsg:
		p.loading, p.loaded, p.err = false, true, msg.err
		if msg.err != nil {
			return page.Error(fmt.Errorf("reading triggers: %w", msg.err)), true
		}
		name := msg.sel
		if t, ok := p.selected(); ok && name == "" {
			name = t.Name
		}
		p.triggers, p.misfits, p.ends = msg.triggers, msg.misfits, msg.ends
		p.selectName(name)
		if sel := c.sch.pendingSel; sel != nil {
			for i, r := range c.rows() {
				if r.path.String() == sel.String() {
					c.sch.cursor = i
				}
			}
			c.sch.pendingSel = nil
		}
		return c.loadMismatches(), true
	case journeysLoadedMsg:
		p.journeysLoading = false
		p.journeys, p.journeysErr = msg.journeys, msg.err
		if msg.err != nil {
			c.log.Warn("journeys for the New Workflow form", "err", msg.err)
		}
		return nil, true
	case triggerSavedMsg:
		if msg.err != nil {
			return tea.Batch(page.Error(msg.err), c.loadTriggers("")), true
		}
		notice := msg.what
		if len(msg.warnings) > 0 {
			notice += " · warning: " + strings.Join(msg.warnings, "; ")
		}
		return tea.Batch(page.Notice(notice), c.loadTriggers(msg.sel)), true
	case webhooksLoadedMsg:
		if p.setup == nil {
			return nil, true
		}
		if msg.err != nil {
			p.setup = nil
			return page.Error(fmt.Errorf("listing Iterable's system webhooks: %w", msg.err)), true
		}
		if len(msg.hooks) == 0 {
			p.setup = nil
			return page.Notice("the project has no system webhook: add one in Iterable (Integrations → System Webhooks), then press w again"), true
		}
		p.setup.hooks, p.setup.step = msg.hooks, setupPick
		return nil, true
	case webhookSetMsg:
		p.setup = nil
		if msg.err != nil {
			return page.Error(fmt.Errorf("setting up the webhook: %w", msg.err)), true
		}
		auth := "no auth"
		if msg.token {
			auth = "a token the listener now requires"
		}
		return tea.Batch(c.loadTriggers(""), page.Notice(fmt.Sprintf(
			"✓ webhook %d sends to %s with %s · tick its event types in Iterable's web app",
			msg.hook.ID, msg.hook.Endpoint, auth))), true
	}
	return nil, false
}

// triggerAction runs a Triggers tab action, from a key or the palette.
func (c *core) triggerAction(a action) tea.Cmd {
	if c.store == nil {
		return page.Notice("no event store in this session: triggers live in the listener's database")
	}
	switch a {
	case actNewObject:
		return c.objectForm(nil)
	case actNewWorkflow:
		return c.workflowForm(nil)
	case actPublicURL:
		return c.publicURLForm()
	case actSetupWebhook:
		return c.startWebhookSetup()
	}
	t, ok := c.trig.selected()
	if !ok {
		return page.Notice("no trigger yet: n adds a New Object trigger, N a New Workflow one")
	}
	switch a {
	case actEditTrigger:
		if t.Kind == webhook.TriggerWorkflow {
			return c.workflowForm(&t)
		}
		return c.objectForm(&t)
	case actRemoveTrigger:
		st := c.store
		return page.Ask(fmt.Sprintf("Remove the trigger %s? Its events stay in the log.", t.Name), func() tea.Cmd {
			return func() tea.Msg {
				err := st.RemoveTrigger(context.Background(), t.Name)
				if err != nil {
					err = fmt.Errorf("removing %s: %w", t.Name, err)
				}
				return triggerSavedMsg{what: "removed " + t.Name, err: err}
			}
		})
	case actCopyURL:
		u := c.trig.ends.For(t)
		if u == "" {
			return page.Notice("the listener is not running: no URL to copy")
		}
		return page.Copy(u, "✓ copied "+u)
	}
	return nil
}

// triggersKey handles the Triggers tab's keys in normal mode.
func (c *core) triggersKey(msg tea.KeyPressMsg) tea.Cmd {
	if c.trig.setup != nil {
		return c.setupKey(msg)
	}
	k, p := c.keys, &c.trig
	switch {
	case page.Matches(msg, k.Up):
		p.move(-1)
		return c.loadMismatches()
	case page.Matches(msg, k.Down):
		p.move(1)
		return c.loadMismatches()
	case page.Matches(msg, k.Top):
		p.cursor = 0
	case page.Matches(msg, k.Bottom):
		p.move(len(p.triggers))
	case page.Matches(msg, k.Open):
		if _, ok := p.selected(); ok {
			return page.Goto(SchemasTitle)
		}
	case page.Matches(msg, k.NewObject):
		return c.triggerAction(actNewObject)
	case page.Matches(msg, k.NewWorkflow):
		return c.triggerAction(actNewWorkflow)
	case page.Matches(msg, k.EditTrigger):
		return c.triggerAction(actEditTrigger)
	case page.Matches(msg, k.RemoveTrigger):
		return c.triggerAction(actRemoveTrigger)
	case page.Matches(msg, k.CopyURL):
		return c.triggerAction(actCopyURL)
	case page.Matches(msg, k.PublicURL):
		return c.triggerAction(actPublicURL)
	case page.Matches(msg, k.SetupWebhook):
		return c.triggerAction(actSetupWebhook)
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
func (c *core) triggersView(a page.Area) []string {
	th, l := c.th, a
	if c.trig.setup != nil {
		return c.setupView()
	}
	main := l.Main
	if l.Stacked {
		main = l.Body
	}
	lines := c.triggerListLines(main.W-2, main.H-2)
	right := ""
	if n := len(c.trig.triggers); n > 0 {
		right = th.Muted.Render(fmt.Sprintf("%d", n))
	}
	list := style.Box(th, main.W, main.H, "Triggers", right, lines, true)
	if l.Stacked {
		return list
	}
	title, side := "Schema", []string{th.Muted.Render(" Select a trigger to see its schema.")}
	if t, ok := c.trig.selected(); ok {
		title = "Schema · " + termtext.Line(t.Name)
		side = c.schemaPreview(t, l.Side.W-2)
	}
	return style.Beside(list, style.Box(th, l.Side.W, l.Side.H, title, "", side, false))
}

// triggerListLines are the list, the add buttons and the URL section, in
// h lines: the list scrolls to keep the cursor in view.
func (c *core) triggerListLines(w, h int) []string {
	th, p := c.th, &c.trig
	var lines []string
	switch {
	case c.store == nil:
		return []string{th.Muted.Render(" No event store in this session.")}
	case p.err != nil:
		lines = append(lines, th.Error.Render(" Could not read the triggers: "+termtext.Line(p.err.Error())))
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
	now := c.now()
	// Fixed columns: name, kind (12), schema (14), matched (8), last (4).
	onW := max(w-nameW-45, 6)
	if len(p.triggers) > 0 {
		lines = append(lines, th.Muted.Render("  "+style.Fit("NAME", nameW)+" "+style.Fit("KIND", 12)+" "+style.Fit("ON", onW)+" "+
			style.Fit("SCHEMA", 14)+fmt.Sprintf(" %8s %4s", "MATCHED", "LAST")))
	}
	urls := c.urlLines(w)
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
		sc := c.schemaCell(t)
		last := "—"
		if !t.LastMatch.IsZero() {
			last = ago(now, t.LastMatch)
		}
		line := " " + style.Fit(termtext.Line(t.Name), nameW) + " " + kind + " " + style.Fit(termtext.Line(on), onW) + " " + style.Fit(sc, 14) +
			fmt.Sprintf(" %8s %4s", style.Thousands(int(t.Matched)), last)
		if i == p.cursor {
			line = th.Selected.Render("▶" + style.Fit(line, w-1))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	lines = append(lines, "", "  "+th.Key.Render("n")+" + New Object   "+th.Key.Render("N")+" + New Workflow")
	lines = append(lines, "")
	return append(lines, urls...)
}

// schemaCell is a trigger's schema in the table: its fields, and how many
// paths of its recent events do not fit it (✗) or are unknown to it (⚠),
// the count of the Schemas tab's mismatches.
func (c *core) schemaCell(t webhook.Trigger) string {
	th := c.th
	if t.Schema == nil {
		return th.Muted.Render("no schema")
	}
	fields := fmt.Sprintf("%d fields", len(t.Schema))
	switch n := c.trig.misfits[t.Name]; {
	case n[0] > 0:
		return fields + " " + th.Error.Render(fmt.Sprintf("✗%d", n[0]))
	case n[1] > 0:
		return fields + " " + th.Warn.Render(fmt.Sprintf("⚠%d", n[1]))
	}
	return th.OK.Render("✓ " + fields)
}

// urlLines say where Iterable should send, and how.
func (c *core) urlLines(w int) []string {
	th, p := c.th, &c.trig
	t, ok := p.selected()
	if !ok {
		t = webhook.Trigger{Kind: webhook.TriggerObject}
	}
	u := c.trig.ends.For(t)
	if u == "" {
		return []string{" " + th.Muted.Render("The listener is not running: no URL to give Iterable.")}
	}
	lines := []string{" " + th.Title.Render("URL for Iterable:"), " " + th.Accent.Render(termtext.Line(u)) + th.Muted.Render("  (c copy)")}
	if t.Kind == webhook.TriggerWorkflow {
		lines = append(lines, " Paste it into the journey's Call Webhook tile (POST).")
	} else {
		lines = append(lines, " Iterable → Integrations → System Webhooks · "+th.Key.Render("w")+" set it up from here")
	}
	switch {
	case strings.HasPrefix(u, "https://"):
	case p.ends.Public:
		lines = append(lines, " "+th.Warn.Render("⚠ a plain-HTTP proxy: Iterable must reach it through HTTPS (")+th.Key.Render("b")+th.Warn.Render(" changes it)"))
	default:
		lines = append(lines, " "+th.Warn.Render("⚠ Iterable needs HTTPS: set your tunnel's address with ")+th.Key.Render("b"))
	}
	auth := "listener auth: none"
	if p.ends.Token != "" {
		auth = "listener auth: token " + secret.Mask(p.ends.Token) + " (Authorization header)"
	}
	lines = append(lines, " "+th.Muted.Render(auth))
	for i := range lines {
		lines[i] = style.Fit(lines[i], w)
	}
	return lines
}
