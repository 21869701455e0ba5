package tui

import (
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
)

// jobsEnv is the workbench on twelve made-up events, with the recipe tables
// of a file in which addJob writes jobs of those events.
func jobsEnv(t *testing.T) (Deps, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "events.db")
	rs, err := recipe.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	return Deps{Connections: twoConns(), Events: eventstest.NewSource(12), Recipes: rs}, path
}

// addJob stores a job as a runner would have, two seconds after its event.
func addJob(t *testing.T, path, name string, eventID int64, status recipe.Status, reason string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := eventstest.Epoch.Add(time.Duration(eventID+2) * time.Second).UnixNano()
	if _, err := db.Exec(`INSERT INTO jobs (recipe, event_id, status, reason, created_at, finished_at) VALUES (?, ?, ?, ?, ?, ?)`,
		name, eventID, string(status), reason, at, at); err != nil {
		t.Fatal(err)
	}
}

// someJobs: #12 started a job that succeeded and one that was skipped, #11
// one that failed.
func someJobs(t *testing.T, path string) {
	addJob(t, path, "open-to-event", 12, recipe.StatusSkipped, "missing pill {{dataFields.coupon}}: the event has no such field")
	addJob(t, path, "open-to-user", 12, recipe.StatusSucceeded, "")
	addJob(t, path, "open-to-user", 11, recipe.StatusFailed, "step 1: HTTP 400 InvalidEmailAddressError")
}

func TestEventsMarkTheEventsThatStartedJobsAndListThem(t *testing.T) {
	t.Parallel()
	deps, path := jobsEnv(t)
	someJobs(t, path)
	hs := newHarness(t, deps, 120, 40)
	// The marks column: ✓ a job succeeded, ✗ one failed, nothing for none.
	for prefix, mark := range map[string]string{"10:00:12 S": "✓", "10:00:11 S": "✗", "10:00:06 S": ""} {
		row := rowOf(t, hs.Screen(), prefix)
		if got := strings.Count(row, "✓") + strings.Count(row, "✗"); (mark == "" && got != 0) || (mark != "" && !strings.Contains(row, mark)) {
			t.Errorf("the row of %s is %q, want the mark %q", prefix, row, mark)
		}
	}
	hs.MustShow("jobs", "✓ open-to-user  succeeded  10:00:14 · job 2",
		"○ open-to-event  skipped  10:00:14 · job 1", "missing pill {{dataFields.coupon}}")
	hs.Press("up")
	hs.MustShow("✗ open-to-user  failed  10:00:13 · job 3", "step 1: HTTP 400 InvalidEmailAddressError")
	hs.MustNotShow("open-to-event")

	// A job stored later shows once the page hears of a change, as the
	// relay tells it when the log is written.
	hs.Press("up")
	hs.MustNotShow("· job 4")
	addJob(t, path, "open-to-user", 10, recipe.StatusQueued, "")
	hs.Send(page.EventsMsg{})
	hs.MustShow("… open-to-user  queued  10:00:12 · job 4")
}

func TestEventsJobsGoldenScreens(t *testing.T) {
	t.Parallel()
	for _, sc := range []struct {
		name string
		size [2]int
		keys []string
	}{
		{"events-jobs-120x40", [2]int{120, 40}, nil},
		// The stacked detail, scrolled to its end.
		{"events-jobs-80x24", [2]int{80, 24}, []string{"tab", "G"}},
	} {
		t.Run(sc.name, func(t *testing.T) {
			deps, path := jobsEnv(t)
			someJobs(t, path)
			hs := newHarness(t, deps, sc.size[0], sc.size[1])
			for _, k := range sc.keys {
				hs.Press(k)
				hs.Screen() // drawn between keys, as in a terminal
			}
			hs.CheckFrame(sc.size[0], sc.size[1])
			golden.RequireEqual(t, hs.Screen())
		})
	}
}

// rowOf is the Events list's row that starts with prefix (after its marker).
func rowOf(t *testing.T, screen, prefix string) string {
	t.Helper()
	for l := range strings.SplitSeq(screen, "\n") {
		if i := strings.Index(l, prefix); i >= 0 && i < 10 {
			row, _, _ := strings.Cut(l[i:], "│")
			return row
		}
	}
	t.Fatalf("no row %q in\n%s", prefix, screen)
	return ""
}
