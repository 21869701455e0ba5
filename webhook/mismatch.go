package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"time"

	"github.com/iwb-dev/iwb/schema"
)

// MismatchWindow is how many of a trigger's latest events Mismatches reads
// by default: recent enough to be about the current traffic, bounded so the
// Schemas tab costs the same on a log of millions.
const MismatchWindow = 500

// Mismatch is one payload path that did not fit a trigger's schema, over a
// trigger's recent events.
type Mismatch struct {
	Path        string // dotted; array indexes folded to [] (items[].id)
	Count       int    // events with a problem at this path
	Expected    string // the schema's type
	Found       string // what the latest such event held
	Message     string // the latest problem's message
	Warning     bool   // a field the schema does not know, rather than a wrong one
	LastEventID int64
	LastAt      time.Time
}

var arrayIndex = regexp.MustCompile(`\[\d+\]`)

// Mismatches summarises the schema problems of the trigger's latest window
// events (MismatchWindow when window <= 0) received since its schema was
// last set, by path: errors first, then by count, then by path.
func (s *Store) Mismatches(ctx context.Context, trigger string, window int) ([]Mismatch, error) {
	if err := s.settled(ctx); err != nil {
		return nil, fmt.Errorf("reading mismatches: %w", err)
	}
	if window <= 0 {
		window = MismatchWindow
	}
	var since int64
	err := s.read.QueryRowContext(ctx, `SELECT schema_at FROM triggers WHERE name = ?`, trigger).Scan(&since)
	if err == sql.ErrNoRows {
		return nil, fmt.Errorf("trigger %q: %w", trigger, ErrNotFound)
	}
	if err != nil {
		return nil, fmt.Errorf("reading trigger %q: %w", trigger, err)
	}
	rows, err := s.read.QueryContext(ctx, `SELECT e.id, e.received_at, e.problems
		FROM (SELECT event_id FROM event_triggers WHERE trigger = ? ORDER BY event_id DESC LIMIT ?) t
		JOIN events e ON e.id = t.event_id
		WHERE e.problems IS NOT NULL AND e.received_at >= ?
		ORDER BY e.id DESC`, trigger, window, since)
	if err != nil {
		return nil, fmt.Errorf("reading the mismatches of %q: %w", trigger, err)
	}
	defer rows.Close()
	var tally mismatchTally
	for rows.Next() {
		var id, at int64
		var raw string
		if err := rows.Scan(&id, &at, &raw); err != nil {
			return nil, fmt.Errorf("reading the mismatches of %q: %w", trigger, err)
		}
		if err := tally.add(trigger, id, at, raw); err != nil {
			return nil, err
		}
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading the mismatches of %q: %w", trigger, err)
	}
	return tally.result(), nil
}

// mismatchTally sums a trigger's schema problems by path, fed newest first.
type mismatchTally struct{ byPath map[string]*Mismatch }

// add counts one event's stored problems (JSON, by trigger name).
func (m *mismatchTally) add(trigger string, id, at int64, raw string) error {
	if m.byPath == nil {
		m.byPath = map[string]*Mismatch{}
	}
	var problems map[string][]schema.Problem
	if err := json.Unmarshal([]byte(raw), &problems); err != nil {
		return fmt.Errorf("event %d: its schema problems: %w", id, err)
	}
	seen := map[string]bool{}
	for _, p := range problems[trigger] {
		path := arrayIndex.ReplaceAllString(p.Path, "[]")
		if seen[path] {
			continue
		}
		seen[path] = true
		mm := m.byPath[path]
		if mm == nil { // rows come newest first: the first one seen is the latest
			mm = &Mismatch{Path: path, Expected: p.Expected, Found: p.Found, Message: p.Message,
				Warning: p.Warning, LastEventID: id, LastAt: time.Unix(0, at)}
			m.byPath[path] = mm
		}
		mm.Count++
	}
	return nil
}

// result orders the paths: errors first, then by count, then by path.
func (m *mismatchTally) result() []Mismatch {
	byPath := m.byPath
	out := make([]Mismatch, 0, len(byPath))
	for _, m := range byPath {
		out = append(out, *m)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Warning != b.Warning {
			return !a.Warning
		}
		if a.Count != b.Count {
			return a.Count > b.Count
		}
		return a.Path < b.Path
	})
	return out
}
