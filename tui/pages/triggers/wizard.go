package triggers

import (
	"context"
	"fmt"
	"os"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

// wizard is a proposed schema shown as a diff against the current one
// before it is applied.
type wizard struct {
	trigger string
	source  string // "pasted JSON", "event #12", "file x.json"
	next    schema.Schema
	changes []schema.Change
	notes   []schema.Note
	samples int
	verdict *verdict // how the sample events stand against the current schema
	top     int      // first line shown
}

// verdict is how sample events stand against a trigger's current schema,
// judged as the Events tab's mark judges them (webhook.CheckPayload).
type verdict struct {
	checked  int
	misfits  []int64         // the events that do not fit
	first    *schema.Problem // the first misfit's first error
	warnings int             // events that fit with fields the schema does not know
}

// judge is the verdict on evs against s; nil without a schema.
func judge(s schema.Schema, evs []webhook.Event) *verdict {
	if s == nil {
		return nil
	}
	v := &verdict{}
	for _, ev := range evs {
		problems, fits, err := webhook.CheckPayload(s, ev.Payload)
		if err != nil {
			continue
		}
		v.checked++
		switch {
		case !fits:
			v.misfits = append(v.misfits, ev.ID)
			for i := range problems {
				if !problems[i].Warning && v.first == nil {
					v.first = &problems[i]
				}
			}
		case len(problems) > 0:
			v.warnings++
		}
	}
	return v
}

// line is the verdict in a sentence, with its mark.
func (v *verdict) line(th style.Theme) string {
	n := v.checked
	switch {
	case n == 0:
		return ""
	case len(v.misfits) == 0:
		s := "✓ fits the current schema"
		if n > 1 {
			s = fmt.Sprintf("✓ all %d fit the current schema", n)
		}
		if v.warnings > 0 {
			s += fmt.Sprintf(" (%d with fields it does not know)", v.warnings)
		}
		return th.OK.Render(s)
	}
	s := "✗ does not fit the current schema"
	if n > 1 {
		ids := make([]string, len(v.misfits))
		for i, id := range v.misfits {
			ids[i] = fmt.Sprintf("#%d", id)
		}
		s = fmt.Sprintf("✗ %d of %d do not fit the current schema (%s)", len(v.misfits), n, strings.Join(ids, ", "))
	}
	if v.first != nil {
		s += ": " + termtext.Line(v.first.String())
	}
	return th.Error.Render(s)
}

// propose builds the wizard of a new schema against the trigger's current one.
func propose(t webhook.Trigger, source string, inf schema.Inference) *wizard {
	return &wizard{trigger: t.Name, source: source, next: inf.Schema, changes: schema.Diff(t.Schema, inf.Schema),
		notes: inf.Notes, samples: inf.Samples}
}

// pasteForm takes a sample payload pasted into a text area.
func (c *core) pasteForm(t webhook.Trigger) tea.Cmd {
	var text string
	area := huh.NewText().Title("Sample payload of " + t.Name).
		Description("paste one or more JSON objects (e.g. a test event's body); ctrl+j or alt+enter adds a line").
		Lines(max(c.area.Body.H-8, 4)).CharLimit(0).Value(&text).Validate(func(s string) error {
		_, err := schema.Widen(t.Schema, []byte(s))
		return err
	})
	return c.openForm("JSON wizard", func() tea.Cmd {
		inf, err := schema.Widen(t.Schema, []byte(text))
		return func() tea.Msg {
			if err != nil {
				return wizardMsg{err: fmt.Errorf("the pasted JSON: %w", err)}
			}
			return wizardMsg{w: propose(t, "pasted JSON", inf)}
		}
	}, func() any { return text }, huh.NewGroup(area))
}

// loadSamples reads the events the wizard offers as samples: the trigger's
// own, newest first, or, when it matched none yet, the latest of any kind;
// each judged against the trigger's schema as the Events tab's mark is.
func (c *core) loadSamples(t webhook.Trigger) tea.Cmd {
	st := c.store
	return func() tea.Msg {
		ctx := context.Background()
		msg := historyMsg{trigger: t.Name}
		msg.own, msg.err = st.List(ctx, webhook.Query{Trigger: t.Name, Status: webhook.StatusAccepted, Desc: true, Limit: 30})
		if msg.err == nil && len(msg.own) == 0 {
			msg.others, msg.err = st.List(ctx, webhook.Query{Status: webhook.StatusAccepted, Desc: true, Limit: 30})
		}
		if msg.err != nil || t.Schema == nil {
			return msg
		}
		msg.fits = map[int64]bool{}
		for _, ev := range append(msg.own, msg.others...) {
			if _, fits, err := webhook.CheckPayload(t.Schema, ev.Payload); err == nil {
				msg.fits[ev.ID] = fits
			}
		}
		return msg
	}
}

// historyForm picks a stored event as the sample: the trigger's own events,
// or, saying so, the latest events of any kind when it matched none yet.
func (c *core) historyForm(h historyMsg) tea.Cmd {
	evs, desc := h.own, fmt.Sprintf("events %s matched, newest first", h.trigger)
	if len(evs) == 0 {
		evs, desc = h.others, fmt.Sprintf("%s matched no event yet: these are the latest events of any kind", h.trigger)
	}
	if len(evs) == 0 {
		return page.Notice("no event with a JSON body yet: send a test event from Iterable, or paste one with w")
	}
	if h.fits != nil {
		desc += " · ✓ fits / ✗ does not fit its schema"
	}
	// 0 stands for all of them, inferred together.
	id := int64(0)
	opts := make([]huh.Option[int64], 0, len(evs)+1)
	if len(evs) > 1 {
		opts = append(opts, huh.NewOption(fmt.Sprintf("All %d events below, together (fields some lack become optional)", len(evs)), int64(0)))
	} else {
		id = evs[0].ID
	}
	for _, ev := range evs {
		who := ev.Who()
		name := ev.EventName
		if name == "" && ev.WorkflowID != "" {
			name = "workflow " + ev.WorkflowID
		}
		mark := ""
		if fits, ok := h.fits[ev.ID]; ok {
			mark = map[bool]string{true: "✓ ", false: "✗ "}[fits]
		}
		opts = append(opts, huh.NewOption(fmt.Sprintf("%s#%-6d %s  %-18s %s", mark, ev.ID, ev.ReceivedAt.Format("15:04:05"), termtext.Line(name), termtext.Line(who)), ev.ID))
	}
	sel := huh.NewSelect[int64]().Title("Infer from which event?").Description(desc).Options(opts...).Value(&id).Height(max(c.area.Body.H-7, 4))
	trigger := h.trigger
	return c.openForm("JSON wizard · "+trigger, func() tea.Cmd {
		if id != 0 {
			return c.wizardFromEvents(trigger, id)
		}
		ids := make([]int64, len(evs))
		for i, ev := range evs {
			ids[i] = ev.ID
		}
		return c.wizardFromEvents(trigger, ids...)
	}, func() any { return id }, huh.NewGroup(sel))
}

// wizardFromEvents proposes the trigger's schema widened with stored events.
func (c *core) wizardFromEvents(trigger string, ids ...int64) tea.Cmd {
	st := c.store
	return func() tea.Msg {
		ctx := context.Background()
		t, err := st.Trigger(ctx, trigger)
		if err != nil {
			return wizardMsg{err: err}
		}
		evs := make([]webhook.Event, 0, len(ids))
		for _, id := range ids {
			ev, err := st.Get(ctx, id)
			if err != nil {
				return wizardMsg{err: fmt.Errorf("reading event %d: %w", id, err)}
			}
			evs = append(evs, ev)
		}
		inf, err := webhook.WidenWithEvents(t.Schema, evs...)
		if err != nil {
			return wizardMsg{err: err}
		}
		source := fmt.Sprintf("event #%d", ids[0])
		if len(ids) > 1 {
			source = fmt.Sprintf("%d events (#%d–#%d)", len(ids), ids[len(ids)-1], ids[0])
		}
		w := propose(t, source, inf)
		w.verdict = judge(t.Schema, evs)
		return wizardMsg{w: w}
	}
}

// importForm reads a schema file (Workato JSON or JSON Schema) and proposes it.
func (c *core) importForm(t webhook.Trigger) tea.Cmd {
	var path string
	in := huh.NewInput().Title("Schema file").Description("Workato JSON (an array of fields) or JSON Schema (an object)").
		Value(&path).Validate(page.NotEmpty("type the file's path"))
	return c.openForm("Import a schema into "+t.Name, func() tea.Cmd {
		return func() tea.Msg {
			s, err := schema.ReadFile(strings.TrimSpace(path))
			if err != nil {
				return wizardMsg{err: err}
			}
			return wizardMsg{w: propose(t, "file "+path, schema.Inference{Schema: s})}
		}
	}, func() any { return path }, huh.NewGroup(in))
}

// exportForm writes the schema to a file in either form.
func (c *core) exportForm(t webhook.Trigger) tea.Cmd {
	path, format := t.Name+".schema.json", schema.FormatWorkato
	groups := huh.NewGroup(
		huh.NewSelect[schema.Format]().Title("Format").Options(
			huh.NewOption("Workato JSON (an array of fields)", schema.FormatWorkato),
			huh.NewOption("JSON Schema 2020-12", schema.FormatJSONSchema)).Value(&format),
		huh.NewInput().Title("File").Value(&path).Validate(page.NotEmpty("type where to write it")),
	)
	return c.openForm("Export the schema of "+t.Name, func() tea.Cmd {
		return func() tea.Msg {
			data, err := t.Schema.Encode(format)
			if err == nil {
				err = os.WriteFile(strings.TrimSpace(path), data, 0o600)
			}
			if err != nil {
				return schemaSavedMsg{err: fmt.Errorf("exporting the schema of %s: %w", t.Name, err)}
			}
			return schemaSavedMsg{trigger: t.Name, what: "✓ wrote " + path}
		}
	}, func() any { return [2]string{path, string(format)} }, groups)
}

// handOffEvent is `s` on the Events tab: the event's payload widens the
// schema of the trigger it matched, shown in the wizard.
func (c *core) handOffEvent(ev page.SchemaFromEventMsg) tea.Cmd {
	if c.store == nil {
		return page.Notice(fmt.Sprintf("no event store here: iwb trigger schema NAME --from-event %d", ev.ID))
	}
	if len(ev.Triggers) == 0 {
		return page.Notice(fmt.Sprintf("#%d matched no trigger: add one on the Triggers tab (3) first", ev.ID))
	}
	trigger := ev.Triggers[0]
	if t, ok := c.trig.selected(); ok {
		for _, name := range ev.Triggers {
			if name == t.Name {
				trigger = name
			}
		}
	}
	return c.wizardFromEvents(trigger, ev.ID)
}

// wizardKey handles keys while the wizard's diff is shown.
func (c *core) wizardKey(msg tea.KeyPressMsg) tea.Cmd {
	w, k := c.sch.wizard, c.keys
	switch {
	case page.Matches(msg, k.Back):
		c.sch.wizard = nil
		return page.Notice("the proposal was discarded")
	case page.Matches(msg, k.Open):
		c.sch.wizard = nil
		return c.saveSchema(w.trigger, fmt.Sprintf("applied the schema from %s (%d changes)", w.source, len(w.changes)), nil, w.next)
	case page.Matches(msg, k.Up):
		w.top = max(w.top-1, 0)
	case page.Matches(msg, k.Down):
		w.top++
	case page.Matches(msg, k.PageUp):
		w.top = max(w.top-10, 0)
	case page.Matches(msg, k.PageDown):
		w.top += 10
	}
	return nil
}

// wizardView is the proposal as a diff, with what to check, before applying.
func (c *core) wizardView() []string {
	th, b, wz := c.th, c.area.Body, c.sch.wizard
	w := b.W - 2
	var lines []string
	head := " From " + termtext.Line(wz.source)
	if wz.samples > 0 {
		head += fmt.Sprintf(" · %d sample(s)", wz.samples)
	}
	if wz.verdict != nil {
		if v := wz.verdict.line(th); v != "" {
			lines = append(lines, style.Fit(" "+v, w))
		}
	}
	lines = append(lines, style.Fit(head+fmt.Sprintf(" · %d fields · %d changes to the current schema:", len(flatten(wz.next)), len(wz.changes)), w))
	if len(wz.changes) == 0 {
		lines = append(lines, th.Muted.Render(" nothing changes in the schema."))
	}
	for _, c := range wz.changes {
		s := " " + termtext.Line(c.String())
		switch c.Kind {
		case schema.Added:
			s = th.OK.Render(s)
		case schema.Removed:
			s = th.Error.Render(s)
		default:
			s = th.Warn.Render(s)
		}
		if warn := c.New.Warning(); warn != "" && c.Kind != schema.Removed {
			s += "  " + th.Warn.Render("⚠ "+warn)
		}
		lines = append(lines, style.Fit(s, w))
	}
	if len(wz.notes) > 0 {
		lines = append(lines, "", " "+th.Title.Render("Check these (conflicts and unknowns):"))
		for _, n := range wz.notes {
			lines = append(lines, style.Fit(" "+th.Warn.Render("⚠ "+termtext.Line(n.String())), w))
		}
	}
	inner := b.H - 3
	wz.top = min(wz.top, max(len(lines)-inner, 0))
	lines = lines[wz.top:]
	for len(lines) < inner {
		lines = append(lines, "")
	}
	lines = append(lines[:inner], " "+th.Key.Render("enter")+" apply   "+th.Key.Render("esc")+" discard   "+th.Key.Render("↑/↓")+" scroll")
	return style.Box(th, b.W, b.H, "JSON wizard · "+termtext.Line(wz.trigger), th.Muted.Render("review before applying"), lines, true)
}
