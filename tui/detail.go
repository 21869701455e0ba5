package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"
)

// detailLines renders an event for the detail pane: the body as pretty,
// coloured JSON (or the raw text when it is not JSON), then headers, query,
// path, forward result, triggers and schema problems. Lines are cut to w.
func detailLines(th Theme, ev Event, w int) []string {
	var out []string
	add := func(s string) { out = append(out, fit(" "+s, w)) }
	for _, l := range bodyLines(th, ev.Body) {
		add(l)
	}
	add("")
	add(th.Title.Render("headers"))
	names := make([]string, 0, len(ev.Headers))
	for k := range ev.Headers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		add("  " + th.Muted.Render(clean(k)+":") + " " + clean(strings.Join(ev.Headers[k], ", ")))
	}
	if len(names) == 0 {
		add(th.Muted.Render("  none"))
	}
	add(th.Title.Render("path") + "     " + clean(orDash(ev.Path)))
	add(th.Title.Render("query") + "    " + clean(orDash(ev.Query)))
	add(th.Title.Render("triggers") + " " + clean(orDash(strings.Join(ev.Triggers, ", "))))
	add(th.Title.Render("forward") + "  " + forwardText(th, ev.Forward))
	if len(ev.SchemaProblems) == 0 {
		add(th.Title.Render("schema") + "   " + th.OK.Render("✓ no problems"))
	} else {
		add(th.Title.Render("schema") + "   " + th.Warn.Render(fmt.Sprintf("⚠ %d problem(s)", len(ev.SchemaProblems))))
		for _, p := range ev.SchemaProblems {
			add("  " + th.Warn.Render("• ") + clean(p))
		}
	}
	return out
}

func orDash(s string) string {
	if s == "" {
		return "—"
	}
	return s
}

// forwardText says what became of forwarding the event.
func forwardText(th Theme, f *ForwardResult) string {
	switch {
	case f == nil:
		return th.Muted.Render("not forwarded")
	case f.Err != "":
		return th.Error.Render("failed: "+clean(f.Err)) + " " + th.Muted.Render(clean(f.URL))
	}
	st := th.OK
	if f.Status >= 300 {
		st = th.Error
	}
	return st.Render(fmt.Sprintf("%d", f.Status)) + " in " + f.Took.Round(time.Millisecond).String() + " " + th.Muted.Render(clean(f.URL))
}

// bodyLines is the body as indented, coloured JSON, or as cleaned text when
// it does not parse (rejected events keep their raw body).
func bodyLines(th Theme, body []byte) []string {
	if len(bytes.TrimSpace(body)) == 0 {
		return []string{th.Muted.Render("(empty body)")}
	}
	var buf bytes.Buffer
	if err := json.Indent(&buf, body, "", "  "); err != nil {
		lines := strings.Split(string(body), "\n")
		for i, l := range lines {
			lines[i] = clean(l)
		}
		return lines
	}
	lines := strings.Split(buf.String(), "\n")
	for i, l := range lines {
		lines[i] = colorJSONLine(th, l)
	}
	return lines
}

// colorJSONLine colours one line of indented JSON: keys, strings, and the
// other values (numbers, booleans), with null muted.
func colorJSONLine(th Theme, line string) string {
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
			b.WriteString(th.JSONOther.Render(line[i:j]))
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

// detailTitle is the detail pane's border title.
func detailTitle(ev Event) string {
	name := ev.EventName
	if name == "" && ev.WorkflowID != "" {
		name = "workflow " + ev.WorkflowID
	}
	if ev.Rejected {
		name = "rejected"
	}
	return ansi.Truncate(clean(orDash(name)), 30, "…") + " · " + ev.ReceivedAt.Format("15:04:05.000") + " · #" + fmt.Sprint(ev.ID)
}
