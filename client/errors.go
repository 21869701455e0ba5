package client

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"
)

// ErrUserNotFound is what GetUserByEmail returns (wrapped) when Iterable
// answers 200 with {} for an email it does not know.
var ErrUserNotFound = errors.New("user not found")

// Error is an answer of Iterable that is not a success: the HTTP status
// decides that, Code and Msg say why.
type Error struct {
	Method string
	Path   string // without the query
	Status int
	Code   string // Iterable's code, e.g. BadParams; empty when the body had none
	Msg    string
	// Params is the params object as sent (nil when absent or not an object).
	Params map[string]any
	// ValidationErrors is params.validationErrors decoded per field.
	ValidationErrors map[string]FieldError
}

// FieldError is one entry of params.validationErrors.
type FieldError struct {
	IncomingTypes  []string `json:"incomingTypes,omitempty"`
	ExpectedType   string   `json:"expectedType,omitempty"`
	Type           string   `json:"_type,omitempty"`
	OffendingValue any      `json:"offendingValue,omitempty"`
	Category       string   `json:"category,omitempty"`
}

func (e *Error) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s: HTTP %d", e.Method, e.Path, e.Status)
	if e.Code != "" {
		b.WriteString(" " + e.Code)
	}
	if e.Msg != "" {
		b.WriteString(": " + e.Msg)
	}
	for _, p := range e.FieldProblems() {
		b.WriteString("; field " + p)
	}
	return b.String()
}

// FieldProblems are the validationErrors as lines, sorted by field:
// `"signupDate" expects date, got string/keyword`.
func (e *Error) FieldProblems() []string {
	names := make([]string, 0, len(e.ValidationErrors))
	for name := range e.ValidationErrors {
		names = append(names, name)
	}
	sort.Strings(names)
	lines := make([]string, 0, len(names))
	for _, name := range names {
		fe := e.ValidationErrors[name]
		line := fmt.Sprintf("%q expects %s", name, fe.ExpectedType)
		if len(fe.IncomingTypes) > 0 {
			line += ", got " + strings.Join(fe.IncomingTypes, "/")
		}
		lines = append(lines, line)
	}
	return lines
}

// IsBadKey reports whether Iterable refused the key (401: BadApiKey, Unauthorized).
func (e *Error) IsBadKey() bool {
	return e.Status == 401
}

// maxErrorText bounds the text kept from a body that is not JSON.
const maxErrorText = 300

// ParseError decodes an error answer of any shape: Iterable's
// {"msg","code","params"}, the catalog endpoints' {"error","message","code","data"},
// or anything else (kept as text). It never fails.
func ParseError(status int, body []byte) *Error {
	e := &Error{Status: status}
	var raw map[string]json.RawMessage
	if json.Unmarshal(body, &raw) != nil {
		e.Msg = excerpt(body)
		return e
	}
	e.Code = stringField(raw["code"])
	e.Msg = stringField(raw["msg"])
	if e.Msg == "" {
		e.Msg = stringField(raw["message"])
	}
	if e.Msg == "" {
		e.Msg = stringField(raw["error"])
	}
	if e.Msg == "" {
		// {"error":{"message":...}} and similar: keep the nested text.
		var nested struct {
			Message string `json:"message"`
			Msg     string `json:"msg"`
		}
		if json.Unmarshal(raw["error"], &nested) == nil {
			e.Msg = nested.Message + nested.Msg
		}
	}
	var params map[string]json.RawMessage
	if json.Unmarshal(raw["params"], &params) == nil && params != nil {
		e.Params = map[string]any{}
		for k, v := range params {
			var val any
			if json.Unmarshal(v, &val) == nil {
				e.Params[k] = val
			}
		}
		var fields map[string]json.RawMessage
		if json.Unmarshal(params["validationErrors"], &fields) == nil && len(fields) > 0 {
			e.ValidationErrors = map[string]FieldError{}
			for name, v := range fields {
				var fe FieldError
				if json.Unmarshal(v, &fe) != nil {
					// An entry of another shape still names the field.
					fe = FieldError{Type: excerpt(v)}
				}
				e.ValidationErrors[name] = fe
			}
		}
	}
	return e
}

// stringField is the text of a JSON string, or the compact JSON of anything else.
func stringField(v json.RawMessage) string {
	if len(v) == 0 || string(v) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(v, &s) == nil {
		return s
	}
	var obj any
	if json.Unmarshal(v, &obj) == nil {
		if _, isObject := obj.(map[string]any); isObject {
			return ""
		}
	}
	return excerpt(v)
}

// excerpt is a short, single-line, valid UTF-8 rendering of a body.
func excerpt(b []byte) string {
	b = bytes.TrimSpace(b)
	s := strings.ToValidUTF8(string(b), "?")
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > maxErrorText {
		r := []rune(s)
		s = string(r[:maxErrorText]) + "…"
	}
	return s
}

// BulkFailure is returned with the answer of a bulk call in which some users
// failed: Iterable says 200, but not every user was applied.
type BulkFailure struct {
	SuccessCount int
	FailCount    int
	Failed       FailedUserUpdates
}

func (e *BulkFailure) Error() string {
	return fmt.Sprintf("%d of %d users failed", e.FailCount, e.FailCount+e.SuccessCount)
}
