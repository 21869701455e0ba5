package triggers

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/webhook"
)

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
func (c *core) objectForm(t *webhook.Trigger) tea.Cmd {
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
			Validate(page.NotEmpty("give the trigger a name")))
	}
	height := max(c.area.Body.H-10, 6)
	fields = append(fields,
		huh.NewMultiSelect[string]().Title("Events").
			Description("space ticks · / filters (by channel or name) · enter goes on").
			Options(eventOptions(v.events)...).Value(&v.events).Filterable(true).Height(height),
		huh.NewInput().Title("Other event names").Description("comma-separated, for names Iterable added since").Value(&v.other),
	)
	st := c.store
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
	return c.openForm(title, submit, input, huh.NewGroup(fields...))
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
func (c *core) workflowForm(t *webhook.Trigger) tea.Cmd {
	v := &workflowValues{picked: otherJourney}
	title := "New Workflow trigger"
	var first []huh.Field
	if t != nil {
		title = "Edit " + t.Name
		v.name, v.typed = t.Name, t.WorkflowID
	} else {
		first = append(first, huh.NewInput().Title("Name").Description("e.g. nps").Value(&v.name).
			Validate(page.NotEmpty("give the trigger a name")))
	}
	p := &c.trig
	var groups []*huh.Group
	if len(p.journeys) > 0 {
		if t == nil {
			v.picked = strconv.FormatInt(p.journeys[0].ID, 10)
		}
		opts := make([]huh.Option[string], 0, len(p.journeys)+1)
		for _, j := range p.journeys {
			id := strconv.FormatInt(j.ID, 10)
			label := fmt.Sprintf("%-8s %s", id, termtext.Line(j.Name))
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
			Height(min(len(opts)+1, max(c.area.Body.H-8, 4))))
	}
	if len(first) > 0 {
		groups = append(groups, huh.NewGroup(first...))
	}
	desc := "the number in the journey editor's URL, or the URL itself (.../workflows/1234/edit)"
	switch {
	case c.client == nil:
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
	st := c.store
	editing := t != nil
	submit := func() tea.Cmd {
		id := v.picked
		if id == otherJourney {
			id, _ = webhook.ParseWorkflowID(v.typed) // checked by the field
		}
		return saveTrigger(st, webhook.Trigger{Name: strings.TrimSpace(v.name), Kind: webhook.TriggerWorkflow, WorkflowID: id}, editing)
	}
	return c.openForm(title, submit, func() any { return *v }, groups...)
}

// publicURLForm sets (or clears) the public base URL, kept in the database.
// Iterable sends only to https://, so an http:// address is kept only when
// the user confirms it is a plain-HTTP proxy; "no" opens the form again on
// the address, with why it was not kept beside it.
func (c *core) publicURLForm() tea.Cmd {
	u := ""
	if c.trig.ends.Public {
		u = c.trig.ends.Base
	}
	return c.publicURLFormOn(u, "")
}

func (c *core) publicURLFormOn(u, problem string) tea.Cmd {
	v := struct {
		url   string
		plain bool
	}{url: u, plain: problem == "" && isPlainHTTP(u)}
	st := c.store
	desc := "your tunnel's HTTPS address to this listener (e.g. https://abc.ngrok.app); empty uses the local URL"
	if problem != "" {
		desc += "\n✗ " + problem
	}
	in := huh.NewInput().Title("Public base URL").Description(desc).
		Value(&v.url).Validate(func(s string) error { _, err := webhook.CheckPublicURL(s); return err })
	proxy := huh.NewConfirm().Title("Is it a plain-HTTP proxy?").
		Description("Iterable sends only to https://: yes only behind an HTTPS front").
		Affirmative("yes, a plain-HTTP proxy").Negative("no").Value(&v.plain)
	submit := func() tea.Cmd {
		if isPlainHTTP(v.url) && !v.plain {
			return c.publicURLFormOn(v.url, "not kept: Iterable sends only to https://; give your tunnel's https:// address")
		}
		return func() tea.Msg {
			saved, err := st.SetPublicURL(context.Background(), v.url)
			what := "public base URL: " + saved
			if saved == "" {
				what = "public base URL cleared: the local listener URL is shown"
			}
			return triggerSavedMsg{what: what, err: err}
		}
	}
	return c.openForm("Public base URL", submit, func() any { return v }, huh.NewGroup(in),
		huh.NewGroup(proxy).WithHideFunc(func() bool { return !isPlainHTTP(v.url) }))
}

// isPlainHTTP says a base URL is http://, which Iterable does not send to.
func isPlainHTTP(u string) bool {
	return strings.HasPrefix(strings.ToLower(strings.TrimSpace(u)), "http://")
}
