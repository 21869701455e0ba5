package client

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
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

// OpenUsersFile opens the users file at path with OpenUsers; close the
// returned Closer when done.
func OpenUsersFile(path string, convert Converter) (UserSource, io.Closer, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, nil, err
	}
	src, err := OpenUsers(path, bufio.NewReaderSize(f, 256<<10), convert)
	if err != nil {
		f.Close()
		return nil, nil, err
	}
	return src, f, nil
}

// CountUsers reads the users file at path through once: how many users it
// holds, or the first line that does not read, so that a bad line stops a
// run before anything is sent.
func CountUsers(path string, convert Converter) (int, error) {
	src, f, err := OpenUsersFile(path, convert)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	n := 0
	for {
		_, err := src.Next()
		if errors.Is(err, io.EOF) {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		n++
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

// Next returns the next user.
func (j *JSONLUsers) Next() (OptionalApiUser, error) {
	for j.scan.Scan() {
		j.line++
		line := bytes.TrimSpace(j.scan.Bytes())
		if len(line) == 0 {
			continue
		}
		var u OptionalApiUser
		if err := json.Unmarshal(line, &u); err != nil {
			return u, fmt.Errorf("line %d: %s", j.line, jsonProblem(err))
		}
		if u.Email == "" && u.UserID == "" {
			return u, fmt.Errorf("line %d: a user needs \"email\" or \"userId\"", j.line)
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
	for i, h := range header {
		header[i] = strings.TrimSpace(strings.TrimPrefix(h, "\ufeff"))
		hasID = hasID || header[i] == "email" || header[i] == "userId"
	}
	if !hasID {
		return nil, errors.New("the CSV header needs an \"email\" or a \"userId\" column")
	}
	return &CSVUsers{r: cr, header: header, convert: convert}, nil
}

// Next returns the next user; empty cells are left out.
func (c *CSVUsers) Next() (OptionalApiUser, error) {
	rec, err := c.r.Read()
	if err != nil {
		if errors.Is(err, io.EOF) {
			return OptionalApiUser{}, io.EOF
		}
		return OptionalApiUser{}, fmt.Errorf("reading the CSV: %w", err)
	}
	line, _ := c.r.FieldPos(0)
	var u OptionalApiUser
	for i, text := range rec {
		switch col := c.header[i]; {
		case text == "":
		case col == "email":
			u.Email = text
		case col == "userId":
			u.UserID = text
		default:
			v, err := c.convert(col, text)
			if err != nil {
				return u, fmt.Errorf("line %d, column %q: %w", line, col, err)
			}
			if u.DataFields == nil {
				u.DataFields = map[string]any{}
			}
			u.DataFields[col] = v
		}
	}
	if u.Email == "" && u.UserID == "" {
		return u, fmt.Errorf("line %d: a user needs an email or a userId", line)
	}
	return u, nil
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
