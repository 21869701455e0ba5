package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/oneline"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

func newRecipeCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "recipe",
		Short: "Recipes: a trigger's payload mapped into actions, run for every new event",
		Long: `A recipe is a trigger, conditions on the event's payload, and 1 to 5 steps. A step
is one of the ten actions with its input: the request body exactly as 'iwb action
run --data' takes it, in which any string may hold pills {{path}}: a path into
the payload (email, dataFields.campaignId, dataFields.labels.0) or into the
answer of an earlier step (steps.1.user.dataFields.plan). A string that is
exactly one pill takes the value with its type; any other string is text.

Recipes are saved disarmed. Armed, a recipe runs for every new event its
trigger matches, after the event is stored, and keeps each run as a job
('iwb jobs'). Past its cap (60 jobs a minute unless "cap" says otherwise) it
disarms itself.`,
	}
	add := &cobra.Command{
		Use:   "add (--file RECIPE.json | NAME --trigger T --action A --input JSON [--when 'PATH OP VALUE']...)",
		Short: "Add a recipe, checked against its trigger's schema and the project's field types",
		Args:  cobra.MaximumNArgs(1),
		RunE:  runRecipeAdd,
	}
	af := add.Flags()
	af.String("file", "", `the recipe file: {"name", "trigger", "when": [{"path", "op", "value"}], "steps": [{"action", "input"}]}`)
	af.String("trigger", "", "the trigger whose events run the recipe")
	af.String("action", "", "the action of its one step (see 'iwb action list')")
	af.String("input", "", "the step's input: the request body, with pills; JSON, @FILE or - for stdin")
	af.StringArray("when", nil, "a condition PATH OP VALUE, OP one of ==, !=, contains, exists, >, < (repeatable)")
	af.Int("cap", 0, "jobs a minute past which it disarms itself (default 60)")
	list := &cobra.Command{Use: "list", Short: "List the recipes with their jobs' counts", Args: cobra.NoArgs, RunE: runRecipeList}
	list.Flags().Bool("json", false, "print JSON")
	show := &cobra.Command{Use: "show NAME", Short: "Show a recipe", Args: cobra.ExactArgs(1), RunE: runRecipeShow}
	show.Flags().Bool("json", false, "print JSON")
	test := &cobra.Command{
		Use:   "test NAME --event ID",
		Short: "Show each step's request filled from a stored event, and whether the conditions hold; nothing is sent",
		Args:  cobra.ExactArgs(1),
		RunE:  runRecipeTest,
	}
	test.Flags().String("event", "", "the stored event to try it on (see 'iwb events list')")
	test.Flags().Bool("json", false, "print JSON")
	test.Flags().Bool("run", false, "then run it for real on that event, as a job, after a confirmation")
	test.Flags().Bool("yes", false, "with --run: do not ask")
	arm := &cobra.Command{
		Use:   "arm NAME",
		Short: "Run the recipe for every new event its trigger matches",
		Args:  cobra.ExactArgs(1),
		RunE:  runRecipeArm,
	}
	arm.Flags().Bool("reaches-people", false, "acknowledge that its steps reach people (Send SMS, bulk writes)")
	disarm := &cobra.Command{Use: "disarm NAME", Short: "Stop running the recipe", Args: cobra.ExactArgs(1), RunE: runRecipeDisarm}
	remove := &cobra.Command{Use: "remove NAME", Short: "Remove a recipe; its jobs stay", Args: cobra.ExactArgs(1), RunE: runRecipeRemove}
	export := &cobra.Command{Use: "export NAME", Short: "Print a recipe's file", Args: cobra.ExactArgs(1), RunE: runRecipeExport}
	cmd.AddCommand(add, list, show, test, arm, disarm, remove, export)
	return cmd
}

// recipeRoom is what the recipe and jobs commands open: the event log and
// the recipe tables beside it.
type recipeRoom struct {
	a       *app
	events  webhook.EventLog
	recipes *recipe.Store
}

func openRecipes(cmd *cobra.Command) (*recipeRoom, error) {
	a, st, err := openStore(cmd, false)
	if err != nil {
		return nil, err
	}
	rs, err := recipe.OpenFor(st)
	if err != nil {
		st.Close()
		a.close()
		return nil, err
	}
	return &recipeRoom{a: a, events: st, recipes: rs}, nil
}

func (r *recipeRoom) close() {
	r.recipes.Close()
	r.events.Close()
	r.a.close()
}

// get reads a recipe, an unknown one being not found (3).
func (r *recipeRoom) get(ctx context.Context, name string) (recipe.Saved, error) {
	s, err := r.recipes.Get(ctx, name)
	if errors.Is(err, recipe.ErrNotFound) {
		return s, withExit(exitNotFound, fmt.Errorf("no recipe named %q (see 'iwb recipe list')", name))
	}
	return s, err
}

// check checks a recipe against its trigger (unknown: not found) and the
// project's field types when a key can read them; refusals are usage (2).
func (r *recipeRoom) check(cmd *cobra.Command, rec recipe.Recipe) (recipe.Report, error) {
	ctx := cmd.Context()
	trigger, err := r.events.Trigger(ctx, rec.Trigger)
	if errors.Is(err, webhook.ErrNotFound) {
		return recipe.Report{}, withExit(exitNotFound, fmt.Errorf("no trigger named %q (see 'iwb trigger list')", rec.Trigger))
	}
	if err != nil {
		return recipe.Report{}, err
	}
	env := recipe.Env{Trigger: trigger}
	var fieldsNote string
	if c, err := r.client(cmd); err != nil {
		fieldsNote = fmt.Sprintf("the project's field types were not read (%v): dataFields were checked by name only", err)
	} else if fields, err := c.UserFields(ctx); err != nil {
		fieldsNote = fmt.Sprintf("the project's field types could not be read (%v): dataFields were checked by name only", err)
	} else {
		env.Project = schema.NewProjectFields(fields)
	}
	rep := recipe.Check(rec, env)
	if fieldsNote != "" {
		rep.Notes = append(rep.Notes, fieldsNote)
	}
	if err := rep.Err(); err != nil {
		return rep, usageErrorf("recipe %q: %v", rec.Name, err)
	}
	return rep, nil
}

// client is the connection the process uses for everything else.
func (r *recipeRoom) client(cmd *cobra.Command) (*client.Client, error) {
	creds, err := resolveCredentials(cmd, r.a, "")
	if err != nil {
		return nil, err
	}
	c, err := client.New(client.Options{BaseURL: creds.BaseURL, Key: creds.Key, UserAgent: "iwb/" + version, Logger: r.a.log})
	if err != nil {
		return nil, usageErrorf("%s: %v", creds.Connection, err)
	}
	return c, nil
}

func runRecipeAdd(cmd *cobra.Command, args []string) error {
	rec, err := recipeFromFlags(cmd, args)
	if err != nil {
		return err
	}
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	rep, err := room.check(cmd, rec)
	if err != nil {
		return err
	}
	if err := room.recipes.Add(cmd.Context(), rec); errors.Is(err, recipe.ErrExists) {
		return usageErrorf("a recipe named %q already exists (remove it first: iwb recipe remove %s)", rec.Name, rec.Name)
	} else if err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(cmd.ErrOrStderr(), "note: "+termtext.Line(n))
	}
	checked := "checked against its schema"
	if !rep.SchemaChecked {
		checked = "not checked: the trigger has no schema yet"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "added recipe %q on trigger %q: %d step(s), %s; disarmed until 'iwb recipe arm %s'\n",
		rec.Name, rec.Trigger, len(rec.Steps), checked, rec.Name)
	return nil
}

// recipeFromFlags reads the recipe of `recipe add`: the file, or one step
// from the flags.
func recipeFromFlags(cmd *cobra.Command, args []string) (recipe.Recipe, error) {
	f := cmd.Flags()
	file, _ := f.GetString("file")
	trigger, _ := f.GetString("trigger")
	action, _ := f.GetString("action")
	input, _ := f.GetString("input")
	when, _ := f.GetStringArray("when")
	capPerMinute, _ := f.GetInt("cap")
	if file != "" {
		if len(args) > 0 || trigger != "" || action != "" || input != "" || len(when) > 0 {
			return recipe.Recipe{}, usageErrorf("give either --file or NAME --trigger --action --input, not both")
		}
		data, err := os.ReadFile(file)
		if err != nil {
			return recipe.Recipe{}, usageErrorf("--file: %v", err)
		}
		rec, err := recipe.Parse(data)
		if err != nil {
			return recipe.Recipe{}, usageErrorf("%s: %v", file, err)
		}
		if capPerMinute != 0 {
			rec.Cap = capPerMinute
		}
		return rec, nil
	}
	if len(args) == 0 || trigger == "" || action == "" {
		return recipe.Recipe{}, usageErrorf("give --file RECIPE.json, or NAME --trigger T --action A --input JSON")
	}
	body, err := readData(input, cmd.InOrStdin())
	if err != nil {
		return recipe.Recipe{}, usageErrorf("--input: %v", err)
	}
	rec := recipe.Recipe{Name: args[0], Trigger: trigger, Cap: capPerMinute,
		Steps: []recipe.Step{{Action: action, Input: json.RawMessage(body)}}}
	for _, w := range when {
		c, err := recipe.ParseCondition(w)
		if err != nil {
			return recipe.Recipe{}, usageErrorf("--when: %v", err)
		}
		rec.When = append(rec.When, c)
	}
	if err := rec.Validate(); err != nil {
		return recipe.Recipe{}, usageErrorf("%v", err)
	}
	return rec, nil
}

// recipeView is a recipe as list and show print it.
type recipeView struct {
	recipe.Recipe
	Armed        bool         `json:"armed"`
	DisarmReason string       `json:"disarmReason,omitempty"`
	CreatedAt    time.Time    `json:"createdAt"`
	Jobs         recipe.Tally `json:"jobs"`
}

func (r *recipeRoom) views(ctx context.Context, only string) ([]recipeView, error) {
	all, err := r.recipes.List(ctx)
	if err != nil {
		return nil, err
	}
	tallies, err := r.recipes.Tallies(ctx)
	if err != nil {
		return nil, err
	}
	views := []recipeView{}
	for _, s := range all {
		if only == "" || s.Name == only {
			views = append(views, recipeView{Recipe: s.Recipe, Armed: s.Armed, DisarmReason: s.DisarmReason,
				CreatedAt: s.CreatedAt, Jobs: tallies[s.Name]})
		}
	}
	return views, nil
}

func runRecipeList(cmd *cobra.Command, _ []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	views, err := room.views(cmd.Context(), "")
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		return printIndented(out, views)
	}
	if len(views) == 0 {
		fmt.Fprintln(out, "no recipes yet: add one with 'iwb recipe add --file RECIPE.json' (see 'iwb recipe --help')")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTRIGGER\tARMED\tSTEPS\tOK\tFAILED\tSKIPPED\tLAST RUN")
	for _, v := range views {
		armed, last := "no", "-"
		if v.Armed {
			armed = "yes"
		} else if v.DisarmReason != "" {
			armed = "no (capped)"
		}
		if !v.Jobs.LastRun.IsZero() {
			last = v.Jobs.LastRun.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%s\n", termtext.Line(v.Name), termtext.Line(v.Trigger), armed, len(v.Steps),
			v.Jobs.Succeeded, v.Jobs.Failed, v.Jobs.Skipped, last)
	}
	return tw.Flush()
}

func runRecipeShow(cmd *cobra.Command, args []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	if _, err := room.get(cmd.Context(), args[0]); err != nil {
		return err
	}
	views, err := room.views(cmd.Context(), args[0])
	if err != nil {
		return err
	}
	v := views[0]
	out := cmd.OutOrStdout()
	if asJSON {
		return printIndented(out, v)
	}
	state := "disarmed"
	if v.Armed {
		state = fmt.Sprintf("armed (cap %d jobs a minute)", v.Limit())
	} else if v.DisarmReason != "" {
		state = "disarmed itself: " + v.DisarmReason
	}
	fmt.Fprintf(out, "recipe %q on trigger %q: %s\n", v.Name, v.Trigger, termtext.Line(state))
	fmt.Fprintf(out, "jobs: %d succeeded, %d failed or unknown, %d skipped, %d open\n", v.Jobs.Succeeded, v.Jobs.Failed, v.Jobs.Skipped, v.Jobs.Open)
	for _, c := range v.When {
		fmt.Fprintf(out, "when %s\n", termtext.Line(c.String()))
	}
	for i, s := range v.Steps {
		a, _ := client.LookupAction(s.Action)
		fmt.Fprintf(out, "step %d: %s (%s)\n", i+1, a.Title, a.Name)
		printJSON(out, s.Input)
	}
	return nil
}

func runRecipeTest(cmd *cobra.Command, args []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	eventArg, _ := cmd.Flags().GetString("event")
	if eventArg == "" {
		return usageErrorf("test needs --event ID (see 'iwb events list')")
	}
	id, err := strconv.ParseInt(eventArg, 10, 64)
	if err != nil || id <= 0 {
		return usageErrorf("--event %q is not an event id (a positive number, as 'iwb events list' shows)", eventArg)
	}
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	ctx := cmd.Context()
	rec, err := room.get(ctx, args[0])
	if err != nil {
		return err
	}
	ev, err := room.events.Get(ctx, id)
	if errors.Is(err, webhook.ErrNotFound) {
		return withExit(exitNotFound, fmt.Errorf("no event %d in the log (see 'iwb events list')", id))
	}
	if err != nil {
		return err
	}
	res := recipe.Test(rec.Recipe, ev)
	out := cmd.OutOrStdout()
	if err := writeTest(out, rec.Name, res, asJSON); err != nil {
		return err
	}
	if run, _ := cmd.Flags().GetBool("run"); run {
		return room.runByHand(cmd, rec.Recipe, id)
	}
	return nil
}

// runByHand runs a recipe for real on one event, as a job started by hand,
// once the user confirmed.
func (r *recipeRoom) runByHand(cmd *cobra.Command, rec recipe.Recipe, eventID int64) error {
	if yes, _ := cmd.Flags().GetBool("yes"); !yes {
		what := fmt.Sprintf("Run recipe %q on event %d for real", rec.Name, eventID)
		if steps := rec.ReachesPeople(); len(steps) > 0 {
			what += " (it reaches people: " + strings.Join(steps, ", ") + ")"
		}
		if err := confirm(cmd, what, "Run?", "nothing was sent"); err != nil {
			return err
		}
	}
	c, err := r.client(cmd)
	if err != nil {
		return err
	}
	ctx := cmd.Context()
	id, err := r.recipes.RunByHand(ctx, rec.Name, eventID)
	if err != nil {
		return err
	}
	waitCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	j, err := recipe.RunNow(waitCtx, recipe.RunnerOptions{Events: r.events, Recipes: r.recipes, Log: r.a.log,
		Client: func(context.Context) (*client.Client, error) { return c, nil }}, id)
	if err != nil {
		return withExit(exitFailed, err)
	}
	writeJob(cmd.ErrOrStderr(), j)
	if j.Status == recipe.StatusFailed || j.Status == recipe.StatusUnknown {
		return withExit(exitFailed, fmt.Errorf("job %d %s: %s", j.ID, j.Status, j.Reason))
	}
	return nil
}

// writeTest prints a test as JSON or for reading.
func writeTest(out io.Writer, name string, res recipe.TestResult, asJSON bool) error {
	if asJSON {
		return writeJSONLine(out, res)
	}
	verdict := "the conditions hold"
	if !res.Conditions {
		verdict = "a condition is false"
	}
	fmt.Fprintf(out, "recipe %q on event %d: %s; nothing was sent\n", name, res.EventID, verdict)
	if res.Reason != "" {
		fmt.Fprintln(out, "skipped: "+termtext.Line(res.Reason))
	}
	for i, s := range res.Steps {
		fmt.Fprintf(out, "step %d: %s %s  (%s)\n", i+1, s.Method, s.Path, s.Action)
		if s.Problem != "" {
			fmt.Fprintln(out, "  would fail: "+termtext.Line(s.Problem))
		}
		if string(s.Body) != "null" {
			printJSON(out, s.Body)
		}
	}
	return nil
}

func runRecipeArm(cmd *cobra.Command, args []string) error {
	ack, _ := cmd.Flags().GetBool("reaches-people")
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	ctx := cmd.Context()
	rec, err := room.get(ctx, args[0])
	if err != nil {
		return err
	}
	if steps := rec.ReachesPeople(); len(steps) > 0 && !ack {
		return usageErrorf("recipe %q reaches people (%s): arm it with --reaches-people to acknowledge", rec.Name, strings.Join(steps, ", "))
	}
	rep, err := room.check(cmd, rec.Recipe)
	if err != nil {
		return err
	}
	for _, n := range rep.Notes {
		fmt.Fprintln(cmd.ErrOrStderr(), "note: "+termtext.Line(n))
	}
	newest, err := room.events.List(ctx, webhook.Query{Desc: true, Limit: 1})
	if err != nil {
		return err
	}
	var after int64
	if len(newest) > 0 {
		after = newest[0].ID
	}
	if err := room.recipes.Arm(ctx, rec.Name, after); err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "armed recipe %q: it runs for the events of %q stored from now on, at most %d jobs a minute, in 'iwb listen' or the workbench\n",
		rec.Name, rec.Trigger, rec.Limit())
	return nil
}

func runRecipeDisarm(cmd *cobra.Command, args []string) error {
	return recipeChange(cmd, args[0], "disarmed", func(ctx context.Context, s *recipe.Store) error { return s.Disarm(ctx, args[0], "") })
}

func runRecipeRemove(cmd *cobra.Command, args []string) error {
	return recipeChange(cmd, args[0], "removed", func(ctx context.Context, s *recipe.Store) error { return s.Remove(ctx, args[0]) })
}

func recipeChange(cmd *cobra.Command, name, done string, change func(context.Context, *recipe.Store) error) error {
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	err = change(cmd.Context(), room.recipes)
	if errors.Is(err, recipe.ErrNotFound) {
		return withExit(exitNotFound, fmt.Errorf("no recipe named %q (see 'iwb recipe list')", name))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "%s recipe %q\n", done, name)
	return nil
}

func runRecipeExport(cmd *cobra.Command, args []string) error {
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	rec, err := room.get(cmd.Context(), args[0])
	if err != nil {
		return err
	}
	b, err := rec.MarshalIndent()
	if err != nil {
		return err
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", termtext.JSON(b))
	return err
}

// printIndented prints v as indented JSON.
func printIndented(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", termtext.JSON(b))
	return err
}

// startRecipes opens the recipe tables in the event log's database and
// starts its runner, which runs the armed recipes when this process holds
// the log's runner lock and stands by otherwise. stop ends it (a step in
// flight gets its grace) and closes the tables.
func startRecipes(ctx context.Context, st webhook.EventLog, log *slog.Logger, connect func(context.Context) (*client.Client, error),
	notify func(string), onJob func(recipe.Job)) (rs *recipe.Store, stop func() error, err error) {
	if rs, err = recipe.OpenFor(st); err != nil {
		return nil, nil, err
	}
	// The jobs, in the same database, age with the events.
	st.AddPruner("jobs", rs.Prune)
	runCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	r := recipe.NewRunner(recipe.RunnerOptions{Events: st, Recipes: rs, Client: connect, Log: log, Notify: notify, OnJob: onJob})
	go func() {
		defer close(done)
		if err := r.Run(runCtx); err != nil {
			log.Error("the recipe runner stopped", "err", err)
			notify("recipes: the runner stopped: " + err.Error())
		}
	}()
	return rs, func() error {
		cancel()
		<-done
		return rs.Close()
	}, nil
}

// listenConnection is the connection `iwb listen` runs recipes with, asked
// for when the first step is about to be sent: a listener without recipes
// never needs a key.
func listenConnection(cmd *cobra.Command, a *app) func(context.Context) (*client.Client, error) {
	return func(context.Context) (*client.Client, error) {
		creds, err := resolveCredentials(cmd, a, "")
		if err != nil {
			return nil, err
		}
		return client.New(client.Options{BaseURL: creds.BaseURL, Key: creds.Key, UserAgent: "iwb/" + version, Logger: a.log})
	}
}

// jobLine is a finished job on one line, as `iwb listen` reports it.
func jobLine(j recipe.Job) string {
	line := fmt.Sprintf("job %d: recipe %q on event %d: %s", j.ID, j.Recipe, j.EventID, j.Status)
	if j.Reason != "" {
		line += " (" + termtext.Line(oneline.Of(j.Reason, 0)) + ")"
	}
	return line
}

// lockedWriter lets goroutines share one writer a line at a time.
type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.w.Write(p)
}

// processClient hands the runner the workbench's client: the connection the
// process uses for everything else.
func processClient(c *client.Client) func(context.Context) (*client.Client, error) {
	return func(context.Context) (*client.Client, error) {
		if c == nil {
			return nil, errors.New("the workbench has no connection: add one on the Connections tab, or set ITERABLE_API_KEY")
		}
		return c, nil
	}
}

// logNotice keeps the runner's lines in the log while the TUI owns the terminal.
func logNotice(log *slog.Logger) func(string) {
	return func(line string) { log.Info(line) }
}
