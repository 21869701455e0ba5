package schema

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// scanner reads JSON straight into inference nodes. It keeps what
// encoding/json's generic decoding loses (key order, numbers as written) and
// builds no value tree, which keeps inference near the cost of decoding.
type scanner struct {
	data   []byte
	i      int
	depth  int
	path   []string // keys down to the value being read, for error messages
	fields *int     // distinct field paths so far, bounded by MaxFields
}

// SyntaxError is JSON that does not parse, with the byte offset where it broke.
type SyntaxError struct {
	Offset int
	Msg    string
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("invalid JSON at byte %d: %s", e.Offset, e.Msg)
}

func (s *scanner) fail(format string, a ...any) error {
	return &SyntaxError{Offset: s.i, Msg: fmt.Sprintf(format, a...)}
}

func (s *scanner) skipSpace() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

// samples reads every top-level value: objects are samples, arrays hold
// samples. It returns how many samples it read.
func (s *scanner) samples(root *node) (int, error) {
	n := 0
	for {
		s.skipSpace()
		if s.i >= len(s.data) {
			return n, nil
		}
		switch s.data[s.i] {
		case '{':
			if err := s.object(root); err != nil {
				return n, err
			}
			n++
		case '[':
			s.i++
			s.skipSpace()
			if s.i < len(s.data) && s.data[s.i] == ']' {
				s.i++
				continue
			}
			for {
				s.skipSpace()
				if s.i >= len(s.data) {
					return n, s.fail("unexpected end of input in the array of samples")
				}
				if s.data[s.i] != '{' {
					return n, fmt.Errorf("sample %d of the array (at byte %d) is not a JSON object", n+1, s.i)
				}
				if err := s.object(root); err != nil {
					return n, err
				}
				n++
				s.skipSpace()
				if s.i >= len(s.data) {
					return n, s.fail("unexpected end of input in the array of samples")
				}
				if s.data[s.i] == ']' {
					s.i++
					break
				}
				if s.data[s.i] != ',' {
					return n, s.fail("expected ',' or ']' after a sample")
				}
				s.i++
			}
		default:
			first := s.data[s.i]
			if err := s.value(&node{}); err != nil {
				return n, err
			}
			return n, fmt.Errorf("a sample must be a JSON object (or an array of objects), not %s", scalarName(first))
		}
	}
}

// scalarName names a valid JSON scalar by its first byte.
func scalarName(first byte) string {
	switch first {
	case '"':
		return "a string"
	case 't', 'f':
		return "a boolean"
	case 'n':
		return "null"
	}
	return "a number"
}

func (s *scanner) value(n *node) error {
	if s.i >= len(s.data) {
		return s.fail("unexpected end of input")
	}
	switch c := s.data[s.i]; c {
	case '{':
		return s.object(n)
	case '[':
		return s.array(n)
	case '"':
		start := s.i + 1
		escaped, err := s.str()
		if err != nil {
			return err
		}
		raw := s.data[start : s.i-1]
		if escaped {
			n.kinds |= classify(unescape(s.data[start-1 : s.i]))
		} else {
			n.kinds |= classify(raw)
		}
		return nil
	case 't':
		n.kinds |= kBool
		return s.literal("true")
	case 'f':
		n.kinds |= kBool
		return s.literal("false")
	case 'n':
		n.null = true
		return s.literal("null")
	default:
		whole, err := s.number()
		if err != nil {
			return err
		}
		if whole {
			n.kinds |= kInt
		} else {
			n.kinds |= kNum
		}
		return nil
	}
}

func (s *scanner) enter() error {
	s.depth++
	if s.depth > MaxDepth {
		return fmt.Errorf("a sample nests deeper than %d levels (at %s)", MaxDepth, strings.Join(s.path, "."))
	}
	return nil
}

func (s *scanner) object(n *node) error {
	if err := s.enter(); err != nil {
		return err
	}
	s.i++ // '{'
	n.kinds |= kObject
	n.objects++
	s.skipSpace()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		s.depth--
		return nil
	}
	for {
		s.skipSpace()
		if s.i >= len(s.data) || s.data[s.i] != '"' {
			return s.fail("expected a key in quotes")
		}
		start := s.i + 1
		escaped, err := s.str()
		if err != nil {
			return err
		}
		raw := s.data[start : s.i-1]
		var name string
		var c *child
		if escaped {
			name = unescape(s.data[start-1 : s.i])
			c = n.child(name)
		} else if i, ok := n.index[string(raw)]; ok { // no allocation for the lookup
			c = n.fields[i]
		}
		if c == nil {
			if *s.fields >= MaxFields {
				return fmt.Errorf("samples hold more than %d distinct fields (at %s)", MaxFields, strings.Join(s.path, "."))
			}
			*s.fields++
			if !escaped {
				name = string(raw)
			}
			c = n.addChild(name)
		}
		if c.lastObject != n.objects {
			c.lastObject = n.objects
			c.present++
		}
		s.skipSpace()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return s.fail("expected ':' after a key")
		}
		s.i++
		s.skipSpace()
		s.path = append(s.path, c.name)
		if err := s.value(c.node); err != nil {
			return err
		}
		s.path = s.path[:len(s.path)-1]
		s.skipSpace()
		if s.i >= len(s.data) {
			return s.fail("unexpected end of input in an object")
		}
		switch s.data[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail("expected ',' or '}' in an object")
		}
	}
}

func (s *scanner) array(n *node) error {
	if err := s.enter(); err != nil {
		return err
	}
	s.i++ // '['
	n.kinds |= kArray
	if n.elem == nil {
		n.elem = &node{}
	}
	s.skipSpace()
	if s.i < len(s.data) && s.data[s.i] == ']' {
		s.i++
		s.depth--
		return nil
	}
	for {
		s.skipSpace()
		if err := s.value(n.elem); err != nil {
			return err
		}
		s.skipSpace()
		if s.i >= len(s.data) {
			return s.fail("unexpected end of input in an array")
		}
		switch s.data[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			s.depth--
			return nil
		default:
			return s.fail("expected ',' or ']' in an array")
		}
	}
}

// str reads a string from its opening quote to past its closing one and says
// whether it must be decoded rather than taken as it is: it holds escapes, or
// bytes that are not UTF-8 (which encoding/json replaces with U+FFFD, so keys
// must match what a payload decodes to).
func (s *scanner) str() (escaped bool, err error) {
	s.i++
	start := s.i
	high := false
	for s.i < len(s.data) {
		c := s.data[s.i]
		switch {
		case c == '"':
			if high && !escaped && !utf8.Valid(s.data[start:s.i]) {
				escaped = true
			}
			s.i++
			return escaped, nil
		case c == '\\':
			escaped = true
			if s.i+1 >= len(s.data) {
				return escaped, s.fail("unexpected end of input in a string")
			}
			switch s.data[s.i+1] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
				s.i += 2
			case 'u':
				if s.i+6 > len(s.data) {
					return escaped, s.fail("unexpected end of input in a string")
				}
				for _, h := range s.data[s.i+2 : s.i+6] {
					if !isHex(h) {
						return escaped, s.fail("bad \\u escape in a string")
					}
				}
				s.i += 6
			default:
				return escaped, s.fail("bad escape in a string")
			}
		case c < 0x20:
			return escaped, s.fail("control character in a string")
		default:
			high = high || c >= 0x80
			s.i++
		}
	}
	return escaped, s.fail("unexpected end of input in a string")
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

// unescape decodes a quoted JSON string the scanner has already checked.
func unescape(quoted []byte) string {
	var out string
	if err := json.Unmarshal(quoted, &out); err != nil {
		return string(quoted[1 : len(quoted)-1])
	}
	return out
}

func (s *scanner) literal(word string) error {
	if len(s.data)-s.i < len(word) || string(s.data[s.i:s.i+len(word)]) != word {
		return s.fail("unexpected character %q", s.data[s.i])
	}
	s.i += len(word)
	return nil
}

// number reads a JSON number and says whether it was written as a whole
// number (no fraction, no exponent).
func (s *scanner) number() (whole bool, err error) {
	start := s.i
	if s.data[s.i] == '-' {
		s.i++
	}
	digits := func() int {
		n := 0
		for s.i < len(s.data) && '0' <= s.data[s.i] && s.data[s.i] <= '9' {
			s.i++
			n++
		}
		return n
	}
	if s.i >= len(s.data) {
		return false, s.fail("unexpected end of input in a number")
	}
	switch c := s.data[s.i]; {
	case c == '0':
		s.i++
	case '1' <= c && c <= '9':
		digits()
	default:
		s.i = start
		return false, s.fail("unexpected character %q", c)
	}
	whole = true
	if s.i < len(s.data) && s.data[s.i] == '.' {
		s.i++
		whole = false
		if digits() == 0 {
			return false, s.fail("a number needs digits after '.'")
		}
	}
	if s.i < len(s.data) && (s.data[s.i] == 'e' || s.data[s.i] == 'E') {
		s.i++
		whole = false
		if s.i < len(s.data) && (s.data[s.i] == '+' || s.data[s.i] == '-') {
			s.i++
		}
		if digits() == 0 {
			return false, s.fail("a number needs digits in its exponent")
		}
	}
	return whole, nil
}

// classify types a string value by what it holds.
func classify[T string | []byte](v T) kind {
	switch {
	case isDate(v):
		return kDate
	case isDateTime(v):
		return kDateTime
	}
	return kString
}
