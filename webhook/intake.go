package webhook

import (
	"bytes"
	"crypto/sha256"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
)

// Kind says what sent an event.
type Kind string

const (
	KindSystem   Kind = "system"   // a system webhook: the body has eventName
	KindWorkflow Kind = "workflow" // a journey webhook: a workflow id was found
	KindUnknown  Kind = "unknown"
)

// Body is a request body as the listener understands it.
type Body struct {
	// Payload is the body as a JSON value: the body itself when it is JSON, an
	// object of its fields when it is a form, nil when it is neither.
	Payload json.RawMessage
	Form    bool
	fields  bodyFields
}

// bodyFields are the few keys classification looks at, as text.
type bodyFields struct {
	eventName, email, userID, workflowID string
	data                                 dataFields
}

type dataFields struct {
	workflowID, email, userID, messageID, emailID, createdAt string
}

// MaxDepth is how deeply a JSON body may nest arrays and objects. Real
// webhooks nest a few levels; a deeper body is refused, because every reader
// (the encoder of each JSON output, the workbench's detail pane) would pay for
// each level and Go's encoder stops at 10,000.
const MaxDepth = 512

// BodyError is a body that says it is JSON and is not, or JSON nested deeper
// than MaxDepth.
type BodyError struct{ Err error }

func (e *BodyError) Error() string {
	if errors.Is(e.Err, errTooDeep) {
		return e.Err.Error()
	}
	return "the body is not valid JSON: " + e.Err.Error()
}
func (e *BodyError) Unwrap() error { return e.Err }

var (
	errTooDeep     = errors.New("too deep")
	errBodyTooDeep = fmt.Errorf("the body nests arrays and objects more than %d levels deep, the limit: %w", MaxDepth, errTooDeep)
)

// nestsDeeper reports whether raw nests arrays and objects deeper than limit.
// It only counts brackets outside strings, so it is cheap and needs no valid
// JSON.
func nestsDeeper(raw []byte, limit int) bool {
	depth, inString, escaped := 0, false, false
	for _, c := range raw {
		switch {
		case escaped:
			escaped = false
		case inString:
			if c == '\\' {
				escaped = true
			} else if c == '"' {
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			if depth++; depth > limit {
				return true
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return false
}

// ParseBody turns a request body into a Body. JSON bodies (by content type, or
// by look when no content type says otherwise) and form-urlencoded ones become
// JSON values; anything else is kept as raw bytes only. The only error is a
// *BodyError: a JSON content type with a body that is not valid JSON, or a
// body that looks like JSON nested deeper than MaxDepth.
func ParseBody(contentType string, raw []byte) (Body, error) {
	// Only the type is compared: cut it out without parsing the parameters.
	mediaType, _, _ := strings.Cut(contentType, ";")
	mediaType = strings.ToLower(strings.TrimSpace(mediaType))
	switch {
	case mediaType == "application/x-www-form-urlencoded":
		return parseForm(raw), nil
	case mediaType == "application/json" || mediaType == "text/json" || strings.HasSuffix(mediaType, "+json"):
		b, err := parseJSON(raw)
		if err != nil {
			return Body{}, &BodyError{Err: err}
		}
		return b, nil
	}
	// No usable content type: keep what the bytes look like.
	trimmed := bytes.TrimSpace(raw)
	if len(trimmed) > 0 && (trimmed[0] == '{' || trimmed[0] == '[') {
		b, err := parseJSON(raw)
		if err == nil {
			return b, nil
		}
		if errors.Is(err, errTooDeep) {
			return Body{}, &BodyError{Err: err}
		}
	}
	if looksLikeForm(trimmed) {
		return parseForm(raw), nil
	}
	return Body{}, nil
}

// looksLikeForm is true for key=value pairs joined by & with no spaces.
func looksLikeForm(b []byte) bool {
	return bytes.IndexByte(b, '=') > 0 && !bytes.ContainsAny(b, " \t\r\n{}[]\"")
}

func parseJSON(raw []byte) (Body, error) {
	if len(bytes.TrimSpace(raw)) == 0 {
		return Body{}, errors.New("the body is empty")
	}
	fields, err := scanJSON(raw)
	if err != nil {
		return Body{}, err
	}
	return Body{Payload: raw, fields: fields}, nil
}

// parseForm turns a form body into an object: a key sent once maps to its
// text, a key sent several times to the list of its texts. Malformed pairs are
// skipped; the raw body is kept anyway.
func parseForm(raw []byte) Body {
	values, _ := url.ParseQuery(string(raw))
	obj := make(map[string]any, len(values))
	for k, vs := range values {
		if len(vs) == 1 {
			obj[k] = vs[0]
		} else {
			obj[k] = vs
		}
	}
	payload, err := json.Marshal(obj)
	if err != nil {
		// A map of strings always marshals; keep the raw body only if not.
		return Body{}
	}
	first := func(k string) string { return strings.TrimSpace(values.Get(k)) }
	return Body{Payload: payload, Form: true, fields: bodyFields{
		eventName:  first("eventName"),
		email:      first("email"),
		userID:     first("userId"),
		workflowID: first("workflowId"),
	}}
}

// Classification is what the listener learns about an event from its body and URL.
type Classification struct {
	Kind       Kind
	EventName  string
	WorkflowID string
	Email      string
	UserID     string
	// identity names the event itself for duplicate detection: set when the
	// body carries eventName, a message or email id and createdAt.
	identity string
}

// Classify decides an event's kind and pulls out its names and ids. The
// workflow id is looked for, in order, in a top-level workflowId,
// dataFields.workflowId, a workflowId query parameter, and a /workflows/<id>
// path segment.
func Classify(b Body, path string, query url.Values) Classification {
	f := b.fields
	c := Classification{
		EventName:  f.eventName,
		WorkflowID: firstNonEmpty(f.workflowID, f.data.workflowID, strings.TrimSpace(query.Get("workflowId")), workflowFromPath(path)),
	}
	c.Email, c.UserID = f.people()
	c.Kind = kindOf(c.EventName, c.WorkflowID)
	if id := firstNonEmpty(f.data.messageID, f.data.emailID); c.EventName != "" && id != "" && f.data.createdAt != "" {
		c.identity = c.EventName + "\x00" + id + "\x00" + f.data.createdAt
	}
	return c
}

// people is the email and user id the body names, at the top or in dataFields.
func (f bodyFields) people() (email, userID string) {
	return firstNonEmpty(f.email, f.data.email), firstNonEmpty(f.userID, f.data.userID)
}

// kindOf is an event's kind by what classification found: an event name
// makes a system event, else a workflow id a journey's.
func kindOf(eventName, workflowID string) Kind {
	switch {
	case eventName != "":
		return KindSystem
	case workflowID != "":
		return KindWorkflow
	}
	return KindUnknown
}

// workflowFromPath finds <id> in a path like /hooks/workflows/<id>/edit.
func workflowFromPath(path string) string {
	if !strings.Contains(path, "workflows") { // most paths: no need to split
		return ""
	}
	segments := strings.Split(strings.Trim(path, "/"), "/")
	for i, s := range segments {
		if s == "workflows" && i+1 < len(segments) {
			if id, err := url.PathUnescape(segments[i+1]); err == nil && strings.TrimSpace(id) != "" {
				return strings.TrimSpace(id)
			}
		}
	}
	return ""
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// duplicateKey is what two copies of one event share: a hash of the event's
// identity when it has one, else of its raw body (which counts as a
// duplicate only within a time window); see dupKey.
func duplicateKey(c Classification, raw []byte) dupKey {
	var sum [32]byte
	var kind dupKey
	if c.identity != "" {
		kind, sum = 1, sha256.Sum256([]byte(c.identity))
	} else {
		sum = sha256.Sum256(raw)
	}
	k := dupKey(binary.BigEndian.Uint64(sum[:8]))&^1 | kind
	if k == 0 {
		k = 2 // 0 means no key
	}
	return k
}
