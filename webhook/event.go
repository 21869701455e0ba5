package webhook

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/iwb-dev/iwb/schema"
)

// Status says whether an event's body was taken in whole.
type Status string

const (
	StatusAccepted Status = "accepted" // answered 200
	StatusRejected Status = "rejected" // a JSON content type with a body that is not JSON: answered 400
	StatusOversize Status = "oversize" // over the size limit: answered 413, only a stub is kept
)

// Event is one stored request to the listener.
type Event struct {
	ID          int64
	ReceivedAt  time.Time
	Status      Status
	Kind        Kind
	EventName   string
	WorkflowID  string
	Email       string
	UserID      string
	Method      string
	Path        string
	Query       string // the raw query string
	RemoteAddr  string
	ContentType string
	Headers     http.Header // auth values redacted
	Size        int64       // body size in bytes; for an oversize stub, the declared length (-1 when unknown)
	Body        []byte      // the raw body, as received
	// Cut says Body (and Payload) hold only the first Query.BodyLimit
	// bytes of a longer body; Get reads the event whole.
	Cut         bool
	Payload     json.RawMessage
	Form        bool   // Payload was built from a form-urlencoded body
	Error       string // why the event was rejected
	Triggers    []string
	DuplicateOf int64 // the first copy of this event, when it arrived before
	// Problems are the schema mismatches found, by trigger name.
	Problems map[string][]schema.Problem
	Mismatch bool // a matched trigger's schema does not fit the payload
	Forward  *ForwardResult
	Pinned   bool // kept whatever the retention limits say

	dupKey dupKey
}

// ForwardResult is what happened when an event was re-sent to a URL.
type ForwardResult struct {
	URL       string        `json:"url"`
	At        time.Time     `json:"at"`
	Status    int           `json:"status,omitempty"`
	Latency   time.Duration `json:"latencyNs"`
	Response  []byte        `json:"-"`
	Truncated bool          `json:"truncated,omitempty"` // the response was longer than the 64 KiB kept
	Error     string        `json:"error,omitempty"`
}

// MarshalJSON keeps the response readable as text.
func (f ForwardResult) MarshalJSON() ([]byte, error) {
	type plain ForwardResult
	return json.Marshal(struct {
		plain
		Response  string  `json:"response,omitempty"`
		LatencyMS float64 `json:"latencyMs"`
	}{plain(f), string(f.Response), float64(f.Latency.Microseconds()) / 1000})
}

// UnmarshalJSON is MarshalJSON's inverse, for the stored copy.
func (f *ForwardResult) UnmarshalJSON(b []byte) error {
	type plain ForwardResult
	var v struct {
		plain
		Response string `json:"response"`
	}
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	*f = ForwardResult(v.plain)
	f.Response = []byte(v.Response)
	return nil
}

// Who is whom the event is about: the email, else the userId; "" when it
// names neither.
func (e Event) Who() string {
	if e.Email != "" {
		return e.Email
	}
	return e.UserID
}

// eventJSON is the one JSON shape of an event: `iwb listen --json`, `events
// list --json`, `events show` and `events export` all print it.
type eventJSON struct {
	ID          string                      `json:"id"`
	ReceivedAt  time.Time                   `json:"receivedAt"`
	Status      Status                      `json:"status"`
	Kind        Kind                        `json:"kind"`
	EventName   string                      `json:"eventName"`
	WorkflowID  string                      `json:"workflowId"`
	Email       string                      `json:"email,omitempty"`
	UserID      string                      `json:"userId,omitempty"`
	Triggers    []string                    `json:"triggers"`
	Duplicate   bool                        `json:"duplicate"`
	DuplicateOf string                      `json:"duplicateOf,omitempty"`
	Body        json.RawMessage             `json:"body"`
	RawBody     *string                     `json:"rawBody,omitempty"` // when the body is not JSON (form, text, rejected)
	BodyError   string                      `json:"bodyError,omitempty"`
	Size        int64                       `json:"size"`
	Method      string                      `json:"method"`
	Path        string                      `json:"path"`
	Query       string                      `json:"query,omitempty"`
	RemoteAddr  string                      `json:"remoteAddr"`
	ContentType string                      `json:"contentType,omitempty"`
	Headers     http.Header                 `json:"headers"`
	Error       string                      `json:"error,omitempty"`
	Mismatch    bool                        `json:"schemaMismatch,omitempty"`
	Problems    map[string][]schema.Problem `json:"schemaProblems,omitempty"`
	Forward     *ForwardResult              `json:"forward,omitempty"`
	Pinned      bool                        `json:"pinned,omitempty"`
}

// MarshalJSON gives the event's one JSON shape; its body is the parsed body.
func (e Event) MarshalJSON() ([]byte, error) {
	v := eventJSON{
		ID: strconv.FormatInt(e.ID, 10), ReceivedAt: e.ReceivedAt, Status: e.Status, Kind: e.Kind,
		EventName: e.EventName, WorkflowID: e.WorkflowID, Email: e.Email, UserID: e.UserID,
		Triggers: e.Triggers, Duplicate: e.DuplicateOf != 0, Body: e.Payload, Size: e.Size,
		Method: e.Method, Path: e.Path, Query: e.Query, RemoteAddr: e.RemoteAddr,
		ContentType: e.ContentType, Headers: e.Headers, Error: e.Error, Mismatch: e.Mismatch,
		Problems: e.Problems, Forward: e.Forward, Pinned: e.Pinned,
	}
	if v.Triggers == nil {
		v.Triggers = []string{}
	}
	if e.DuplicateOf != 0 {
		v.DuplicateOf = strconv.FormatInt(e.DuplicateOf, 10)
	}
	if e.Payload == nil {
		v.Body = json.RawMessage("null")
	}
	if (e.Payload == nil || e.Form) && len(e.Body) > 0 {
		raw := string(e.Body)
		v.RawBody = &raw
	}
	if nestsDeeper(e.Payload, MaxDepth) {
		// Stored before the listener refused deep bodies: every encoder and
		// reader would pay for each level, and Go's stops at 10,000, so the
		// body is printed as text.
		raw := string(e.Body)
		v.Body, v.RawBody = json.RawMessage("null"), &raw
		v.BodyError = fmt.Sprintf("the body nests more than %d levels deep; rawBody holds it as text", MaxDepth)
	}
	return json.Marshal(v)
}

// Value decodes the parsed body for checking, with numbers kept exact
// (json.Number), or nil when the body is not JSON.
func (e Event) Value() (any, error) {
	return decodePayload(e.Payload)
}
