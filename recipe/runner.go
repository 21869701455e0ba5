package recipe

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/filelock"
	"github.com/iwb-dev/iwb/webhook"
)

// errLocked is the runner lock held by another process.
var errLocked = filelock.ErrLocked

// RunnerOptions wire a Runner to its process.
type RunnerOptions struct {
	Events  webhook.EventLog
	Recipes *Store
	// Client is the process's connection to Iterable, asked for when the
	// first step is about to be sent.
	Client func(context.Context) (*client.Client, error)
	Log    *slog.Logger
	// Notify receives one line for the user: who runs the recipes, a recipe
	// that disarmed itself, jobs found in flight after a crash.
	Notify func(string)
	// OnJob receives every job that finished or was skipped.
	OnJob func(Job)
	// Poll is how often the log is read for new events and queued jobs;
	// default 500ms.
	Poll time.Duration
	// Retry is how often a runner standing by tries the lock; default 2s.
	Retry time.Duration
	// Grace is how long a step in flight may still take once the runner is
	// stopped; default 10s. A step cut short is unknown, not failed.
	Grace time.Duration
}

// Runner runs the armed recipes of one event log for its new events. Exactly
// one runner per event log runs at a time: the one holding the log's runner
// lock (a lock file beside an SQLite log, an advisory lock in a PostgreSQL
// one). The others stand by and take over when it goes.
type Runner struct {
	o         RunnerOptions
	cursors   map[string]*cursor
	clientMu  sync.Mutex
	client    *client.Client
	clientErr error
}

// cursor is where a recipe's scan of the log stands.
type cursor struct {
	armedAfter int64 // the recipe's ArmedAfter it was set for: arming again resets it
	after      int64 // the newest event id looked at
	// Where events may commit out of id order, settled is the id up to
	// which every event is committed or never will be: ids from there to
	// after are read again, for events that appeared late. marks are the
	// reads not settled yet.
	settled  int64
	marks    []mark
	lateRead time.Time
}

// mark is a read of the log: every id up to after was taken before at.
type mark struct {
	at    time.Time
	after int64
}

// NewRunner makes a runner; Run starts it.
func NewRunner(o RunnerOptions) *Runner {
	if o.Poll <= 0 {
		o.Poll = 500 * time.Millisecond
	}
	if o.Retry <= 0 {
		o.Retry = 2 * time.Second
	}
	if o.Grace <= 0 {
		o.Grace = 10 * time.Second
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.Notify == nil {
		o.Notify = func(string) {}
	}
	return &Runner{o: o, cursors: map[string]*cursor{}}
}

// errLockLost is the runner lock taken from a runner: its connection to
// the database dropped.
var errLockLost = errors.New("lost the runner lock")

// Run takes the event log's runner lock, or stands by until it can, and
// runs recipes until ctx ends. It returns nil when ctx ends.
func (r *Runner) Run(ctx context.Context) error {
	saidStandBy, saidFailing := false, false
	for {
		l, holder, err := r.o.Recipes.tables.lockRunner(ctx)
		switch {
		case err == nil:
			if saidStandBy {
				r.o.Notify("recipes: the process that ran them stopped; this one runs them now")
			} else {
				r.o.Notify("recipes: this process runs the armed recipes of this event log")
			}
			err := r.serve(ctx, l)
			l.release()
			if !errors.Is(err, errLockLost) {
				return err
			}
			r.o.Notify("recipes: this process lost the runner lock (" + err.Error() + "); it stands by")
			saidStandBy, saidFailing = true, false
		case ctx.Err() != nil:
			return nil
		case errors.Is(err, errLocked):
			if !saidStandBy {
				r.o.Notify(fmt.Sprintf("recipes: another iwb process%s runs the recipes of this event log; this one stands by", holder))
				saidStandBy = true
			}
		default:
			// The database may be away for a moment: try again, as when standing by.
			if !saidFailing {
				r.o.Log.Warn("taking the recipe runner's lock", "store", r.o.Recipes.Path(), "err", err)
				r.o.Notify(fmt.Sprintf("recipes: the runner's lock at %s could not be taken (%v); trying again", r.o.Recipes.Path(), err))
				saidFailing = true
			}
		}
		t := time.NewTimer(r.o.Retry)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-t.C:
		}
	}
}

// lockCheckEvery is how often a runner makes sure it still holds the lock.
const lockCheckEvery = 2 * time.Second

// serve is the runner holding the lock: it settles what a runner that
// stopped left, then reads the log for new events and runs queued jobs,
// until ctx ends or the lock is lost.
func (r *Runner) serve(ctx context.Context, l lease) error {
	unknown, requeued, err := r.o.Recipes.recoverJobs(ctx)
	if err != nil {
		return err
	}
	if unknown > 0 {
		r.o.Notify(fmt.Sprintf("recipes: %d job(s) had a step in flight when iwb stopped: marked unknown and not sent again (iwb jobs list --status unknown)", unknown))
	}
	if requeued > 0 {
		r.o.Log.Info("recipe jobs resumed", "jobs", requeued)
	}
	tick := time.NewTicker(r.o.Poll)
	defer tick.Stop()
	checked := time.Now()
	for {
		if time.Since(checked) >= lockCheckEvery {
			if err := l.held(ctx); err != nil && ctx.Err() == nil {
				return fmt.Errorf("%w: %v", errLockLost, err)
			}
			checked = time.Now()
		}
		// Reading the log and running jobs take turns in bounded rounds, so
		// a burst of events neither starves the jobs nor the reading.
		moreEvents, err := r.scan(ctx)
		if err != nil && ctx.Err() == nil {
			r.o.Log.Error("reading events for recipes", "err", err)
		}
		moreJobs, err := r.runQueued(ctx, jobsPerRound)
		if err != nil && ctx.Err() == nil {
			r.o.Log.Error("running recipe jobs", "err", err)
		}
		if ctx.Err() != nil {
			return nil
		}
		if moreEvents || moreJobs {
			continue
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// jobsPerRound bounds the jobs run between two reads of the log.
const jobsPerRound = 64

// scanPage is how many events one read of the log takes.
const scanPage = 256

// scan stores a job for every event an armed recipe's trigger matched since
// it was last read: queued, or skipped with the reason. Past a recipe's cap
// the recipe disarms itself.
// It reads at most one page per recipe; more says there may be more.
func (r *Runner) scan(ctx context.Context) (more bool, err error) {
	armed, err := r.o.Recipes.Armed(ctx)
	if err != nil {
		return false, err
	}
	for _, rec := range armed {
		m, err := r.scanRecipe(ctx, rec)
		if err != nil {
			return false, err
		}
		more = more || m
	}
	return more, nil
}

func (r *Runner) scanRecipe(ctx context.Context, rec Saved) (more bool, err error) {
	cur := r.cursors[rec.Name]
	if cur == nil || cur.armedAfter != rec.ArmedAfter {
		last, err := r.o.Recipes.lastEvent(ctx, rec.Name)
		if err != nil {
			return false, err
		}
		after := max(rec.ArmedAfter, last)
		cur = &cursor{armedAfter: rec.ArmedAfter, after: after, settled: after}
		r.cursors[rec.Name] = cur
	}
	evs, err := r.o.Events.List(ctx, webhook.Query{Trigger: rec.Trigger, AfterID: cur.after, Limit: scanPage})
	if err != nil {
		return false, err
	}
	if len(evs) > 0 {
		capped, err := r.addJobs(ctx, rec, evs)
		if err != nil || capped {
			return false, err
		}
		cur.after = evs[len(evs)-1].ID
	}
	if late := r.o.Recipes.tables.lateAppends(); late > 0 {
		if err := r.readLate(ctx, rec, cur, late); err != nil {
			return false, err
		}
	}
	return len(evs) == scanPage, nil
}

// lateEvery is how often the ids not yet settled are read again.
const lateEvery = 5 * time.Second

// readLate stores the jobs of events that were committed after later ids
// had been read (two listeners number events from one sequence, and the
// later numbers may commit first), then moves settled up to the reads old
// enough that nothing can still appear below them.
func (r *Runner) readLate(ctx context.Context, rec Saved, cur *cursor, late time.Duration) error {
	now := time.Now()
	if n := len(cur.marks); n == 0 || cur.marks[n-1].after < cur.after {
		cur.marks = append(cur.marks, mark{at: now, after: cur.after})
	}
	if now.Sub(cur.lateRead) < lateEvery {
		return nil
	}
	cur.lateRead = now
	for from := cur.settled; from < cur.after; {
		evs, err := r.o.Events.List(ctx, webhook.Query{Trigger: rec.Trigger, AfterID: from, Limit: scanPage})
		if err != nil || len(evs) == 0 {
			return err
		}
		if i := slices.IndexFunc(evs, func(ev webhook.Event) bool { return ev.ID > cur.after }); i >= 0 {
			evs = evs[:i] // the next ordinary read's
		}
		if len(evs) == 0 {
			break
		}
		have, err := r.o.Recipes.jobEvents(ctx, rec.Name, evs[0].ID, evs[len(evs)-1].ID)
		if err != nil {
			return err
		}
		from = evs[len(evs)-1].ID
		evs = slices.DeleteFunc(evs, func(ev webhook.Event) bool { return have[ev.ID] })
		if len(evs) > 0 {
			if capped, err := r.addJobs(ctx, rec, evs); err != nil || capped {
				return err
			}
		}
	}
	for len(cur.marks) > 0 && now.Sub(cur.marks[0].at) >= late {
		cur.settled = cur.marks[0].after
		cur.marks = cur.marks[1:]
	}
	return nil
}

// addJobs stores a job for each accepted, first-copy event: queued, or
// skipped with the reason. Past the recipe's cap it stores only what the
// cap allows and disarms the recipe; capped says so.
func (r *Runner) addJobs(ctx context.Context, rec Saved, evs []webhook.Event) (capped bool, err error) {
	var jobs []newJob
	running := 0
	for _, ev := range evs {
		if ev.Status != webhook.StatusAccepted || ev.DuplicateOf != 0 {
			continue
		}
		payload, _ := ev.Value()
		j := newJob{recipe: rec.Name, eventID: ev.ID, status: StatusQueued}
		if why := skipReason(rec.Recipe, ev, payload); why != "" {
			j.status, j.reason = StatusSkipped, why
		} else {
			running++
		}
		jobs = append(jobs, j)
	}
	if running > 0 {
		started, err := r.o.Recipes.startedSince(ctx, rec.Name, time.Now().Add(-time.Minute))
		if err != nil {
			return false, err
		}
		if room := rec.Limit() - started; running > room {
			jobs, capped = keepRunning(jobs, max(room, 0)), true
		}
	}
	if _, err := r.o.Recipes.addJobs(ctx, jobs); err != nil {
		return false, err
	}
	for _, j := range jobs {
		if j.status == StatusSkipped {
			r.announce(ctx, j.recipe, j.eventID)
		}
	}
	if capped {
		why := fmt.Sprintf("started %d jobs within a minute, its cap; arm it again with 'iwb recipe arm %s'", rec.Limit(), rec.Name)
		if err := r.o.Recipes.Disarm(ctx, rec.Name, why); err != nil {
			return false, err
		}
		r.o.Log.Warn("recipe disarmed itself", "recipe", rec.Name, "cap", rec.Limit())
		r.o.Notify(fmt.Sprintf("recipe %q disarmed itself: %s", rec.Name, why))
	}
	return capped, nil
}

// keepRunning keeps the first n jobs that would run, and the skipped jobs
// before the cut.
func keepRunning(jobs []newJob, n int) []newJob {
	for i, j := range jobs {
		if j.status != StatusQueued {
			continue
		}
		if n == 0 {
			return jobs[:i]
		}
		n--
	}
	return jobs
}

// announce hands a settled job to OnJob.
func (r *Runner) announce(ctx context.Context, recipe string, eventID int64) {
	if r.o.OnJob == nil {
		return
	}
	jobs, err := r.o.Recipes.Jobs(ctx, JobQuery{Recipe: recipe, EventID: eventID, Limit: 1})
	if err == nil && len(jobs) == 1 {
		r.o.OnJob(jobs[0])
	}
}

// runQueued runs up to limit queued jobs, oldest first, until ctx ends;
// more says some were left.
func (r *Runner) runQueued(ctx context.Context, limit int) (more bool, err error) {
	ids, err := r.o.Recipes.queued(ctx, limit+1)
	if err != nil {
		return false, err
	}
	for i, id := range ids {
		if ctx.Err() != nil || i == limit {
			return i == limit, nil
		}
		if err := r.runJob(ctx, id); err != nil {
			return false, err
		}
	}
	return false, nil
}

// runJob runs one queued job from its first step not yet done. A job
// started by hand checks the recipe's conditions first, as the scan does.
// Bookkeeping goes on after ctx ends, so what was sent is always kept.
func (r *Runner) runJob(ctx context.Context, id int64) error {
	keep := context.WithoutCancel(ctx)
	job, err := r.o.Recipes.Job(keep, id)
	if err != nil {
		return err
	}
	finish := func(status Status, reason string) error {
		if err := r.o.Recipes.finish(keep, id, status, reason); err != nil {
			return err
		}
		if status.Finished() {
			r.o.Log.Info("recipe job finished", "job", id, "recipe", job.Recipe, "event", job.EventID, "status", status, "reason", reason)
			r.announce(keep, job.Recipe, job.EventID)
		}
		return nil
	}
	rec, err := r.o.Recipes.Get(keep, job.Recipe)
	if errors.Is(err, ErrNotFound) {
		return finish(StatusFailed, fmt.Sprintf("recipe %q was removed", job.Recipe))
	}
	if err != nil {
		return err
	}
	ev, err := r.o.Events.Get(keep, job.EventID)
	if errors.Is(err, webhook.ErrNotFound) {
		return finish(StatusFailed, fmt.Sprintf("event %d is no longer in the event log", job.EventID))
	}
	if err != nil {
		return err
	}
	payload, _ := ev.Value()
	if job.Manual && len(job.Steps) == 0 {
		if why := skipReason(rec.Recipe, ev, payload); why != "" {
			return finish(StatusSkipped, why)
		}
	}
	sc := Scope{Payload: payload}
	for _, done := range job.Steps {
		if !done.Done || done.Error != "" {
			break
		}
		sc.Answers = append(sc.Answers, decodeAnswer(done.Answer))
	}
	c, err := r.connect(keep)
	if err != nil {
		return finish(StatusFailed, fmt.Sprintf("no connection to Iterable: %v", err))
	}
	for i := len(sc.Answers); i < len(rec.Steps); i++ {
		if ctx.Err() != nil {
			return finish(StatusQueued, "") // resumes at this step when a runner starts again
		}
		st := rec.Steps[i]
		a, _ := client.LookupAction(st.Action)
		run := StepRun{N: i + 1, Action: a.Name, Method: a.Method, Path: a.Path}
		body, err := st.body(sc, false)
		if err == nil {
			_, err = a.Check(body)
		}
		if err != nil {
			run.Done, run.Error, run.Body = true, err.Error(), body
			if serr := r.o.Recipes.startStep(keep, id, run); serr != nil {
				return serr
			}
			return r.settle(keep, job, run, StatusFailed, fmt.Sprintf("step %d (%s), nothing sent: %v", run.N, a.Name, err))
		}
		run.Method, run.Path, run.Body = a.Target(body)
		run.Sent = true
		if err := r.o.Recipes.startStep(keep, id, run); err != nil {
			return err
		}
		stepCtx, cancel := r.graceContext(ctx)
		start := time.Now()
		answer, err := c.Run(stepCtx, a, body)
		run.Duration = time.Since(start)
		cutShort := stepCtx.Err() != nil && ctx.Err() != nil
		cancel()
		run.Done = true
		run.Status, run.Answer = outcome(answer, err)
		if err != nil {
			run.Error = err.Error()
		}
		switch {
		case err != nil && cutShort:
			return r.settle(keep, job, run, StatusUnknown, fmt.Sprintf("iwb stopped while step %d was in flight: it may have been sent, so it is not sent again (jobs rerun sends it again)", run.N))
		case err != nil:
			return r.settle(keep, job, run, StatusFailed, fmt.Sprintf("step %d (%s): %v", run.N, a.Name, err))
		case run.N == len(rec.Steps):
			return r.settle(keep, job, run, StatusSucceeded, "")
		}
		if err := r.o.Recipes.finishStep(keep, id, run, "", ""); err != nil {
			return err
		}
		sc.Answers = append(sc.Answers, decodeAnswer(answer))
	}
	return finish(StatusSucceeded, "")
}

// settle keeps a job's last step and its final status together.
func (r *Runner) settle(ctx context.Context, job Job, run StepRun, status Status, reason string) error {
	if err := r.o.Recipes.finishStep(ctx, job.ID, run, status, reason); err != nil {
		return err
	}
	r.o.Log.Info("recipe job finished", "job", job.ID, "recipe", job.Recipe, "event", job.EventID, "status", status, "reason", reason)
	r.announce(ctx, job.Recipe, job.EventID)
	return nil
}

// graceContext is a step's context: it outlives ctx by the grace period,
// so a stop lets a request in flight finish.
func (r *Runner) graceContext(ctx context.Context) (context.Context, context.CancelFunc) {
	stepCtx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	stop := context.AfterFunc(ctx, func() {
		t := time.AfterFunc(r.o.Grace, cancel)
		context.AfterFunc(stepCtx, func() { t.Stop() })
	})
	return stepCtx, func() { stop(); cancel() }
}

// outcome is the HTTP status and the answer body of a step's call.
func outcome(answer []byte, err error) (int, json.RawMessage) {
	var apiErr *client.Error
	switch {
	case err == nil, answer != nil:
		return 200, keepJSON(answer) // Iterable answers its successes 200
	case errors.As(err, &apiErr):
		b, _ := json.Marshal(map[string]any{"code": apiErr.Code, "msg": apiErr.Msg, "params": apiErr.Params})
		return apiErr.Status, b
	}
	return 0, nil
}

// connect is the process's client, asked for once.
func (r *Runner) connect(ctx context.Context) (*client.Client, error) {
	r.clientMu.Lock()
	defer r.clientMu.Unlock()
	if r.client == nil && r.clientErr == nil {
		if r.o.Client == nil {
			r.clientErr = errors.New("this process has none")
		} else {
			r.client, r.clientErr = r.o.Client(ctx)
		}
	}
	return r.client, r.clientErr
}

// ErrNotRerunnable is a re-run asked of a job that succeeded or has not finished.
var ErrNotRerunnable = errors.New("only a failed, unknown or skipped job can be re-run")

// Rerun stores a new job, started by hand, that runs job id's recipe again
// on the same event. A job that succeeded is never run again for its event.
func (s *Store) Rerun(ctx context.Context, id int64) (int64, error) {
	j, err := s.Job(ctx, id)
	if err != nil {
		return 0, err
	}
	if j.Status == StatusSucceeded || !j.Status.Finished() {
		return 0, fmt.Errorf("job %d is %s: %w", id, j.Status, ErrNotRerunnable)
	}
	return s.addManual(ctx, j.Recipe, j.EventID, id)
}

// RunByHand stores a job, started by hand, of a recipe on an event: the
// real run that follows a test.
func (s *Store) RunByHand(ctx context.Context, recipe string, eventID int64) (int64, error) {
	if _, err := s.Get(ctx, recipe); err != nil {
		return 0, err
	}
	return s.addManual(ctx, recipe, eventID, 0)
}

// RunNow runs a queued job and returns it finished: in this process when no
// runner holds the event log's lock, else by the runner that does, waiting
// for it until ctx ends.
func RunNow(ctx context.Context, o RunnerOptions, id int64) (Job, error) {
	r := NewRunner(o)
	l, _, err := o.Recipes.tables.lockRunner(ctx)
	switch {
	case err == nil:
		defer l.release()
		if _, _, err := o.Recipes.recoverJobs(ctx); err != nil {
			return Job{}, err
		}
		if err := r.runJob(ctx, id); err != nil {
			return Job{}, err
		}
		return o.Recipes.Job(context.WithoutCancel(ctx), id)
	case !errors.Is(err, errLocked):
		return Job{}, fmt.Errorf("the recipe runner's lock at %s: %w", o.Recipes.Path(), err)
	}
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		j, err := o.Recipes.Job(ctx, id)
		if err != nil || j.Status.Finished() {
			return j, err
		}
		select {
		case <-ctx.Done():
			return j, fmt.Errorf("job %d is still %s: %w", id, j.Status, ctx.Err())
		case <-tick.C:
		}
	}
}
