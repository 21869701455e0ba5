package recipe

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

// Planned is one step's request as a test shows it, with nothing sent.
type Planned struct {
	Action string          `json:"action"`
	Method string          `json:"method"`
	Path   string          `json:"path"`
	Body   json.RawMessage `json:"body"`
	// Problem is why the step could not be filled or would be refused.
	Problem string `json:"problem,omitempty"`
}

// TestResult is a dry run of a recipe on one stored event.
type TestResult struct {
	EventID    int64 `json:"event_id"`
	Conditions bool  `json:"conditions"` // every condition holds
	// Reason is why a job on this event would be skipped, or why this event
	// would start none; empty when it would run.
	Reason string    `json:"reason,omitempty"`
	Steps  []Planned `json:"steps"`
}

// Test fills each step's request from the event, as a job would, and says
// whether the conditions hold. Pills into the answers of earlier steps stay
// as written: nothing is sent, so there are none.
func Test(r Recipe, ev webhook.Event) TestResult {
	payload, _ := ev.Value()
	res := TestResult{EventID: ev.ID, Conditions: FirstFalse(r.When, payload) == ""}
	res.Reason = skipReason(r, ev, payload)
	if res.Reason == "" && !slices.Contains(ev.Triggers, r.Trigger) {
		res.Reason = fmt.Sprintf("event %d did not match trigger %q, so it would start no job", ev.ID, r.Trigger)
	}
	sc := Scope{Payload: payload}
	for _, st := range r.Steps {
		a, _ := client.LookupAction(st.Action)
		p := Planned{Action: a.Name, Method: a.Method, Path: a.Path}
		body, err := st.body(sc, true)
		if err == nil {
			_, err = a.Check(body)
		}
		if err != nil {
			p.Problem = err.Error()
		} else {
			var sent []byte
			p.Method, p.Path, sent = a.Target(body)
			p.Body = sent
		}
		if p.Body == nil && body != nil && a.Method != "GET" {
			p.Body = body
		}
		p.Body = orNull(p.Body)
		res.Steps = append(res.Steps, p)
	}
	return res
}

// skipReason is why a recipe's job on an event is skipped: the payload not
// fitting the trigger's schema, a condition false, a pill into the payload
// missing. Empty when the job runs.
func skipReason(r Recipe, ev webhook.Event, payload any) string {
	for _, p := range ev.Problems[r.Trigger] {
		if !p.Warning {
			return fmt.Sprintf("the payload does not fit trigger %q's schema: %s", r.Trigger, p)
		}
	}
	if ev.Payload == nil {
		return "the event has no JSON payload"
	}
	if why := FirstFalse(r.When, payload); why != "" {
		return why
	}
	sc := Scope{Payload: payload}
	for i, st := range r.Steps {
		if _, err := st.body(sc, true); err != nil {
			return fmt.Sprintf("step %d: %v", i+1, err)
		}
	}
	return ""
}

// body is the step's input with its pills filled from sc, as JSON.
func (s Step) body(sc Scope, keepPending bool) ([]byte, error) {
	in, err := s.decode()
	if err != nil {
		return nil, err
	}
	filled, err := fill(in, sc, keepPending)
	if err != nil {
		return nil, err
	}
	return marshal(filled)
}

// marshal writes JSON as it is sent: compact, with <, > and & as they are.
func marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, fmt.Errorf("encoding the request: %w", err)
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// decodeAnswer reads a step's answer for the pills of later steps.
func decodeAnswer(b []byte) any {
	var v any
	if err := schema.DecodeJSON(b, &v); err != nil {
		return nil
	}
	return v
}

// isMissing says whether err is a pill the event or an answer lacks.
func isMissing(err error) bool {
	var m *MissingError
	return errors.As(err, &m)
}

// Prefill is the input of r's first step that runs action, its pills filled
// from a stored event's body, as a job on that event would send it: a form
// opened on the event starts from it. Pills into earlier steps' answers stay
// as written. ok is false when no step of r runs action.
func (r Recipe) Prefill(action string, body []byte) (input []byte, ok bool, err error) {
	for _, st := range r.Steps {
		if st.Action != action {
			continue
		}
		var payload any
		if err := schema.DecodeJSON(body, &payload); err != nil {
			return nil, true, errors.New("the event has no JSON payload")
		}
		input, err := st.body(Scope{Payload: payload}, true)
		return input, true, err
	}
	return nil, false, nil
}
