package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/webhook"
)

func newListenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Receive Iterable webhooks, store each one, and print it",
		Long: `listen runs the webhook listener: every system or journey webhook POSTed to it is
stored before it is acknowledged, matched against the triggers, and printed.
Iterable needs an HTTPS URL, so give it your tunnel's address.

The event log keeps itself within limits: events older than --keep-days (30),
beyond the newest --keep-events (1,000,000), or past --max-db-size (2GB) are
pruned, oldest first, whichever limit is reached first; pinned events
(iwb events pin ID) are kept. The action history ages the same way.`,
		Args: cobra.NoArgs,
		RunE: runListen,
	}
	f := cmd.Flags()
	f.String("addr", webhook.DefaultAddr, "address to listen on (HOST:PORT; port 0 picks a free one)")
	f.Bool("json", false, "print one JSON object per event")
	f.StringArray("event", nil, "print only events with this event name (repeatable)")
	f.StringArray("workflow", nil, "print only events of this workflow id (repeatable)")
	f.String("forward-to", "", "re-send each accepted event to this URL")
	f.String("auth", "", "require auth: header[:NAME] (value from IWB_LISTEN_TOKEN or --auth-file) or basic (USER:PASS from IWB_LISTEN_BASIC or --auth-file); header:NAME:VALUE and basic:USER:PASS also work but show in ps")
	f.String("auth-file", "", "read --auth's secret (the header's value, or USER:PASS) from this file")
	f.Int64("max-body", webhook.DefaultMaxBody, "largest body accepted, in bytes")
	f.Int("max-conns", webhook.DefaultMaxConns, "connections served at once; more are answered 503 with Retry-After")
	f.Bool("durable", false, "sync every write to the disk: the spool's and the database's (synchronous=FULL; PostgreSQL decides this itself)")
	addRetentionFlags(cmd)
	return cmd
}

// openStore opens the event log the command was given (see openLog).
func openStore(cmd *cobra.Command, durable bool) (*app, webhook.EventLog, error) {
	return openStoreWith(cmd, webhook.StoreOptions{Durable: durable})
}

func openStoreWith(cmd *cobra.Command, opts webhook.StoreOptions) (*app, webhook.EventLog, error) {
	a, err := loadApp(cmd)
	if err != nil {
		return nil, nil, err
	}
	opts.Logger = a.log
	st, err := a.openLog(cmd, opts)
	if err != nil {
		a.close()
		return nil, nil, err
	}
	return a, st, nil
}

// openLog opens the event log at --store, else IWB_STORE, else the file
// under the iwb home. A postgres:// URL is a team's shared log; its password
// appears in no message (webhook masks it).
func (a *app) openLog(cmd *cobra.Command, opts webhook.StoreOptions) (webhook.EventLog, error) {
	location, _ := cmd.Flags().GetString("store")
	if location == "" {
		location = os.Getenv("IWB_STORE")
	}
	if location == "" {
		location = a.paths.Database()
	}
	st, err := webhook.OpenLog(cmd.Context(), location, opts)
	if err != nil {
		return nil, withExit(exitFailed, err)
	}
	return st, nil
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
	maxConns, _ := f.GetInt("max-conns")
	durable, _ := f.GetBool("durable")

	auth, err := listenAuth(cmd, authSpec)
	if err != nil {
		return err
	}
	if maxBody <= 0 {
		return usageErrorf("--max-body must be a positive number of bytes, not %d", maxBody)
	}
	if maxConns <= 0 {
		return usageErrorf("--max-conns must be a positive number of connections, not %d", maxConns)
	}
	if forwardTo != "" {
		if err := webhook.CheckForwardURL(forwardTo); err != nil {
			return usageErrorf("--forward-to: %v", err)
		}
	}
	retention, err := retentionFlags(cmd)
	if err != nil {
		return err
	}
	a, st, err := openStoreWith(cmd, webhook.StoreOptions{Durable: durable, Retention: retention})
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	// The action history, in the same file, ages with the events.
	hist, err := history.Open(a.paths.Database())
	if err != nil {
		return err
	}
	defer hist.Close()
	st.AddPruner("action history", hist.Prune)
	if authSpec == "" {
		// A token set up from the workbench's Triggers tab stays required.
		if auth, err = st.ListenerAuth(cmd.Context()); err != nil {
			return err
		}
	}
	srv, err := webhook.NewServer(st, webhook.ServerOptions{
		Addr: addr, MaxBody: maxBody, MaxConns: maxConns, Auth: auth, ForwardTo: forwardTo, Logger: a.log,
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
		// A host that does not resolve or is not this machine's is a bad
		// address; one in use or not permitted is a failure to listen.
		var dnsErr *net.DNSError
		if errors.As(err, &dnsErr) || errors.Is(err, syscall.EADDRNOTAVAIL) {
			return withExit(exitUsage, err)
		}
		return withExit(exitFailed, err)
	}
	// The recipe runner writes its lines from its own goroutine.
	stderr := &lockedWriter{w: cmd.ErrOrStderr()}
	fmt.Fprintf(stderr, "listening on %s (auth: %s)\n", srv.URL(), auth)
	fmt.Fprintf(stderr, "Iterable needs HTTPS: run a tunnel to %s and give Iterable the tunnel's URL.\n", srv.Addr())
	if forwardTo != "" {
		fmt.Fprintf(stderr, "forwarding each accepted event to %s\n", forwardTo)
	}
	fmt.Fprintln(stderr, "Ctrl-C stops; every answered event is stored in", st.Path())
	_, stopRecipes, err := startRecipes(ctx, st, a.log, listenConnection(cmd, a),
		func(line string) { fmt.Fprintln(stderr, line) },
		func(j recipe.Job) { fmt.Fprintln(stderr, jobLine(j)) })
	if err != nil {
		return err
	}

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
	recipesErr := stopRecipes()
	p.catchUp(shutdownCtx)
	if p.err != nil {
		return withExit(exitFailed, fmt.Errorf("printing events: %w", p.err))
	}
	s := st.Stats()
	fmt.Fprintf(stderr, "stopped: %d events in the log (%d rejected, %d duplicates), %d refused for auth\n",
		s.Events, s.Rejected, s.Duplicates, s.Unauthorized)
	if err := errors.Join(serveErr, shutdownErr, recipesErr); err != nil {
		return withExit(exitFailed, err)
	}
	return nil
}

// listenAuth parses --auth, its secret coming from --auth-file or else from
// IWB_LISTEN_TOKEN (header) or IWB_LISTEN_BASIC (basic).
func listenAuth(cmd *cobra.Command, spec string) (webhook.Auth, error) {
	file, _ := cmd.Flags().GetString("auth-file")
	mode, _, _ := strings.Cut(spec, ":")
	var secret string
	switch {
	case file != "":
		if spec == "" {
			return webhook.Auth{}, usageErrorf("--auth-file needs --auth header[:NAME] or --auth basic")
		}
		b, err := os.ReadFile(file)
		if err != nil {
			return webhook.Auth{}, usageErrorf("--auth-file: %v", err)
		}
		secret = strings.TrimRight(string(b), "\r\n")
	case mode == "header":
		secret = os.Getenv("IWB_LISTEN_TOKEN")
	case mode == "basic":
		secret = os.Getenv("IWB_LISTEN_BASIC")
	}
	auth, err := webhook.ParseAuth(spec, secret)
	if err != nil {
		return webhook.Auth{}, usageErrorf("%v", err)
	}
	return auth, nil
}

// eventPrinter prints live events once each, in id order. When the live copy
// dropped events (a slow terminal), it re-reads them from the store.
type eventPrinter struct {
	out       io.Writer
	json      bool
	events    []string
	workflows []string
	store     webhook.EventLog
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
// event name or workflow id, email or user id, triggers, and marks. Either
// way nothing the sender wrote can act on the terminal.
func writeEvent(w io.Writer, ev webhook.Event, asJSON bool) error {
	if asJSON {
		b, err := json.Marshal(ev)
		if err != nil {
			return err
		}
		_, err = fmt.Fprintf(w, "%s\n", termtext.JSON(b))
		return err
	}
	_, err := fmt.Fprintln(w, humanLine(ev))
	return err
}

// humanColumns lays out humanLine: id, date, time, kind, event, who.
const humanColumns = "%-6s %-10s %-12s  %-8s %-24s %-28s"

// humanHeader names humanLine's columns.
var humanHeader = strings.TrimRight(fmt.Sprintf(humanColumns, "ID", "DATE", "TIME", "KIND", "EVENT", "WHO"), " ")

func humanLine(ev webhook.Event) string {
	what := ev.EventName
	if what == "" && ev.WorkflowID != "" {
		what = "workflow " + ev.WorkflowID
	}
	if what == "" {
		what = ev.Path
	}
	who := ev.Who()
	if who == "" {
		who = "-"
	}
	at := ev.ReceivedAt.Local()
	line := fmt.Sprintf(humanColumns, strconv.FormatInt(ev.ID, 10), at.Format(time.DateOnly), at.Format("15:04:05.000"),
		ev.Kind, termtext.Line(what), termtext.Line(who))
	if len(ev.Triggers) > 0 {
		line += " → " + termtext.Line(strings.Join(ev.Triggers, ", "))
	}
	var marks []string
	if ev.Status != webhook.StatusAccepted {
		marks = append(marks, string(ev.Status)+": "+termtext.Line(ev.Error))
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
