package webhook

import (
	"context"
	"database/sql"
	"fmt"
)

// dupKey is 64 bits of a hash of what two copies of one event share; its
// lowest bit says whether that is the event's own identity (set) or its
// body. 0 means the event has no key.
type dupKey uint64

func (k dupKey) identity() bool { return k&1 == 1 }

// dupSetCap bounds the duplicate set: the keys of the newest 100,000
// events, at most about 8 MB.
const dupSetCap = 100_000

// dupSeen is what the set keeps per key: the first copy's id and when the
// newest copy arrived.
type dupSeen struct {
	first int64
	at    int64 // Unix nanoseconds
}

// dupNote is a stored copy's key and what to remember of it.
type dupNote struct {
	key dupKey
	dupSeen
}

// dupSet finds earlier copies of an event without an index on the key: it
// holds the keys of the newest events, rebuilt from the log at Open, and
// forgets the oldest key when full. Only the flusher goroutine uses it.
type dupSet struct {
	notes map[dupKey]dupSeen
	order []dupKey // ring of keys in the order they were added
	next  int
}

func newDupSet(capacity int) *dupSet {
	return &dupSet{notes: make(map[dupKey]dupSeen, capacity), order: make([]dupKey, 0, capacity)}
}

func (d *dupSet) find(k dupKey) (dupSeen, bool) {
	n, ok := d.notes[k]
	return n, ok
}

// note records a stored copy: a new key, or a newer copy of a known one.
func (d *dupSet) note(n dupNote) {
	if _, ok := d.notes[n.key]; ok {
		d.notes[n.key] = n.dupSeen
		return
	}
	if len(d.order) < cap(d.order) {
		d.order = append(d.order, n.key)
	} else {
		delete(d.notes, d.order[d.next])
		d.order[d.next] = n.key
		d.next = (d.next + 1) % len(d.order)
	}
	d.notes[n.key] = n.dupSeen
}

// load fills the set from the newest events in the log.
func (d *dupSet) load(ctx context.Context, c *sql.Conn) error {
	rows, err := c.QueryContext(ctx, `SELECT id, received_at, dup_key, duplicate_of FROM events
		WHERE dup_key IS NOT NULL ORDER BY id DESC LIMIT ?`, cap(d.order))
	if err != nil {
		return fmt.Errorf("reading recent events for duplicate detection: %w", err)
	}
	defer rows.Close()
	var newestFirst []dupNote
	for rows.Next() {
		var id, at, key, first int64
		if err := rows.Scan(&id, &at, &key, &first); err != nil {
			return fmt.Errorf("reading recent events for duplicate detection: %w", err)
		}
		if first == 0 {
			first = id
		}
		newestFirst = append(newestFirst, dupNote{dupKey(key), dupSeen{first, at}})
	}
	if err := rows.Err(); err != nil {
		return fmt.Errorf("reading recent events for duplicate detection: %w", err)
	}
	// Oldest first, so a newer copy's arrival time wins and the oldest
	// keys are the first forgotten.
	for i := len(newestFirst) - 1; i >= 0; i-- {
		d.note(newestFirst[i])
	}
	return nil
}
