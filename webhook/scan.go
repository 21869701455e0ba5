package webhook

import (
	"bytes"
	"encoding/json"
	"strconv"
	"strings"
	"unicode/utf8"
)

// jsonSyntaxError is a body that is not JSON, worded as encoding/json words it.
type jsonSyntaxError struct {
	msg    string
	Offset int64 // bytes read before the error
}

func (e *jsonSyntaxError) Error() string { return e.msg }

// bodyScanner checks a JSON document and picks out the classification fields
// in one pass, without building values. Up to MaxDepth levels of nesting it
// accepts and refuses exactly what encoding/json does, with the same error
// text, and a field is what json.Unmarshal into a struct of json.RawMessage
// fields would hold: keys match case-insensitively and the last copy of a
// key wins. A document nesting deeper fails with errBodyTooDeep where it
// goes past the limit.
type bodyScanner struct {
	data   []byte
	i      int
	depth  int
	err    error
	fields bodyFields
}

// scanJSON validates raw and returns its classification fields.
func scanJSON(raw []byte) (bodyFields, error) {
	s := bodyScanner{data: raw}
	s.skipSpace()
	if s.i < len(s.data) && s.data[s.i] == '{' {
		s.object(s.topField)
	} else {
		s.value()
	}
	if s.err == nil {
		s.skipSpace()
		if s.i < len(s.data) {
			s.fail(s.data[s.i], "after top-level value")
		}
	}
	return s.fields, s.err
}

// topField is where a top-level key's value goes; dataFields descends.
func (s *bodyScanner) topField(key []byte) (dst *string, nested func([]byte) *string) {
	f := &s.fields
	switch {
	case keyIs(key, "eventName"):
		return &f.eventName, nil
	case keyIs(key, "email"):
		return &f.email, nil
	case keyIs(key, "userId"):
		return &f.userID, nil
	case keyIs(key, "workflowId"):
		return &f.workflowID, nil
	case keyIs(key, "dataFields"):
		return nil, s.dataField
	}
	return nil, nil
}

func (s *bodyScanner) dataField(key []byte) *string {
	d := &s.fields.data
	switch {
	case keyIs(key, "workflowId"):
		return &d.workflowID
	case keyIs(key, "email"):
		return &d.email
	case keyIs(key, "userId"):
		return &d.userID
	case keyIs(key, "messageId"):
		return &d.messageID
	case keyIs(key, "emailId"):
		return &d.emailID
	case keyIs(key, "createdAt"):
		return &d.createdAt
	}
	return nil
}

// keyIs matches a raw (still quoted-form) key as encoding/json matches a field
// name: case-insensitively, after unescaping.
func keyIs(raw []byte, name string) bool {
	if bytes.IndexByte(raw, '\\') < 0 {
		return bytes.EqualFold(raw, []byte(name))
	}
	var k string
	if json.Unmarshal(append(append([]byte{'"'}, raw...), '"'), &k) != nil {
		return false
	}
	return strings.EqualFold(k, name)
}

func isJSONSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\r' || c == '\n' }

func (s *bodyScanner) skipSpace() {
	for s.i < len(s.data) && isJSONSpace(s.data[s.i]) {
		s.i++
	}
}

func (s *bodyScanner) fail(c byte, context string) {
	if s.err == nil {
		s.err = &jsonSyntaxError{msg: "invalid character " + quoteChar(c) + " " + context, Offset: int64(s.i + 1)}
	}
}

func (s *bodyScanner) unexpectedEnd() {
	if s.err == nil {
		s.err = &jsonSyntaxError{msg: "unexpected end of JSON input", Offset: int64(len(s.data))}
	}
}

// need reports whether a byte follows; at the end of the input it fails as
// encoding/json does, by judging a space in the current state: spaceOK
// states end with "unexpected end", the others refuse the space.
func (s *bodyScanner) need(spaceOK bool, context string) bool {
	if s.i < len(s.data) {
		return true
	}
	if spaceOK {
		s.unexpectedEnd()
	} else {
		s.fail(' ', context)
	}
	return false
}

// value checks one value starting after optional space.
func (s *bodyScanner) value() {
	s.skipSpace()
	if !s.need(true, "") {
		return
	}
	switch c := s.data[s.i]; {
	case c == '{':
		s.object(nil)
	case c == '[':
		s.array()
	case c == '"':
		s.str()
	case c == '-' || (c >= '0' && c <= '9'):
		s.number()
	case c == 't':
		s.literal("true")
	case c == 'f':
		s.literal("false")
	case c == 'n':
		s.literal("null")
	default:
		s.fail(c, "looking for beginning of value")
	}
}

// capture checks one value and, when dst is set, stores its text there (as
// jsonText makes it); a nested object's keys go through nested.
func (s *bodyScanner) capture(dst *string, nested func([]byte) *string) {
	s.skipSpace()
	if nested != nil && s.i < len(s.data) && s.data[s.i] == '{' {
		s.object(func(key []byte) (*string, func([]byte) *string) { return nested(key), nil })
		return
	}
	start := s.i
	s.value()
	if dst != nil && s.err == nil {
		*dst = jsonText(s.data[start:s.i])
	}
}

func (s *bodyScanner) push() bool {
	if s.depth++; s.depth > MaxDepth {
		if s.err == nil {
			s.err = errBodyTooDeep
		}
		return false
	}
	s.i++
	return true
}

// object checks an object; field, when set, says where each key's value goes.
func (s *bodyScanner) object(field func(key []byte) (*string, func([]byte) *string)) {
	if !s.push() {
		return
	}
	s.skipSpace()
	if !s.need(true, "") {
		return
	}
	if s.data[s.i] == '}' {
		s.i++
		s.depth--
		return
	}
	for {
		if c := s.data[s.i]; c != '"' {
			s.fail(c, "looking for beginning of object key string")
			return
		}
		keyStart := s.i + 1
		s.str()
		if s.err != nil {
			return
		}
		key := s.data[keyStart : s.i-1]
		s.skipSpace()
		if !s.need(true, "") {
			return
		}
		if c := s.data[s.i]; c != ':' {
			s.fail(c, "after object key")
			return
		}
		s.i++
		if field != nil {
			s.capture(field(key))
		} else {
			s.value()
		}
		if s.err != nil {
			return
		}
		s.skipSpace()
		if !s.need(true, "") {
			return
		}
		switch c := s.data[s.i]; c {
		case ',':
			s.i++
			s.skipSpace()
			if !s.need(true, "") {
				return
			}
		case '}':
			s.i++
			s.depth--
			return
		default:
			s.fail(c, "after object key:value pair")
			return
		}
	}
}

func (s *bodyScanner) array() {
	if !s.push() {
		return
	}
	s.skipSpace()
	if !s.need(true, "") {
		return
	}
	if s.data[s.i] == ']' {
		s.i++
		s.depth--
		return
	}
	for {
		s.value()
		if s.err != nil {
			return
		}
		s.skipSpace()
		if !s.need(true, "") {
			return
		}
		switch c := s.data[s.i]; c {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return
		default:
			s.fail(c, "after array element")
			return
		}
	}
}

// str checks a string starting at its opening quote.
func (s *bodyScanner) str() {
	s.i++
	for {
		// Most bytes need no attention: skip them in a tight loop.
		for s.i < len(s.data) {
			if c := s.data[s.i]; c < 0x20 || c == '"' || c == '\\' {
				break
			}
			s.i++
		}
		if !s.need(true, "") {
			return
		}
		c := s.data[s.i]
		switch {
		case c == '"':
			s.i++
			return
		case c == '\\':
			s.i++
			if !s.need(false, "in string escape code") {
				return
			}
			switch e := s.data[s.i]; e {
			case 'b', 'f', 'n', 'r', 't', '\\', '/', '"':
				s.i++
			case 'u':
				s.i++
				for range 4 {
					if !s.need(false, `in \u hexadecimal character escape`) {
						return
					}
					if h := s.data[s.i]; !isHex(h) {
						s.fail(h, `in \u hexadecimal character escape`)
						return
					}
					s.i++
				}
			default:
				s.fail(e, "in string escape code")
				return
			}
		default: // a control character
			s.fail(c, "in string literal")
			return
		}
	}
}

func isHex(c byte) bool {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F')
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

func (s *bodyScanner) digits() {
	for s.i < len(s.data) && isDigit(s.data[s.i]) {
		s.i++
	}
}

func (s *bodyScanner) number() {
	if s.data[s.i] == '-' {
		s.i++
		if !s.need(false, "in numeric literal") {
			return
		}
		if c := s.data[s.i]; !isDigit(c) {
			s.fail(c, "in numeric literal")
			return
		}
	}
	if s.data[s.i] == '0' {
		s.i++
	} else {
		s.digits()
	}
	if s.i < len(s.data) && s.data[s.i] == '.' {
		s.i++
		if !s.need(false, "after decimal point in numeric literal") {
			return
		}
		if c := s.data[s.i]; !isDigit(c) {
			s.fail(c, "after decimal point in numeric literal")
			return
		}
		s.digits()
	}
	if s.i < len(s.data) && (s.data[s.i] == 'e' || s.data[s.i] == 'E') {
		s.i++
		if !s.need(false, "in exponent of numeric literal") {
			return
		}
		if c := s.data[s.i]; c == '+' || c == '-' {
			s.i++
			if !s.need(false, "in exponent of numeric literal") {
				return
			}
		}
		if c := s.data[s.i]; !isDigit(c) {
			s.fail(c, "in exponent of numeric literal")
			return
		}
		s.digits()
	}
}

func (s *bodyScanner) literal(word string) {
	s.i++
	for k := 1; k < len(word); k++ {
		c := byte(' ') // the end of the input fails as a space would
		if s.i < len(s.data) {
			c = s.data[s.i]
		}
		if c != word[k] {
			s.fail(c, "in literal "+word+" (expecting "+quoteChar(word[k])+")")
			return
		}
		s.i++
	}
}

// quoteChar formats c as encoding/json's syntax errors do.
func quoteChar(c byte) string {
	if c == '\'' {
		return `'\''`
	}
	if c == '"' {
		return `'"'`
	}
	q := strconv.Quote(string(c))
	return "'" + q[1:len(q)-1] + "'"
}

// jsonText is a JSON string's text or a number's literal; "" for anything else.
func jsonText(v []byte) string {
	if len(v) == 0 {
		return ""
	}
	switch c := v[0]; {
	case c == '"':
		inner := v[1 : len(v)-1]
		if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
			return strings.TrimSpace(string(inner))
		}
		var s string
		if json.Unmarshal(v, &s) != nil {
			return ""
		}
		return strings.TrimSpace(s)
	case c == '-' || (c >= '0' && c <= '9'):
		return string(v)
	}
	return ""
}
