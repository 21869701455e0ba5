package client

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"unicode/utf8"
)

// The packing limits of a bulk request: Iterable refuses bodies of 4 MB and
// more, and integrations send at most 1000 users per request.
const (
	MaxBatchUsers = 1000
	MaxBatchBytes = 4 << 20
)

// UserSource yields users one at a time; Next returns io.EOF after the last.
type UserSource interface {
	Next() (OptionalApiUser, error)
}

// Converter turns the text of a CSV column into a data field value.
type Converter func(column, text string) (any, error)

// KeepText is the default Converter: every value stays a string.
func KeepText(_, text string) (any, error) { return text, nil }

// OpenUsers reads users from a .jsonl (one OptionalApiUser per line) or a
// .csv file (a header row; email and userId columns, the others become
// dataFields through convert, KeepText when nil), chosen by the file name.
func OpenUsers(name string, r io.Reader, convert Converter) (UserSource, error) {
	switch strings.ToLower(filepath.Ext(name)) {
	case ".jsonl", ".ndjson":
		return NewJSONLUsers(r), nil
	case ".csv":
		return NewCSVUsers(r, convert)
	default:
		return nil, fmt.Errorf("%s: want a .jsonl or .csv file", name)
	}
}

// JSONLUsers reads one user object per line; blank lines are skipped.
type JSONLUsers struct {
	scan *bufio.Scanner
	line int
}

// NewJSONLUsers reads users from JSON Lines.
func NewJSONLUsers(r io.Reader) *JSONLUsers {
	s := bufio.NewScanner(r)
	s.Buffer(make([]byte, 64<<10), MaxBatchBytes)
	return &JSONLUsers{scan: s}
}

// Next returns the next user; a line that cannot be sent is a *RowError,
// after which Next goes on with the following line.
func (j *JSONLUsers) Next() (OptionalApiUser, error) {
	for j.scan.Scan() {
		j.line++
		line := bytes.TrimSpace(j.scan.Bytes())
		if len(line) == 0 {
			continue
		}
		var u OptionalApiUser
		if err := json.Unmarshal(line, &u); err != nil {
			p := RowProblem{Line: j.line, Why: jsonProblem(err)}
			var typeErr *json.UnmarshalTypeError
			if errors.As(err, &typeErr) {
				p.Column = typeErr.Field
				p.Why = fmt.Sprintf("%s expected, got %s", jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value)
			}
			return u, &RowError{Problems: []RowProblem{p}}
		}
		if u.Email == "" && u.UserID == "" {
			return u, &RowError{Problems: []RowProblem{{Line: j.line, Why: `a user needs "email" or "userId"`}}}
		}
		return u, nil
	}
	if err := j.scan.Err(); err != nil {
		return OptionalApiUser{}, fmt.Errorf("line %d: %w", j.line+1, err)
	}
	return OptionalApiUser{}, io.EOF
}

// CSVUsers reads users from CSV with a header row.
type CSVUsers struct {
	r       *csv.Reader
	header  []string
	convert Converter
}

// NewCSVUsers reads the header row; it must name an email or a userId column.
func NewCSVUsers(r io.Reader, convert Converter) (*CSVUsers, error) {
	if convert == nil {
		convert = KeepText
	}
	cr := csv.NewReader(r)
	cr.ReuseRecord = true
	header, err := cr.Read()
	if err != nil {
		return nil, fmt.Errorf("reading the CSV header: %w", err)
	}
	header = append([]string(nil), header...)
	hasID := false
	seen := map[string]int{}
	for i, h := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		if !utf8.ValidString(header[i]) {
			return nil, errors.New("line 1: the CSV is not UTF-8 text: save it as UTF-8 (with or without BOM)")
		}
		if j, dup := seen[header[i]]; dup {
			return nil, fmt.Errorf("line 1: the CSV header names %q twice (columns %d and %d)", header[i], j+1, i+1)
		}
		seen[header[i]] = i
		hasID = hasID || header[i] == "email" || header[i] == "userId"
	}
	if !hasID {
		return nil, errors.New("the CSV header needs an \"email\" or a \"userId\" column")
	}
	return &CSVUsers{r: cr, header: header, convert: convert}, nil
}

// Next returns the next user; empty cells are left out. A row that cannot be
// sent is a *RowError naming each of its bad cells, after which Next goes on
// with the following row.
func (c *CSVUsers) Next() (OptionalApiUser, error) {
	rec, err := c.r.Read()
	if errors.Is(err, io.EOF) {
		return OptionalApiUser{}, io.EOF
	}
	var parseErr *csv.ParseError
	if errors.As(err, &parseErr) {
		why := parseErr.Err.Error()
		if errors.Is(err, csv.ErrFieldCount) {
			why = fmt.Sprintf("%d cells where the header has %d columns", len(rec), len(c.header))
		}
		return OptionalApiUser{}, &RowError{Problems: []RowProblem{{Line: parseErr.StartLine, Why: why}}}
	}
	if err != nil {
		return OptionalApiUser{}, fmt.Errorf("reading the CSV: %w", err)
	}
	line, _ := c.r.FieldPos(0)
	var u OptionalApiUser
	var problems []RowProblem
	for i, text := range rec {
		switch col := c.header[i]; {
		case !utf8.ValidString(text):
			problems = append(problems, RowProblem{Line: line, Column: col, Why: "not UTF-8 text: save the file as UTF-8"})
		case text == "":
		case col == "email":
			u.Email = text
		case col == "userId":
			u.UserID = text
		default:
			v, err := c.convert(col, text)
			if err != nil {
				problems = append(problems, RowProblem{Line: line, Column: col, Why: err.Error()})
				continue
			}
			if u.DataFields == nil {
				u.DataFields = map[string]any{}
			}
			u.DataFields[col] = v
		}
	}
	if u.Email == "" && u.UserID == "" {
		problems = append(problems, RowProblem{Line: line, Why: "a user needs an email or a userId"})
	}
	if len(problems) > 0 {
		return u, &RowError{Problems: problems}
	}
	return u, nil
}

// RowProblem is one reason a row of a users file cannot be sent.
type RowProblem struct {
	Line   int    `json:"line"`             // in the file, from 1
	Column string `json:"column,omitempty"` // the CSV column or JSON field; "" for the whole row
	Why    string `json:"why"`
}

func (p RowProblem) String() string {
	if p.Column == "" {
		return fmt.Sprintf("line %d: %s", p.Line, p.Why)
	}
	return fmt.Sprintf("line %d, column %q: %s", p.Line, p.Column, p.Why)
}

// RowError is a row that cannot be sent, with every problem it has.
type RowError struct {
	Problems []RowProblem
}

func (e *RowError) Error() string {
	lines := make([]string, len(e.Problems))
	for i, p := range e.Problems {
		lines[i] = p.String()
	}
	return strings.Join(lines, "; ")
}

// FileCheck is a users file read whole before anything is sent.
type FileCheck struct {
	Users    int          // rows that can be sent
	Problems []RowProblem // every problem of the other rows, in line order
	Columns  []FileColumn // the data fields the rows set, by name
}

// FileColumn is a data field a users file sets, with its first value as it
// will be sent (a CSV cell after the converter), to tell the type it goes as.
type FileColumn struct {
	Name  string
	First any
}

// Err is nil when every row can be sent, else *BadRowsError.
func (c FileCheck) Err() error {
	if len(c.Problems) == 0 {
		return nil
	}
	return &BadRowsError{Problems: c.Problems}
}

// BadRowsError lists every bad row of a users file.
type BadRowsError struct {
	Problems []RowProblem
}

// Rows counts the distinct lines with problems.
func (e *BadRowsError) Rows() int {
	n, last := 0, 0
	for _, p := range e.Problems {
		if p.Line != last {
			n, last = n+1, p.Line
		}
	}
	return n
}

// Error is a count line, then one line per problem.
func (e *BadRowsError) Error() string {
	var b strings.Builder
	rows := e.Rows()
	fmt.Fprintf(&b, "%d bad row", rows)
	if rows != 1 {
		b.WriteString("s")
	}
	for _, p := range e.Problems {
		b.WriteString("\n  " + p.String())
	}
	return b.String()
}

// CheckUsersFile reads a .jsonl or .csv users file whole (CSV cells through
// convert) and lists every row that cannot be sent. The error is for a file
// that cannot be read at all: missing, of another kind, a CSV header without
// email or userId.
func CheckUsersFile(path string, convert Converter) (FileCheck, error) {
	src, closeFile, err := OpenUsersFile(path, convert)
	if err != nil {
		return FileCheck{}, err
	}
	defer closeFile()
	var c FileCheck
	seen := map[string]bool{}
	for {
		u, err := src.Next()
		var rowErr *RowError
		switch {
		case errors.Is(err, io.EOF):
			slices.SortStableFunc(c.Problems, func(a, b RowProblem) int { return cmp.Compare(a.Line, b.Line) })
			slices.SortFunc(c.Columns, func(a, b FileColumn) int { return cmp.Compare(a.Name, b.Name) })
			return c, nil
		case errors.As(err, &rowErr):
			c.Problems = append(c.Problems, rowErr.Problems...)
		case err != nil:
			return c, err
		default:
			c.Users++
			for name, v := range u.DataFields {
				if !seen[name] && v != nil {
					seen[name] = true
					c.Columns = append(c.Columns, FileColumn{Name: name, First: v})
				}
			}
		}
	}
}

// OpenUsersFile opens a users file for OpenUsers; call the returned func to close it.
func OpenUsersFile(path string, convert Converter) (UserSource, func() error, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, fmt.Errorf("opening the users file: %w", err)
	}
	src, err := OpenUsers(path, bufio.NewReaderSize(f, 256<<10), convert)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return src, f.Close, nil
}

// BulkProgress is reported after each request.
type BulkProgress struct {
	Sent, Succeeded, Failed int
}

// BulkSummary is the outcome of a streamed bulk call.
type BulkSummary struct {
	Requests  int               `json:"requests"`
	Sent      int               `json:"sent"`
	Succeeded int               `json:"succeeded"`
	Failed    int               `json:"failed"`
	Users     FailedUserUpdates `json:"failedUpdates"` // every failed user, by reason
}

// Err is a *BulkFailure when some users failed.
func (s *BulkSummary) Err() error {
	if s.Failed == 0 {
		return nil
	}
	return &BulkFailure{SuccessCount: s.Succeeded, FailCount: s.Failed, Failed: s.Users}
}

// Streamer sends users from a source in packed requests of one bulk action.
type Streamer struct {
	Client *Client
	// Action is bulk-upsert-users or add-subscribers.
	Action Action
	// Fields are the other top-level fields of every request, e.g.
	// {"listId": 12} or {"createNewFields": true}, as JSON.
	Fields   []byte
	Progress func(BulkProgress) // may be nil
	// MaxUsers and MaxBytes default to MaxBatchUsers and MaxBatchBytes.
	MaxUsers, MaxBytes int
}

// Stream reads every user, packs them to the limits, sends each request at
// the endpoint's rate and sums up the answers. Memory holds one request.
// A user that cannot be read stops the stream: what was sent is summed up.
func (s *Streamer) Stream(ctx context.Context, src UserSource) (*BulkSummary, error) {
	maxUsers, maxBytes := s.MaxUsers, s.MaxBytes
	if maxUsers <= 0 {
		maxUsers = MaxBatchUsers
	}
	if maxBytes <= 0 {
		maxBytes = MaxBatchBytes
	}
	prefix, suffix, err := s.envelope()
	if err != nil {
		return nil, err
	}
	sum := &BulkSummary{}
	body := bytes.NewBuffer(make([]byte, 0, 64<<10))
	var encoded bytes.Buffer
	enc := json.NewEncoder(&encoded)
	enc.SetEscapeHTML(false)
	count := 0
	flush := func() error {
		if count == 0 {
			return nil
		}
		body.WriteString(suffix)
		answer, err := s.Client.do(ctx, call{method: s.Action.Method, path: s.Action.Path, body: body.Bytes()})
		if err != nil {
			return err
		}
		var r BulkResponse
		if err := json.Unmarshal(answer, &r); err != nil {
			return fmt.Errorf("%s: decoding the answer: %w", s.Action.Path, err)
		}
		sum.Requests++
		sum.Sent += count
		sum.Succeeded += r.SuccessCount
		sum.Failed += r.FailCount
		if r.FailedUpdates != nil {
			sum.Users.Merge(*r.FailedUpdates)
		}
		if s.Progress != nil {
			s.Progress(BulkProgress{Sent: sum.Sent, Succeeded: sum.Succeeded, Failed: sum.Failed})
		}
		body.Reset()
		count = 0
		return nil
	}
	for {
		u, err := src.Next()
		if errors.Is(err, io.EOF) {
			break
		}
		if err != nil {
			return sum, &InputError{Action: s.Action.Name, Problem: err.Error()}
		}
		encoded.Reset()
		if err := enc.Encode(u); err != nil {
			return sum, &InputError{Action: s.Action.Name, Problem: fmt.Sprintf("user %d: %v", sum.Sent+count+1, err)}
		}
		user := bytes.TrimRight(encoded.Bytes(), "\n")
		if len(prefix)+len(user)+len(suffix) >= maxBytes {
			return sum, &InputError{Action: s.Action.Name, Problem: fmt.Sprintf("user %d alone is over the %d-byte request limit", sum.Sent+count+1, maxBytes)}
		}
		// +1 for the comma before it.
		if count == maxUsers || body.Len()+1+len(user)+len(suffix) >= maxBytes {
			if err := flush(); err != nil {
				return sum, err
			}
		}
		if count == 0 {
			body.WriteString(prefix)
		} else {
			body.WriteByte(',')
		}
		body.Write(user)
		count++
	}
	if err := flush(); err != nil {
		return sum, err
	}
	return sum, nil
}

// envelope is the JSON around the users: the fixed fields, then the array.
func (s *Streamer) envelope() (prefix, suffix string, err error) {
	if s.Action.UsersField == "" {
		return "", "", fmt.Errorf("%s does not take users from a file", s.Action.Name)
	}
	fields := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(s.Fields)) > 0 {
		if err := json.Unmarshal(s.Fields, &fields); err != nil {
			return "", "", &InputError{Action: s.Action.Name, Problem: "the body is not a JSON object: " + jsonProblem(err)}
		}
	}
	delete(fields, s.Action.UsersField)
	head, err := json.Marshal(fields)
	if err != nil {
		return "", "", err
	}
	prefix = strings.TrimSuffix(string(head), "}")
	if len(fields) > 0 {
		prefix += ","
	}
	prefix += fmt.Sprintf("%q:[", s.Action.UsersField)
	return prefix, "]}", nil
}
