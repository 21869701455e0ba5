package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"slices"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/webhook"
)

func newEventsCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "events",
		Short: "Read, export and replay stored webhook events",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List stored events, newest last",
		Args:  cobra.NoArgs,
		RunE:  runEventsList,
	}
	list.Flags().Int("limit", 50, "how many events")
	list.Flags().String("event", "", "only this event name")
	list.Flags().String("workflow", "", "only this workflow id")
	list.Flags().String("trigger", "", "only events that matched this trigger")
	list.Flags().Bool("json", false, "one JSON object per line")
	show := &cobra.Command{
		Use:   "show ID",
		Short: "Show one stored event in full",
		Args:  cobra.ExactArgs(1),
		RunE:  runEventsShow,
	}
	export := &cobra.Command{
		Use:   "export",
		Short: "Export every stored event as JSON lines",
		Args:  cobra.NoArgs,
		RunE:  runEventsExport,
	}
	export.Flags().String("out", "", "write to this file instead of stdout")
	replay := &cobra.Command{
		Use:   "replay ID --to URL",
		Short: "Re-send a stored event to a URL",
		Args:  cobra.ExactArgs(1),
		RunE:  runEventsReplay,
	}
	replay.Flags().String("to", "", "the URL to send the event to")
	cmd.AddCommand(list, show, export, replay, newEventsPruneCmd(), newEventsPinCmd(true), newEventsPinCmd(false))
	return cmd
}

func runEventsList(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	limit, _ := f.GetInt("limit")
	if limit <= 0 {
		return usageErrorf("--limit must be positive, not %d", limit)
	}
	q := webhook.Query{Desc: true, Limit: limit}
	q.EventName, _ = f.GetString("event")
	q.WorkflowID, _ = f.GetString("workflow")
	q.Trigger, _ = f.GetString("trigger")
	asJSON, _ := f.GetBool("json")
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	page, err := st.List(cmd.Context(), q)
	if err != nil {
		return err
	}
	slices.Reverse(page)
	if !asJSON {
		fmt.Fprintln(cmd.OutOrStdout(), humanHeader)
	}
	for _, ev := range page {
		if err := writeEvent(cmd.OutOrStdout(), ev, asJSON); err != nil {
			return err
		}
	}
	return nil
}

// parseEventID reads an ID argument.
func parseEventID(arg string) (int64, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return 0, usageErrorf("%q is not an event id (a positive number, as 'iwb events list' shows)", arg)
	}
	return id, nil
}

// eventErr says "no event N in the log" (exit 3) for a missing event.
func eventErr(id int64, err error) error {
	if errors.Is(err, webhook.ErrNotFound) {
		return withExit(exitNotFound, fmt.Errorf("no event %d in the log", id))
	}
	return err
}

// eventByArg opens the store and reads the event an ID argument names.
func eventByArg(cmd *cobra.Command, arg string) (webhook.Event, error) {
	id, err := parseEventID(arg)
	if err != nil {
		return webhook.Event{}, err
	}
	a, st, err := openStore(cmd, false)
	if err != nil {
		return webhook.Event{}, err
	}
	defer a.close()
	defer st.Close()
	ev, err := st.Get(cmd.Context(), id)
	return ev, eventErr(id, err)
}

func runEventsShow(cmd *cobra.Command, args []string) error {
	ev, err := eventByArg(cmd, args[0])
	if err != nil {
		return err
	}
	b, err := json.MarshalIndent(ev, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding event %d: %w", ev.ID, err)
	}
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", termtext.JSON(b))
	return err
}

func runEventsExport(cmd *cobra.Command, _ []string) error {
	outPath, _ := cmd.Flags().GetString("out")
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	out := cmd.OutOrStdout()
	if outPath != "" {
		file, err := os.OpenFile(outPath, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o600)
		if err != nil {
			return usageErrorf("--out: %v", err)
		}
		defer file.Close()
		out = file
	}
	var last, n int64
	for {
		page, err := st.List(cmd.Context(), webhook.Query{AfterID: last, Limit: 1000})
		if err != nil {
			return err
		}
		for _, ev := range page {
			if err := writeEvent(out, ev, true); err != nil {
				return fmt.Errorf("exporting: %w", err)
			}
			last = ev.ID
			n++
		}
		if len(page) < 1000 {
			break
		}
	}
	if outPath != "" {
		if file, ok := out.(*os.File); ok {
			if err := file.Close(); err != nil {
				return fmt.Errorf("writing %s: %w", outPath, err)
			}
		}
		fmt.Fprintf(cmd.ErrOrStderr(), "exported %d events to %s\n", n, outPath)
	}
	return nil
}

func runEventsReplay(cmd *cobra.Command, args []string) error {
	to, _ := cmd.Flags().GetString("to")
	if to == "" {
		return usageErrorf("replay needs --to URL, e.g. --to http://localhost:3000/webhooks")
	}
	if err := webhook.CheckForwardURL(to); err != nil {
		return usageErrorf("--to: %v", err)
	}
	ev, err := eventByArg(cmd, args[0])
	if err != nil {
		return err
	}
	res := webhook.Replay(cmd.Context(), &http.Client{Timeout: 30 * time.Second}, ev, to)
	if res.Error != "" {
		return withExit(exitFailed, fmt.Errorf("replaying event %d to %s: %s", ev.ID, to, res.Error))
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "event %d → %s: %d %s in %s\n", ev.ID, to, res.Status,
		http.StatusText(res.Status), res.Latency.Round(time.Millisecond))
	if _, err := io.WriteString(cmd.OutOrStdout(), termtext.Block(string(res.Response))); err != nil {
		return err
	}
	if res.Status >= 300 {
		return withExit(exitFailed, fmt.Errorf("replaying event %d: %s answered %d", ev.ID, to, res.Status))
	}
	return nil
}
