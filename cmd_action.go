package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"
	"golang.org/x/term"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/internal/oneline"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/schema"
)

func newActionCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "action",
		Short: "Run one of the ten Iterable actions headlessly",
	}
	list := &cobra.Command{
		Use:   "list",
		Short: "List the ten actions",
		Args:  cobra.NoArgs,
		RunE:  runActionList,
	}
	runCmd := &cobra.Command{
		Use:   "run ACTION",
		Short: "Run an action: the body goes out as given, the answer is printed as JSON",
		Long: `run sends one action's request body exactly as the Iterable API takes it and prints
the answer as JSON. The body is checked against the action's required fields
first; a bad body is exit 2 and nothing is sent. get-user takes {"email": "..."}
and exits 3 when no user has that email.

bulk-upsert-users and add-subscribers also take users from a file (--file):
JSON Lines, one user object per line, or CSV with a header row whose email and
userId columns identify the user and whose other columns become dataFields.
Users are packed 1000 (and under 4 MB) per request and sent at Iterable's rate;
--data then gives the other fields, e.g. '{"listId": 12}'.

send-sms, and bulk writes of more than 100 users, ask before sending unless --yes.`,
		Args: cobra.ExactArgs(1),
		RunE: runAction,
	}
	f := runCmd.Flags()
	f.String("connection", "", "the connection to use (default: the default connection)")
	f.String("base-url", "", "another API host (overrides ITERABLE_BASE_URL)")
	f.String("data", "", "the request body: JSON, @FILE, or - for stdin")
	f.String("file", "", "users from a .jsonl or .csv file (bulk-upsert-users, add-subscribers)")
	f.Bool("dry-run", false, "check the request without sending it")
	f.Bool("curl", false, "print the request as a curl command that reads the key from $ITERABLE_API_KEY, instead of sending it")
	f.Bool("yes", false, "do not ask before writes that reach people")
	cmd.AddCommand(list, runCmd)
	return cmd
}

func runActionList(cmd *cobra.Command, _ []string) error {
	w := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 4, 2, ' ', 0)
	fmt.Fprintln(w, "ACTION\tTITLE\tCALL\tKIND\tDESCRIPTION")
	for _, a := range client.Actions {
		fmt.Fprintf(w, "%s\t%s\t%s %s\t%s\t%s\n", a.Name, a.Title, a.Method, a.Path, a.Kind(), a.Description)
	}
	return w.Flush()
}

// actionRun is what one `iwb action run` was asked to do.
type actionRun struct {
	action          client.Action
	body            []byte
	file            string
	dryRun, curl    bool
	yes             bool
	connection      string
	users           int
	confirmRequired bool
	convert         client.Converter // how CSV cells become dataFields values
}

func runAction(cmd *cobra.Command, args []string) error {
	action, ok := client.LookupAction(args[0])
	if !ok {
		return usageErrorf("unknown action %q: use one of %s", args[0], strings.Join(client.ActionNames(), ", "))
	}
	r := actionRun{action: action, convert: client.KeepText}
	f := cmd.Flags()
	data, _ := f.GetString("data")
	r.file, _ = f.GetString("file")
	r.dryRun, _ = f.GetBool("dry-run")
	r.curl, _ = f.GetBool("curl")
	r.yes, _ = f.GetBool("yes")
	r.connection, _ = f.GetString("connection")

	var err error
	if r.body, err = readData(data, cmd.InOrStdin()); err != nil {
		return usageErrorf("--data: %v", err)
	}
	if err := r.check(cmd.ErrOrStderr()); err != nil {
		return err
	}

	a, err := loadApp(cmd)
	if err != nil {
		return err
	}
	defer a.close()
	creds, err := resolveCredentials(cmd, a, r.connection)
	if err != nil {
		if !r.dryRun && !r.curl {
			return err
		}
		creds.Key = "" // nothing is sent: the request can be shown without a key
	}
	c, err := creds.newClient(a.log)
	if err != nil {
		return usageErrorf("%v", err)
	}
	if err := r.checkCSV(cmd, c, creds.Key != ""); err != nil {
		return err
	}
	out := cmd.OutOrStdout()
	if r.curl {
		fmt.Fprintln(out, c.Curl(action, r.body))
		return nil
	}
	if r.dryRun {
		what := action.Method + " " + strings.TrimRight(c.BaseURL(), "/") + action.Path
		if r.file != "" {
			what += fmt.Sprintf(" with %d users from %s", r.users, r.file)
		}
		fmt.Fprintf(out, "dry run: %s is valid; nothing was sent\n", what)
		return nil
	}
	if r.confirmRequired && !r.yes {
		if err := confirm(cmd, r.confirmQuestion(), "Send?", "nothing was sent"); err != nil {
			return err
		}
	}
	ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	a.log.Info("action run", "action", action.Name, "connection", creds.Connection, "users", r.users)
	started := time.Now()
	if r.file != "" {
		answer, err := r.stream(ctx, c, cmd)
		keepRun(cmd, a, history.Record{Action: action.Name, Connection: creds.label(),
			Request: history.WithUsersFile(r.body, r.file)}, started, answer, err)
		return actionError(err)
	}
	answer, err := c.Run(ctx, action, r.body)
	keepRun(cmd, a, history.Record{Action: action.Name, Connection: creds.label(), Request: r.body}, started, answer, err)
	if answer != nil {
		printJSON(out, answer)
	}
	return actionError(err)
}

// keepRun records a run in the history the workbench shows too; a run that
// cannot be kept is a warning, not a failure of the command.
func keepRun(cmd *cobra.Command, a *app, rec history.Record, started time.Time, answer []byte, err error) {
	rec.At, rec.Source, rec.Duration = time.Now(), history.SourceCLI, time.Since(started)
	rec.Status, rec.Answer = history.Outcome(answer, err)
	h, keepErr := history.Open(a.paths.Database())
	if keepErr == nil {
		_, keepErr = h.Add(context.WithoutCancel(cmd.Context()), rec)
		keepErr = errors.Join(keepErr, h.Close())
	}
	if keepErr != nil {
		a.log.Warn("keeping an action run in the history", "action", rec.Action, "err", keepErr)
		fmt.Fprintf(cmd.ErrOrStderr(), "warning: the run was not kept in the history: %s\n", oneline.Of(keepErr.Error(), 0))
	}
}

// check validates the body (and a JSON Lines file's every user) before
// anything is sent; a CSV file is checked once its columns are typed.
func (r *actionRun) check(stderr io.Writer) error {
	body := r.body
	if r.file != "" {
		if r.action.UsersField == "" {
			return usageErrorf("%s does not take --file; only bulk-upsert-users and add-subscribers do", r.action.Name)
		}
		if r.curl {
			return usageErrorf("--curl shows one request; it cannot be used with --file")
		}
		var err error
		if body, err = withUsers(body, r.action.UsersField); err != nil {
			return usageErrorf("%s: %v", r.action.Name, err)
		}
	}
	users, err := r.action.Check(body)
	if err != nil {
		return usageErrorf("%v; nothing was sent", err)
	}
	r.users = users
	r.confirmRequired = r.action.NeedsConfirmation(r.users)
	if r.file != "" && !r.isCSV() {
		return r.checkFile(stderr)
	}
	return nil
}

func (r *actionRun) isCSV() bool { return strings.EqualFold(filepath.Ext(r.file), ".csv") }

// checkCSV types a CSV file's columns by the project's user fields, so a
// value that would clash with a field's fixed type is refused before anything
// is sent (without a key, or when the fields cannot be read, cells stay
// text), then checks the file whole.
func (r *actionRun) checkCSV(cmd *cobra.Command, c *client.Client, hasKey bool) error {
	if r.file == "" || !r.isCSV() {
		return nil
	}
	if hasKey {
		fields, err := c.UserFields(cmd.Context())
		if err != nil {
			fmt.Fprintf(cmd.ErrOrStderr(), "warning: could not read the project's field types (%v); CSV values are sent as text\n", err)
		} else {
			r.convert = schema.NewProjectFields(fields).CSVCell
		}
	}
	return r.checkFile(cmd.ErrOrStderr())
}

// checkFile reads the users file whole: every bad row is listed on stderr,
// in line order, and nothing is sent.
func (r *actionRun) checkFile(stderr io.Writer) error {
	c, err := client.CheckUsersFile(r.file, r.convert)
	if err != nil {
		return usageErrorf("--file %s: %v; nothing was sent", r.file, err)
	}
	if err := c.Err(); err != nil {
		var bad *client.BadRowsError
		errors.As(err, &bad)
		for _, p := range bad.Problems {
			fmt.Fprintln(stderr, termtext.Line(p.String()))
		}
		return usageErrorf("--file %s: %d bad rows (listed above); nothing was sent", r.file, bad.Rows())
	}
	r.users = c.Users
	r.confirmRequired = r.action.NeedsConfirmation(r.users)
	return nil
}

// withUsers puts an empty users array in the body so the required fields
// can be checked when the users come from a file.
func withUsers(body []byte, field string) ([]byte, error) {
	fields := map[string]json.RawMessage{}
	if len(bytes.TrimSpace(body)) > 0 {
		if err := json.Unmarshal(body, &fields); err != nil {
			return nil, fmt.Errorf("the body is not a JSON object: %v", err)
		}
	}
	if _, given := fields[field]; given {
		return nil, fmt.Errorf("give the users either in --data %q or with --file, not both", field)
	}
	fields[field] = json.RawMessage("[]")
	return json.Marshal(fields)
}

// stream sends the file's users; the answer is the summary, also printed.
func (r *actionRun) stream(ctx context.Context, c *client.Client, cmd *cobra.Command) ([]byte, error) {
	src, closeFile, err := client.OpenUsersFile(r.file, r.convert)
	if err != nil {
		return nil, usageErrorf("--file %s: %v", r.file, err)
	}
	defer closeFile()
	fields := r.body
	errOut := cmd.ErrOrStderr()
	showProgress := isTerminal(errOut)
	s := client.Streamer{Client: c, Action: r.action, Fields: fields, Progress: func(p client.BulkProgress) {
		if showProgress {
			fmt.Fprintf(errOut, "\rsent %d of %d users: %d succeeded, %d failed", p.Sent, r.users, p.Succeeded, p.Failed)
		}
	}}
	sum, err := s.Stream(ctx, src)
	if showProgress {
		fmt.Fprintln(errOut)
	}
	var answer []byte
	if sum != nil {
		answer, _ = json.Marshal(sum)
		printJSON(cmd.OutOrStdout(), answer)
	}
	switch {
	case sum == nil:
		return nil, err
	case err != nil:
		return answer, fmt.Errorf("after %d users sent: %w", sum.Sent, err)
	}
	return answer, sum.Err()
}

// actionError gives an action's failure iwb's exit code.
func actionError(err error) error {
	if err == nil {
		return nil
	}
	var apiErr *client.Error
	var inputErr *client.InputError
	switch {
	case errors.Is(err, client.ErrUserNotFound):
		return withExit(exitNotFound, err)
	case errors.As(err, &apiErr) && apiErr.IsBadKey():
		return withExit(exitNoKey, err)
	case errors.As(err, &inputErr):
		return withExit(exitUsage, err)
	default:
		return withExit(exitFailed, err)
	}
}

// readData reads --data: JSON as given, @FILE, or - for stdin.
func readData(data string, stdin io.Reader) ([]byte, error) {
	switch {
	case data == "":
		return nil, nil
	case data == "-":
		return io.ReadAll(stdin)
	case strings.HasPrefix(data, "@"):
		return os.ReadFile(data[1:])
	default:
		return []byte(data), nil
	}
}

// confirmQuestion says what the run will do that needs a yes.
func (r actionRun) confirmQuestion() string {
	if r.action.UsersField != "" {
		return fmt.Sprintf("%s will write %d users", r.action.Title, r.users)
	}
	return fmt.Sprintf("%s will reach real people", r.action.Title)
}

// confirm asks "what. question [y/N]" on the terminal; without one, it
// refuses with --yes as the way out. nothingDone ends either refusal.
func confirm(cmd *cobra.Command, what, question, nothingDone string) error {
	in := cmd.InOrStdin()
	if !isTerminal(in) || !isTerminal(cmd.ErrOrStderr()) {
		return usageErrorf("%s: confirm with --yes (no terminal to ask on); %s", what, nothingDone)
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "%s. %s [y/N] ", what, question)
	line, _ := bufio.NewReader(in).ReadString('\n')
	if answer := strings.ToLower(strings.TrimSpace(line)); answer != "y" && answer != "yes" {
		return usageErrorf("not confirmed; %s", nothingDone)
	}
	return nil
}

func isTerminal(v any) bool {
	f, ok := v.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

// printJSON prints an answer indented, or as received when it is not JSON;
// either way through the sanitizer, as it came from outside.
func printJSON(w io.Writer, b []byte) {
	var buf bytes.Buffer
	text := ""
	if json.Indent(&buf, b, "", "  ") == nil {
		text = string(termtext.JSON(buf.Bytes()))
	} else {
		text = termtext.Block(string(b))
	}
	fmt.Fprintln(w, strings.TrimRight(text, "\n"))
}
