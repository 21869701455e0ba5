package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/schema"
)

// Query selects stored events. Paging is by id: ascending from AfterID, or,
// with Desc, descending from BeforeID (0: the newest). Every filter but Text
// is served by an index, so the log's size does not slow a page down.
type Query struct {
	Kind       Kind
	Status     Status
	EventName  string
	WorkflowID string
	Trigger    string
	Text       string // case-insensitive substring of the body, email or user id
	Since      time.Time
	Until      time.Time // exclusive
	AfterID    int64
	BeforeID   int64
	Desc       bool
	Limit      int // default 100
}

// where builds the query's conditions; events are aliased e.
func (q Query) where(count bool) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	if q.Kind != "" {
		add("e.kind = ?", string(q.Kind))
	}
	if q.Status != "" {
		add("e.status = ?", string(q.Status))
		if q.Status != StatusAccepted {
			add("e.status != 'accepted'") // lets SQLite use the partial index
		}
	}
	if q.EventName != "" {
		add("e.event_name = ?", q.EventName)
	}
	if q.WorkflowID != "" {
		add("e.workflow_id = ?", q.WorkflowID)
	}
	if q.Trigger != "" {
		add("t.trigger = ?", q.Trigger)
	}
	if q.Text != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q.Text) + "%"
		add(`(CAST(e.body AS TEXT) LIKE ? ESCAPE '\' OR e.email LIKE ? ESCAPE '\' OR e.user_id LIKE ? ESCAPE '\')`, like, like, like)
	}
	if !q.Since.IsZero() {
		add("e.received_at >= ?", q.Since.UnixNano())
	}
	if !q.Until.IsZero() {
		add("e.received_at < ?", q.Until.UnixNano())
	}
	// The id column to page on: the trigger table's when filtering by trigger,
	// so SQLite walks that table's primary key in order.
	idCol := "e.id"
	if q.Trigger != "" {
		idCol = "t.event_id"
	}
	if !count {
		if q.Desc && q.BeforeID > 0 {
			add(idCol+" < ?", q.BeforeID)
		}
		if !q.Desc && q.AfterID > 0 {
			add(idCol+" > ?", q.AfterID)
		}
	}
	from := "events e"
	if q.Trigger != "" {
		from = "event_triggers t JOIN events e ON e.id = t.event_id"
	}
	sqlText := " FROM " + from
	if len(conds) > 0 {
		sqlText += " WHERE " + strings.Join(conds, " AND ")
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
		sqlText += " ORDER BY " + idCol + order + " LIMIT ?"
		args = append(args, limit)
	}
	return sqlText, args
}

// List returns one page of events in the query's order.
func (s *Store) List(ctx context.Context, q Query) ([]Event, error) {
	from, args := q.where(false)
	rows, err := s.read.QueryContext(ctx, selectEvents+from, args...)
	if err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	defer rows.Close()
	var out []Event
	for rows.Next() {
		ev, err := scanEvent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	return out, nil
}

// Count counts the events a query selects (paging ignored).
func (s *Store) Count(ctx context.Context, q Query) (int64, error) {
	from, args := q.where(true)
	var n int64
	if err := s.read.QueryRowContext(ctx, "SELECT count(*)"+from, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting events: %w", err)
	}
	return n, nil
}

// Get returns one event by id, or an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (Event, error) {
	row := s.read.QueryRowContext(ctx, selectEvents+" FROM events e WHERE e.id = ?", id)
	ev, err := scanEvent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, fmt.Errorf("event %d: %w", id, ErrNotFound)
	}
	return ev, err
}

// Payload returns one event's parsed body, decoded with exact numbers
// (json.Number), e.g. to infer a trigger's schema from it. It is nil when the
// body was neither JSON nor a form.
func (s *Store) Payload(ctx context.Context, id int64) (any, error) {
	ev, err := s.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return ev.Value()
}

type scanner interface{ Scan(dest ...any) error }

func scanEvent(r scanner) (Event, error) {
	var ev Event
	var received int64
	var headers, format, triggers string
	var payload []byte
	var problems, forward sql.NullString
	err := r.Scan(&ev.ID, &received, &ev.Status, &ev.Kind, &ev.EventName, &ev.WorkflowID, &ev.Email,
		&ev.UserID, &ev.Method, &ev.Path, &ev.Query, &ev.RemoteAddr, &ev.ContentType, &headers, &ev.Size,
		&ev.Body, &format, &payload, &ev.Error, &triggers, &ev.DuplicateOf, &problems, &ev.Mismatch, &forward)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, err
	}
	if err != nil {
		return Event{}, fmt.Errorf("reading an event: %w", err)
	}
	ev.ReceivedAt = time.Unix(0, received)
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
	if problems.Valid {
		ev.Problems = map[string][]schema.Problem{}
		if err := json.Unmarshal([]byte(problems.String), &ev.Problems); err != nil {
			return Event{}, fmt.Errorf("event %d: its schema problems: %w", ev.ID, err)
		}
	}
	if forward.Valid {
		ev.Forward = &ForwardResult{}
		if err := json.Unmarshal([]byte(forward.String), ev.Forward); err != nil {
			return Event{}, fmt.Errorf("event %d: its forward: %w", ev.ID, err)
		}
	}
	return ev, nil
}

// setForward records the result of forwarding an event.
func (s *Store) setForward(ctx context.Context, id int64, f ForwardResult) error {
	b, err := json.Marshal(f)
	if err != nil {
		return fmt.Errorf("encoding a forward result: %w", err)
	}
	return s.exec(ctx, false, func(ctx context.Context, c *sql.Conn) error {
		if _, err := c.ExecContext(ctx, `UPDATE events SET forward = ? WHERE id = ?`, string(b), id); err != nil {
			return fmt.Errorf("recording the forward of event %d: %w", id, err)
		}
		return nil
	})
}
