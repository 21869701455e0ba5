package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/internal/termtext"
)

func newHistoryCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "history",
		Short: "List the actions run from the workbench and from 'iwb action run', newest last",
		Long: `List the actions run from the workbench and from 'iwb action run', newest last.
The history keeps the newest 10,000 runs; older ones are dropped first.`,
		Args: cobra.NoArgs,
		RunE: runHistoryList,
	}
	cmd.Flags().Int("limit", 50, "how many runs")
	cmd.Flags().Bool("json", false, "one JSON object per line")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one run in full: its request and Iterable's answer",
		Args:  cobra.ExactArgs(1),
		RunE:  runHistoryShow,
	}
	cmd.AddCommand(show)
	return cmd
}

// openHistory opens the history in the iwb database file.
func openHistory(cmd *cobra.Command) (*app, *history.Store, error) {
	a, err := loadApp(cmd)
	if err != nil {
		return nil, nil, err
	}
	h, err := history.Open(a.paths.Database())
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, h, nil
}

func runHistoryList(cmd *cobra.Command, _ []string) error {
	limit, _ := cmd.Flags().GetInt("limit")
	if limit <= 0 {
		return usageErrorf("--limit must be positive, not %d", limit)
	}
	asJSON, _ := cmd.Flags().GetBool("json")
	a, h, err := openHistory(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	defer h.Close()
	runs, err := h.Recent(cmd.Context(), limit)
	if err != nil {
		return err
	}
	slices.Reverse(runs)
	out := cmd.OutOrStdout()
	if asJSON {
		for _, r := range runs {
			if err := writeJSONLine(out, runJSON(r)); err != nil {
				return err
			}
		}
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "ID\tDATE\tTIME\tSOURCE\tACTION\tCONNECTION\tSTATUS\tTOOK")
	for _, r := range runs {
		at := r.At.Local()
		fmt.Fprintf(tw, "%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", r.ID, at.Format(time.DateOnly), at.Format(time.TimeOnly),
			r.Source, r.Action, termtext.Line(r.Connection), statusText(r.Status), r.Duration.Round(time.Millisecond))
	}
	return tw.Flush()
}

func runHistoryShow(cmd *cobra.Command, args []string) error {
	id, err := strconv.ParseInt(args[0], 10, 64)
	if err != nil || id <= 0 {
		return usageErrorf("%q is not a run id (a positive number, as 'iwb history' shows)", args[0])
	}
	a, h, err := openHistory(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	defer h.Close()
	r, err := h.Get(cmd.Context(), id)
	if errors.Is(err, history.ErrNotFound) {
		return withExit(exitNotFound, fmt.Errorf("no run %d in the history (see 'iwb history')", id))
	}
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	fmt.Fprintf(out, "run %d · %s · %s from %s\nconnection  %s\nstatus      %s in %s\n\nrequest\n",
		r.ID, r.At.Local().Format(time.DateTime), r.Action, r.Source, termtext.Line(r.Connection),
		statusText(r.Status), r.Duration.Round(time.Millisecond))
	printBody(out, r.Request)
	fmt.Fprintln(out, "\nanswer")
	printBody(out, r.Answer)
	return nil
}

// statusText is Iterable's HTTP status, or why there is none.
func statusText(status int) string {
	if status == 0 {
		return "no answer"
	}
	return strconv.Itoa(status)
}

// printBody prints JSON indented, and any other text as a JSON string.
func printBody(w io.Writer, b []byte) {
	printJSON(w, bodyJSON(b))
}

// bodyJSON is b when it is JSON, else b as a JSON string.
func bodyJSON(b []byte) json.RawMessage {
	if len(b) > 0 && json.Valid(b) {
		return b
	}
	s, _ := json.Marshal(string(b))
	return s
}

// runJSON is one run as `iwb history --json` prints it.
func runJSON(r history.Record) any {
	return struct {
		ID         int64           `json:"id"`
		At         time.Time       `json:"at"`
		Source     string          `json:"source"`
		Action     string          `json:"action"`
		Connection string          `json:"connection"`
		Status     int             `json:"status"`
		DurationMS int64           `json:"durationMs"`
		Request    json.RawMessage `json:"request"`
		Answer     json.RawMessage `json:"answer"`
	}{r.ID, r.At, r.Source, r.Action, r.Connection, r.Status, r.Duration.Milliseconds(), bodyJSON(r.Request), bodyJSON(r.Answer)}
}
