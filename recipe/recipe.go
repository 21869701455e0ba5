// Package recipe holds recipes: a trigger's payload mapped into actions
// through {{path}} pills, checked at save against the trigger's schema, tried
// on stored events, and run for new ones by one runner per event log, each
// run kept as a job in the event log's database.
package recipe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
)

// MaxSteps bounds the steps of one recipe.
const MaxSteps = 5

// DefaultCap is how many jobs a minute a recipe may start before it disarms itself.
const DefaultCap = 60

// Recipe is what the user writes: its JSON form is the recipe file.
type Recipe struct {
	Name    string      `json:"name"`
	Trigger string      `json:"trigger"`
	When    []Condition `json:"when,omitempty"`
	Steps   []Step      `json:"steps"`
	// Cap is the jobs a minute past which the recipe disarms itself; 0 means DefaultCap.
	Cap int `json:"cap,omitempty"`
}

// Step is one action, its input the request body exactly as Iterable takes
// it, in which any string may hold pills.
type Step struct {
	Action string          `json:"action"`
	Input  json.RawMessage `json:"input,omitempty"`
}

// Limit is the recipe's cap, the default when none is set.
func (r Recipe) Limit() int {
	if r.Cap > 0 {
		return r.Cap
	}
	return DefaultCap
}

// ReachesPeople lists the steps (numbered from 1) whose action can reach a
// person or writes many users at once: arming such a recipe needs an
// explicit acknowledgement.
func (r Recipe) ReachesPeople() []string {
	var out []string
	for i, s := range r.Steps {
		if a, ok := client.LookupAction(s.Action); ok && (a.ReachesPeople || a.UsersField != "") {
			out = append(out, fmt.Sprintf("step %d (%s)", i+1, a.Title))
		}
	}
	return out
}

// Parse reads a recipe file: unknown keys are refused, so a misspelt key
// never silently does nothing.
func Parse(data []byte) (Recipe, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	dec.UseNumber()
	var r Recipe
	if err := dec.Decode(&r); err != nil {
		return Recipe{}, fmt.Errorf("reading the recipe: %w", err)
	}
	if dec.More() {
		return Recipe{}, errors.New("reading the recipe: extra data after the JSON object")
	}
	if err := r.Validate(); err != nil {
		return Recipe{}, err
	}
	return r, nil
}

// MarshalIndent is the recipe's file form, as export writes it.
func (r Recipe) MarshalIndent() ([]byte, error) {
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encoding recipe %q: %w", r.Name, err)
	}
	return b, nil
}

// Validate checks the recipe's form: a name, a trigger, known operators and
// actions, 1 to MaxSteps steps whose inputs are JSON objects with well
// formed pills. Types are checked against the schema by Check.
func (r Recipe) Validate() error {
	if strings.TrimSpace(r.Name) == "" {
		return errors.New(`a recipe needs a "name"`)
	}
	if strings.TrimSpace(r.Trigger) == "" {
		return errors.New(`a recipe needs a "trigger" (see 'iwb trigger list')`)
	}
	if r.Cap < 0 {
		return fmt.Errorf(`"cap" %d: give a positive number of jobs a minute`, r.Cap)
	}
	for i, c := range r.When {
		if err := c.validate(); err != nil {
			return fmt.Errorf("condition %d: %w", i+1, err)
		}
	}
	if len(r.Steps) == 0 || len(r.Steps) > MaxSteps {
		return fmt.Errorf("a recipe has 1 to %d steps, not %d", MaxSteps, len(r.Steps))
	}
	for i, s := range r.Steps {
		if _, ok := client.LookupAction(s.Action); !ok {
			return fmt.Errorf("step %d: unknown action %q: use one of %s", i+1, s.Action, strings.Join(client.ActionNames(), ", "))
		}
		if _, err := s.decode(); err != nil {
			return fmt.Errorf("step %d: %w", i+1, err)
		}
	}
	return nil
}

// decode is the step's input as a JSON value, numbers kept exact; an empty
// input is an empty object.
func (s Step) decode() (map[string]any, error) {
	in := bytes.TrimSpace(s.Input)
	if len(in) == 0 || string(in) == "null" {
		return map[string]any{}, nil
	}
	var v any
	if err := schema.DecodeJSON(in, &v); err != nil {
		return nil, fmt.Errorf("its input is not JSON: %w", err)
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("its input must be a JSON object (the request body), not %s", schema.KindOf(v))
	}
	if err := walkStrings(m, func(s string) error { _, err := parsePills(s); return err }); err != nil {
		return nil, err
	}
	return m, nil
}

// walkStrings calls f on every string of a decoded JSON value.
func walkStrings(v any, f func(string) error) error {
	switch x := v.(type) {
	case string:
		return f(x)
	case map[string]any:
		for _, k := range slices.Sorted(maps.Keys(x)) {
			if err := walkStrings(x[k], f); err != nil {
				return err
			}
		}
	case []any:
		for _, c := range x {
			if err := walkStrings(c, f); err != nil {
				return err
			}
		}
	}
	return nil
}
