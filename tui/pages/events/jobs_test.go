package events

import (
	"context"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"
	"github.com/charmbracelet/x/ansi"

	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// fakeJobs are the recipes' jobs of events, as a test sets them.
type fakeJobs struct {
	mu    sync.Mutex
	jobs  map[int64][]recipe.Job
	reads [][]int64
}

func (f *fakeJobs) List(context.Context) ([]recipe.Saved, error) { return nil, nil }

func (f *fakeJobs) JobsForEvents(_ context.Context, ids []int64) (map[int64][]recipe.Job, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.reads = append(f.reads, ids)
	out := map[int64][]recipe.Job{}
	for _, id := range ids {
		if js, ok := f.jobs[id]; ok {
			out[id] = js
		}
	}
	return out, nil
}

func (f *fakeJobs) set(id int64, st recipe.Status) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.jobs[id] = []recipe.Job{{ID: 1, Recipe: "r", EventID: id, Status: st}}
}

// run runs cmd and what it leads to, but no timer: it returns whether a
// timer (a marked wait) was asked for.
func run(p *Page, cmd tea.Cmd) (waited bool) {
	queue := []tea.Cmd{cmd}
	for len(queue) > 0 {
		c := queue[0]
		queue = queue[1:]
		if c == nil {
			continue
		}
		switch msg := c().(type) {
		case tea.BatchMsg:
			queue = append(queue, msg...)
		case page.WaitMsg:
			waited = true
		case nil:
		default:
			queue = append(queue, p.Update(msg))
		}
	}
	return waited
}

// TestUnfinishedJobsAreReadAgainUntilTheyFinish: the marks of a queued job
// are read again on a timer, without a new event, until it finished; the
// list's rows are read in one query.
func TestUnfinishedJobsAreReadAgainUntilTheyFinish(t *testing.T) {
	rs := &fakeJobs{jobs: map[int64][]recipe.Job{}}
	rs.set(5, recipe.StatusQueued)
	p := New(seqSource{5}, nil, rs, page.DefaultKeys(), style.NewTheme(true, true))
	p.Update(page.ResizeMsg{Area: benchArea})
	if !run(p, p.Init()) {
		t.Fatal("a queued job asked for no second look")
	}
	if len(rs.reads) != 1 || len(rs.reads[0]) != 5 {
		t.Fatalf("reads %v, want one of the five rows", rs.reads)
	}
	screen := func() string { return ansi.Strip(strings.Join(p.View(benchArea), "\n")) }
	if !strings.Contains(screen(), "… r  queued") {
		t.Fatalf("the queued job is not listed:\n%s", screen())
	}
	rs.set(5, recipe.StatusSucceeded)
	if run(p, func() tea.Msg { return jobsTickMsg{} }) {
		t.Error("finished jobs still asked for another look")
	}
	if !strings.Contains(screen(), "✓ r  succeeded") {
		t.Fatalf("the finished job is not listed:\n%s", screen())
	}
}
