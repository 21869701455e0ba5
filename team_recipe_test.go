//go:build unix

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// TestTeamRecipeRunsOncePerEvent: two `iwb listen` on one PostgreSQL
// database, as on two hosts, and one armed recipe, set up and read back
// with `iwb trigger|recipe|jobs` on the same store: one listener runs the
// recipes and the other says which process does; N matching events posted
// through both turn into exactly N succeeded jobs in total, one request
// each at the sandbox, and the others into skipped jobs with the reason.
func TestTeamRecipeRunsOncePerEvent(t *testing.T) {
	h := newRecipeHome(t)
	store := teamStore(t)
	h.env = append(h.env, "IWB_STORE="+store)
	h.setUp(clickRecipe)
	var shown struct{ Armed bool }
	if show := h.iwb(0, "recipe", "show", "click-recipe", "--json"); json.Unmarshal([]byte(show.stdout), &shown) != nil || !shown.Armed {
		t.Fatalf("recipe show on the shared store: %s", show.stdout)
	}
	listeners := []*listenProc{h.listenAt(t.TempDir()), h.listenAt(t.TempDir())}
	runs := func(l *listenProc) bool { return l.said("recipes: this process runs the armed recipes") }
	tuitest.WaitFor(t, 20*time.Second, "one listener to run the recipes", func() bool { return runs(listeners[0]) || runs(listeners[1]) })
	runner, standby := listeners[0], listeners[1]
	if runs(standby) {
		runner, standby = standby, runner
	}
	standby.waitSaid(t, fmt.Sprintf("recipes: another iwb process (pid %d on ", runner.cmd.Process.Pid))

	const matching, other = 30, 4
	var wg sync.WaitGroup
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < matching+other; i += 6 {
				campaign := 7001 + i
				if i >= matching {
					campaign = 5 // the condition is false
				}
				listeners[i%2].post(t, clickBody(fmt.Sprintf("u%d@acme.io", i), campaign, fmt.Sprintf("m%d", i)))
			}
		}()
	}
	wg.Wait()

	ctx := context.Background()
	log, err := webhook.OpenLog(ctx, store, webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer log.Close()
	rs, err := recipe.OpenFor(log)
	if err != nil {
		t.Fatal(err)
	}
	defer rs.Close()
	tuitest.WaitFor(t, 60*time.Second, "a job for every event", func() bool {
		f, _ := finishedJobs(t, rs)
		return len(f) >= matching+other
	})
	time.Sleep(time.Second) // two more polls: nothing may run twice
	jobs := h.jobs()        // through `iwb jobs list --store`
	if len(jobs) != matching+other {
		t.Fatalf("%d jobs, want %d", len(jobs), matching+other)
	}
	seen := map[int64]bool{}
	succeeded, skipped := 0, 0
	for _, j := range jobs {
		if seen[j.EventID] {
			t.Errorf("event %d has two jobs", j.EventID)
		}
		seen[j.EventID] = true
		switch {
		case j.Status == "succeeded" && len(j.Steps) == 1 && j.Steps[0].Status == 200:
			succeeded++
		case j.Status == "skipped" && strings.Contains(j.Reason, "condition dataFields.campaignId > 100 is false"):
			skipped++
		default:
			t.Errorf("job %d: %s %q", j.ID, j.Status, j.Reason)
		}
	}
	if succeeded != matching || skipped != other {
		t.Fatalf("%d succeeded and %d skipped, want %d and %d", succeeded, skipped, matching, other)
	}
	if n := h.hits.Load(); n != matching {
		t.Fatalf("the sandbox was sent %d updates, want one per matching event (%d)", n, matching)
	}
	u, err := h.api.GetUserByEmail(ctx, "u7@acme.io")
	if err != nil {
		t.Fatal(err)
	}
	if v, ok := u.DataFields["lastClickedCampaign"].(float64); !ok || v != 7008 {
		t.Errorf("lastClickedCampaign = %#v, want the number 7008", u.DataFields["lastClickedCampaign"])
	}
	show := h.iwb(0, "jobs", "show", fmt.Sprint(jobs[0].ID), "--json")
	var one jobLineJSON
	if err := json.Unmarshal([]byte(show.stdout), &one); err != nil || one.ID != jobs[0].ID {
		t.Fatalf("jobs show on the shared store: %v %s", err, show.stdout)
	}
	standby.mu.Lock()
	said := standby.errs.String()
	standby.mu.Unlock()
	if n := strings.Count(said, "stands by"); n != 1 {
		t.Errorf("the standing-by listener said so %d times:\n%s", n, said)
	}
	for _, l := range listeners {
		l.mu.Lock()
		leaked := strings.Contains(l.errs.String(), teamPassword)
		l.mu.Unlock()
		if leaked {
			t.Error("a listener printed the store's password")
		}
	}
}
