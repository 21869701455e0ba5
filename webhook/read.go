package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/schema"
)

// Query selects stored events. Paging is by id: ascending from AfterID, or,
// with Desc, descending from BeforeID (0: the newest). Every filter but Text
// and Kind system is served by an index or an id range, so the log's size
// does not slow a page down.
type Query struct {
	Kind       Kind
	Status     Status
	EventName  string
	WorkflowID string
	Trigger    string
	Text       string // case-insensitive substring of the body as received
	Since      time.Time
	Until      time.Time // exclusive
	AfterID    int64
	BeforeID   int64
	Desc       bool
	Limit      int // default 100
	// BodyLimit, when above 0, cuts each body to its first BodyLimit bytes
	// in the database, so a page of large events costs memory by rows, not
	// by bytes received; a cut event says so (Cut) and Get reads it whole.
	BodyLimit int
}

// cutColumn is a bytes column as a query reads it, on either database:
// whole, or one byte more than limit, which tells markCut it went on.
// limit is an int, so writing it into the text is safe.
func cutColumn(col string, limit int) string {
	if limit <= 0 {
		return col
	}
	return "substr(" + col + ", 1, " + strconv.Itoa(limit+1) + ")"
}

// markCut cuts a body read through cutBody to limit bytes and says so.
func (e *Event) markCut(limit int) {
	if limit <= 0 || len(e.Body) <= limit {
		return
	}
	e.Body, e.Cut = e.Body[:limit:limit], true
	if len(e.Payload) > limit {
		e.Payload = e.Payload[:limit:limit]
	}
}

// idRange narrows a query by id; 0 is no bound.
type idRange struct{ from, to int64 } // from inclusive, to exclusive

// where builds the query's conditions; events are aliased e. A unary +
// keeps SQLite from walking an index in name order where id order is
// wanted.
func (q Query) where(count bool, ids idRange) (string, []any) {
	var conds []string
	var args []any
	add := func(cond string, a ...any) {
		conds = append(conds, cond)
		args = append(args, a...)
	}
	switch q.Kind {
	case KindSystem:
		add("+e.event_name != ''")
	case KindWorkflow:
		add("e.event_name = '' AND +e.workflow_id != ''")
	case KindUnknown:
		add("e.event_name = '' AND +e.workflow_id = ''")
	case "":
	default:
		add("0") // no event is of another kind
	}
	if q.Status != "" {
		code := slices.Index(statusCodes, q.Status)
		add("e.flags & 3 = ?", code)
		if code != 0 {
			add("e.flags & 3 != 0") // lets SQLite use the partial index
		}
	}
	if q.EventName != "" {
		add("e.event_name = ?", q.EventName)
	}
	if q.WorkflowID != "" {
		add("e.workflow_id = ? AND e.workflow_id != ''", q.WorkflowID)
	}
	if q.Trigger != "" {
		add("t.trigger = ?", q.Trigger)
	}
	if q.Text != "" {
		like := "%" + strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`).Replace(q.Text) + "%"
		add(`CAST(e.body AS TEXT) LIKE ? ESCAPE '\'`, like)
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
	if ids.from > 0 {
		add(idCol+" >= ?", ids.from)
	}
	if ids.to > 0 {
		add(idCol+" < ?", ids.to)
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

// timeIDs turns the query's time bounds into an id range a little wider
// (see idSlack); the exact bounds are checked on each row.
func (s *Store) timeIDs(ctx context.Context, q Query) (idRange, error) {
	var r idRange
	if q.Since.IsZero() && q.Until.IsZero() {
		return r, nil
	}
	oldest, last, err := s.idRange(ctx, s.read)
	if err != nil || last == 0 {
		return r, err
	}
	if !q.Since.IsZero() {
		if r.from, err = firstIDAt(ctx, s.read, q.Since.Add(-idSlack), oldest, last); err != nil {
			return r, err
		}
	}
	if !q.Until.IsZero() {
		if r.to, err = firstIDAt(ctx, s.read, q.Until.Add(idSlack), oldest, last); err != nil {
			return r, err
		}
	}
	return r, nil
}

// List returns one page of events in the query's order.
func (s *Store) List(ctx context.Context, q Query) ([]Event, error) {
	if err := s.settled(ctx); err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	ids, err := s.timeIDs(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	from, args := q.where(false, ids)
	cols := strings.Replace(selectEvents, "e.body,", cutColumn("e.body", q.BodyLimit)+",", 1)
	rows, err := s.read.QueryContext(ctx, cols+from, args...)
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
		ev.markCut(q.BodyLimit)
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("listing events: %w", err)
	}
	return out, nil
}

// Count counts the events a query selects (paging ignored).
func (s *Store) Count(ctx context.Context, q Query) (int64, error) {
	if err := s.settled(ctx); err != nil {
		return 0, fmt.Errorf("counting events: %w", err)
	}
	ids, err := s.timeIDs(ctx, q)
	if err != nil {
		return 0, fmt.Errorf("counting events: %w", err)
	}
	from, args := q.where(true, ids)
	var n int64
	if err := s.read.QueryRowContext(ctx, "SELECT count(*)"+from, args...).Scan(&n); err != nil {
		return 0, fmt.Errorf("counting events: %w", err)
	}
	return n, nil
}

// Get returns one event by id, or an error wrapping ErrNotFound.
func (s *Store) Get(ctx context.Context, id int64) (Event, error) {
	if err := s.settled(ctx); err != nil {
		return Event{}, fmt.Errorf("reading event %d: %w", id, err)
	}
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

// storedPeople is the people column of an event written before its email
// and user id were known: read from its body, as stored with flags.
func storedPeople(flags, size int64, body []byte) any {
	_, _, fields := storedBody(flags, body)
	email, userID := fields.people()
	return peopleColumn(size, email, userID)
}

// storedBody reads a stored body as its format flags say: its payload,
// whether it is a form, and the fields it names.
func storedBody(flags int64, body []byte) (payload json.RawMessage, form bool, fields bodyFields) {
	switch flags & flagFormatMask {
	case flagFormatJSON:
		fields, _ = scanJSON(body)
		return body, false, fields
	case flagFormatForm:
		b := parseForm(body)
		return b.Payload, true, b.fields
	}
	return nil, false, fields
}

func scanEvent(r scanner) (Event, error) {
	var ev Event
	var received, flags int64
	var errText, triggers, problems, forward, people sql.NullString
	var shape []byte
	err := r.Scan(&ev.ID, &received, &flags, &ev.EventName, &ev.WorkflowID, &ev.DuplicateOf, &ev.RemoteAddr,
		&ev.Size, &ev.Body, &errText, &triggers, &problems, &forward, &people, &shape)
	if errors.Is(err, sql.ErrNoRows) {
		return Event{}, err
	}
	if err != nil {
		return Event{}, fmt.Errorf("reading an event: %w", err)
	}
	ev.ReceivedAt = time.Unix(0, received)
	if code := int(flags & flagStatusMask); code < len(statusCodes) {
		ev.Status = statusCodes[code]
	}
	ev.Kind = kindOf(ev.EventName, ev.WorkflowID)
	ev.Mismatch, ev.Pinned = flags&flagMismatch != 0, flags&flagPinned != 0
	ev.Error = errText.String
	if err := ev.setRequest(shape, flags&flagLength != 0); err != nil {
		return Event{}, fmt.Errorf("event %d: %w", ev.ID, err)
	}
	// Email and user id are read back from the body, but for long bodies,
	// which may be cut here: a cut body yields those found before the cut
	// (the scan keeps what it found when the input ends early).
	var fields bodyFields
	ev.Payload, ev.Form, fields = storedBody(flags, ev.Body)
	if people.Valid {
		ev.Email, ev.UserID, _ = strings.Cut(people.String, "\x00")
	} else {
		ev.Email, ev.UserID = fields.people()
	}
	if triggers.Valid {
		ev.Triggers = strings.Split(triggers.String, "\x00")
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
