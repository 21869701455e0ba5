package events

import (
	"context"
	"fmt"
	"slices"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// actReadMsg carries the recipes read for acting on an event.
type actReadMsg struct {
	ev      Event
	recipes []recipe.Saved
	err     error
}

// act asks which action to open on the selected event, once the recipes
// (whose mappings may prefill it) are read.
func (p *Page) act() tea.Cmd {
	return p.withWhole(func(ev Event) tea.Cmd {
		rs := p.recipes
		if rs == nil {
			return p.pickAction(actReadMsg{ev: ev})
		}
		return func() tea.Msg {
			all, err := rs.List(context.Background())
			return actReadMsg{ev: ev, recipes: all, err: err}
		}
	})
}

// pickAction opens the picker of the ten actions; each one a recipe of the
// event's triggers runs says so, and the first of them is chosen.
func (p *Page) pickAction(msg actReadMsg) tea.Cmd {
	ev := msg.ev
	mapping := mappings(ev, msg.recipes)
	choice := ""
	opts := make([]huh.Option[string], len(client.Actions))
	for i, a := range client.Actions {
		label := a.Title
		if r, ok := mapping[a.Name]; ok {
			label += " · recipe " + termtext.Line(r.Name)
			if choice == "" {
				choice = a.Name
			}
		}
		opts[i] = huh.NewOption(label, a.Name)
	}
	if choice == "" {
		choice = client.Actions[0].Name
	}
	who := termtext.Line(ev.Who())
	if who == "" {
		who = "no user named"
	}
	f := page.NewForm(fmt.Sprintf("Act on event #%d", ev.ID), style.FormTheme(p.th), p.area.Body.W-4,
		func() tea.Cmd { return actOn(ev, choice, mapping) }, nil,
		huh.NewGroup(huh.NewSelect[string]().Title("Which action?").
			Description(fmt.Sprintf("its form opens prefilled from this event (%s); nothing is sent before the review", who)).
			Options(opts...).Value(&choice).Height(len(opts)+4)))
	f.Footer = "enter open · esc cancel"
	var cmds []tea.Cmd
	if msg.err != nil {
		cmds = append(cmds, page.Error(fmt.Errorf("reading the recipes (the form opens without their mappings): %w", msg.err)))
	}
	return tea.Batch(append(cmds, f.Open())...)
}

// mappings are, by action, the first recipe (by name) of one of the event's
// triggers with a step of that action.
func mappings(ev Event, recipes []recipe.Saved) map[string]recipe.Saved {
	out := map[string]recipe.Saved{}
	for _, r := range recipes {
		if !slices.Contains(ev.Triggers, r.Trigger) {
			continue
		}
		for _, st := range r.Steps {
			if _, ok := out[st.Action]; !ok {
				out[st.Action] = r
			}
		}
	}
	return out
}

// actOn asks the Actions tab for the action's form on the event, from the
// recipe's mapping when one of the event's triggers has it.
func actOn(ev Event, action string, mapping map[string]recipe.Saved) tea.Cmd {
	msg := page.ActOnEventMsg{EventID: ev.ID, Action: action, Email: ev.Email, UserID: ev.UserID, WorkflowID: ev.WorkflowID}
	if r, ok := mapping[action]; ok {
		msg.Recipe = r.Name
		in, _, err := r.Prefill(action, ev.Body)
		if err != nil {
			msg.Unfit = err.Error()
		} else {
			msg.Input = in
		}
	}
	return page.Send(msg)
}
