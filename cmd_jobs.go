package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/oneline"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
)

func newJobsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "jobs",
		Short: "The job log: every run of a recipe, its requests and answers",
	}
	list := &cobra.Command{Use: "list", Short: "List jobs, newest last", Args: cobra.NoArgs, RunE: runJobsList}
	lf := list.Flags()
	lf.String("recipe", "", "only this recipe's jobs")
	lf.String("status", "", "only jobs of this status: queued, running, succeeded, failed, skipped, unknown")
	lf.Int("limit", 50, "how many jobs")
	lf.Bool("json", false, "one JSON object per line")
	show := &cobra.Command{Use: "show ID", Short: "Show a job: its event, each step's request and answer", Args: cobra.ExactArgs(1), RunE: runJobsShow}
	show.Flags().Bool("json", false, "print JSON")
	rerun := &cobra.Command{
		Use:   "rerun ID",
		Short: "Run a failed, unknown or skipped job's recipe again on its event, as a new job",
		Long: `rerun stores a new job for the same recipe and event and runs it: in this process
when no 'iwb listen' or workbench runs the recipes of this event log, else by
the one that does. A job that succeeded is never run again for its event.`,
		Args: cobra.ExactArgs(1),
		RunE: runJobsRerun,
	}
	rerun.Flags().Bool("json", false, "print the new job as JSON")
	cmd.AddCommand(list, show, rerun)
	return cmd
}

func runJobsList(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	q := recipe.JobQuery{}
	q.Recipe, _ = f.GetString("recipe")
	status, _ := f.GetString("status")
	q.Limit, _ = f.GetInt("limit")
	asJSON, _ := f.GetBool("json")
	if q.Limit <= 0 {
		return usageErrorf("--limit must be positive, not %d", q.Limit)
	}
	if status != "" {
		if !slices.Contains(recipe.Statuses, recipe.Status(status)) {
			return usageErrorf("--status %q: use one of queued, running, succeeded, failed, skipped, unknown", status)
		}
		q.Status = recipe.Status(status)
	}
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	if q.Recipe != "" {
		if _, err := room.get(cmd.Context(), q.Recipe); err != nil {
			return err
		}
	}
	jobs, err := room.recipes.Jobs(cmd.Context(), q)
	if err != nil {
		return err
	}
	slices.Reverse(jobs)
	out := cmd.OutOrStdout()
	if asJSON {
		for _, j := range jobs {
			if err := writeJSONLine(out, j); err != nil {
				return err
			}
		}
		return nil
	}
	if len(jobs) == 0 {
		fmt.Fprintln(out, "no jobs: an armed recipe makes one for each new event of its trigger (see 'iwb recipe arm')")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tRECIPE\tEVENT\tSTATUS\tSTEPS\tCREATED\tREASON")
	for _, j := range jobs {
		fmt.Fprintf(tw, "%d\t%s\t%d\t%s\t%d\t%s\t%s\n", j.ID, j.Recipe, j.EventID, j.Status, len(j.Steps),
			j.CreatedAt.Local().Format(time.DateTime), termtext.Line(oneline.Of(j.Reason, 100)))
	}
	return tw.Flush()
}

func writeJSONLine(w io.Writer, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encoding: %w", err)
	}
	_, err = fmt.Fprintf(w, "%s\n", termtext.JSON(b))
	return err
}

// jobArg reads a job id argument.
func jobArg(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("%q is not a job id (a positive number, as 'iwb jobs list' shows)", arg)
	}
	return id, nil
}

func (r *recipeRoom) job(ctx context.Context, id int64) (recipe.Job, error) {
	j, err := r.recipes.Job(ctx, id)
	if errors.Is(err, recipe.ErrNotFound) {
		return j, withExit(exitNotFound, fmt.Errorf("no job %d (see 'iwb jobs list')", id))
	}
	return j, err
}

func runJobsShow(cmd *cobra.Command, args []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	id, err := jobArg(args[0])
	if err != nil {
		return err
	}
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	j, err := room.job(cmd.Context(), id)
	if err != nil {
		return err
	}
	if asJSON {
		return writeJSONLine(cmd.OutOrStdout(), j)
	}
	writeJob(cmd.OutOrStdout(), j)
	return nil
}

// writeJob prints a job for reading: the event, then each step's request and answer.
func writeJob(out io.Writer, j recipe.Job) {
	fmt.Fprintf(out, "job %d: recipe %q on event %d: %s\n", j.ID, j.Recipe, j.EventID, j.Status)
	if j.Reason != "" {
		fmt.Fprintln(out, "reason: "+termtext.Line(j.Reason))
	}
	if j.RerunOf != 0 {
		fmt.Fprintf(out, "re-run of job %d\n", j.RerunOf)
	}
	for _, s := range j.Steps {
		status := "not sent"
		switch {
		case s.Sent && s.Status > 0:
			status = fmt.Sprintf("%d in %s", s.Status, s.Duration.Round(time.Millisecond))
		case s.Sent && s.Done:
			status = "no answer"
		case s.Sent:
			status = "in flight"
		}
		fmt.Fprintf(out, "step %d: %s %s  (%s) → %s\n", s.N, s.Method, s.Path, s.Action, status)
		if len(s.Body) > 0 {
			fmt.Fprintln(out, "request:")
			printJSON(out, s.Body)
		}
		if len(s.Answer) > 0 {
			fmt.Fprintln(out, "answer:")
			printJSON(out, s.Answer)
		}
		if s.Error != "" {
			fmt.Fprintln(out, "error: "+termtext.Line(oneline.Of(s.Error, 0)))
		}
	}
}

func runJobsRerun(cmd *cobra.Command, args []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	id, err := jobArg(args[0])
	if err != nil {
		return err
	}
	room, err := openRecipes(cmd)
	if err != nil {
		return err
	}
	defer room.close()
	ctx := cmd.Context()
	if _, err := room.job(ctx, id); err != nil {
		return err
	}
	c, err := room.client(cmd)
	if err != nil {
		return err
	}
	newID, err := room.recipes.Rerun(ctx, id)
	if errors.Is(err, recipe.ErrNotRerunnable) {
		return usageErrorf("%v", err)
	}
	if err != nil {
		return err
	}
	waitCtx, cancel := context.WithTimeout(ctx, 3*time.Minute)
	defer cancel()
	j, err := recipe.RunNow(waitCtx, recipe.RunnerOptions{Events: room.events, Recipes: room.recipes, Log: room.a.log,
		Client: func(context.Context) (*client.Client, error) { return c, nil }}, newID)
	if err != nil {
		return withExit(exitFailed, err)
	}
	if asJSON {
		err = writeJSONLine(cmd.OutOrStdout(), j)
	} else {
		writeJob(cmd.OutOrStdout(), j)
	}
	if err != nil {
		return err
	}
	if j.Status == recipe.StatusFailed || j.Status == recipe.StatusUnknown {
		return withExit(exitFailed, fmt.Errorf("job %d (re-run of %d) %s: %s", j.ID, id, j.Status, strings.TrimSpace(j.Reason)))
	}
	return nil
}
