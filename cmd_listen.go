package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

func newListenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Receive Iterable webhooks, store each one, and print it",
		Long: `listen runs the webhook listener: every system or journey webhook POSTed to it is
stored before it is acknowledged, matched against the triggers, and printed.
Iterable needs an HTTPS URL, so give it your tunnel's address.`,
		Args: cobra.NoArgs,
		RunE: runListen,
	}
	f := cmd.Flags()
	f.String("addr", webhook.DefaultAddr, "address to listen on (HOST:PORT; port 0 picks a free one)")
	f.Bool("json", false, "print one JSON object per event")
	f.StringArray("event", nil, "print only events with this event name (repeatable)")
	f.StringArray("workflow", nil, "print only events of this workflow id (repeatable)")
	f.String("forward-to", "", "re-send each accepted event to this URL")
	f.String("auth", "", "require auth: basic:USER:PASS or header:NAME:VALUE")
	f.Int64("max-body", webhook.DefaultMaxBody, "largest body accepted, in bytes")
	f.Bool("durable", false, "fsync every commit (synchronous=FULL)")
	return cmd
}

// openStore opens the event log under the iwb home.
func openStore(cmd *cobra.Command, durable bool) (*app, *webhook.Store, error) {
	a, err := loadApp(cmd)
	if err != nil {
		return nil, nil, err
	}
	st, err := webhook.Open(a.paths.Database(), webhook.StoreOptions{Durable: durable, Logger: a.log})
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, st, nil
}

func runListen(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	addr, _ := f.GetString("addr")
	asJSON, _ := f.GetBool("json")
	events, _ := f.GetStringArray("event")
	workflows, _ := f.GetStringArray("workflow")
	forwardTo, _ := f.GetString("forward-to")
	authSpec, _ := f.GetString("auth")
	maxBody, _ := f.GetInt64("max-body")
	durable, _ := f.GetBool("durable")

	auth, err := webhook.ParseAuth(authSpec)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if maxBody <= 0 {
		return usageErrorf("--max-body must be a positive number of bytes, not %d", maxBody)
	}
	if forwardTo != "" {
		if err := webhook.CheckForwardURL(forwardTo); err != nil {
			return usageErrorf("--forward-to: %v", err)
		}
	}
	a, st, err := openStore(cmd, durable)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	srv, err := webhook.NewServer(st, webhook.ServerOptions{
		Addr: addr, MaxBody: maxBody, Auth: auth, ForwardTo: forwardTo, Logger: a.log,
	})
	if err != nil {
		return usageErrorf("%v", err)
	}
	// Subscribe before serving, so the first event is printed too.
	sub := st.Subscribe()
	defer sub.Close()
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := srv.Start(ctx); err != nil {
		return withExit(exitFailed, err)
	}
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "listening on %s (auth: %s)\n", srv.URL(), auth)
	fmt.Fprintf(stderr, "Iterable needs HTTPS: run a tunnel to %s and give Iterable the tunnel's URL.\n", srv.Addr())
	if forwardTo != "" {
		fmt.Fprintf(stderr, "forwarding each accepted event to %s\n", forwardTo)
	}
	fmt.Fprintln(stderr, "Ctrl-C stops; every answered event is stored in", st.Path())

	p := &eventPrinter{out: cmd.OutOrStdout(), json: asJSON, events: events, workflows: workflows, store: st}
	var serveErr error
loop:
	for {
		select {
		case ev := <-sub.C:
			p.receive(ctx, ev, sub.TakeDropped() > 0)
		case err, ok := <-srv.Err():
			if ok {
				serveErr = err
			}
			break loop
		case <-ctx.Done():
			break loop
		}
	}
	// Let the requests in flight finish and be stored, then print them.
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	shutdownErr := srv.Shutdown(shutdownCtx)
	p.catchUp(shutdownCtx)
	if p.err != nil {
		return withExit(exitFailed, fmt.Errorf("printing events: %w", p.err))
	}
	s := st.Stats()
	fmt.Fprintf(stderr, "stopped: %d events in the log (%d rejected, %d duplicates), %d refused for auth\n",
		s.Events, s.Rejected, s.Duplicates, s.Unauthorized)
	if err := errors.Join(serveErr, shutdownErr); err != nil {
		return withExit(exitFailed, err)
	}
	return nil
}

// eventPrinter prints live events once each, in id order. When the live copy
// dropped events (a slow terminal), it re-reads them from the store.
type eventPrinter struct {
	out       io.Writer
	json      bool
	events    []string
	workflows []string
	store     *webhook.Store
	last      int64
	err       error
}

func (p *eventPrinter) receive(ctx context.Context, ev webhook.Event, dropped bool) {
	if dropped {
		p.catchUp(ctx)
	}
	p.print(ev)
}

// catchUp prints everything stored after the last printed event.
func (p *eventPrinter) catchUp(ctx context.Context) {
	for {
		page, err := p.store.List(ctx, webhook.Query{AfterID: p.last, Limit: 500})
		if err != nil {
			p.err = err
			return
		}
		for _, ev := range page {
			p.print(ev)
		}
		if len(page) < 500 {
			return
		}
	}
}

func (p *eventPrinter) print(ev webhook.Event) {
	if ev.ID <= p.last || p.err != nil {
		return
	}
	p.last = ev.ID
	if len(p.events) > 0 || len(p.workflows) > 0 {
		if !slices.Contains(p.events, ev.EventName) && !slices.Contains(p.workflows, ev.WorkflowID) {
			return
		}
	}
	p.err = writeEvent(p.out, ev, p.json)
}

// writeEvent prints an event as one JSON line or one human line: time, kind,
// event name or workflow id, email or user id, triggers, and marks.
func writeEvent(w io.Writer, ev webhook.Event, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", b)
		return err
	}
	_, err := fmt.Fprintln(w, humanLine(ev))
	return err
}

func humanLine(ev webhook.Event) string {
	what := ev.EventName
	if what == "" && ev.WorkflowID != "" {
		what = "workflow " + ev.WorkflowID
	}
	if what == "" {
		what = ev.Path
	}
	who := ev.Email
	if who == "" {
		who = ev.UserID
	}
	if who == "" {
		who = "-"
	}
	line := fmt.Sprintf("%-6s %s  %-8s %-24s %-28s", strconv.FormatInt(ev.ID, 10),
		ev.ReceivedAt.Local().Format("15:04:05.000"), ev.Kind, what, who)
	if len(ev.Triggers) > 0 {
		line += " → " + strings.Join(ev.Triggers, ", ")
	}
	var marks []string
	if ev.Status != webhook.StatusAccepted {
		marks = append(marks, string(ev.Status)+": "+ev.Error)
	}
	if ev.DuplicateOf != 0 {
		marks = append(marks, fmt.Sprintf("duplicate of %d", ev.DuplicateOf))
	}
	if ev.Mismatch {
		marks = append(marks, "schema mismatch")
	}
	if len(marks) > 0 {
		line += "  [" + strings.Join(marks, "; ") + "]"
	}
	return strings.TrimRight(line, " ")
}

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
	cmd.AddCommand(list, show, export, replay)
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
	for _, ev := range page {
		if err := writeEvent(cmd.OutOrStdout(), ev, asJSON); err != nil {
			return err
		}
	}
	return nil
}

// eventByArg opens the store and reads the event an ID argument names.
func eventByArg(cmd *cobra.Command, arg string) (webhook.Event, error) {
	id, err := strconv.ParseInt(arg, 10, 64)
	if err != nil || id <= 0 {
		return webhook.Event{}, usageErrorf("%q is not an event id (a positive number, as 'iwb events list' shows)", arg)
	}
	a, st, err := openStore(cmd, false)
	if err != nil {
		return webhook.Event{}, err
	}
	defer a.close()
	defer st.Close()
	ev, err := st.Get(cmd.Context(), id)
	if errors.Is(err, webhook.ErrNotFound) {
		return webhook.Event{}, withExit(exitNotFound, fmt.Errorf("no event %d in the log", id))
	}
	return ev, err
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
	_, err = fmt.Fprintf(cmd.OutOrStdout(), "%s\n", b)
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
	if _, err := cmd.OutOrStdout().Write(res.Response); err != nil {
		return err
	}
	if res.Status >= 300 {
		return withExit(exitFailed, fmt.Errorf("replaying event %d: %s answered %d", ev.ID, to, res.Status))
	}
	return nil
}

func newTriggerCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "trigger",
		Short: "Manage New Object and New Workflow triggers",
	}
	add := &cobra.Command{
		Use:   "add",
		Short: "Add a trigger",
	}
	object := &cobra.Command{
		Use:   "object NAME --event NAME[,NAME...]",
		Short: "Add a New Object trigger: system webhook events by name",
		Args:  cobra.ExactArgs(1),
		RunE:  runTriggerAddObject,
	}
	object.Flags().StringSlice("event", nil, "system webhook event names, e.g. emailOpen,emailClick")
	workflow := &cobra.Command{
		Use:   "workflow NAME --workflow-id ID",
		Short: "Add a New Workflow trigger: a journey by its workflow id",
		Args:  cobra.ExactArgs(1),
		RunE:  runTriggerAddWorkflow,
	}
	workflow.Flags().String("workflow-id", "", "the journey's workflow id (the number in its editor URL)")
	add.AddCommand(object, workflow)
	list := &cobra.Command{
		Use:   "list",
		Short: "List the triggers",
		Args:  cobra.NoArgs,
		RunE:  runTriggerList,
	}
	list.Flags().Bool("json", false, "print JSON")
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a trigger",
		Args:  cobra.ExactArgs(1),
		RunE:  runTriggerRemove,
	}
	schemaCmd := &cobra.Command{
		Use:   "schema NAME (--from-event ID | --file SCHEMA.json)",
		Short: "Set a trigger's payload schema from a stored event or a schema file",
		Args:  cobra.ExactArgs(1),
		RunE:  runTriggerSchema,
	}
	schemaCmd.Flags().String("from-event", "", "infer the schema from this stored event")
	schemaCmd.Flags().String("file", "", "read the schema from this file (Workato JSON or JSON Schema)")
	cmd.AddCommand(add, list, remove, schemaCmd)
	return cmd
}

func runTriggerAddObject(cmd *cobra.Command, args []string) error {
	names, _ := cmd.Flags().GetStringSlice("event")
	for i := range names {
		names[i] = strings.TrimSpace(names[i])
	}
	return addTrigger(cmd, webhook.Trigger{Name: args[0], Kind: webhook.TriggerObject, EventNames: names})
}

func runTriggerAddWorkflow(cmd *cobra.Command, args []string) error {
	id, _ := cmd.Flags().GetString("workflow-id")
	return addTrigger(cmd, webhook.Trigger{Name: args[0], Kind: webhook.TriggerWorkflow, WorkflowID: strings.TrimSpace(id)})
}

func addTrigger(cmd *cobra.Command, t webhook.Trigger) error {
	if _, err := webhook.ValidateTrigger(t); err != nil {
		return usageErrorf("%v", err)
	}
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	warnings, err := st.AddTrigger(cmd.Context(), t)
	if errors.Is(err, webhook.ErrTriggerExists) {
		return usageErrorf("a trigger named %q already exists (remove it first: iwb trigger remove %s)", t.Name, t.Name)
	}
	if err != nil {
		return err
	}
	for _, w := range warnings {
		fmt.Fprintln(cmd.ErrOrStderr(), "iwb: warning: "+w)
	}
	if t.Kind == webhook.TriggerObject {
		fmt.Fprintf(cmd.OutOrStdout(), "added New Object trigger %q on %s\n", t.Name, strings.Join(t.EventNames, ", "))
	} else {
		fmt.Fprintf(cmd.OutOrStdout(), "added New Workflow trigger %q on workflow %s\n", t.Name, t.WorkflowID)
	}
	return nil
}

func runTriggerList(cmd *cobra.Command, _ []string) error {
	asJSON, _ := cmd.Flags().GetBool("json")
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	triggers, err := st.Triggers(cmd.Context())
	if err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if asJSON {
		if triggers == nil {
			triggers = []webhook.Trigger{}
		}
		b, err := json.MarshalIndent(triggers, "", "  ")
		if err != nil {
			return fmt.Errorf("encoding triggers: %w", err)
		}
		_, err = fmt.Fprintf(out, "%s\n", b)
		return err
	}
	if len(triggers) == 0 {
		fmt.Fprintln(out, "no triggers yet: add one with 'iwb trigger add object NAME --event emailOpen' or 'iwb trigger add workflow NAME --workflow-id ID'")
		return nil
	}
	tw := tabwriter.NewWriter(out, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "NAME\tTYPE\tON\tSCHEMA\tMATCHED\tLAST MATCH")
	for _, t := range triggers {
		kind, on := "New Object", strings.Join(t.EventNames, ",")
		if t.Kind == webhook.TriggerWorkflow {
			kind, on = "New Workflow", "workflow "+t.WorkflowID
		}
		hasSchema, last := "-", "-"
		if t.Schema != nil {
			hasSchema = fmt.Sprintf("%d fields", len(t.Schema))
		}
		if !t.LastMatch.IsZero() {
			last = t.LastMatch.Local().Format(time.DateTime)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", t.Name, kind, on, hasSchema, t.Matched, last)
	}
	return tw.Flush()
}

func runTriggerRemove(cmd *cobra.Command, args []string) error {
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	err = st.RemoveTrigger(cmd.Context(), args[0])
	if errors.Is(err, webhook.ErrNotFound) {
		return withExit(exitNotFound, fmt.Errorf("no trigger named %q (see 'iwb trigger list')", args[0]))
	}
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.OutOrStdout(), "removed trigger %q\n", args[0])
	return nil
}

// runTriggerSchema sets a trigger's payload schema from a schema file, or
// widens it with a stored event (a type set by hand is never narrowed).
func runTriggerSchema(cmd *cobra.Command, args []string) error {
	name := args[0]
	fromEvent, _ := cmd.Flags().GetString("from-event")
	file, _ := cmd.Flags().GetString("file")
	if (fromEvent == "") == (file == "") {
		return usageErrorf("give one of --from-event ID or --file SCHEMA.json")
	}
	var fromFile schema.Schema
	if file != "" {
		data, err := os.ReadFile(file)
		if err != nil {
			return usageErrorf("reading the schema: %v", err)
		}
		if fromFile, err = schema.Parse(data); err != nil {
			return usageErrorf("%s: %v", file, err)
		}
	}
	var eventID int64
	if fromEvent != "" {
		id, err := strconv.ParseInt(fromEvent, 10, 64)
		if err != nil || id <= 0 {
			return usageErrorf("--from-event takes an event id (see 'iwb events list'), not %q", fromEvent)
		}
		eventID = id
	}
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	ctx := cmd.Context()
	trigger, err := st.Trigger(ctx, name)
	if errors.Is(err, webhook.ErrNotFound) {
		return withExit(exitNotFound, fmt.Errorf("no trigger named %q (see 'iwb trigger list')", name))
	}
	if err != nil {
		return err
	}
	next, source := fromFile, file
	if eventID != 0 {
		ev, err := st.Get(ctx, eventID)
		if errors.Is(err, webhook.ErrNotFound) {
			return withExit(exitNotFound, fmt.Errorf("no event %d (see 'iwb events list')", eventID))
		}
		if err != nil {
			return err
		}
		if len(ev.Payload) == 0 {
			return usageErrorf("event %d has no JSON body to infer a schema from (it was %s)", eventID, ev.Status)
		}
		inf, err := schema.Widen(trigger.Schema, ev.Payload)
		if err != nil {
			return usageErrorf("event %d: %v", eventID, err)
		}
		for _, n := range inf.Notes {
			fmt.Fprintln(cmd.ErrOrStderr(), "note: "+n.String())
		}
		next, source = inf.Schema, fmt.Sprintf("event %d", eventID)
	}
	if err := st.SetTriggerSchema(ctx, name, next); err != nil {
		return fmt.Errorf("saving the schema of %q: %w", name, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "trigger %q: schema of %d top-level fields from %s\n", name, len(next), source)
	return nil
}
