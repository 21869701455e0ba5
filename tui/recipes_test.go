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
	hs.Press("esc", "down", "enter")
	hs.MustShow("Job 1 · succeeded", "200 in 12ms", "request", `"lastClickedCampaign": 7001`, "answer", `"code": "Success"`)
	hs.Press("R")
	hs.MustShow("only a failed, unknown or skipped job can be re-run")
	hs.Press("esc", "up", "R")
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
	hs.MustShow("New recipe", "Name", "Trigger", "‹clicks›", "Step 1", "‹Upsert user›", "{{email}}", "Preview · event 1")
	t.Log(hs.Screen())
	hs.Type("from-editor")
	hs.Press("tab", "tab", "tab", "tab", "tab", "tab", "enter")
	hs.Type("x")
	hs.Press("tab", "enter")
	hs.MustShow("Pill for step 1 · dataFields.x", "dataFields.campaignId", "integer")
	t.Log(hs.Screen())
	hs.Type("camp")
	hs.Press("enter")
	hs.MustShow(`"x": 7001`)
	t.Log(hs.Screen())
	hs.Press("ctrl+s")
	hs.MustShow("added from-editor (disarmed)")
	r, err := rs.Get(context.Background(), "from-editor")
	if err != nil || r.Trigger != "clicks" || r.Steps[0].Action != "upsert-user" {
		t.Fatalf("saved: %+v %v", r, err)
	}
	t.Log(string(r.Steps[0].Input))
}

// lineWith is the screen's line holding text, "" when none does.
func lineWith(screen, text string) (int, string) {
	for i, l := range strings.Split(screen, "\n") {
		if strings.Contains(l, text) {
			return i, l
		}
	}
	return -1, ""
}

func TestEditorRefusesAtSaveBesideTheField(t *testing.T) {
	deps, _, rs, srv := recipeDeps(t)
	postClick(t, srv, clickJSON)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6", "n")
	hs.Type("wrong")
	hs.Press("tab", "tab", "tab", "tab", "ctrl+u")
	hs.Type("{{dataFields.campaignId}}")
	// The picker offers the email field only what fits a string.
	hs.Press("ctrl+u", "enter")
	hs.MustShow("Pill for step 1 · email", "lands as string", "dataFields.url", "whose type does not fit are not offered")
	hs.MustNotShow("dataFields.campaignId")
	hs.Press("esc")
	hs.Type("{{dataFields.campaignId}}")
	hs.Press("ctrl+s")
	screen := hs.Screen()
	field, _ := lineWith(screen, "email               {{dataFields.campaignId}}")
	refusal, _ := lineWith(screen, "✗ step 1, email: {{dataFields.campaignId}} is an")
	hs.MustShow("integer, but email takes a string")
	if field < 0 || refusal != field+1 {
		t.Fatalf("the refusal is not beside the field (lines %d, %d):\n%s", field, refusal, screen)
	}
	hs.MustShow("not saved: step 1, email")
	if _, err := rs.Get(context.Background(), "wrong"); err == nil {
		t.Fatal("saved a recipe the check refused")
	}
	// Mended, the refusal goes as the user types, and the recipe saves.
	hs.Press("ctrl+u")
	hs.Type("{{email}}")
	hs.MustNotShow("✗ step 1")
	hs.Press("ctrl+s")
	hs.MustShow("added wrong (disarmed)")
}

func TestEditorConditionsAndSteps(t *testing.T) {
	deps, _, rs, srv := recipeDeps(t)
	postClick(t, srv, clickJSON)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6", "n")
	hs.Type("two-steps")
	// A condition: its path picked, its operator picked, its value typed.
	hs.Press("tab", "tab", "enter")
	hs.MustShow("When 1")
	hs.Press("enter")
	hs.MustShow("Path of condition 1", "dataFields.campaignId", "integer")
	hs.Type("campaignId")
	hs.Press("enter", "tab", "enter")
	hs.MustShow("Operator of condition 1", "contains", "exists")
	hs.Press("down", "down", "down", "down", "enter", "tab")
	hs.Type("7000")
	hs.MustShow("it would run")
	// A second condition, removed again.
	hs.Press("down", "enter")
	hs.MustShow("When 2")
	hs.Press("ctrl+x")
	hs.MustNotShow("When 2")
	// Step 2 reads step 1's answer: steps.1.… paths are offered.
	hs.Press("down", "down", "down", "down", "down", "down", "down", "down", "enter")
	hs.MustShow("Step 2", "‹Get user by email›")
	hs.Press("tab", "enter")
	hs.MustShow("Pill for step 2 · email")
	hs.Type("steps.1.m")
	hs.MustShow("steps.1.msg", "string")
	hs.Press("enter")
	hs.MustShow("{{steps.1.msg}}")
	// A step whose action is changed keeps the fields both actions have.
	hs.Press("up", "enter")
	hs.Type("track")
	hs.Press("enter")
	hs.MustShow("‹Track event›", "{{steps.1.msg}}")
	hs.Press("tab")
	hs.Type("clicked")
	hs.Press("ctrl+s")
	hs.MustShow("added two-steps (disarmed)")
	r, err := rs.Get(context.Background(), "two-steps")
	if err != nil {
		t.Fatal(err)
	}
	if len(r.When) != 1 || r.When[0].String() != "dataFields.campaignId > 7000" {
		t.Errorf("conditions: %v", r.When)
	}
	if len(r.Steps) != 2 || r.Steps[1].Action != "track-event" || string(r.Steps[1].Input) != `{"email":"{{steps.1.msg}}","eventName":"clicked"}` {
		t.Errorf("steps: %+v", r.Steps)
	}
}

// A job's detail longer than its pane scrolls with the arrows and the page keys.
func TestJobDetailScrolls(t *testing.T) {
	deps, _, rs, srv := recipeDeps(t)
	three := recipe.Recipe{Name: "three", Trigger: "clicks", Steps: []recipe.Step{
		{Action: "upsert-user", Input: json.RawMessage(`{"email":"{{email}}","dataFields":{"lastClickedCampaign":"{{dataFields.campaignId}}"}}`)},
		{Action: "get-user", Input: json.RawMessage(`{"email":"{{email}}"}`)},
		{Action: "track-event", Input: json.RawMessage(`{"email":"{{email}}","eventName":"recipeRan","dataFields":{"plan":"{{steps.2.user.dataFields.lastClickedCampaign}}"}}`)},
	}}
	addRecipe(t, rs, three)
	if err := rs.Arm(context.Background(), "three", 0); err != nil {
		t.Fatal(err)
	}
	postClick(t, srv, clickJSON)
	runJobs(t, deps, 1)
	hs := newHarness(t, deps, 80, 24)
	hs.Press("6", "enter", "enter")
	hs.MustShow("Job 1 · succeeded", "1–19 of ", "1. POST /api/users/update")
	hs.MustNotShow("3. POST /api/events/track")
	hs.Press("pgdown")
	hs.MustShow("19–37 of ")
	hs.MustNotShow("1. POST /api/users/update")
	hs.Press("end")
	hs.MustShow("3. POST /api/events/track", `"eventName": "recipeRan"`)
	hs.Press("home")
	hs.MustShow("1–19 of ", "1. POST /api/users/update")
	hs.Press("down", "down")
	hs.MustShow("3–21 of ")
	hs.Press("pgup")
	hs.MustShow("1–19 of ")
	hs.Press("esc")
	hs.MustShow("Jobs: 1 ok")
}

// The project's field types narrow the pills a data field is offered, and
// a typed value the field's type refuses is refused at save.
func TestEditorDataFieldsFollowTheProjectTypes(t *testing.T) {
	deps, _, rs, srv := recipeDeps(t)
	postClick(t, srv, clickJSON)
	up, _ := client.LookupAction("upsert-user")
	if _, err := deps.Client.Run(context.Background(), up, []byte(`{"email":"old@acme.io","dataFields":{"age":30}}`)); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6", "n")
	hs.Type("ages")
	hs.Press("tab", "tab", "tab", "tab", "tab", "tab", "enter")
	hs.Type("age")
	hs.Press("tab", "enter")
	hs.MustShow("Pill for step 1 · dataFields.age", "lands as long", "dataFields.campaignId", "4 more whose type does not fit are not offered")
	hs.MustNotShow("dataFields.url", "eventName")
	hs.Press("esc")
	hs.Type("forty")
	hs.Press("ctrl+s")
	hs.MustShow(`✗ step 1, dataFields.age: "forty" is a string, but the`, "project's field age is a long")
	if _, err := rs.Get(context.Background(), "ages"); err == nil {
		t.Fatal("saved a recipe the check refused")
	}
	// A number typed is a number.
	hs.Press("ctrl+u")
	hs.Type("41")
	hs.MustShow(`"age": 41`)
	hs.MustNotShow("✗ step 1")
	// A pasted value lands in the field, one line of it.
	hs.Press("ctrl+u")
	hs.Paste("4\n2")
	hs.MustShow(`"age": "4 2"`, "✗ step 1, dataFields.age")
	// Typed spaces stay.
	hs.Press("ctrl+u")
	hs.Type("a b")
	hs.MustShow(`"age": "a b"`)
	hs.Press("ctrl+u", "enter", "enter")
	hs.MustShow("dataFields.age = {{dataFields.campaignId}}", `"age": 7001`)
	hs.Press("ctrl+s")
	hs.MustShow("added ages (disarmed)")
}

// The preview follows new events of the trigger, and esc asks before a
// recipe being made is lost.
func TestEditorPreviewFollowsNewEventsAndEscAsks(t *testing.T) {
	deps, _, rs, srv := recipeDeps(t)
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6", "n")
	hs.MustShow("New recipe", "no event of clicks yet to preview on")
	postClick(t, srv, clickJSON)
	hs.Send(page.EventsMsg{New: 1})
	hs.MustShow("Preview · event 1", `"email": "ana@acme.io"`)
	postClick(t, srv, strings.Replace(clickJSON, "ana@acme.io", "bo@acme.io", 1))
	hs.Send(page.EventsMsg{New: 1})
	hs.MustShow("Preview · event 2", `"email": "bo@acme.io"`)
	hs.Type("kept")
	hs.Press("esc")
	hs.MustShow("Discard the new recipe?")
	hs.Press("n")
	hs.MustShow("New recipe", "kept")
	hs.Press("esc", "y")
	hs.MustNotShow("New recipe")
	hs.MustShow("┌ Recipes")
	if all, _ := rs.List(context.Background()); len(all) != 0 {
		t.Fatalf("a discarded recipe was saved: %v", all)
	}
}

// A job left unknown (its step in flight when a process died) is re-run
// from its detail with R, as a new job that says what it re-runs.
func TestUnknownJobReRunsFromItsDetail(t *testing.T) {
	deps, st, rs, srv := recipeDeps(t)
	addRecipe(t, rs, lastClick)
	if err := rs.Arm(context.Background(), "last-click", 0); err != nil {
		t.Fatal(err)
	}
	postClick(t, srv, clickJSON)
	runJobs(t, deps, 1)
	db, err := sql.Open("sqlite", st.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`UPDATE jobs SET status = 'unknown', reason = 'step 1 may have been sent when iwb stopped'`); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6", "enter", "enter")
	hs.MustShow("Job 1 · unknown", "step 1 may have been sent when iwb stopped", "Event 1 · emailClick · ana@acme.io")
	hs.Press("R")
	hs.MustShow("job 2: succeeded", "Job 2 · succeeded", "re-run of job 1", "200 in", `"code": "Success"`)
}

// e opens a saved recipe in the editor as it was saved; a change is saved
// under its name, disarmed.
func TestEditorChangesASavedRecipe(t *testing.T) {
	deps, _, rs, srv := recipeDeps(t)
	postClick(t, srv, clickJSON)
	saved := recipe.Recipe{Name: "saved", Trigger: "clicks",
		When: []recipe.Condition{{Path: "dataFields.campaignId", Op: recipe.OpGt, Value: json.Number("7")}, {Path: "email", Op: recipe.OpExists}},
		Steps: []recipe.Step{{Action: "upsert-user", Input: json.RawMessage(
			`{"email":"{{email}}","dataFields":{"code":"7","last":"{{dataFields.campaignId}}","tags":["a"]},"preferUserId":false,"notInTheRequest":1}`)}}}
	addRecipe(t, rs, saved)
	if err := rs.Arm(context.Background(), "saved", 0); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, deps, 120, 40)
	hs.Press("6", "e")
	hs.MustShow("Edit recipe saved", "dataFields.campaignId ‹>› 7", "email ‹exists›", `dataFields.code = "7"`,
		"dataFields.last = {{dataFields.campaignId}}", `dataFields.tags = ["a"]`, "preferUserId        false", "saved  (its name stays)")
	hs.Type("ignored") // the name of a saved recipe stays
	hs.MustNotShow("savedignored")
	// Saved unchanged, it reads back the same, disarmed.
	hs.Press("ctrl+s")
	hs.MustShow("saved saved (disarmed)")
	r, err := rs.Get(context.Background(), "saved")
	if err != nil {
		t.Fatal(err)
	}
	if r.Armed {
		t.Error("a changed recipe stayed armed")
	}
	a, _ := json.Marshal(saved)
	b, _ := json.Marshal(r.Recipe)
	if !jsonEqual(t, a, b) {
		t.Errorf("round trip through the editor:\n got %s\nwant %s", b, a)
	}
	// A change is kept.
	hs.Press("e", "tab", "tab", "ctrl+u")
	hs.Type("dataFields.url")
	hs.Press("ctrl+s")
	hs.MustShow("saved saved (disarmed)")
	if r, _ := rs.Get(context.Background(), "saved"); r.When[0].Path != "dataFields.url" {
		t.Errorf("conditions after the change: %v", r.When)
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	xa, _ := json.Marshal(x)
	ya, _ := json.Marshal(y)
	return string(xa) == string(ya)
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
				hs.Press("tab", "tab", "tab", "tab", "tab", "tab", "enter")
				hs.Type("lastCampaign")
				hs.Press("tab")
				hs.CheckFrame(size[0], size[1])
				golden.RequireEqual(t, hs.Screen())
			})
			t.Run("picker", func(t *testing.T) {
				hs.Press("shift+tab", "shift+tab", "shift+tab", "ctrl+u", "enter")
				hs.MustShow("Pill for step 1 · email", "lands as string")
				hs.CheckFrame(size[0], size[1])
				golden.RequireEqual(t, hs.Screen())
			})
		})
	}
}
