package recipes

import (
	"fmt"
	"strconv"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// View draws the list in the main pane and, beside or under it, the
// selected recipe with its jobs, a job's detail, or a test.
func (p *Page) View(a page.Area) []string {
	if p.ed != nil {
		return p.editorView(a)
	}
	th := p.th
	m, s := a.Main, a.Side
	if a.Stacked && (p.job != nil || p.test != nil) {
		// Under the list a job would show a few lines: it takes the body.
		s = a.Body
	}
	list := style.Box(th, m.W, m.H, "Recipes", th.Muted.Render(fmt.Sprintf("%d", len(p.rows))), p.listLines(m.W-2), !p.inJobs)
	var side []string
	switch {
	case p.job != nil:
		lines, where := p.scrolled(p.jobLines(*p.job), s.H-2)
		side = style.Box(th, s.W, s.H, fmt.Sprintf("Job %d · %s", p.job.ID, p.job.Status), th.Muted.Render(where+"esc back"), lines, true)
	case p.test != nil:
		lines, where := p.scrolled(p.testLines(), s.H-2)
		side = style.Box(th, s.W, s.H, "Test · "+termtext.Line(p.test.recipe), th.Muted.Render(where+"nothing sent · esc back"), lines, true)
	default:
		title := "Jobs"
		if r, ok := p.selected(); ok {
			title = "Jobs · " + termtext.Line(r.Name)
		}
		side = style.Box(th, s.W, s.H, title, "", p.detailLines(s.W-2), p.inJobs)
	}
	switch {
	case a.Stacked && (p.job != nil || p.test != nil):
		return side
	case a.Stacked:
		return append(list, side...)
	}
	return style.Beside(list, side)
}

// scrolled is the part of lines in view at the scroll offset, and, when
// they do not all fit, which lines are shown.
func (p *Page) scrolled(lines []string, h int) ([]string, string) {
	if len(lines) <= h {
		p.scroll = 0
		return lines, ""
	}
	p.scroll = min(p.scroll, len(lines)-h)
	return lines[p.scroll : p.scroll+h], fmt.Sprintf("%d–%d of %d · ", p.scroll+1, p.scroll+h, len(lines))
}

func (p *Page) listLines(w int) []string {
	th := p.th
	switch {
	case p.deps.Recipes == nil:
		return []string{th.Muted.Render("No recipes in this session.")}
	case p.err != nil:
		return []string{th.Error.Render("Could not read the recipes: " + termtext.Line(p.err.Error()))}
	case !p.loaded:
		return []string{th.Muted.Render("Reading the recipes…")}
	case len(p.rows) == 0:
		return []string{"", th.Muted.Render("  No recipe yet: n makes one."),
			th.Muted.Render("  A recipe maps a trigger's payload into an action through {{path}} pills.")}
	}
	nameW := max(4, min(24, w/3))
	trigW := max(7, min(14, w/5))
	lines := []string{th.Muted.Render(style.Fit("  "+style.Fit("NAME", nameW)+" "+style.Fit("TRIGGER", trigW)+" ARMED   OK  FAIL  LAST RUN", w))}
	for i, r := range p.rows {
		armed := "no "
		switch {
		case r.Armed:
			armed = th.OK.Render("yes")
		case r.DisarmReason != "":
			armed = th.Warn.Render("cap")
		}
		last := "-"
		if !r.tally.LastRun.IsZero() {
			last = r.tally.LastRun.Local().Format("15:04:05")
		}
		line := " " + style.Fit(termtext.Line(r.Name), nameW) + " " + style.Fit(termtext.Line(r.Trigger), trigW) + " " + armed +
			fmt.Sprintf("  %4d  %4d  %s", r.tally.Succeeded, r.tally.Failed, last)
		if i == p.cursor {
			line = th.Selected.Render("▶" + style.Fit(line, w-1))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	return lines
}

// detailLines are the selected recipe and its jobs, newest first.
func (p *Page) detailLines(w int) []string {
	th := p.th
	r, ok := p.selected()
	if !ok {
		return nil
	}
	state := th.Muted.Render("disarmed")
	switch {
	case r.Armed:
		state = th.OK.Render(fmt.Sprintf("armed · at most %d jobs a minute", r.Limit()))
	case r.DisarmReason != "":
		state = th.Warn.Render("disarmed itself: " + termtext.Line(r.DisarmReason))
	}
	lines := []string{"on " + termtext.Line(r.Trigger) + " · " + state}
	for _, c := range r.When {
		lines = append(lines, th.Muted.Render("when ")+termtext.Line(c.String()))
	}
	for i, st := range r.Steps {
		a, _ := client.LookupAction(st.Action)
		lines = append(lines, fmt.Sprintf("%d. %s  ", i+1, a.Title)+th.Muted.Render(termtext.Line(string(st.Input))))
	}
	lines = append(lines, "", th.Title.Render(fmt.Sprintf("Jobs: %d ok · %d failed · %d skipped", r.tally.Succeeded, r.tally.Failed, r.tally.Skipped)))
	if len(p.jobs) == 0 {
		return append(lines, th.Muted.Render("none yet: an armed recipe starts one for each new event of its trigger"))
	}
	for i, j := range p.jobs {
		line := fmt.Sprintf(" #%-5d event %-6d %s %s  %s", j.ID, j.EventID, p.statusText(j.Status), j.CreatedAt.Local().Format("15:04:05"),
			th.Muted.Render(termtext.Line(j.Reason)))
		if p.inJobs && i == p.jobCur {
			line = th.Selected.Render("▶" + style.Fit(line, w-1))
		} else {
			line = " " + line
		}
		lines = append(lines, line)
	}
	return lines
}

func (p *Page) statusText(s recipe.Status) string {
	th := p.th
	text := style.Fit(string(s), 9)
	switch s {
	case recipe.StatusSucceeded:
		return th.OK.Render(text)
	case recipe.StatusFailed, recipe.StatusUnknown:
		return th.Error.Render(text)
	}
	return th.Muted.Render(text)
}

// jobLines are a job: its event, then each step's request and answer.
func (p *Page) jobLines(j recipe.Job) []string {
	th := p.th
	lines := []string{"recipe " + termtext.Line(j.Recipe) + " · event " + strconv.FormatInt(j.EventID, 10) + " · " + p.statusText(j.Status)}
	if j.Reason != "" {
		lines = append(lines, th.Muted.Render(termtext.Line(j.Reason)))
	}
	if j.RerunOf != 0 {
		lines = append(lines, th.Muted.Render(fmt.Sprintf("re-run of job %d", j.RerunOf)))
	}
	if len(p.jobEvent) > 0 {
		lines = append(append(lines, ""), p.jobEvent...)
	}
	for _, s := range j.Steps {
		status := "not sent"
		if s.Sent && s.Status > 0 {
			status = fmt.Sprintf("%d in %s", s.Status, s.Duration.Round(time.Millisecond))
		} else if s.Sent {
			status = "no answer"
		}
		lines = append(lines, "", th.Title.Render(fmt.Sprintf("%d. %s %s", s.N, s.Method, termtext.Line(s.Path)))+"  → "+status)
		if len(s.Body) > 0 {
			lines = append(lines, th.Muted.Render("request"))
			lines = append(lines, style.JSONLines(th, s.Body, termtext.Line)...)
		}
		if len(s.Answer) > 0 {
			lines = append(lines, th.Muted.Render("answer"))
			lines = append(lines, style.JSONLines(th, s.Answer, termtext.Line)...)
		}
		if s.Error != "" {
			lines = append(lines, th.Error.Render(termtext.Line(s.Error)))
		}
	}
	return lines
}

// testLines are a test: the verdict, then each step's request.
func (p *Page) testLines() []string {
	th, t := p.th, p.test
	if t.none != "" {
		return []string{th.Muted.Render(termtext.Line(t.none))}
	}
	verdict := th.OK.Render("the conditions hold")
	if !t.res.Conditions {
		verdict = th.Warn.Render("a condition is false")
	}
	lines := []string{fmt.Sprintf("on event %d: ", t.res.EventID) + verdict}
	if t.res.Reason != "" {
		lines = append(lines, th.Warn.Render("skipped: "+termtext.Line(t.res.Reason)))
	}
	for i, s := range t.res.Steps {
		lines = append(lines, "", th.Title.Render(fmt.Sprintf("%d. %s %s", i+1, s.Method, termtext.Line(s.Path))))
		if s.Problem != "" {
			lines = append(lines, th.Error.Render("would fail: "+termtext.Line(s.Problem)))
		}
		if string(s.Body) != "null" {
			lines = append(lines, style.JSONLines(th, s.Body, termtext.Line)...)
		}
	}
	return lines
}
