//go:build unix

package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/tui/tuitest"
)

// recipeHome is an iwb home whose commands reach a sandbox over loopback
// through ITERABLE_API_KEY and ITERABLE_BASE_URL.
type recipeHome struct {
	t    *testing.T
	bin  string
	home string
	env  []string
	sb   *sandbox.Sandbox
	api  *client.Client
	// slow delays every API answer, so jobs are mid-run when a test needs them to be.
	slow atomic.Int64
	hits atomic.Int64 // requests the sandbox saw
}

func newRecipeHome(t *testing.T) *recipeHome {
	t.Helper()
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	h := &recipeHome{t: t, bin: buildIWB(t), home: t.TempDir()}
	h.sb = sandbox.New(sandbox.Options{Logger: slog.New(slog.DiscardHandler)})
	t.Cleanup(h.sb.Close)
	inner := h.sb.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost {
			h.hits.Add(1)
		}
		time.Sleep(time.Duration(h.slow.Load()))
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	h.env = baseEnv("IWB_HOME="+h.home, "ITERABLE_API_KEY="+h.sb.Key(), "ITERABLE_BASE_URL="+srv.URL)
	var err error
	if h.api, err = client.New(client.Options{BaseURL: srv.URL, Key: h.sb.Key()}); err != nil {
		t.Fatal(err)
	}
	return h
}

func (h *recipeHome) iwb(wantCode int, args ...string) iwbResult {
	h.t.Helper()
	r := runIWB(h.t, h.bin, h.env, "", args...)
	if r.code != wantCode {
		h.t.Fatalf("iwb %v: exit %d, want %d\nstdout %s\nstderr %s", args, r.code, wantCode, r.stdout, r.stderr)
	}
	return r
}

func (h *recipeHome) file(name, content string) string {
	p := filepath.Join(h.t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		h.t.Fatal(err)
	}
	return p
}

// setUp adds the trigger "clicks" on emailClick with a schema inferred from
// a sample, and the recipe file given, armed.
func (h *recipeHome) setUp(recipeJSON string) {
	h.t.Helper()
	h.iwb(0, "trigger", "add", "object", "clicks", "--event", "emailClick")
	sample := h.file("click.json", clickBody("sample@acme.io", 7001, "m0"))
	inferred := h.iwb(0, "schema", "infer", sample)
	h.iwb(0, "trigger", "schema", "clicks", "--file", h.file("schema.json", inferred.stdout))
	h.iwb(0, "recipe", "add", "--file", h.file("recipe.json", recipeJSON))
	h.iwb(0, "recipe", "arm", "click-recipe")
}

func clickBody(email string, campaign int, messageID string) string {
	return fmt.Sprintf(`{"email":%q,"eventName":"emailClick","dataFields":{"campaignId":%d,"messageId":%q,
		"url":"https://shop.example.com/spring","vip":true,"labels":["spring","sale"],"price":12.5}}`, email, campaign, messageID)
}

// listenProc is one `iwb listen` process and what it wrote to stderr.
type listenProc struct {
	cmd  *exec.Cmd
	addr string
	mu   sync.Mutex
	errs strings.Builder
	done chan struct{}
}

func (h *recipeHome) listen() *listenProc {
	h.t.Helper()
	return h.listenAt(h.home)
}

// listenAt starts `iwb listen` with home as its iwb home, as on another host.
func (h *recipeHome) listenAt(home string) *listenProc {
	h.t.Helper()
	p := &listenProc{addr: freePort(h.t), done: make(chan struct{})}
	p.cmd = exec.Command(h.bin, "listen", "--addr", p.addr)
	p.cmd.Env = append(slices.Clip(h.env), "IWB_HOME="+home) // the last of a name counts
	p.cmd.Stdout = io.Discard
	stderr, err := p.cmd.StderrPipe()
	if err != nil {
		h.t.Fatal(err)
	}
	if err := p.cmd.Start(); err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { p.cmd.Process.Kill(); <-p.done })
	go func() {
		defer close(p.done)
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			p.mu.Lock()
			p.errs.WriteString(sc.Text() + "\n")
			p.mu.Unlock()
		}
		p.cmd.Wait()
	}()
	p.waitSaid(h.t, "listening on")
	return p
}

func (p *listenProc) said(part string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return strings.Contains(p.errs.String(), part)
}

func (p *listenProc) waitSaid(t *testing.T, part string) {
	t.Helper()
	tuitest.WaitFor(t, 20*time.Second, fmt.Sprintf("iwb listen to say %q", part), func() bool { return p.said(part) })
}

// kill ends the process with SIGKILL: nothing of it runs after.
func (p *listenProc) kill(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	<-p.done
}

func (p *listenProc) post(t *testing.T, body string) int64 {
	t.Helper()
	resp, err := http.Post("http://"+p.addr+"/iterable", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var ok struct{ ID string }
	json.NewDecoder(resp.Body).Decode(&ok)
	var id int64
	fmt.Sscan(ok.ID, &id)
	if resp.StatusCode != http.StatusOK || id == 0 {
		t.Fatalf("posting: %d", resp.StatusCode)
	}
	return id
}

// jobs reads the job log with `iwb jobs list --json`.
func (h *recipeHome) jobs() []jobLineJSON {
	h.t.Helper()
	r := h.iwb(0, "jobs", "list", "--json", "--limit", "1000")
	var out []jobLineJSON
	for _, line := range strings.Split(strings.TrimSpace(r.stdout), "\n") {
		if line == "" {
			continue
		}
		var j jobLineJSON
		if err := json.Unmarshal([]byte(line), &j); err != nil {
			h.t.Fatalf("a line of jobs list --json: %v: %s", err, line)
		}
		out = append(out, j)
	}
	return out
}

type jobLineJSON struct {
	ID      int64  `json:"id"`
	Recipe  string `json:"recipe"`
	EventID int64  `json:"event_id"`
	Status  string `json:"status"`
	Reason  string `json:"reason"`
	Steps   []struct {
		Action  string `json:"action"`
		Status  int    `json:"status"`
		Request struct {
			Method string          `json:"method"`
			Path   string          `json:"path"`
			Body   json.RawMessage `json:"body"`
		} `json:"request"`
		Answer json.RawMessage `json:"answer"`
	} `json:"steps"`
}

// recipeStore reads the job log straight from the file, for fast polling.
func (h *recipeHome) recipeStore() *recipe.Store {
	h.t.Helper()
	rs, err := recipe.Open(filepath.Join(h.home, "events.db"))
	if err != nil {
		h.t.Fatal(err)
	}
	h.t.Cleanup(func() { rs.Close() })
	return rs
}

func finishedJobs(t *testing.T, rs *recipe.Store) (finished, all []recipe.Job) {
	t.Helper()
	all, err := rs.Jobs(context.Background(), recipe.JobQuery{Limit: 10000})
	if err != nil {
		t.Fatal(err)
	}
	for _, j := range all {
		if j.Status.Finished() {
			finished = append(finished, j)
		}
	}
	return finished, all
}

const clickRecipe = `{
  "name": "click-recipe",
  "trigger": "clicks",
  "when": [{"path": "dataFields.campaignId", "op": ">", "value": 100}],
  "steps": [{"action": "upsert-user", "input": {
    "email": "{{email}}",
    "dataFields": {"lastClickedCampaign": "{{dataFields.campaignId}}", "vip": "{{dataFields.vip}}",
      "labels": "{{dataFields.labels}}", "price": "{{dataFields.price}}", "note": "clicked {{dataFields.campaignId}}"}
  }}]
}`

// TestRecipeFromAFileTurnsEventsIntoJobs: against the sandbox and `iwb
// listen`, a recipe from a file, armed, turns N posted matching events into
// N succeeded jobs and the non-matching ones into skipped jobs with the
// reason; the sandbox's users carry the mapped values with their types.
func TestRecipeFromAFileTurnsEventsIntoJobs(t *testing.T) {
	h := newRecipeHome(t)
	h.iwb(0, "trigger", "add", "object", "clicks", "--event", "emailClick")
	sample := h.file("click.json", clickBody("sample@acme.io", 7001, "m0"))
	h.iwb(0, "trigger", "schema", "clicks", "--file", h.file("schema.json", h.iwb(0, "schema", "infer", sample).stdout))

	// Refusals, each one line with the contract's code.
	for _, c := range []struct {
		code int
		want string
		args []string
	}{
		{2, "reading the recipe", []string{"recipe", "add", "--file", h.file("bad.json", `{"name": "x",`)}},
		{2, `unknown field "stpes"`, []string{"recipe", "add", "--file", h.file("typo.json", `{"name":"x","trigger":"clicks","stpes":[]}`)}},
		{2, "campaignId: {{email}} is a string, but campaignId takes an integer", []string{"recipe", "add", "--file",
			h.file("unfit.json", `{"name":"x","trigger":"clicks","steps":[{"action":"send-sms","input":{"campaignId":"{{email}}","recipientEmail":"{{email}}"}}]}`)}},
		{2, "trigger \"clicks\"'s schema has no dataFields.nope", []string{"recipe", "add", "x", "--trigger", "clicks", "--action", "upsert-user",
			"--input", `{"email":"{{email}}","dataFields":{"a":"{{dataFields.nope}}"}}`}},
		{3, `no trigger named "nope"`, []string{"recipe", "add", "x", "--trigger", "nope", "--action", "upsert-user", "--input", `{"email":"{{email}}"}`}},
		{3, `no recipe named "nope"`, []string{"recipe", "show", "nope"}},
		{3, `no recipe named "nope"`, []string{"recipe", "arm", "nope"}},
		{3, "no job 99", []string{"jobs", "show", "99"}},
		{2, "--status", []string{"jobs", "list", "--status", "done"}},
	} {
		r := h.iwb(c.code, c.args...)
		if !strings.Contains(r.stderr, c.want) || strings.Count(r.stderr, "\n") != 1 {
			t.Errorf("%v: stderr %q, want one line with %q", c.args, r.stderr, c.want)
		}
	}
	added := h.iwb(0, "recipe", "add", "--file", h.file("recipe.json", clickRecipe))
	if !strings.Contains(added.stdout, "checked against its schema") || !strings.Contains(added.stdout, "disarmed") {
		t.Errorf("recipe add: %q", added.stdout)
	}
	h.iwb(3, "recipe", "test", "click-recipe", "--event", "99")

	l := h.listen()
	early := l.post(t, clickBody("early@acme.io", 7001, "m-early")) // before arming: never a job
	test := h.iwb(0, "recipe", "test", "click-recipe", "--event", fmt.Sprint(early), "--json")
	var tr struct {
		Conditions bool
		Steps      []struct {
			Action, Method, Path string
			Body                 json.RawMessage
		}
	}
	if err := json.Unmarshal([]byte(test.stdout), &tr); err != nil || !tr.Conditions || len(tr.Steps) != 1 ||
		tr.Steps[0].Method != "POST" || tr.Steps[0].Path != "/api/users/update" ||
		!strings.Contains(string(tr.Steps[0].Body), `"lastClickedCampaign":7001`) {
		t.Fatalf("recipe test --json: %v %s", err, test.stdout)
	}
	if strings.Contains(test.stdout, h.sb.Key()) {
		t.Fatal("the key is in the test's output")
	}
	if hits := h.hits.Load(); hits != 0 {
		t.Fatalf("a test sent %d requests", hits)
	}
	h.iwb(0, "recipe", "arm", "click-recipe")

	const n = 6
	for i := range n {
		l.post(t, clickBody(fmt.Sprintf("user%d@acme.io", i), 7000+i, fmt.Sprintf("m%d", i)))
	}
	l.post(t, clickBody("low1@acme.io", 5, "low1"))
	l.post(t, clickBody("low2@acme.io", 7, "low2"))
	l.post(t, `{"email":"open@acme.io","eventName":"emailOpen","dataFields":{"campaignId":7001}}`) // not the trigger's

	rs := h.recipeStore()
	tuitest.WaitFor(t, 30*time.Second, "n+2 finished jobs", func() bool { f, _ := finishedJobs(t, rs); return len(f) >= n+2 })
	jobs := h.jobs()
	succeeded, skipped := 0, 0
	for _, j := range jobs {
		if j.EventID == early {
			t.Errorf("the event stored before arming started job %d", j.ID)
		}
		switch j.Status {
		case "succeeded":
			succeeded++
			if len(j.Steps) != 1 || j.Steps[0].Status != 200 || j.Steps[0].Action != "upsert-user" ||
				j.Steps[0].Request.Path != "/api/users/update" || !strings.Contains(string(j.Steps[0].Answer), "Success") {
				t.Errorf("job %d's step: %+v", j.ID, j.Steps)
			}
		case "skipped":
			skipped++
			if !strings.Contains(j.Reason, "condition dataFields.campaignId > 100 is false") || len(j.Steps) != 0 {
				t.Errorf("job %d skipped for %q", j.ID, j.Reason)
			}
		default:
			t.Errorf("job %d is %s: %s", j.ID, j.Status, j.Reason)
		}
	}
	if succeeded != n || skipped != 2 || len(jobs) != n+2 {
		t.Fatalf("%d succeeded, %d skipped of %d jobs; want %d and 2", succeeded, skipped, len(jobs), n)
	}
	for i := range n {
		u, err := h.api.GetUserByEmail(context.Background(), fmt.Sprintf("user%d@acme.io", i))
		if err != nil {
			t.Fatal(err)
		}
		df := u.DataFields
		if df["lastClickedCampaign"] != float64(7000+i) || df["vip"] != true || df["price"] != 12.5 ||
			fmt.Sprint(df["labels"]) != "[spring sale]" || df["note"] != fmt.Sprintf("clicked %d", 7000+i) {
			t.Errorf("user%d: %v", i, df)
		}
	}
	l.waitSaid(t, "recipes: this process runs the armed recipes")
	l.waitSaid(t, `recipe "click-recipe" on event`)
	if r := h.iwb(2, "jobs", "rerun", fmt.Sprint(jobs[0].ID)); !strings.Contains(r.stderr, "only a failed, unknown or skipped job") {
		t.Errorf("rerun of a succeeded job: %q", r.stderr)
	}
	// A real run on a stored event, from a test: confirmed, or refused.
	if r := h.iwb(2, "recipe", "test", "click-recipe", "--event", fmt.Sprint(early), "--run"); !strings.Contains(r.stderr, "confirm with --yes") {
		t.Errorf("--run without --yes: %q", r.stderr)
	}
	run := h.iwb(0, "recipe", "test", "click-recipe", "--event", fmt.Sprint(early), "--run", "--yes")
	if !strings.Contains(run.stderr, "succeeded") {
		t.Errorf("--run --yes: %s", run.stderr)
	}
	if u, err := h.api.GetUserByEmail(context.Background(), "early@acme.io"); err != nil || u.DataFields["lastClickedCampaign"] != float64(7001) {
		t.Errorf("the run by hand: %v %v", u, err)
	}
	list := h.iwb(0, "recipe", "list")
	if !strings.Contains(list.stdout, "click-recipe") || !strings.Contains(list.stdout, "yes") {
		t.Errorf("recipe list: %s", list.stdout)
	}
}

// TestJobsExactlyOnceAcrossSIGKILL: iwb listen is killed mid-run and
// started again; every event gets exactly one job, no succeeded job's
// event was tracked twice, and none was lost. The sandbox's tracked events,
// read back through GET /api/events/{email}, are the proof.
func TestJobsExactlyOnceAcrossSIGKILL(t *testing.T) {
	h := newRecipeHome(t)
	h.setUp(`{"name": "click-recipe", "trigger": "clicks", "cap": 1000, "steps": [{"action": "track-event",
		"input": {"email": "{{email}}", "eventName": "clickSeen", "dataFields": {"messageId": "{{dataFields.messageId}}"}}}]}`)
	h.slow.Store(int64(150 * time.Millisecond)) // 40 jobs take 6 s: the kill lands mid-run
	rs := h.recipeStore()
	l := h.listen()
	const n = 40
	for i := range n {
		l.post(t, clickBody(fmt.Sprintf("u%d@acme.io", i), 7001, fmt.Sprintf("m%d", i)))
	}
	tuitest.WaitFor(t, 30*time.Second, "a few jobs done", func() bool { f, _ := finishedJobs(t, rs); return len(f) >= 5 })
	l.kill(t)
	if f, _ := finishedJobs(t, rs); len(f) == n {
		t.Fatal("every job finished before the kill: nothing was mid-run")
	}
	h.slow.Store(0)
	h.listen()
	tuitest.WaitFor(t, 60*time.Second, "every job finished after the restart", func() bool { f, _ := finishedJobs(t, rs); return len(f) >= n })
	_, all := finishedJobs(t, rs)
	byEvent := map[int64]recipe.Job{}
	for _, j := range all {
		if _, twice := byEvent[j.EventID]; twice {
			t.Fatalf("event %d has two jobs", j.EventID)
		}
		byEvent[j.EventID] = j
	}
	if len(byEvent) != n {
		t.Fatalf("%d events have a job, want %d: none may be lost", len(byEvent), n)
	}
	unknown := 0
	for i := range n {
		email := fmt.Sprintf("u%d@acme.io", i)
		events, err := h.api.UserEvents(context.Background(), email, 50)
		if err != nil {
			t.Fatalf("GET /api/events/%s: %v", email, err)
		}
		tracked := 0
		for _, e := range events {
			if e["eventName"] == "clickSeen" {
				tracked++
			}
		}
		var job recipe.Job
		for _, j := range all {
			if len(j.Steps) > 0 && strings.Contains(string(j.Steps[0].Body), fmt.Sprintf(`"m%d"`, i)) {
				job = j
			}
		}
		switch job.Status {
		case recipe.StatusSucceeded:
			if tracked != 1 {
				t.Errorf("%s: its job succeeded and it was tracked %d times", email, tracked)
			}
		case recipe.StatusUnknown:
			unknown++
			if tracked > 1 {
				t.Errorf("%s: its job is unknown and it was tracked %d times", email, tracked)
			}
		default:
			t.Errorf("%s: job %d is %s (%s)", email, job.ID, job.Status, job.Reason)
		}
	}
	t.Logf("%d jobs, %d unknown after the kill", n, unknown)
}

// TestUnknownAfterACrashInsideAStep: iwb listen is killed while a step's
// request is at Iterable; after the restart the job is unknown and the step
// is not sent again.
func TestUnknownAfterACrashInsideAStep(t *testing.T) {
	h := newRecipeHome(t)
	var hang atomic.Bool
	hang.Store(true)
	arrived := make(chan struct{}, 10)
	release := make(chan struct{})
	var updates atomic.Int64
	inner := h.sb.Handler()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/users/update" {
			updates.Add(1)
			if hang.Load() {
				arrived <- struct{}{}
				<-release
				return
			}
		}
		inner.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) }) // before srv.Close, which waits for the held request
	h.env = baseEnv("IWB_HOME="+h.home, "ITERABLE_API_KEY="+h.sb.Key(), "ITERABLE_BASE_URL="+srv.URL)
	h.setUp(strings.Replace(clickRecipe, `"when": [{"path": "dataFields.campaignId", "op": ">", "value": 100}],`, "", 1))
	l := h.listen()
	l.post(t, clickBody("ana@acme.io", 7001, "m1"))
	select {
	case <-arrived:
	case <-time.After(20 * time.Second):
		t.Fatal("the step never reached the API")
	}
	l.kill(t)
	hang.Store(false)
	l = h.listen()
	l.waitSaid(t, "marked unknown and not sent again")
	jobs := h.jobs()
	if len(jobs) != 1 || jobs[0].Status != "unknown" || !strings.Contains(jobs[0].Reason, "step 1 was in flight") {
		t.Fatalf("jobs: %+v", jobs)
	}
	time.Sleep(time.Second) // two polls of the restarted runner
	if n := updates.Load(); n != 1 {
		t.Fatalf("the step was sent %d times", n)
	}
	// By hand, it runs again, through the listener that holds the lock.
	r := h.iwb(0, "jobs", "rerun", fmt.Sprint(jobs[0].ID))
	if !strings.Contains(r.stdout, "succeeded") || updates.Load() != 2 {
		t.Fatalf("rerun: %s, %d updates", r.stdout, updates.Load())
	}
}

// TestRunnerLockBetweenTwoListeners: of two iwb listen on one event log, one
// runs the recipes and the other says it stands by; events the second
// stores are taken up by the first; when the first dies, the second takes over.
func TestRunnerLockBetweenTwoListeners(t *testing.T) {
	h := newRecipeHome(t)
	h.setUp(strings.Replace(clickRecipe, `"when": [{"path": "dataFields.campaignId", "op": ">", "value": 100}],`, "", 1))
	rs := h.recipeStore()
	first := h.listen()
	first.waitSaid(t, "recipes: this process runs the armed recipes")
	second := h.listen()
	second.waitSaid(t, fmt.Sprintf("recipes: another iwb process (pid %d) runs the recipes of this event log; this one stands by", first.cmd.Process.Pid))
	second.post(t, clickBody("via-second@acme.io", 7001, "m1"))
	tuitest.WaitFor(t, 10*time.Second, "the first listener's runner to take up the second's event", func() bool { f, _ := finishedJobs(t, rs); return len(f) == 1 })
	first.waitSaid(t, "succeeded")
	first.kill(t)
	second.waitSaid(t, "recipes: the process that ran them stopped; this one runs them now")
	second.post(t, clickBody("after@acme.io", 7002, "m2"))
	tuitest.WaitFor(t, 10*time.Second, "the second listener's runner", func() bool { f, _ := finishedJobs(t, rs); return len(f) == 2 })
	for _, j := range h.jobs() {
		if j.Status != "succeeded" {
			t.Errorf("job %d: %s %s", j.ID, j.Status, j.Reason)
		}
	}
}

// TestRecipeDisarmsItselfPastItsCap: past its cap a recipe disarms itself,
// and iwb listen says why.
func TestRecipeDisarmsItselfPastItsCap(t *testing.T) {
	h := newRecipeHome(t)
	h.setUp(strings.Replace(clickRecipe, `"trigger": "clicks",`, `"trigger": "clicks", "cap": 2,`, 1))
	l := h.listen()
	for i := range 4 {
		l.post(t, clickBody(fmt.Sprintf("u%d@acme.io", i), 7001, fmt.Sprintf("m%d", i)))
	}
	l.waitSaid(t, `recipe "click-recipe" disarmed itself: started 2 jobs within a minute, its cap; arm it again with 'iwb recipe arm click-recipe'`)
	show := h.iwb(0, "recipe", "show", "click-recipe", "--json")
	var v struct {
		Armed        bool
		DisarmReason string
	}
	if err := json.Unmarshal([]byte(show.stdout), &v); err != nil || v.Armed || !strings.Contains(v.DisarmReason, "its cap") {
		t.Fatalf("recipe show: %v %s", err, show.stdout)
	}
	if jobs := h.jobs(); len(jobs) != 2 {
		t.Fatalf("%d jobs, want the cap's 2", len(jobs))
	}
}
