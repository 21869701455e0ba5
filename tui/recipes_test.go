package tui

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/exp/golden"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

const tabRecipes = tabConnections + 1

const clickJSON = `{"email":"ana@acme.io","eventName":"emailClick","dataFields":{"campaignId":7001,"url":"https://shop.example.com/spring"}}`

// recipeDeps are the workbench on a real event log with a trigger "clicks"
// (its schema inferred from a click), a listener to post to, the recipe
// tables beside it, and a sandbox client.
func recipeDeps(t *testing.T) (Deps, *webhook.Store, *recipe.Store, *webhook.Server) {
	t.Helper()
	deps, st := storeDeps(t)
	inf, err := schema.Infer([]byte(clickJSON))
	if err != nil {
		t.Fatal(err)
	}
	addTrigger(t, st, webhook.Trigger{Name: "clicks", Kind: webhook.TriggerObject, EventNames: []string{"emailClick"}, Schema: inf.Schema})
	rs, err := recipe.Open(st.Path())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { rs.Close() })
	srv, err := webhook.NewServer(st, webhook.ServerOptions{Addr: "127.0.0.1:0", Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Shutdown(context.Background()) })
	deps.Client, _ = sandboxClient(t, "")
	deps.Recipes = rs
	return deps, st, rs, srv
}

func postClick(t *testing.T, srv *webhook.Server, body string) {
	t.Helper()
	resp, err := http.Post(srv.URL()+"iterable", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("posting: %d", resp.StatusCode)
	}
}

var lastClick = recipe.Recipe{Name: "last-click", Trigger: "clicks", Steps: []recipe.Step{{Action: "upsert-user",
	Input: json.RawMessage(`{"email":"{{email}}","dataFields":{"lastClickedCampaign":"{{dataFields.campaignId}}"}}`)}}}

func addRecipe(t *testing.T, rs *recipe.Store, r recipe.Recipe) {
	t.Helper()
	if err := rs.Add(context.Background(), r); err != nil {
		t.Fatal(err)
	}
}

func TestRecipesTabArmsAndTestsOnTheLatestEvent(t *testing.T) {
	deps, _, rs, srv := recipeDeps(t)
	addRecipe(t, rs, lastClick)
	postClick(t, srv, clickJSON)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6")
	hs.MustShow("┌ Recipes", "last-click", "clicks", "disarmed", "Upsert user")
	hs.Press("t")
	hs.MustShow("Test · last-click", "the conditions hold", "POST /api/users/update", `"lastClickedCampaign": 7001`, `"email": "ana@acme.io"`)
	hs.Press("esc")
	hs.MustNotShow("Test · last-click")
	hs.Press("space")
	hs.MustShow("armed last-click")
	if r, _ := rs.Get(context.Background(), "last-click"); !r.Armed {
		t.Fatal("space did not arm it")
	}
	hs.Press("space")
	hs.MustShow("disarmed last-click")
}

func TestArmingARecipeThatReachesPeopleAsksFirst(t *testing.T) {
	deps, _, rs, _ := recipeDeps(t)
	addRecipe(t, rs, recipe.Recipe{Name: "texter", Trigger: "clicks", Steps: []recipe.Step{{Action: "send-sms",
		Input: json.RawMessage(`{"campaignId":"{{dataFields.campaignId}}","recipientEmail":"{{email}}"}`)}}})
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6", "space")
	hs.MustShow("texter reaches people (step 1 (Send SMS)). Arm it?")
	hs.Press("n")
	if r, _ := rs.Get(context.Background(), "texter"); r.Armed {
		t.Fatal("armed without the acknowledgement")
	}
	hs.Press("space", "y")
	hs.MustShow("armed texter")
	if r, _ := rs.Get(context.Background(), "texter"); !r.Armed {
		t.Fatal("y did not arm it")
	}
}

// runJobs runs a runner over the log until the recipe has n finished jobs.
func runJobs(t *testing.T, deps Deps, n int) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	c := deps.Client
	r := recipe.NewRunner(recipe.RunnerOptions{Events: deps.Store, Recipes: deps.Recipes, Poll: 20 * time.Millisecond,
		Client: func(context.Context) (*client.Client, error) { return c, nil }})
	done := make(chan struct{})
	go func() { defer close(done); r.Run(ctx) }()
	defer func() { cancel(); <-done }()
	tuitest.WaitFor(t, 10*time.Second, "the jobs", func() bool {
		jobs, _ := deps.Recipes.Jobs(context.Background(), recipe.JobQuery{})
		finished := 0
		for _, j := range jobs {
			if j.Status.Finished() {
				finished++
			}
		}
		return finished >= n
	})
}

// pinJobs sets the jobs' times and durations, so screens of them are stable.
func pinJobs(t *testing.T, path string) {
	t.Helper()
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	at := eventstest.Epoch.UnixNano()
	for _, q := range []string{
		fmt.Sprintf(`UPDATE jobs SET created_at = %d, started_at = %d, finished_at = %d`, at, at, at),
		`UPDATE job_steps SET duration_ns = 12000000`,
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatal(err)
		}
	}
}

func TestRecipeJobsShowEachStepAndRunAgain(t *testing.T) {
	deps, st, rs, srv := recipeDeps(t)
	addRecipe(t, rs, lastClick)
	if err := rs.Arm(context.Background(), "last-click", 0); err != nil {
		t.Fatal(err)
	}
	postClick(t, srv, clickJSON)
	postClick(t, srv, strings.Replace(clickJSON, "ana@acme.io", "not-an-email", 1))
	runJobs(t, deps, 2)
	tuitest.WaitFor(t, 10*time.Second, "the failed job", func() bool {
		jobs, _ := rs.Jobs(context.Background(), recipe.JobQuery{Status: recipe.StatusFailed})
		return len(jobs) == 1
	})
	pinJobs(t, st.Path())
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6")
	hs.MustShow("Jobs: 1 ok · 1 failed · 0 skipped", "succeeded", "failed")
	hs.Press("enter", "enter")
	hs.MustShow("Job 2 · failed", "1. POST /api/users/update", "400 in 12ms", `"email": "not-an-email"`, "InvalidEmailAddressError")
	hs.Press("down")
	hs.MustShow("Job 1 · succeeded", "200 in 12ms", "request", `"lastClickedCampaign": 7001`, "answer", `"code": "Success"`)
	hs.Press("R")
	hs.MustShow("only a failed, unknown or skipped job can be re-run")
	hs.Press("up", "R")
	hs.MustShow("job 3: failed", "re-run of job 2")
	// A recipe that disarms itself says so in the status bar.
	if err := rs.Disarm(context.Background(), "last-click", "started 60 jobs within a minute, its cap"); err != nil {
		t.Fatal(err)
	}
	hs.Send(page.EventsMsg{New: 1})
	hs.MustShow("recipe last-click disarmed itself: started 60 jobs within a minute, its cap")
}

func TestNewRecipeFromTheEditor(t *testing.T) {
	deps, _, rs, srv := recipeDeps(t)
	postClick(t, srv, clickJSON)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6", "n")
	hs.MustShow("New recipe", "Name", "Trigger", "Action")
	hs.Type("from-editor")
	hs.Press("enter", "enter", "enter")
	hs.MustShow("Input", "Pills of clicks:", "{{dataFields.campaignId}} integer", "Preview on event 1: it would run",
		`POST /api/users/update  {"dataFields":{},"email":"ana@acme.io"}`)
	hs.Press("tab", "enter")
	hs.MustShow("added from-editor (disarmed)")
	r, err := rs.Get(context.Background(), "from-editor")
	if err != nil || r.Trigger != "clicks" || r.Steps[0].Action != "upsert-user" {
		t.Fatalf("saved: %+v %v", r, err)
	}
}

func TestGoldenRecipesScreens(t *testing.T) {
	for _, size := range sizes {
		t.Run("recipes-"+sizeName(size), func(t *testing.T) {
			deps, st, rs, srv := recipeDeps(t)
			addRecipe(t, rs, lastClick)
			rs.Arm(context.Background(), "last-click", 0)
			postClick(t, srv, clickJSON)
			runJobs(t, deps, 1)
			pinJobs(t, st.Path())
			hs := newHarness(t, deps, size[0], size[1])
			hs.Press("6")
			hs.CheckFrame(size[0], size[1])
			golden.RequireEqual(t, hs.Screen())
			t.Run("job", func(t *testing.T) {
				hs.Press("enter", "enter")
				hs.CheckFrame(size[0], size[1])
				golden.RequireEqual(t, hs.Screen())
			})
			t.Run("test", func(t *testing.T) {
				hs.Press("esc", "esc", "t")
				hs.CheckFrame(size[0], size[1])
				golden.RequireEqual(t, hs.Screen())
			})
			t.Run("editor", func(t *testing.T) {
				hs.Press("esc", "n")
				hs.Type("from-editor")
				hs.Press("enter", "enter", "enter")
				hs.CheckFrame(size[0], size[1])
				golden.RequireEqual(t, hs.Screen())
			})
		})
	}
}
