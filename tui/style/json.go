package style

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"unicode/utf8"
)

// Body is a body laid out for a pane: indented, coloured JSON, or cleaned
// text when it does not parse (rejected events keep their raw body). Its
// lines are found only as far as they are asked for and drawn one at a
// time, and where every bodyStride-th line starts is kept, so drawing the
// lines in view costs about the same anywhere in a body of any shape: one
// nested 10,000 deep, a 1 MiB string, half a million short lines.
type Body struct {
	th    Theme
	src   []byte
	clean func(string) string // the sanitizer every piece of the body goes through
	json  bool
	empty bool

	marks []bodyPos // marks[k]: where line k*bodyStride starts
	found int       // lines found so far
	end   bodyPos   // where line found starts
	done  bool      // the body has no more lines: found is their count
	at    int       // the line last read, so the next one costs one step
	atPos bodyPos
}

// bodyStride is how many lines apart the kept line starts are: the index
// takes a 32nd of the lines' count, and a line is at most 31 steps away.
const bodyStride = 32

// bodyPos is where a line starts: its offset, and for JSON how deeply
// nested it is.
type bodyPos struct{ off, depth int }

// bodyLine is one line of a body. For text, val is the line; for JSON, an
// optional key, then a value, an opening or a closing bracket (an empty
// array or object, closer set, shown as [] or {}), then maybe a comma.
type bodyLine struct {
	depth    int
	key, val [2]int // offsets in src; key[1] == 0: no key
	closer   byte
	comma    bool
	next     bodyPos
}

// NewBody lays out body; clean is the sanitizer every piece of outside text
// goes through (termtext.Line). It reads body once to tell JSON from text.
func NewBody(th Theme, body []byte, clean func(string) string) *Body {
	return &Body{th: th, src: body, clean: clean,
		empty: len(bytes.TrimSpace(body)) == 0, json: json.Valid(body), marks: []bodyPos{{}}}
}

// JSONLines is the whole body, every line drawn in full.
func JSONLines(th Theme, body []byte, clean func(string) string) []string {
	b := NewBody(th, body, clean)
	var out []string
	for i := 0; ; i++ {
		l, ok := b.Line(i, 0)
		if !ok {
			return out
		}
		out = append(out, l)
	}
}

// Len is the number of lines; it reads the body to its end the first time.
func (b *Body) Len() int {
	if b.empty {
		return 1
	}
	b.find(int(^uint(0) >> 1))
	return b.found
}

// Line draws line i for a pane w cells wide (0: no limit); ok is false past
// the last line. A line may be wider than w, for the caller to cut, but
// never by much: a longer piece is cut first, so a 1 MiB string costs as
// little as a short one.
func (b *Body) Line(i, w int) (string, bool) {
	if b.empty {
		return b.th.Muted.Render("(empty body)"), i == 0
	}
	l, ok := b.seek(i)
	if !ok {
		return "", false
	}
	if !b.json {
		return b.piece(l.val, w), true
	}
	var s strings.Builder
	s.WriteString(b.indent(l.depth, w))
	if l.key[1] != 0 {
		s.WriteString(b.th.JSONKey.Render(b.piece(l.key, w)))
		s.WriteString(": ")
	}
	switch v := b.src[l.val[0]:l.val[1]]; {
	case l.closer != 0:
		s.WriteByte(v[0])
		s.WriteByte(l.closer)
	case v[0] == '"':
		s.WriteString(b.th.JSONString.Render(b.piece(l.val, w)))
	case string(v) == "null":
		s.WriteString(b.th.JSONNull.Render("null"))
	case len(v) == 1 && strings.IndexByte("[]{}", v[0]) >= 0:
		s.Write(v)
	default:
		s.WriteString(b.th.JSONOther.Render(b.piece(l.val, w)))
	}
	if l.comma {
		s.WriteByte(',')
	}
	return s.String(), true
}

// piece is src[span] cleaned; for a pane w cells wide, cut well past what
// it can show, with an ellipsis.
func (b *Body) piece(span [2]int, w int) string {
	s := b.src[span[0]:span[1]]
	if limit := 8*w + 16; w > 0 && len(s) > limit {
		for limit > 0 && !utf8.RuneStart(s[limit]) {
			limit--
		}
		return b.clean(string(s[:limit])) + "…"
	}
	return b.clean(string(s))
}

// indent is two spaces a level; in a pane w cells wide, nesting that would
// push the line past half the pane is shown as its depth instead.
func (b *Body) indent(depth, w int) string {
	if w <= 0 || 2*depth <= w/2 {
		return strings.Repeat("  ", depth)
	}
	return b.th.Muted.Render(fmt.Sprintf("%*s", w/2, fmt.Sprintf("‹%d› ", depth)))
}

// find reads lines until line i is found or the body ends.
func (b *Body) find(i int) {
	for b.found <= i && !b.done {
		l, ok := b.read(b.end)
		if !ok {
			b.done = true
			return
		}
		b.found++
		b.end = l.next
		if b.found%bodyStride == 0 {
			b.marks = append(b.marks, l.next)
		}
	}
}

// seek reads line i, from the nearest kept start or from the line last read.
func (b *Body) seek(i int) (bodyLine, bool) {
	b.find(i)
	if i < 0 || i >= b.found {
		return bodyLine{}, false
	}
	from, p := i/bodyStride*bodyStride, b.marks[i/bodyStride]
	if b.at > from && b.at <= i {
		from, p = b.at, b.atPos
	}
	for ; from < i; from++ {
		l, _ := b.read(p)
		p = l.next
	}
	b.at, b.atPos = i, p
	return b.read(p)
}

// read reads the line starting at p; ok is false past the last line.
func (b *Body) read(p bodyPos) (l bodyLine, ok bool) {
	src := b.src
	if !b.json {
		if p.off > len(src) {
			return l, false
		}
		end := len(src)
		if n := bytes.IndexByte(src[p.off:], '\n'); n >= 0 {
			end = p.off + n
		}
		return bodyLine{val: [2]int{p.off, end}, next: bodyPos{off: end + 1}}, true
	}
	// The body is valid JSON: every token read here is whole.
	i := skipSpace(src, p.off)
	if i >= len(src) {
		return l, false
	}
	depth := p.depth
	l.depth = depth
	l.val = [2]int{i, tokenEnd(src, i)}
	i = l.val[1]
	if src[l.val[0]] == '"' {
		if j := skipSpace(src, i); j < len(src) && src[j] == ':' {
			l.key = l.val
			k := skipSpace(src, j+1)
			l.val = [2]int{k, tokenEnd(src, k)}
			i = l.val[1]
		}
	}
	switch src[l.val[0]] {
	case '[', '{':
		// An empty array or object stays on its line, as [] or {}.
		if j := skipSpace(src, i); j < len(src) && (src[j] == ']' || src[j] == '}') {
			l.closer, i = src[j], j+1
		} else {
			depth++
		}
	case ']', '}':
		depth--
		l.depth = depth
	}
	if j := skipSpace(src, i); j < len(src) && src[j] == ',' {
		l.comma, i = true, j+1
	}
	l.next = bodyPos{off: i, depth: depth}
	return l, true
}

func skipSpace(src []byte, i int) int {
	for i < len(src) && (src[i] == ' ' || src[i] == '\t' || src[i] == '\r' || src[i] == '\n') {
		i++
	}
	return i
}

// tokenEnd is the offset just past the JSON token at src[i]: a string, a
// bracket, or a number, true, false or null.
func tokenEnd(src []byte, i int) int {
	switch src[i] {
	case '"':
		for j := i + 1; ; {
			n := bytes.IndexByte(src[j:], '"')
			if n < 0 {
				return len(src)
			}
			q := j + n
			escapes := 0
			for q-1-escapes > i && src[q-1-escapes] == '\\' {
				escapes++
			}
			if escapes%2 == 0 {
				return q + 1
			}
			j = q + 1
		}
	case '[', ']', '{', '}':
		return i + 1
	}
	j := i + 1
	for j < len(src) && strings.IndexByte(",]}: \t\r\n", src[j]) < 0 {
		j++
	}
	return j
}
