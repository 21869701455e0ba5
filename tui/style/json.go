package style

import (
	"bytes"
	"encoding/json"
	"strings"
)

// JSONLines is the body as indented, coloured JSON, or as cleaned text when
// it does not parse (rejected events keep their raw body). clean is the
// sanitizer every line of outside text goes through (termtext.Line).
func JSONLines(th Theme, body []byte, clean func(string) string) []string {
	if len(bytes.TrimSpace(body)) == 0 {
		return []string{th.Muted.Render("(empty body)")}
	}
	var buf bytes.Buffer
	// json.Indent copies trailing whitespace (a CR among it) through as is.
	if err := json.Indent(&buf, bytes.TrimRight(body, " \t\r\n"), "", "  "); err != nil {
		lines := strings.Split(string(body), "\n")
		for i, l := range lines {
			lines[i] = clean(l)
		}
		return lines
	}
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = colorJSONLine(th, l, clean)
	}
	return lines
}

// colorJSONLine colours one line of indented JSON: keys, strings, and the
// other values (numbers, booleans), with null muted.
func colorJSONLine(th Theme, line string, clean func(string) string) string {
	var b strings.Builder
	i := 0
	for i < len(line) {
		c := line[i]
		switch {
		case c == '"':
			j := endOfString(line, i)
			s := clean(line[i:j])
			if strings.HasPrefix(strings.TrimLeft(line[j:], " "), ":") {
				b.WriteString(th.JSONKey.Render(s))
			} else {
				b.WriteString(th.JSONString.Render(s))
			}
			i = j
		case c == '-' || (c >= '0' && c <= '9') || c == 't' || c == 'f':
			j := i
			for j < len(line) && strings.IndexByte(",]} ", line[j]) < 0 {
				j++
			}
			b.WriteString(th.JSONOther.Render(clean(line[i:j])))
			i = j
		case c == 'n' && strings.HasPrefix(line[i:], "null"):
			b.WriteString(th.JSONNull.Render("null"))
			i += 4
		default:
			b.WriteByte(c)
			i++
		}
	}
	return b.String()
}

// endOfString is the index just past the JSON string starting at line[i].
func endOfString(line string, i int) int {
	for j := i + 1; j < len(line); j++ {
		switch line[j] {
		case '\\':
			j++
		case '"':
			return j + 1
		}
	}
	return len(line)
}
