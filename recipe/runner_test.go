package recipe

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/internal/pgtest"
	"github.com/iwb-dev/iwb/webhook"
)

var quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// rig is an event log with its listener, the recipe tables beside it, and
// a sandbox over loopback.
type rig struct {
	dir     string
	events  webhook.EventLog
	recipes *Store
	srv     *webhook.Server
	sandbox *sandbox.Sandbox
	api     *client.Client

	mu      sync.Mutex
	notices []string
}

// storeKinds are the databases recipes are kept in, as the event log's
// location: a fresh SQLite file, or a fresh PostgreSQL schema (skipped
// without IWB_TEST_POSTGRES, failed under CI).
var storeKinds = map[string]func(t testing.TB) string{
	"sqlite":   func(t testing.TB) string { return filepath.Join(t.TempDir(), "events.db") },
	"postgres": func(t testing.TB) string { return pgtest.Fresh(t) },
}

// newRig makes a rig on a fresh SQLite file.
func newRig(t *testing.T) *rig { return newRigAt(t, storeKinds["sqlite"](t)) }

// newRigAt makes a rig whose event log, with the recipe tables, is at
// location (a path or a postgres:// URL).
func newRigAt(t *testing.T, location string) *rig {
	t.Helper()
	g := &rig{dir: t.TempDir()}
	var err error
	if g.events, err = webhook.OpenLog(context.Background(), location, webhook.StoreOptions{Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.events.Close() })
	if g.recipes, err = OpenFor(g.events); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.recipes.Close() })
	if g.srv, err = webhook.NewServer(g.events, webhook.ServerOptions{Addr: "127.0.0.1:0", Logger: quiet}); err != nil {
		t.Fatal(err)
	}
	if err := g.srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.srv.Shutdown(context.Background()) })
	g.sandbox = sandbox.New(sandbox.Options{Logger: quiet})
	t.Cleanup(g.sandbox.Close)
	api := httptest.NewServer(g.sandbox.Handler())
	t.Cleanup(api.Close)
	if g.api, err = client.New(client.Options{BaseURL: api.URL, Key: g.sandbox.Key()}); err != nil {
		t.Fatal(err)
	}
	if _, err := g.events.AddTrigger(context.Background(), clickTrigger(t)); err != nil {
		t.Fatal(err)
	}
	return g
}

func (g *rig) options() RunnerOptions {
	return RunnerOptions{Events: g.events, Recipes: g.recipes, Log: quiet, Poll: 20 * time.Millisecond, Retry: 50 * time.Millisecond,
		Client: func(context.Context) (*client.Client, error) { return g.api, nil },
		Notify: func(s string) { g.mu.Lock(); g.notices = append(g.notices, s); g.mu.Unlock() }}
}

func (g *rig) said(part string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	for _, n := range g.notices {
		if strings.Contains(n, part) {
			return true
		}
	}
	return false
}

// post sends one emailClick for email with campaign id to the listener.
func (g *rig) post(t *testing.T, email string, campaign int) int64 {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q,"eventName":"emailClick","dataFields":{"campaignId":%d,"price":12.5,"vip":true,
		"labels":["a"],"address":{"city":"Oslo"},"nothing":null,"url":"u"}}`, email, campaign)
	// A 503 (the store past its second on a loaded machine) is retried, as
	// Iterable retries it.
	var resp *http.Response
	for attempt := 0; ; attempt++ {
		var err error
		if resp, err = http.Post(g.srv.URL()+"iterable", "application/json", strings.NewReader(body)); err != nil {
			t.Fatal(err)
		}
		if resp.StatusCode != http.StatusServiceUnavailable || attempt == 20 {
			break
		}
		resp.Body.Close()
		time.Sleep(100 * time.Millisecond)
	}
	defer resp.Body.Close()
	var ok struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&ok)
	var id int64
	fmt.Sscan(ok.ID, &id)
	if resp.StatusCode != 200 || id == 0 {
		t.Fatalf("posting: %d %s", resp.StatusCode, ok.ID)
	}
	return id
}

func (g *rig) addArmed(t *testing.T, r Recipe) {
	t.Helper()
	ctx := context.Background()
	if err := g.recipes.Add(ctx, r); err != nil {
		t.Fatal(err)
	}
	last, _ := g.events.List(ctx, webhook.Query{Desc: true, Limit: 1})
	var after int64
	if len(last) > 0 {
		after = last[0].ID
	}
	if err := g.recipes.Arm(ctx, r.Name, after); err != nil {
		t.Fatal(err)
	}
}

func (g *rig) start(t *testing.T) (stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	r := NewRunner(g.options())
	go func() { defer close(done); r.Run(ctx) }()
	return func() { cancel(); <-done }
}

// waitJobs polls until the recipe has n finished jobs.
func (g *rig) waitJobs(t *testing.T, recipe string, n int) []Job {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		jobs, err := g.recipes.Jobs(context.Background(), JobQuery{Recipe: recipe, Limit: 1000})
		if err != nil {
			t.Fatal(err)
		}
		done := 0
		for _, j := range jobs {
			if j.Status.Finished() {
				done++
			}
		}
		if done >= n {
			return jobs
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d jobs of %s finished: %+v", done, n, recipe, jobs)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

var upsertClick = Recipe{Name: "click-to-user", Trigger: "clicks",
	When:  []Condition{{Path: "dataFields.campaignId", Op: OpGt, Value: json.Number("100")}},
	Steps: []Step{{Action: "upsert-user", Input: json.RawMessage(`{"email":"{{email}}","dataFields":{"lastClickedCampaign":"{{dataFields.campaignId}}","note":"clicked {{dataFields.campaignId}}"}}`)}}}

// recipeContract is what the recipe tables do alike in both databases;
// TestRecipeStoreContract runs each case on a fresh SQLite file and on a
// fresh PostgreSQL schema.
var recipeContract = map[string]func(t *testing.T, g *rig){
	"RunsNewMatchingEventsOnly":           contractRunsNewMatchingEventsOnly,
	"DisarmsPastItsCap":                   contractDisarmsPastItsCap,
	"UnknownAfterAStepInFlight":           contractUnknownAfterAStepInFlightAndNotResent,
	"OneRunnerPerLog":                     contractOneRunnerPerLog,
	"RecipesAddArmDisarmRemove":           contractRecipesAddArmDisarmRemove,
	"OneAutomaticJobPerEvent":             contractOneAutomaticJobPerEvent,
	"PruneKeepsUnfinishedAndPinnedEvents": contractPruneKeepsUnfinishedAndPinnedEvents,
}

func TestRecipeStoreContract(t *testing.T) {
	for kind, location := range storeKinds {
		t.Run(kind, func(t *testing.T) {
			for name, test := range recipeContract {
				t.Run(name, func(t *testing.T) {
					t.Parallel()
					test(t, newRigAt(t, location(t)))
				})
			}
		})
	}
}

func contractRunsNewMatchingEventsOnly(t *testing.T, g *rig) {
	before := g.post(t, "early@acme.io", 7001) // stored before arming: no job
	g.addArmed(t, upsertClick)
	stop := g.start(t)
	defer stop()
	g.post(t, "ana@acme.io", 7001)
	g.post(t, "bo@acme.io", 7002)
	g.post(t, "low@acme.io", 5) // the condition is false
	jobs := g.waitJobs(t, upsertClick.Name, 3)
	byEmail := map[string]Job{}
	for _, j := range jobs {
		if j.EventID == before {
			t.Errorf("the event stored before arming started job %d", j.ID)
		}
		ev, _ := g.events.Get(context.Background(), j.EventID)
		byEmail[ev.Email] = j
	}
	if j := byEmail["low@acme.io"]; j.Status != StatusSkipped || !strings.Contains(j.Reason, "condition dataFields.campaignId > 100 is false") {
		t.Errorf("low: %s %q", j.Status, j.Reason)
	}
	for _, email := range []string{"ana@acme.io", "bo@acme.io"} {
		j := byEmail[email]
		if j.Status != StatusSucceeded || len(j.Steps) != 1 || j.Steps[0].Status != 200 || j.Steps[0].Path != "/api/users/update" {
			t.Fatalf("%s: %+v", email, j)
		}
		u, err := g.api.GetUserByEmail(context.Background(), email)
		if err != nil {
			t.Fatal(err)
		}
		if v, ok := u.DataFields["lastClickedCampaign"].(float64); !ok || v < 7001 {
			t.Errorf("%s: lastClickedCampaign = %#v, want the campaign id as a number", email, u.DataFields["lastClickedCampaign"])
		}
		if v, _ := u.DataFields["note"].(string); !strings.HasPrefix(v, "clicked 700") {
			t.Errorf("%s: note = %#v", email, u.DataFields["note"])
		}
	}
	// A later runner never runs them again.
	stop()
	stop = g.start(t)
	g.post(t, "cy@acme.io", 7003)
	jobs = g.waitJobs(t, upsertClick.Name, 4)
	if len(jobs) != 4 {
		t.Fatalf("%d jobs after a restart, want 4", len(jobs))
	}
}

func contractDisarmsPastItsCap(t *testing.T, g *rig) {
	r := upsertClick
	r.Cap = 3
	g.addArmed(t, r)
	for i := range 5 {
		g.post(t, fmt.Sprintf("u%d@acme.io", i), 7001)
	}
	stop := g.start(t)
	defer stop()
	g.waitJobs(t, r.Name, 3)
	deadline := time.Now().Add(5 * time.Second)
	for !g.said(`recipe "click-to-user" disarmed itself: started 3 jobs within a minute, its cap`) {
		if time.Now().After(deadline) {
			t.Fatalf("no notice of the disarm: %q", g.notices)
		}
		time.Sleep(20 * time.Millisecond)
	}
	saved, _ := g.recipes.Get(context.Background(), r.Name)
	if saved.Armed || !strings.Contains(saved.DisarmReason, "its cap") {
		t.Fatalf("armed %v, reason %q", saved.Armed, saved.DisarmReason)
	}
	g.post(t, "later@acme.io", 7001)
	time.Sleep(100 * time.Millisecond) // a few polls: a disarmed recipe starts nothing
	jobs, _ := g.recipes.Jobs(context.Background(), JobQuery{Recipe: r.Name})
	if len(jobs) != 3 {
		t.Fatalf("%d jobs, want the cap's 3", len(jobs))
	}
}

func contractUnknownAfterAStepInFlightAndNotResent(t *testing.T, g *rig) {
	g.addArmed(t, upsertClick)
	ev := g.post(t, "ana@acme.io", 7001)
	ctx := context.Background()
	// A runner that died after keeping step 1 as sent, before its answer.
	if _, err := g.recipes.addJobs(ctx, []newJob{{recipe: upsertClick.Name, eventID: ev, status: StatusQueued}}); err != nil {
		t.Fatal(err)
	}
	jobs, _ := g.recipes.Jobs(ctx, JobQuery{})
	if err := g.recipes.startStep(ctx, jobs[0].ID, StepRun{N: 1, Action: "upsert-user", Method: "POST", Path: "/api/users/update", Sent: true}); err != nil {
		t.Fatal(err)
	}
	stop := g.start(t)
	defer stop()
	deadline := time.Now().Add(5 * time.Second)
	for {
		j, _ := g.recipes.Job(ctx, jobs[0].ID)
		if j.Status == StatusUnknown {
			if !strings.Contains(j.Reason, "step 1 was in flight") {
				t.Fatalf("reason %q", j.Reason)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("job is %s", j.Status)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(100 * time.Millisecond)
	if _, err := g.api.GetUserByEmail(ctx, "ana@acme.io"); err == nil {
		t.Fatal("the unknown step was sent again")
	}
	if !g.said("marked unknown and not sent again") {
		t.Errorf("notices: %q", g.notices)
	}
	// By hand it runs again.
	id, err := g.recipes.Rerun(ctx, jobs[0].ID)
	if err != nil {
		t.Fatal(err)
	}
	j, err := RunNow(ctx, g.options(), id)
	if err != nil || j.Status != StatusSucceeded || !j.Manual || j.RerunOf != jobs[0].ID {
		t.Fatalf("rerun: %+v, %v", j, err)
	}
	if _, err := g.recipes.Rerun(ctx, id); err == nil {
		t.Fatal("a succeeded job was re-run")
	}
}

func contractOneRunnerPerLog(t *testing.T, g *rig) {
	ctx, cancel := context.WithCancel(context.Background())
	first := NewRunner(g.options())
	done := make(chan struct{})
	go func() { defer close(done); first.Run(ctx) }()
	waitSaid(t, g, "this process runs the armed recipes")
	ctx2, cancel2 := context.WithCancel(context.Background())
	defer cancel2()
	second := NewRunner(g.options())
	go second.Run(ctx2)
	waitSaid(t, g, fmt.Sprintf("another iwb process (pid %d", os.Getpid()))
	cancel()
	<-done
	waitSaid(t, g, "this one runs them now")
}

func waitSaid(t *testing.T, g *rig, part string) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !g.said(part) {
		if time.Now().After(deadline) {
			t.Fatalf("never said %q: %q", part, g.notices)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestTestShowsEachRequestAndTheVerdict(t *testing.T) {
	g := newRig(t)
	id := g.post(t, "ana@acme.io", 7001)
	ev, _ := g.events.Get(context.Background(), id)
	r := Recipe{Name: "two", Trigger: "clicks", Steps: []Step{
		{Action: "get-user", Input: json.RawMessage(`{"email":"{{email}}"}`)},
		{Action: "upsert-user", Input: json.RawMessage(`{"email":"{{steps.1.user.email}}","dataFields":{"c":"{{dataFields.campaignId}}"}}`)},
	}}
	res := Test(r, ev)
	b, _ := json.Marshal(res)
	want := fmt.Sprintf(`{"event_id":%d,"conditions":true,"steps":[{"action":"get-user","method":"GET","path":"/api/users/getByEmail?email=ana%%40acme.io","body":null},{"action":"upsert-user","method":"POST","path":"/api/users/update","body":{"dataFields":{"c":7001},"email":"{{steps.1.user.email}}"}}]}`, id)
	if string(b) != want {
		t.Fatalf("got  %s\nwant %s", b, want)
	}
	if bytes.Contains(b, []byte(g.sandbox.Key())) {
		t.Fatal("the key is in the test's output")
	}
	r.When = []Condition{{Path: "email", Op: OpContains, Value: "@other"}}
	if res := Test(r, ev); res.Conditions || !strings.Contains(res.Reason, "condition email contains") {
		t.Fatalf("%+v", res)
	}
}

// lateLog is an event log on which one event commits late: List leaves it
// out until it is shown, as a listener's commit that numbered its events
// before another listener's and committed after it.
type lateLog struct {
	webhook.EventLog
	hidden atomic.Int64
}

func (l *lateLog) List(ctx context.Context, q webhook.Query) ([]webhook.Event, error) {
	evs, err := l.EventLog.List(ctx, q)
	hidden := l.hidden.Load()
	return slices.DeleteFunc(evs, func(ev webhook.Event) bool { return ev.ID == hidden }), err
}

// TestLateCommitsAreTakenUp: on PostgreSQL an event may appear after events
// with higher ids were read; the runner still gives it its one job.
func TestLateCommitsAreTakenUp(t *testing.T) {
	g := newRigAt(t, storeKinds["postgres"](t))
	g.addArmed(t, upsertClick)
	late := &lateLog{EventLog: g.events}
	late.hidden.Store(g.post(t, "late@acme.io", 7001))
	o := g.options()
	o.Events = late
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { defer close(done); NewRunner(o).Run(ctx) }()
	defer func() { cancel(); <-done }()
	onTime := g.post(t, "on-time@acme.io", 7002)
	if jobs := g.waitJobs(t, upsertClick.Name, 1); len(jobs) != 1 || jobs[0].EventID != onTime {
		t.Fatalf("jobs before the late commit: %+v", jobs)
	}
	late.hidden.Store(0) // committed now
	jobs := g.waitJobs(t, upsertClick.Name, 2)
	if len(jobs) != 2 || jobs[0].Status != StatusSucceeded || jobs[1].Status != StatusSucceeded {
		t.Fatalf("jobs: %+v", jobs)
	}
	if _, err := g.api.GetUserByEmail(context.Background(), "late@acme.io"); err != nil {
		t.Fatalf("the late event's job did not reach the sandbox: %v", err)
	}
}

// TestRunnerStandsByWhenItsLockConnectionDrops: on PostgreSQL the runner
// lock lives on the runner's own connection; when the server drops it, the
// runner says so, stands by, takes the lock again and runs on.
func TestRunnerStandsByWhenItsLockConnectionDrops(t *testing.T) {
	g := newRigAt(t, storeKinds["postgres"](t))
	g.addArmed(t, upsertClick)
	stop := g.start(t)
	defer stop()
	waitSaid(t, g, "this process runs the armed recipes")
	var dropped int
	err := g.recipes.db.QueryRow(`SELECT count(pg_terminate_backend(l.pid)) FROM pg_locks l
		WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 2 AND l.classid = $1::bigint::oid
			AND l.objid = (hashtext(current_schema())::bigint & 4294967295)::oid`, pgLockRunner).Scan(&dropped)
	if err != nil || dropped != 1 {
		t.Fatalf("dropping the lock's connection: %d dropped, %v", dropped, err)
	}
	waitSaid(t, g, "recipes: this process lost the runner lock")
	waitSaid(t, g, "this one runs them now")
	g.post(t, "after@acme.io", 7001)
	if jobs := g.waitJobs(t, upsertClick.Name, 1); jobs[0].Status != StatusSucceeded {
		t.Fatalf("after taking the lock again: %+v", jobs[0])
	}
}
