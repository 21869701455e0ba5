package webhook

import (
	"bufio"
	"cmp"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"os"
	"slices"
	"time"

	"github.com/iwb-dev/iwb/internal/filelock"
)

// The spool is where an event is stored before it is acknowledged. The
// intake goroutine writes each batch of events to it with one write (and,
// for a Durable log, one sync) and answers them; the flusher goroutine
// then inserts them into the SQLite tables in large transactions, off the
// path the senders wait on. A commit of SQLite costs a dozen writes and a
// few locks whatever its size, and the listener's batches are a few events
// each; the spool's write is one, and the flusher's transactions hold
// hundreds of events. A crash loses nothing acknowledged: whoever opens the
// log next inserts what the spool holds beyond the table's newest id.
//
// The spool is two files beside the log, written in turn: once the one
// being written holds spoolSegment bytes, the intake goes on in the other
// from its start (written over in place, never cut: cutting a file costs
// milliseconds), after the flusher has inserted everything that one held.
// A record is a length, a CRC-32C and the event; reading stops at the
// first record that does not check (the one a crash cut short, or the
// older contents of a file written over), and skips those whose id the
// table holds already.
//
// The spool serves a log with one appender, the process holding the
// intake lock (a file beside the log, never removed) exclusively. While a
// second process appends to the same log (`iwb listen` beside the
// workbench), both hold it shared and append straight into the table,
// answering after each commit as SQLite numbers the rows, so that ids
// follow the order of the commits and a reader that pages by id misses
// none: see claimIntake.

const spoolSegment = 8 << 20

// spoolWait bounds how long the intake waits for the flusher to catch up:
// past it, the events are answered 503 (the sender tries again).
const spoolWait = 5 * time.Second

var errSpoolFull = errors.New("the event log's flusher is behind (is the disk failing?)")

var castagnoli = crc32.MakeTable(crc32.Castagnoli)

func intakeLockPath(db string) string   { return db + ".intake.lock" }
func intakeWantPath(db string) string   { return db + ".intake.want" }
func spoolPath(db string, i int) string { return fmt.Sprintf("%s-spool.%d", db, i) }

// How an intake appends: not yet; through the spool, as the log's only
// appender (holding the intake lock exclusively); or straight into the
// table, answering after the commit, while another process appends too
// (holding it shared).
type appendMode int

const (
	appendNone appendMode = iota
	appendSpool
	appendShared
)

// claimWait bounds how long an intake waits for the log's other appender
// to make room; soleWait how long it waits for a process that holds the
// intake lock for a moment (to insert leftovers on open) before sharing.
const (
	claimWait = 5 * time.Second
	soleWait  = 200 * time.Millisecond
)

var errNoRoom = errors.New("the event log's other listener did not make room for this one in time")

// retryLock tries lock on f until it takes, or wait has passed.
func retryLock(f *os.File, lock func(*os.File) error, wait time.Duration) error {
	deadline := time.Now().Add(wait)
	for {
		err := lock(f)
		if !errors.Is(err, filelock.ErrLocked) || time.Now().After(deadline) {
			return err
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// othersWant says whether another process waits to append: it holds the
// want file shared until it may.
func othersWant(want *os.File) bool {
	if err := filelock.TryLock(want); err != nil {
		return true
	}
	_ = filelock.Unlock(want)
	return false
}

// openLockFile opens (creating) one of the intake's lock files.
func openLockFile(path string) (*os.File, error) {
	f, err := os.OpenFile(path, os.O_CREATE|os.O_RDWR, 0o600)
	if err != nil {
		return nil, fmt.Errorf("opening the event log's intake lock: %w", err)
	}
	return f, nil
}

// spool is the intake's side: the files it writes and where.
type spool struct {
	seg     [2]*os.File
	cur     int
	off     int64
	lastIn  [2]int64 // the newest id written to each file since it was started over
	durable bool
	buf     []byte
}

// openSpool opens (creating) the spool's files for writing from the start;
// the caller holds the intake lock and has inserted what they held.
func openSpool(db string, durable bool) (*spool, error) {
	sp := &spool{durable: durable}
	for i := range sp.seg {
		f, err := os.OpenFile(spoolPath(db, i), os.O_CREATE|os.O_RDWR, 0o600)
		if err != nil {
			sp.close()
			return nil, fmt.Errorf("opening the event log's spool: %w", err)
		}
		sp.seg[i] = f
	}
	return sp, nil
}

// ready makes room for the next batch: once the file being written holds
// spoolSegment bytes, it waits until flushed (the newest id the flusher
// has inserted) has reached the other file's newest, spoolWait at most,
// and goes on in that one from its start.
func (sp *spool) ready(flushed func() int64) error {
	if sp.off < spoolSegment {
		return nil
	}
	other := 1 - sp.cur
	for deadline := time.Now().Add(spoolWait); flushed() < sp.lastIn[other]; {
		if time.Now().After(deadline) {
			return errSpoolFull
		}
		time.Sleep(time.Millisecond)
	}
	sp.cur, sp.off = other, 0
	return nil
}

// write adds one batch of records, whose newest id is last, and returns
// once the system holds it (and the disk, when durable).
func (sp *spool) write(records []byte, last int64) error {
	// On an error the offset stays: the next batch goes over what this one
	// may have left, and its ids are given again.
	n, err := sp.seg[sp.cur].WriteAt(records, sp.off)
	if err == nil && sp.durable {
		err = sp.seg[sp.cur].Sync()
	}
	if err != nil {
		return fmt.Errorf("writing the event log's spool: %w", err)
	}
	sp.off += int64(n)
	sp.lastIn[sp.cur] = last
	return nil
}

func (sp *spool) close() {
	for _, f := range sp.seg {
		if f != nil {
			f.Close()
		}
	}
}

// appendRecord adds ev (its id given) and its request to b as one record.
func appendRecord(b []byte, ev *Event, req requestShape) []byte {
	start := len(b)
	b = append(b, 0, 0, 0, 0, 0, 0, 0, 0) // length and CRC, filled in below
	b = binary.AppendVarint(b, ev.ID)
	b = binary.AppendVarint(b, ev.ReceivedAt.UnixNano())
	b = binary.AppendVarint(b, ev.Size)
	b = binary.AppendUvarint(b, uint64(ev.dupKey))
	b = binary.AppendUvarint(b, req.hash)
	var bits byte
	if req.length {
		bits |= 1
	}
	if ev.Form {
		bits |= 2
	}
	payload := ev.Payload
	switch {
	case payload == nil:
	case len(payload) == len(ev.Body) && (len(payload) == 0 || &payload[0] == &ev.Body[0] || string(payload) == string(ev.Body)):
		bits |= 4 // the payload is the body
		payload = nil
	default:
		bits |= 8
	}
	b = append(b, bits)
	for _, f := range []string{string(ev.Status), string(ev.Kind), ev.EventName, ev.WorkflowID, ev.Email, ev.UserID, ev.RemoteAddr, ev.Error} {
		b = appendField(b, f)
	}
	b = appendBytes(b, req.shape)
	b = appendBytes(b, ev.Body)
	if bits&8 != 0 {
		b = appendBytes(b, payload)
	}
	rec := b[start+8:]
	binary.LittleEndian.PutUint32(b[start:], uint32(len(rec)))
	binary.LittleEndian.PutUint32(b[start+4:], crc32.Checksum(rec, castagnoli))
	return b
}

func appendBytes(b, v []byte) []byte {
	return append(binary.AppendUvarint(b, uint64(len(v))), v...)
}

var errBadRecord = errors.New("a spooled event is damaged")

// recordReader decodes one record's fields in order; the first field
// that does not fit sets err and zeroes the rest.
type recordReader struct {
	b   []byte
	err error
}

// varint undoes binary.AppendVarint's zig-zag over uvarint.
func (r *recordReader) varint() int64 {
	u := r.uvarint()
	v := int64(u >> 1)
	if u&1 != 0 {
		v = ^v
	}
	return v
}

func (r *recordReader) uvarint() uint64 {
	v, n := binary.Uvarint(r.b)
	if n <= 0 {
		r.fail()
		return 0
	}
	r.b = r.b[n:]
	return v
}

func (r *recordReader) bytes() []byte {
	n := r.uvarint()
	if r.err != nil || uint64(len(r.b)) < n {
		r.fail()
		return nil
	}
	v := r.b[:n:n]
	r.b = r.b[n:]
	return v
}

func (r *recordReader) byte() byte {
	if len(r.b) == 0 {
		r.fail()
		return 0
	}
	v := r.b[0]
	r.b = r.b[1:]
	return v
}

func (r *recordReader) fail() {
	if r.err == nil {
		r.err = errBadRecord
	}
	r.b = nil
}

// decodeRecord is appendRecord's inverse, for one record's contents (after
// its length and CRC).
func decodeRecord(rec []byte) (*writeReq, error) {
	r := &recordReader{b: rec}
	ev := &Event{}
	var req requestShape
	ev.ID = r.varint()
	ev.ReceivedAt = time.Unix(0, r.varint())
	ev.Size = r.varint()
	ev.dupKey = dupKey(r.uvarint())
	req.hash = r.uvarint()
	bits := r.byte()
	req.length, ev.Form = bits&1 != 0, bits&2 != 0
	fields := make([]string, 8)
	for i := range fields {
		fields[i] = string(r.bytes())
	}
	ev.Status, ev.Kind, ev.EventName, ev.WorkflowID = Status(fields[0]), Kind(fields[1]), fields[2], fields[3]
	ev.Email, ev.UserID, ev.RemoteAddr, ev.Error = fields[4], fields[5], fields[6], fields[7]
	req.shape = r.bytes()
	ev.Body = r.bytes()
	switch {
	case bits&4 != 0:
		ev.Payload = ev.Body
	case bits&8 != 0:
		ev.Payload = r.bytes()
	}
	if r.err == nil && len(r.b) != 0 {
		r.fail()
	}
	if r.err != nil {
		return nil, r.err
	}
	if err := ev.setRequest(req.shape, req.length); err != nil {
		return nil, err
	}
	return &writeReq{ev: ev, req: req}, nil
}

// readSpool returns the events the spool at db holds with an id past
// newest, oldest first. A missing file holds none.
func readSpool(db string, newest int64) ([]*writeReq, error) {
	var left []*writeReq
	for i := range 2 {
		f, err := os.Open(spoolPath(db, i))
		if errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			return nil, fmt.Errorf("reading the event log's spool: %w", err)
		}
		var size int64
		if info, serr := f.Stat(); serr == nil {
			size = info.Size()
		}
		left, err = readRecords(bufio.NewReaderSize(f, 1<<20), size, newest, left)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("reading the event log's spool %s: %w", spoolPath(db, i), err)
		}
	}
	slices.SortFunc(left, func(a, b *writeReq) int { return cmp.Compare(a.ev.ID, b.ev.ID) })
	return left, nil
}

// readRecords adds to left the records r (size bytes) holds, up to the
// first that does not check, whose id is past newest. A length past what
// is left of r is a damaged one, and costs no memory.
func readRecords(r io.Reader, size, newest int64, left []*writeReq) ([]*writeReq, error) {
	var head [8]byte
	var rec []byte
	for read := int64(0); ; {
		if _, err := io.ReadFull(r, head[:]); err != nil {
			return left, nil // the end, or a record cut short
		}
		n := binary.LittleEndian.Uint32(head[:])
		if read += 8; n == 0 || int64(n) > size-read {
			return left, nil
		}
		read += int64(n)
		rec = slices.Grow(rec[:0], int(n))[:n]
		if _, err := io.ReadFull(r, rec); err != nil {
			return left, nil
		}
		if crc32.Checksum(rec, castagnoli) != binary.LittleEndian.Uint32(head[4:]) {
			return left, nil
		}
		req, err := decodeRecord(slices.Clone(rec))
		if err != nil {
			return left, err
		}
		if req.ev.ID > newest {
			left = append(left, req)
		}
	}
}

// removeSpool removes the spool's files (after everything in them is in
// the table).
func removeSpool(db string) error {
	var errs []error
	for i := range 2 {
		if err := os.Remove(spoolPath(db, i)); err != nil && !errors.Is(err, os.ErrNotExist) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}
