package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/iwb-dev/iwb/schema"
)

// pgSelectEvents reads whole events; the table is aliased e so filters can join.
const pgSelectEvents = `SELECT e.id, e.received_at, e.status, e.kind, e.event_name, e.workflow_id, e.email,
	e.user_id, e.method, e.path, e.query, e.remote_addr, e.content_type, e.headers, e.size, e.body,
	e.body_format, e.payload, e.error, e.triggers, e.duplicate_of, e.problems, e.mismatch, e.forward, e.pinned`

// pgWhere is Query's FROM, WHERE, ORDER and LIMIT for PostgreSQL, with the
// same meaning as on the file store.
func pgWhere(q Query, count bool) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a any) {
		args = append(args, a)
		conds = append(conds, strings.ReplaceAll(cond, "$?", "$"+strconv.Itoa(len(args))))
	}
	if q.Kind != "" {
		add("e.kind = $?", string(q.Kind))
	}
	if q.Status != "" {
		add("e.status = $?", string(q.Status))
		if q.Status != StatusAccepted {
			conds = append(conds, "e.status <> 'accepted'") // the partial index
		}
	}
	if q.EventName != "" {
		add("e.event_name = $?", q.EventName)
	}
	if q.WorkflowID != "" {
		add("e.workflow_id = $?", q.WorkflowID)
	}
	if q.Trigger != "" {
		add("t.trigger = $?", q.Trigger)
	}
	if q.Text != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q.Text) + "%"
		add(`(encode(e.body, 'escape') ILIKE $? OR e.email ILIKE $? OR e.user_id ILIKE $?)`, like)
	}
	if !q.Since.IsZero() {
		add("e.received_at >= $?", q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		add("e.received_at < $?", q.Until.UnixNano())
	}
	idCol := "e.id"
	if q.Trigger != "" {
		idCol = "t.event_id"
	}
	if !count {
		if q.Desc && q.BeforeID > 0 {
			add(idCol+" < $?", q.BeforeID)
		}
		if !q.Desc && q.AfterID > 0 {
			add(idCol+" > $?", q.AfterID)
		}
	}
	from := " FROM events e"
	if q.Trigger != "" {
		from = " FROM event_triggers t JOIN events e ON e.id = t.event_id"
	}
	if len(conds) > 0 {
		from += " WHERE " + strings.Join(conds, " AND ")
	}
	if !count {
		order := " ASC"
		if q.Desc {
			order = " DESC"
		}
		limit := q.Limit
		if limit <= 0 {
			limit = 100
		}
		args = append(args, limit)
		from += " ORDER BY " + idCol + order + " LIMIT $" + strconv.Itoa(len(args))
	}
	return from, args
}

// List returns one page of events in the query's order.
func (p *PGStore) List(ctx context.Context, q Query) ([]Event, error) {
	from, args := pgWhere(q, false)
	cols := strings.NewReplacer("e.body,", cutColumn("e.body", q.BodyLimit)+",",
		"e.payload,", cutColumn("e.payload", q.BodyLimit)+",").Replace(pgSelectEvents)
	rows, err := p.pool.Query(ctx, cols+from, args...)
	if err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	evs, err := pgx.CollectRows(rows, pgScanEvent)
	if err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	for i := range evs {
		evs[i].markCut(q.BodyLimit)
	}
	return evs, nil
}

// Count counts the events a query selects (paging ignored).
func (p *PGStore) Count(ctx context.Context, q Query) (int64, error) {
	from, args := pgWhere(q, true)
	var n int64
	if err := p.pool.QueryRow(ctx, "SELECT count(*)"+from, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting events: %w", err)
	}
	return n, nil
}

// Get returns one event by id, or an error wrapping ErrNotFound.
func (p *PGStore) Get(ctx context.Context, id int64) (Event, error) {
	rows, err := p.pool.Query(ctx, pgSelectEvents+" FROM events e WHERE e.id = $1", id)
	if err != nil {
		return Event{}, fmt.Errorf("reading event %d: %w", id, err)
	}
	ev, err := pgx.CollectExactlyOneRow(rows, pgScanEvent)
	if errors.Is(err, pgx.ErrNoRows) {
		return Event{}, fmt.Errorf("event %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return Event{}, fmt.Errorf("reading event %d: %w", id, err)
	}
	return ev, nil
}

// Payload returns one event's parsed body; see Store.Payload.
func (p *PGStore) Payload(ctx context.Context, id int64) (any, error) {
	ev, err := p.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return ev.Value()
}

func pgScanEvent(row pgx.CollectableRow) (Event, error) {
	var ev Event
	var received int64
	var status, kind, headers, format, triggers string
	var payload []byte
	var problems, forward *string
	err := row.Scan(&ev.ID, &received, &status, &kind, &ev.EventName, &ev.WorkflowID, &ev.Email,
		&ev.UserID, &ev.Method, &ev.Path, &ev.Query, &ev.RemoteAddr, &ev.ContentType, &headers, &ev.Size,
		&ev.Body, &format, &payload, &ev.Error, &triggers, &ev.DuplicateOf, &problems, &ev.Mismatch, &forward, &ev.Pinned)
	if err != nil {
		return Event{}, err
	}
	ev.ReceivedAt, ev.Status, ev.Kind = time.Unix(0, received), Status(status), Kind(kind)
	if err := json.Unmarshal([]byte(headers), &ev.Headers); err != nil {
		return Event{}, fmt.Errorf("event %d: its headers: %w", ev.ID, err)
	}
	switch format {
	case "json":
		ev.Payload = ev.Body
	case "form":
		ev.Payload, ev.Form = payload, true
	}
	if triggers != "" {
		if err := json.Unmarshal([]byte(triggers), &ev.Triggers); err != nil {
			return Event{}, fmt.Errorf("event %d: its triggers: %w", ev.ID, err)
		}
	}
	if problems != nil {
		if err := json.Unmarshal([]byte(*problems), &ev.Problems); err != nil {
			return Event{}, fmt.Errorf("event %d: its schema problems: %w", ev.ID, err)
		}
	}
	if forward != nil {
		ev.Forward = &ForwardResult{}
		if err := json.Unmarshal([]byte(*forward), ev.Forward); err != nil {
			return Event{}, fmt.Errorf("event %d: its forward: %w", ev.ID, err)
		}
	}
	return ev, nil
}

func (p *PGStore) setForward(ctx context.Context, id int64, f ForwardResult) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding a forward result: %w", err)
	}
	if _, err := p.pool.Exec(ctx, `UPDATE events SET forward = $1 WHERE id = $2`, string(b), id); err != nil {
		return fmt.Errorf("recording the forward of event %d: %w", id, err)
	}
	return nil
}

func (p *PGStore) setting(ctx context.Context, name string) (string, error) {
	return pgSetting(ctx, p.pool, name)
}

// pgSetting reads a setting through q; "" when it is not set.
func pgSetting(ctx context.Context, q pgQueryer, name string) (string, error) {
	var v string
	err := q.QueryRow(ctx, `SELECT value FROM settings WHERE name = $1`, name).Scan(&v)
	if errors.Is(err, pgx.ErrNoRows) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("reading the setting %s: %w", name, err)
	}
	return v, nil
}

func (p *PGStore) setSetting(ctx context.Context, name, value string) error {
	return pgSetSetting(ctx, p.pool, name, value)
}

// pgSetSetting stores a setting through q (the pool, or a transaction the
// setting must commit with); an empty value removes it.
func pgSetSetting(ctx context.Context, q pgQueryer, name, value string) error {
	var err error
	if value == "" {
		_, err = q.Exec(ctx, `DELETE FROM settings WHERE name = $1`, name)
	} else {
		_, err = q.Exec(ctx, `INSERT INTO settings (name, value) VALUES ($1, $2)
			ON CONFLICT (name) DO UPDATE SET value = excluded.value`, name, value)
	}
	if err != nil {
		return fmt.Errorf("saving the setting %s: %w", name, err)
	}
	return nil
}

// Triggers lists the triggers by name, with their match counts.
func (p *PGStore) Triggers(ctx context.Context) ([]Trigger, error) {
	rows, err := p.pool.Query(ctx, `SELECT name, kind, event_names, workflow_id, schema, created_at,
		matched, last_match, schema_at FROM triggers ORDER BY name`)
	if err != nil {
		return nil, fmt.Errorf("listing triggers: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(row pgx.CollectableRow) (Trigger, error) {
		var t Trigger
		var kind, names string
		var schemaJSON *string
		var created, last int64
		if err := row.Scan(&t.Name, &kind, &names, &t.WorkflowID, &schemaJSON, &created, &t.Matched, &last, &t.schemaAt); err != nil {
			return t, err
		}
		t.Kind, t.CreatedAt = TriggerKind(kind), time.Unix(0, created)
		if last > 0 {
			t.LastMatch = time.Unix(0, last)
		}
		if err := json.Unmarshal([]byte(names), &t.EventNames); err != nil {
			return t, fmt.Errorf("trigger %q: its event names: %w", t.Name, err)
		}
		if schemaJSON != nil {
			if err := json.Unmarshal([]byte(*schemaJSON), &t.Schema); err != nil {
				return t, fmt.Errorf("trigger %q: its schema: %w", t.Name, err)
			}
		}
		return t, nil
	})
	if err != nil {
		return nil, fmt.Errorf("listing triggers: %w", err)
	}
	return out, nil
}

// Trigger returns one trigger by name.
func (p *PGStore) Trigger(ctx context.Context, name string) (Trigger, error) {
	all, err := p.Triggers(ctx)
	return findTrigger(all, name, err)
}

// loadTriggers refreshes the writer's copy of the triggers.
func (p *PGStore) loadTriggers(ctx context.Context) error {
	all, err := p.Triggers(ctx)
	if err != nil {
		return err
	}
	p.mu.Lock()
	p.triggers = all
	p.mu.Unlock()
	return nil
}

// changeTriggers runs op in a transaction that tells every process to reload
// its triggers, and reloads this one's before returning, so the next event
// appended here is matched against the change.
func (p *PGStore) changeTriggers(ctx context.Context, op func(tx pgx.Tx) error) error {
	err := pgx.BeginFunc(ctx, p.pool, func(tx pgx.Tx) error {
		if err := op(tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pg_notify($1, 't')`, p.notify)
		return err
	})
	if err != nil {
		return err
	}
	return p.loadTriggers(ctx)
}

// AddTrigger saves a new trigger; it matches events that arrive from then on.
func (p *PGStore) AddTrigger(ctx context.Context, t Trigger) (warnings []string, err error) {
	if warnings, err = ValidateTrigger(t); err != nil {
		return nil, err
	}
	t.CreatedAt, t.schemaAt = time.Now(), 0
	err = p.changeTriggers(ctx, func(tx pgx.Tx) error {
		added, err := insertTrigger(ctx, tx, t)
		if err == nil && !added {
			err = fmt.Errorf("adding trigger %q: %w", t.Name, ErrTriggerExists)
		}
		return err
	})
	return warnings, err
}

// insertTrigger adds t as it is, unless a trigger has its name already.
func insertTrigger(ctx context.Context, tx pgx.Tx, t Trigger) (added bool, err error) {
	names, err := json.Marshal(t.EventNames)
	if err != nil {
		return false, fmt.Errorf("encoding event names: %w", err)
	}
	schemaJSON, err := encodeSchema(t.Schema)
	if err != nil {
		return false, err
	}
	tag, err := tx.Exec(ctx, `INSERT INTO triggers (name, kind, event_names, workflow_id, schema, created_at, schema_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (name) DO NOTHING`,
		t.Name, string(t.Kind), string(names), t.WorkflowID, schemaJSON, t.CreatedAt.UnixNano(), t.schemaAt)
	if err != nil {
		return false, fmt.Errorf("adding trigger %q: %w", t.Name, err)
	}
	return tag.RowsAffected() > 0, nil
}

// RemoveTrigger deletes a trigger. Events keep the record of what they matched.
func (p *PGStore) RemoveTrigger(ctx context.Context, name string) error {
	return p.changeTriggers(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `DELETE FROM triggers WHERE name = $1`, name)
		if err != nil {
			return fmt.Errorf("removing trigger %q: %w", name, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("trigger %q: %w", name, ErrNotFound)
		}
		return nil
	})
}

// UpdateTrigger changes what the trigger named t.Name fires on; see Store.UpdateTrigger.
func (p *PGStore) UpdateTrigger(ctx context.Context, t Trigger) (warnings []string, err error) {
	if warnings, err = ValidateTrigger(t); err != nil {
		return nil, err
	}
	names, err := json.Marshal(t.EventNames)
	if err != nil {
		return nil, fmt.Errorf("encoding event names: %w", err)
	}
	err = p.changeTriggers(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE triggers SET event_names = $1, workflow_id = $2 WHERE name = $3 AND kind = $4`,
			string(names), t.WorkflowID, t.Name, string(t.Kind))
		if err != nil {
			return fmt.Errorf("updating trigger %q: %w", t.Name, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("trigger %q (%s): %w", t.Name, t.Kind, ErrNotFound)
		}
		return nil
	})
	return warnings, err
}

// SetTriggerSchema sets (or, with nil, clears) a trigger's schema.
func (p *PGStore) SetTriggerSchema(ctx context.Context, name string, sc schema.Schema) error {
	schemaJSON, err := encodeSchema(sc)
	if err != nil {
		return err
	}
	return p.changeTriggers(ctx, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE triggers SET schema = $1, schema_at = $2 WHERE name = $3`,
			schemaJSON, time.Now().UnixNano(), name)
		if err != nil {
			return fmt.Errorf("setting the schema of trigger %q: %w", name, err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("trigger %q: %w", name, ErrNotFound)
		}
		return nil
	})
}

// Mismatches summarises a trigger's recent schema problems; see Store.Mismatches.
func (p *PGStore) Mismatches(ctx context.Context, trigger string, window int) ([]Mismatch, error) {
	if window <= 0 {
		window = MismatchWindow
	}
	var since int64
	err := p.pool.QueryRow(ctx, `SELECT schema_at FROM triggers WHERE name = $1`, trigger).Scan(&since)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("trigger %q: %w", trigger, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading trigger %q: %w", trigger, err)
	}
	rows, err := p.pool.Query(ctx, `SELECT e.id, e.received_at, e.problems
		FROM (SELECT event_id FROM event_triggers WHERE trigger = $1 ORDER BY event_id DESC LIMIT $2) t
		JOIN events e ON e.id = t.event_id
		WHERE e.problems IS NOT NULL AND e.received_at >= $3
		ORDER BY e.id DESC`, trigger, window, since)
	if err != nil {
		return nil, fmt.Errorf("reading the mismatches of %q: %w", trigger, err)
	}
	var tally mismatchTally
	var id, at int64
	var raw string
	_, err = pgx.ForEachRow(rows, []any{&id, &at, &raw}, func() error { return tally.add(trigger, id, at, raw) })
	if err != nil {
		return nil, fmt.Errorf("reading the mismatches of %q: %w", trigger, err)
	}
	return tally.result(), nil
}
