package recipe

import (
	"context"
	"slices"
	"testing"

	"github.com/iwb-dev/iwb/internal/pgtest"
	"github.com/iwb-dev/iwb/webhook"
)

// TestCopyTakesRecipesAndJobsDisarmed copies a file log's recipes and jobs
// into a shared log that has an event of its own (so the copied events are
// renumbered): the recipe arrives disarmed, each job once, pointing at its
// event's copy, with its steps; an unfinished job arrives unknown.
func TestCopyTakesRecipesAndJobsDisarmed(t *testing.T) {
	ctx := context.Background()
	src := newRig(t)
	src.addArmed(t, upsertClick)
	stop := src.start(t)
	src.post(t, "ana@acme.io", 7001)
	src.post(t, "bo@acme.io", 5)
	done := src.waitJobs(t, upsertClick.Name, 2)
	stop()
	ev := src.post(t, "cy@acme.io", 7002)
	queued, err := src.recipes.addManual(ctx, upsertClick.Name, ev, done[0].ID)
	if err != nil {
		t.Fatal(err)
	}

	dst := newRigAt(t, pgtest.Fresh(t))
	dst.post(t, "own@acme.io", 1)
	res, err := webhook.Copy(ctx, src.events.(*webhook.Store), dst.events.(*webhook.PGStore), nil)
	if err != nil || res.IDsKept {
		t.Fatalf("copying the events: %+v, %v; want them renumbered", res, err)
	}
	got, err := Copy(ctx, src.recipes, dst.recipes, res.IDs.Shared)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Recipes, []string{upsertClick.Name}) || !slices.Equal(got.WereArmed, got.Recipes) || got.Jobs != 3 || got.Before != 0 {
		t.Errorf("copy: %+v; want the recipe (armed in the file) and 3 jobs", got)
	}
	if r, err := dst.recipes.Get(ctx, upsertClick.Name); err != nil || r.Armed || !sameRecipe(r.Recipe, upsertClick) {
		t.Errorf("the copied recipe: %+v, %v; want it disarmed and the same", r, err)
	}
	srcJobs, _ := src.recipes.Jobs(ctx, JobQuery{Limit: 100})
	dstJobs, _ := dst.recipes.Jobs(ctx, JobQuery{Limit: 100})
	if len(dstJobs) != len(srcJobs) {
		t.Fatalf("%d jobs copied; want %d", len(dstJobs), len(srcJobs))
	}
	byEvent := map[int64]Job{}
	for _, j := range dstJobs {
		byEvent[j.EventID] = j
	}
	for _, want := range srcJobs {
		j, ok := byEvent[res.IDs.Shared(want.EventID)]
		if !ok || j.EventID == want.EventID {
			t.Errorf("no copy of job %d at event %d's copy %d", want.ID, want.EventID, res.IDs.Shared(want.EventID))
			continue
		}
		if want.ID == queued {
			if j.Status != StatusUnknown || j.Reason != copiedUnfinished || !j.Manual || byEvent[res.IDs.Shared(done[0].EventID)].ID != j.RerunOf {
				t.Errorf("the queued re-run arrived as %+v", j)
			}
			continue
		}
		if j.Status != want.Status || j.Reason != want.Reason || !j.CreatedAt.Equal(want.CreatedAt) || len(j.Steps) != len(want.Steps) {
			t.Errorf("job %d arrived as %+v; want %+v", want.ID, j, want)
		}
		for i := range want.Steps {
			if a, b := j.Steps[i], want.Steps[i]; a.Status != b.Status || string(a.Body) != string(b.Body) || string(a.Answer) != string(b.Answer) || a.Duration != b.Duration {
				t.Errorf("job %d's step %d arrived as %+v; want %+v", want.ID, i+1, a, b)
			}
		}
	}

	again, err := Copy(ctx, src.recipes, dst.recipes, res.IDs.Shared)
	if err != nil || again.Jobs != 0 || again.Before != 3 || len(again.Recipes) != 0 || len(again.KeptRecipes) != 0 {
		t.Errorf("a second copy: %+v, %v; want nothing new", again, err)
	}
}
