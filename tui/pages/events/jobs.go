package events

import (
	"context"
	"fmt"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// jobsReadMsg carries the jobs of the events in the list's window.
type jobsReadMsg struct {
	jobs map[int64][]recipe.Job
	err  error
}

// jobsTickMsg asks for the jobs again while some shown are not finished.
type jobsTickMsg struct{}

// jobsEvery is how often unfinished jobs are read again. A change to the
// log wakes the page sooner where the log says so (SQLite's watch); a
// shared PostgreSQL log tells of new events only, not of their jobs.
const jobsEvery = time.Second

// readJobs reads the jobs of the events the list holds, in one query; a
// read asked for while one is in flight runs when it lands.
func (p *Page) readJobs() tea.Cmd {
	rs := p.recipes
	if rs == nil || len(p.list.rows) == 0 {
		return nil
	}
	if p.jobsReading {
		p.jobsAgain = true
		return nil
	}
	p.jobsReading = true
	ids := make([]int64, len(p.list.rows))
	for i, ev := range p.list.rows {
		ids[i] = ev.ID
	}
	return func() tea.Msg {
		jobs, err := rs.JobsForEvents(context.Background(), ids)
		return jobsReadMsg{jobs, err}
	}
}

// jobsRead takes the jobs read into the list's rows.
func (p *Page) jobsRead(msg jobsReadMsg) tea.Cmd {
	p.jobsReading = false
	var cmd tea.Cmd
	switch {
	case msg.err != nil && p.jobsErr == nil:
		cmd = page.Error(fmt.Errorf("reading the events' jobs: %w", msg.err))
	case msg.err == nil:
		p.jobs = msg.jobs
		p.applyJobs()
	}
	p.jobsErr = msg.err
	if p.jobsAgain {
		p.jobsAgain = false
		return tea.Batch(cmd, p.readJobs())
	}
	if !p.jobsTicking && unfinished(p.jobs) {
		p.jobsTicking = true
		cmd = tea.Batch(cmd, page.Wait(tea.Tick(jobsEvery, func(time.Time) tea.Msg { return jobsTickMsg{} })))
	}
	return cmd
}

// unfinished says some job is queued or running.
func unfinished(jobs map[int64][]recipe.Job) bool {
	for _, js := range jobs {
		for _, j := range js {
			if !j.Status.Finished() {
				return true
			}
		}
	}
	return false
}

// applyJobs gives the list's rows the jobs last read; rows whose jobs
// changed are drawn again.
func (p *Page) applyJobs() {
	for i := range p.list.rows {
		ev := &p.list.rows[i]
		jobs := p.jobs[ev.ID]
		if sameJobs(ev.Jobs, jobs) {
			continue
		}
		ev.Jobs = jobs
		p.list.drawn = nil
		if p.doc != nil && p.doc.id == ev.ID {
			p.doc.changed()
		}
	}
}

// sameJobs says two readings of an event's jobs show the same.
func sameJobs(a, b []recipe.Job) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].ID != b[i].ID || a[i].Status != b[i].Status || a[i].Reason != b[i].Reason {
			return false
		}
	}
	return true
}

// jobMark is a row's mark of the jobs its event started: ✗ one failed or
// is unknown, … one is queued or running, ✓ they succeeded, ○ they were
// all skipped.
func jobMark(th style.Theme, jobs []recipe.Job) string {
	if len(jobs) == 0 {
		return ""
	}
	var failed, open, ok bool
	for _, j := range jobs {
		switch j.Status {
		case recipe.StatusFailed, recipe.StatusUnknown:
			failed = true
		case recipe.StatusQueued, recipe.StatusRunning:
			open = true
		case recipe.StatusSucceeded:
			ok = true
		}
	}
	switch {
	case failed:
		return th.Error.Render("✗")
	case open:
		return th.Warn.Render("…")
	case ok:
		return th.OK.Render("✓")
	}
	return th.Muted.Render("○")
}

// jobLines are the detail's lines of an event's jobs, newest first: the
// recipe, the status and when, and under it the reason; none when the
// event started no job.
func jobLines(th style.Theme, jobs []recipe.Job) []string {
	if len(jobs) == 0 {
		return nil
	}
	out := []string{"", th.Title.Render("jobs")}
	for _, j := range jobs {
		at := j.CreatedAt
		if !j.FinishedAt.IsZero() {
			at = j.FinishedAt
		}
		out = append(out, "  "+jobMark(th, []recipe.Job{j})+" "+termtext.Line(j.Recipe)+"  "+string(j.Status)+
			"  "+th.Muted.Render(at.Format("15:04:05")+fmt.Sprintf(" · job %d", j.ID)))
		if j.Reason != "" {
			out = append(out, "    "+th.Muted.Render(termtext.Line(j.Reason)))
		}
	}
	return out
}
