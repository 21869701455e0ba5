package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/schema"
)

// TriggerKind is which of the two triggers a trigger is.
type TriggerKind string

const (
	TriggerObject   TriggerKind = "object"   // New Object: system webhook events by name
	TriggerWorkflow TriggerKind = "workflow" // New Workflow: a journey webhook by workflow id
)

// Trigger picks the events a user cares about; each stored event records the
// triggers it matched.
type Trigger struct {
	Name       string        `json:"name"`
	Kind       TriggerKind   `json:"kind"`
	EventNames []string      `json:"eventNames,omitempty"` // New Object
	WorkflowID string        `json:"workflowId,omitempty"` // New Workflow
	Schema     schema.Schema `json:"schema,omitempty"`     // the payload's expected shape, if set
	CreatedAt  time.Time     `json:"createdAt"`
	Matched    int64         `json:"matched"`
	LastMatch  time.Time     `json:"lastMatch,omitzero"`

	// schemaAt is when the schema was last set (Unix nanoseconds): the
	// mismatch counts start there, on a copy of the log too.
	schemaAt int64
}

// Matches reports whether an event with this classification fires t. A New
// Workflow trigger fires on journey webhooks only, not on system events that
// a journey's message caused.
func (t Trigger) Matches(c Classification) bool {
	switch t.Kind {
	case TriggerObject:
		return c.Kind == KindSystem && slices.Contains(t.EventNames, c.EventName)
	case TriggerWorkflow:
		return c.Kind == KindWorkflow && c.WorkflowID == t.WorkflowID
	}
	return false
}

// ValidateTrigger checks a trigger before it is saved. Warnings are for event
// names Iterable does not document (still accepted: the list is open), each
// with a did-you-mean when one is close.
func ValidateTrigger(t Trigger) (warnings []string, err error) {
	if strings.TrimSpace(t.Name) == "" {
		return nil, errors.New("a trigger needs a name")
	}
	switch t.Kind {
	case TriggerObject:
		if len(t.EventNames) == 0 {
			return nil, errors.New("a New Object trigger needs at least one event name (e.g. emailOpen)")
		}
		for _, name := range t.EventNames {
			if strings.TrimSpace(name) == "" {
				return nil, errors.New("an event name is empty")
			}
			if KnownEventName(name) {
				continue
			}
			w := fmt.Sprintf("%q is not an event name Iterable documents", name)
			if s := SuggestEventName(name); s != "" {
				w += fmt.Sprintf("; did you mean %q?", s)
			}
			warnings = append(warnings, w)
		}
	case TriggerWorkflow:
		if strings.TrimSpace(t.WorkflowID) == "" {
			return nil, errors.New("a New Workflow trigger needs a workflow id (the number in the journey editor's URL)")
		}
	default:
		return nil, fmt.Errorf("unknown trigger kind %q (object or workflow)", t.Kind)
	}
	return warnings, nil
}

// ErrTriggerExists is a second trigger with a name already taken.
var ErrTriggerExists = errors.New("a trigger with that name already exists")

// AddTrigger saves a new trigger; it matches events that arrive from then on.
func (s *Store) AddTrigger(ctx context.Context, t Trigger) (warnings []string, err error) {
	if warnings, err = ValidateTrigger(t); err != nil {
		return nil, err
	}
	names, err := json.Marshal(t.EventNames)
	if err != nil {
		return nil, fmt.Errorf("encoding event names: %w", err)
	}
	schemaJSON, err := encodeSchema(t.Schema)
	if err != nil {
		return nil, err
	}
	err = s.exec(ctx, true, func(ctx context.Context, c *sql.Conn) error {
		var n int
		if err := c.QueryRowContext(ctx, `SELECT count(*) FROM triggers WHERE name = ?`, t.Name).Scan(&n); err != nil {
			return fmt.Errorf("adding trigger %q: %w", t.Name, err)
		}
		if n > 0 {
			return fmt.Errorf("adding trigger %q: %w", t.Name, ErrTriggerExists)
		}
		_, err := c.ExecContext(ctx, `INSERT INTO triggers (name, kind, event_names, workflow_id, schema, created_at)
			VALUES (?, ?, ?, ?, ?, ?)`, t.Name, string(t.Kind), string(names), t.WorkflowID, schemaJSON, time.Now().UnixNano())
		if err != nil {
			return fmt.Errorf("adding trigger %q: %w", t.Name, err)
		}
		return nil
	})
	return warnings, err
}

// RemoveTrigger deletes a trigger. Events keep the record of what they matched.
func (s *Store) RemoveTrigger(ctx context.Context, name string) error {
	return s.exec(ctx, true, func(ctx context.Context, c *sql.Conn) error {
		res, err := c.ExecContext(ctx, `DELETE FROM triggers WHERE name = ?`, name)
		if err != nil {
			return fmt.Errorf("removing trigger %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("trigger %q: %w", name, ErrNotFound)
		}
		return nil
	})
}

// UpdateTrigger changes what the trigger named t.Name fires on (its event
// names or workflow id); its kind, schema and counts stay.
func (s *Store) UpdateTrigger(ctx context.Context, t Trigger) (warnings []string, err error) {
	if warnings, err = ValidateTrigger(t); err != nil {
		return nil, err
	}
	names, err := json.Marshal(t.EventNames)
	if err != nil {
		return nil, fmt.Errorf("encoding event names: %w", err)
	}
	err = s.exec(ctx, true, func(ctx context.Context, c *sql.Conn) error {
		res, err := c.ExecContext(ctx, `UPDATE triggers SET event_names = ?, workflow_id = ? WHERE name = ? AND kind = ?`,
			string(names), t.WorkflowID, t.Name, string(t.Kind))
		if err != nil {
			return fmt.Errorf("updating trigger %q: %w", t.Name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("trigger %q (%s): %w", t.Name, t.Kind, ErrNotFound)
		}
		return nil
	})
	return warnings, err
}

// ParseWorkflowID reads a workflow id as the user gives it: the number, or
// a journey editor URL (https://app.iterable.com/workflows/1234/edit).
func ParseWorkflowID(s string) (string, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", errors.New("give the workflow id, or paste the journey editor's URL")
	}
	if isDigits(s) {
		return s, nil
	}
	parts := strings.Split(s, "/")
	for i := 0; i+1 < len(parts); i++ {
		if parts[i] == "workflows" && isDigits(parts[i+1]) {
			return parts[i+1], nil
		}
	}
	return "", fmt.Errorf("%q is neither a workflow id nor a journey editor URL (.../workflows/1234/edit)", s)
}

func isDigits(s string) bool {
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return s != ""
}

// ErrNoPayload is an event without a JSON body to infer a schema from.
var ErrNoPayload = errors.New("no JSON body to infer a schema from")

// WidenWithEvents widens a trigger's current schema with stored events'
// payloads, as samples inferred together (a field some lack is optional; a
// type set by hand is never narrowed).
func WidenWithEvents(current schema.Schema, evs ...Event) (schema.Inference, error) {
	docs := make([][]byte, 0, len(evs))
	for _, ev := range evs {
		if len(ev.Payload) == 0 {
			return schema.Inference{}, fmt.Errorf("event %d has %w (it was %s)", ev.ID, ErrNoPayload, ev.Status)
		}
		docs = append(docs, ev.Payload)
	}
	inf, err := schema.Widen(current, docs...)
	if err != nil {
		if len(evs) == 1 {
			return schema.Inference{}, fmt.Errorf("event %d: %w", evs[0].ID, err)
		}
		return schema.Inference{}, err
	}
	return inf, nil
}

// SetTriggerSchema sets (or, with nil, clears) the schema a trigger's events
// are checked against.
func (s *Store) SetTriggerSchema(ctx context.Context, name string, sc schema.Schema) error {
	schemaJSON, err := encodeSchema(sc)
	if err != nil {
		return err
	}
	return s.exec(ctx, true, func(ctx context.Context, c *sql.Conn) error {
		res, err := c.ExecContext(ctx, `UPDATE triggers SET schema = ?, schema_at = ? WHERE name = ?`, schemaJSON, time.Now().UnixNano(), name)
		if err != nil {
			return fmt.Errorf("setting the schema of trigger %q: %w", name, err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("trigger %q: %w", name, ErrNotFound)
		}
		return nil
	})
}

func encodeSchema(sc schema.Schema) (any, error) {
	if sc == nil {
		return nil, nil
	}
	b, err := json.Marshal(sc)
	if err != nil {
		return nil, fmt.Errorf("encoding the schema: %w", err)
	}
	return string(b), nil
}

// Triggers lists the triggers by name, with their match counts.
func (s *Store) Triggers(ctx context.Context) ([]Trigger, error) {
	// Settled: their match counts grow as the flusher inserts events.
	if err := s.settled(ctx); err != nil {
		return nil, fmt.Errorf("listing triggers: %w", err)
	}
	return queryTriggers(ctx, s.read)
}

// Trigger returns one trigger by name.
func (s *Store) Trigger(ctx context.Context, name string) (Trigger, error) {
	all, err := s.Triggers(ctx)
	return findTrigger(all, name, err)
}

// findTrigger picks the trigger named name from a store's list.
func findTrigger(all []Trigger, name string, err error) (Trigger, error) {
	if err != nil {
		return Trigger{}, err
	}
	for _, t := range all {
		if t.Name == name {
			return t, nil
		}
	}
	return Trigger{}, fmt.Errorf("trigger %q: %w", name, ErrNotFound)
}

// queryer is what both a *sql.DB and a *sql.Conn offer.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryTriggers(ctx context.Context, q queryer) ([]Trigger, error) {
	rows, err := q.QueryContext(ctx, `SELECT name, kind, event_names, workflow_id, schema, created_at,
		matched, last_match, schema_at FROM triggers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing triggers: %w", err)
	}
	defer rows.Close()
	var out []Trigger
	for rows.Next() {
		var t Trigger
		var names string
		var schemaJSON sql.NullString
		var created, last int64
		if err := rows.Scan(&t.Name, &t.Kind, &names, &t.WorkflowID, &schemaJSON, &created, &t.Matched, &last, &t.schemaAt); err != nil {
			return nil, fmt.Errorf("listing triggers: %w", err)
		}
		if err := json.Unmarshal([]byte(names), &t.EventNames); err != nil {
			return nil, fmt.Errorf("trigger %q: its event names: %w", t.Name, err)
		}
		if schemaJSON.Valid {
			if err := json.Unmarshal([]byte(schemaJSON.String), &t.Schema); err != nil {
				return nil, fmt.Errorf("trigger %q: its schema: %w", t.Name, err)
			}
		}
		t.CreatedAt = time.Unix(0, created)
		if last > 0 {
			t.LastMatch = time.Unix(0, last)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing triggers: %w", err)
	}
	return out, nil
}

// loadTriggers refreshes the writer's copy of the triggers.
func (s *Store) loadTriggers(ctx context.Context) error {
	all, err := queryTriggers(ctx, s.wconn)
	if err != nil {
		return err
	}
	s.triggers = all
	return nil
}

// match records on ev the triggers it fires and checks its payload against
// the schemas they carry.
func (s *Store) match(ev *Event) { matchTriggers(s.triggers, ev, s.log) }

func matchTriggers(triggers []Trigger, ev *Event, log *slog.Logger) {
	c := Classification{Kind: ev.Kind, EventName: ev.EventName, WorkflowID: ev.WorkflowID}
	var value any
	decoded := false
	for _, t := range triggers {
		if !t.Matches(c) {
			continue
		}
		ev.Triggers = append(ev.Triggers, t.Name)
		if t.Schema == nil {
			continue
		}
		if !decoded {
			var err error
			if value, err = decodePayload(ev.Payload); err != nil {
				log.Warn("decoding a payload for its schema check", "err", err)
			}
			decoded = true
		}
		problems, fits := fit(t.Schema, value)
		if len(problems) == 0 {
			continue
		}
		if ev.Problems == nil {
			ev.Problems = map[string][]schema.Problem{}
		}
		ev.Problems[t.Name] = problems
		if !fits {
			ev.Mismatch = true
		}
	}
}

// fit is how a decoded payload stands against a schema: every problem, and
// whether it fits. Fields the schema does not know are warnings and do not
// make it misfit. The mark an event gets when stored and the verdict
// CheckPayload gives come from here, so they never disagree.
func fit(s schema.Schema, value any) ([]schema.Problem, bool) {
	problems := schema.Validate(s, value)
	return problems, !schema.HasErrors(problems)
}

// CheckPayload is how a stored payload stands against a schema, judged as
// events are judged when stored: its problems, and whether it fits.
func CheckPayload(s schema.Schema, payload json.RawMessage) ([]schema.Problem, bool, error) {
	value, err := decodePayload(payload)
	if err != nil {
		return nil, false, err
	}
	problems, fits := fit(s, value)
	return problems, fits, nil
}
