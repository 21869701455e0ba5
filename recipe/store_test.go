package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"reflect"
	"testing"
	"time"
)

func contractRecipesAddArmDisarmRemove(t *testing.T, g *rig) {
	ctx := context.Background()
	if err := g.recipes.Add(ctx, upsertClick); err != nil {
		t.Fatal(err)
	}
	if err := g.recipes.Add(ctx, upsertClick); !errors.Is(err, ErrExists) {
		t.Fatalf("a second recipe of the same name: %v, want ErrExists", err)
	}
	other := Recipe{Name: "another", Trigger: "clicks", Steps: []Step{{Action: "get-user", Input: json.RawMessage(`{"email":"{{email}}"}`)}}}
	if err := g.recipes.Add(ctx, other); err != nil {
		t.Fatal(err)
	}
	all, err := g.recipes.List(ctx)
	if err != nil || len(all) != 2 || all[0].Name != "another" || all[1].Name != upsertClick.Name {
		t.Fatalf("list: %+v, %v", all, err)
	}
	got := all[1]
	kept, _ := json.Marshal(got.Recipe)
	want, _ := json.Marshal(upsertClick)
	if string(kept) != string(want) || got.Armed {
		t.Fatalf("kept %+v, want %+v, disarmed", got.Recipe, upsertClick)
	}
	if err := g.recipes.Arm(ctx, upsertClick.Name, 42); err != nil {
		t.Fatal(err)
	}
	armed, _ := g.recipes.Armed(ctx)
	if len(armed) != 1 || armed[0].Name != upsertClick.Name || armed[0].ArmedAfter != 42 {
		t.Fatalf("armed: %+v", armed)
	}
	if err := g.recipes.Disarm(ctx, upsertClick.Name, "past its cap"); err != nil {
		t.Fatal(err)
	}
	s, _ := g.recipes.Get(ctx, upsertClick.Name)
	if s.Armed || s.DisarmReason != "past its cap" {
		t.Fatalf("after disarm: %+v", s)
	}
	if err := g.recipes.Arm(ctx, upsertClick.Name, 43); err != nil {
		t.Fatal(err)
	}
	if s, _ := g.recipes.Get(ctx, upsertClick.Name); !s.Armed || s.DisarmReason != "" {
		t.Fatalf("armed again: %+v", s)
	}
	if err := g.recipes.Remove(ctx, upsertClick.Name); err != nil {
		t.Fatal(err)
	}
	for _, err := range []error{g.recipes.Remove(ctx, upsertClick.Name), g.recipes.Arm(ctx, "nothing", 1)} {
		if !errors.Is(err, ErrNotFound) {
			t.Errorf("%v, want ErrNotFound", err)
		}
	}
	if _, err := g.recipes.Get(ctx, upsertClick.Name); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a removed recipe: %v", err)
	}
}

func contractOneAutomaticJobPerEvent(t *testing.T, g *rig) {
	ctx := context.Background()
	if err := g.recipes.Add(ctx, upsertClick); err != nil {
		t.Fatal(err)
	}
	ev := g.post(t, "ana@acme.io", 7001)
	job := []newJob{{recipe: upsertClick.Name, eventID: ev, status: StatusQueued}}
	for i, want := range []int{1, 0} {
		if n, err := g.recipes.addJobs(ctx, job); err != nil || n != want {
			t.Fatalf("store %d: %d added, %v; want %d", i+1, n, err, want)
		}
	}
	jobs, _ := g.recipes.Jobs(ctx, JobQuery{EventID: ev})
	if len(jobs) != 1 || jobs[0].Status != StatusQueued || jobs[0].Manual {
		t.Fatalf("jobs: %+v", jobs)
	}
	id := jobs[0].ID
	if _, err := g.recipes.Rerun(ctx, id); !errors.Is(err, ErrNotRerunnable) {
		t.Fatalf("re-running a queued job: %v", err)
	}
	// A step kept as sent, then a stop: unknown, with the step named.
	step := StepRun{N: 1, Action: "upsert-user", Method: "POST", Path: "/api/users/update", Body: json.RawMessage(`{"email":"ana@acme.io"}`), Sent: true}
	if err := g.recipes.startStep(ctx, id, step); err != nil {
		t.Fatal(err)
	}
	if unknown, requeued, err := g.recipes.recoverJobs(ctx); err != nil || unknown != 1 || requeued != 0 {
		t.Fatalf("recover: %d unknown, %d requeued, %v", unknown, requeued, err)
	}
	j, _ := g.recipes.Job(ctx, id)
	if j.Status != StatusUnknown || j.Reason != "iwb stopped while step 1 was in flight: it may have been sent, so it is not sent again (jobs rerun sends it again)" {
		t.Fatalf("after recovery: %s %q", j.Status, j.Reason)
	}
	// By hand it runs again, as a new job; a succeeded one never does.
	again, err := g.recipes.Rerun(ctx, id)
	if err != nil || again == id {
		t.Fatalf("rerun: %d, %v", again, err)
	}
	if err := g.recipes.startStep(ctx, again, step); err != nil {
		t.Fatal(err)
	}
	step.Done, step.Status, step.Answer, step.Duration = true, 200, json.RawMessage(`{"code":"Success"}`), 3*time.Millisecond
	if err := g.recipes.finishStep(ctx, again, step, StatusSucceeded, ""); err != nil {
		t.Fatal(err)
	}
	j, _ = g.recipes.Job(ctx, again)
	if j.Status != StatusSucceeded || !j.Manual || j.RerunOf != id || len(j.Steps) != 1 || !j.Steps[0].Done ||
		string(j.Steps[0].Answer) != `{"code":"Success"}` || j.Steps[0].Duration != 3*time.Millisecond || j.FinishedAt.IsZero() {
		t.Fatalf("the re-run: %+v", j)
	}
	if _, err := g.recipes.Rerun(ctx, again); !errors.Is(err, ErrNotRerunnable) {
		t.Fatalf("re-running a succeeded job: %v", err)
	}
	tallies, err := g.recipes.Tallies(ctx)
	if tl := tallies[upsertClick.Name]; err != nil || tl.Succeeded != 1 || tl.Failed != 1 || tl.LastRun.IsZero() {
		t.Fatalf("tallies: %+v, %v", tallies, err)
	}
	// Text either database refuses is kept readable.
	if err := g.recipes.finish(ctx, id, StatusFailed, "bad \x00 byte \xff"); err != nil {
		t.Fatal(err)
	}
	if j, _ := g.recipes.Job(ctx, id); j.Reason != "bad \uFFFD byte \uFFFD" {
		t.Fatalf("reason %q", j.Reason)
	}
}

func contractPruneKeepsUnfinishedAndPinnedEvents(t *testing.T, g *rig) {
	ctx := context.Background()
	if err := g.recipes.Add(ctx, upsertClick); err != nil {
		t.Fatal(err)
	}
	var evs []int64
	for range 5 {
		evs = append(evs, g.post(t, "ana@acme.io", 7001))
	}
	if err := g.events.Pin(ctx, evs[1], true); err != nil {
		t.Fatal(err)
	}
	for _, ev := range evs {
		if _, err := g.recipes.addJobs(ctx, []newJob{{recipe: upsertClick.Name, eventID: ev, status: StatusQueued}}); err != nil {
			t.Fatal(err)
		}
	}
	jobs, _ := g.recipes.Jobs(ctx, JobQuery{})
	ids := map[int64]int64{} // event -> job
	for _, j := range jobs {
		ids[j.EventID] = j.ID
	}
	// All finished, with a step, but the third (still queued).
	for i, ev := range evs {
		if i == 2 {
			continue
		}
		st := StepRun{N: 1, Action: "upsert-user", Method: "POST", Path: "/api/users/update", Sent: true, Done: true, Status: 200}
		if err := g.recipes.startStep(ctx, ids[ev], st); err != nil {
			t.Fatal(err)
		}
		if err := g.recipes.finishStep(ctx, ids[ev], st, StatusSucceeded, ""); err != nil {
			t.Fatal(err)
		}
	}
	left := func() (events []int64) {
		t.Helper()
		jobs, err := g.recipes.Jobs(ctx, JobQuery{})
		if err != nil {
			t.Fatal(err)
		}
		for _, j := range jobs {
			events = append([]int64{j.EventID}, events...)
		}
		return events
	}
	// By count: the newest two jobs stay, and the older ones that may not go.
	n, err := g.recipes.Prune(ctx, time.Time{}, 2)
	if want := []int64{evs[1], evs[2], evs[3], evs[4]}; err != nil || n != 1 || !reflect.DeepEqual(left(), want) {
		t.Fatalf("keep 2: removed %d (%v), left jobs of events %v, want %v", n, err, left(), want)
	}
	if _, err := g.recipes.Job(ctx, ids[evs[0]]); !errors.Is(err, ErrNotFound) {
		t.Fatalf("a pruned job: %v", err)
	}
	// By age: all are older than a moment from now; the pinned event's and
	// the queued one stay.
	n, err = g.recipes.Prune(ctx, time.Now().Add(time.Minute), 0)
	if want := []int64{evs[1], evs[2]}; err != nil || n != 2 || !reflect.DeepEqual(left(), want) {
		t.Fatalf("by age: removed %d (%v), left jobs of events %v, want %v", n, err, left(), want)
	}
	if j, err := g.recipes.Job(ctx, ids[evs[1]]); err != nil || len(j.Steps) != 1 {
		t.Fatalf("the pinned event's job: %+v, %v", j, err)
	}
	// Nothing due: nothing goes.
	if n, err := g.recipes.Prune(ctx, time.Now().Add(-time.Hour), 10); err != nil || n != 0 {
		t.Fatalf("nothing due: removed %d, %v", n, err)
	}
}
