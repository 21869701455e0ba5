package recipes

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/webhook"
)

// editorValues are the editor's fields; huh writes into them.
type editorValues struct {
	name, trigger, action, input, when string
}

// recipe is the recipe the editor holds: one step, and a condition a line.
func (v editorValues) recipe() (recipe.Recipe, error) {
	r := recipe.Recipe{Name: strings.TrimSpace(v.name), Trigger: v.trigger,
		Steps: []recipe.Step{{Action: v.action, Input: json.RawMessage(v.input)}}}
	for _, line := range strings.Split(v.when, "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		c, err := recipe.ParseCondition(line)
		if err != nil {
			return r, err
		}
		r.When = append(r.When, c)
	}
	return r, nil
}

// edit opens the editor: a recipe of one step, its input checked against
// the trigger's schema as it is typed, with the pills the schema offers and
// a preview of the request filled from the trigger's latest event.
func (p *Page) edit() tea.Cmd {
	if p.deps.Recipes == nil || p.deps.Events == nil {
		return page.Notice("no recipes in this session")
	}
	if p.form != nil {
		return nil
	}
	ctx := context.Background()
	triggers, err := p.deps.Events.Triggers(ctx)
	if err != nil {
		return page.Error(err)
	}
	if len(triggers) == 0 {
		return page.Notice("add a trigger first (tab 3): a recipe runs on a trigger's events")
	}
	var project schema.ProjectFields
	if p.deps.Client != nil {
		if fields, err := p.deps.Client.UserFields(ctx); err == nil {
			project = schema.ProjectFields{}
			for n, t := range fields {
				project[n] = schema.DataType(t)
			}
		}
	}
	v := &editorValues{trigger: triggers[0].Name, action: "upsert-user",
		input: `{"email": "{{email}}", "dataFields": {}}`}
	p.values = v
	byName := map[string]webhook.Trigger{}
	var trigOpts []huh.Option[string]
	for _, t := range triggers {
		byName[t.Name] = t
		trigOpts = append(trigOpts, huh.NewOption(t.Name, t.Name))
	}
	var actOpts []huh.Option[string]
	for _, a := range client.Actions {
		actOpts = append(actOpts, huh.NewOption(a.Title+"  ("+a.Name+")", a.Name))
	}
	events := p.deps.Events
	latest := func(trigger string) *webhook.Event {
		evs, err := events.List(context.Background(), webhook.Query{Trigger: trigger, Desc: true, Limit: 1})
		if err != nil || len(evs) == 0 {
			return nil
		}
		return &evs[0]
	}
	check := func(string) error {
		r, err := v.recipe()
		if err != nil {
			return err
		}
		return recipe.Check(r, recipe.Env{Trigger: byName[v.trigger], Project: project}).Err()
	}
	preview := func() string {
		r, err := v.recipe()
		if err != nil {
			return "✗ " + err.Error()
		}
		lines := []string{"Pills of " + v.trigger + ":  " + strings.Join(pills(byName[v.trigger].Schema), "  ")}
		if err := recipe.Check(r, recipe.Env{Trigger: byName[v.trigger], Project: project}).Err(); err != nil {
			return strings.Join(append(lines, "✗ "+err.Error()), "\n")
		}
		ev := latest(v.trigger)
		if ev == nil {
			return strings.Join(append(lines, "no event of "+v.trigger+" yet to preview on"), "\n")
		}
		res := recipe.Test(r, *ev)
		head := fmt.Sprintf("Preview on event %d: ", ev.ID)
		if res.Reason != "" {
			head += "skipped: " + res.Reason
		} else {
			head += "it would run"
		}
		lines = append(lines, head)
		for _, s := range res.Steps {
			if s.Problem != "" {
				lines = append(lines, s.Method+" "+s.Path+"  ✗ "+s.Problem)
				continue
			}
			lines = append(lines, s.Method+" "+s.Path+"  "+string(s.Body))
		}
		for i, l := range lines {
			lines[i] = termtext.Line(l)
		}
		return strings.Join(lines, "\n")
	}
	f := page.NewForm("New recipe", style.FormTheme(p.th), p.area.Body.W-4, p.save, func() any { return *v },
		huh.NewGroup(
			huh.NewInput().Title("Name").Value(&v.name).Validate(page.NotEmpty("give the recipe a name")),
			huh.NewSelect[string]().Title("Trigger").Options(trigOpts...).Value(&v.trigger),
			huh.NewSelect[string]().Title("Action").Options(actOpts...).Value(&v.action),
		),
		huh.NewGroup(
			huh.NewText().Title("Input").Value(&v.input).Lines(4).Validate(check).
				DescriptionFunc(preview, &v.input),
			huh.NewText().Title("Conditions").Description("one per line: PATH OP VALUE, OP one of == != contains exists > <").
				Value(&v.when).Lines(2).Validate(check),
		),
	)
	f.Footer = "tab next · esc cancel"
	f.Discard = "Discard the new recipe?"
	f.Quit = "Quit and lose the recipe you were making?"
	f.Closed = func() { p.form, p.values = nil, nil }
	p.form = f
	return f.Open()
}

// pills are the payload paths a schema offers, with their types.
func pills(sc schema.Schema) []string {
	var out []string
	var walk func(level schema.Schema, prefix string)
	walk = func(level schema.Schema, prefix string) {
		for _, f := range level {
			path := f.Name
			if prefix != "" {
				path = prefix + "." + f.Name
			}
			if f.Type == schema.Object && len(f.Properties) > 0 {
				walk(f.Properties, path)
				continue
			}
			out = append(out, "{{"+path+"}} "+f.TypeName())
		}
	}
	walk(sc, "")
	if len(out) == 0 {
		return []string{"(the trigger has no schema yet)"}
	}
	// The field's description stays short enough to leave the input in view.
	if len(out) > maxPills {
		out = append(out[:maxPills], fmt.Sprintf("… %d more", len(out)-maxPills))
	}
	return out
}

// maxPills bounds the pills listed above the editor's input.
const maxPills = 8

// save stores the completed editor's recipe, disarmed.
func (p *Page) save() tea.Cmd {
	v := p.values
	p.form, p.values = nil, nil
	if v == nil {
		return nil
	}
	rs := p.deps.Recipes
	r, err := v.recipe()
	if err != nil {
		return page.Error(err)
	}
	return func() tea.Msg {
		err := rs.Add(context.Background(), r)
		return doneMsg{what: "added " + r.Name + " (disarmed): space arms it", err: err}
	}
}
