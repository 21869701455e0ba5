package events

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/style"
)

// detailLines renders an event for the detail pane: the body as pretty,
// coloured JSON (or the raw text when it is not JSON), then headers, query,
// path, forward result, triggers and schema problems. Lines are cut to w.
func detailLines(th style.Theme, ev Event, w int) []string {
	var out []string
	add := func(s string) { out = append(out, style.Fit(" "+s, w)) }
	for _, l := range style.JSONLines(th, ev.Body, termtext.Line) {
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
		add("  " + th.Muted.Render(termtext.Line(k)+":") + " " + termtext.Line(strings.Join(ev.Headers[k], ", ")))
	}
	if len(names) == 0 {
		add(th.Muted.Render("  none"))
	}
	add(th.Title.Render("path") + "     " + termtext.Line(orDash(ev.Path)))
	add(th.Title.Render("query") + "    " + termtext.Line(orDash(ev.Query)))
	add(th.Title.Render("triggers") + " " + termtext.Line(orDash(strings.Join(ev.Triggers, ", "))))
	add(th.Title.Render("forward") + "  " + forwardText(th, ev.Forward))
	if len(ev.SchemaProblems) == 0 {
		add(th.Title.Render("schema") + "   " + th.OK.Render("✓ no problems"))
	} else {
		add(th.Title.Render("schema") + "   " + th.Warn.Render(fmt.Sprintf("⚠ %d problem(s)", len(ev.SchemaProblems))))
		for _, p := range ev.SchemaProblems {
			add("  " + th.Warn.Render("• ") + termtext.Line(p))
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
func forwardText(th style.Theme, f *ForwardResult) string {
	switch {
	case f == nil:
		return th.Muted.Render("not forwarded")
	case f.Err != "":
		return th.Error.Render("failed: "+termtext.Line(f.Err)) + " " + th.Muted.Render(termtext.Line(f.URL))
	}
	st := th.OK
	if f.Status >= 300 {
		st = th.Error
	}
	return st.Render(fmt.Sprintf("%d", f.Status)) + " in " + f.Took.Round(time.Millisecond).String() + " " + th.Muted.Render(termtext.Line(f.URL))
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
	return ansi.Truncate(termtext.Line(orDash(name)), 30, "…") + " · " + ev.ReceivedAt.Format("15:04:05.000") + " · #" + fmt.Sprint(ev.ID)
}
