package main

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/secret"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/webhook"
)

func newWebhookCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Point Iterable's system webhook at iwb, and show what to give Iterable",
	}
	setup := &cobra.Command{
		Use:   "setup [--auth none|token] [--yes]",
		Short: "Point the project's system webhook at the public URL and enable it",
		Long: `setup points the project's system webhook at the public URL (set it with
'iwb settings public-url URL') and enables it. With --auth token, Iterable sends
a new token that the listener requires from then on; with --auth none (the
default), the webhook sends no auth and the listener stops requiring a token.
Which events it sends is ticked in Iterable's web app. It shows the change and
asks first; without a terminal to ask on, it needs --yes.`,
		Args: cobra.NoArgs,
		RunE: runWebhookSetup,
	}
	setup.Flags().String("auth", "none", "what Iterable sends: none, or token (a new one the listener requires)")
	setup.Flags().Int64("id", 0, "the system webhook's id, when the project has several")
	setup.Flags().Bool("yes", false, "do not ask before changing the webhook")
	show := &cobra.Command{
		Use:   "show [--reveal-token]",
		Short: "Show the URLs to give Iterable and the auth the listener requires",
		Args:  cobra.NoArgs,
		RunE:  runWebhookShow,
	}
	show.Flags().Bool("reveal-token", false, "print the listener's token in clear, to type it into Iterable")
	cmd.AddCommand(setup, show)
	return cmd
}

// setupWebhook points Iterable's system webhook hookID at endpoint and
// enables it. With withToken, Iterable sends a new token that the listener
// requires from then on: saved in st (so `iwb listen` and the workbench
// require it) and applied at once to srv when it runs (nil otherwise).
// Without, the webhook sends no auth and no token is required. Iterable is
// changed first, so no event it sends is refused in between. `iwb webhook
// setup` and the workbench's Triggers tab both call it.
func setupWebhook(ctx context.Context, c *client.Client, st webhook.EventLog, srv *webhook.Server,
	hookID int64, endpoint string, withToken bool) (*client.Webhook, error) {
	token := ""
	if withToken {
		token = webhook.NewListenerToken()
	}
	hook, err := c.PointWebhook(ctx, hookID, endpoint, token)
	if err != nil {
		return nil, fmt.Errorf("pointing system webhook %d at %s: %w", hookID, endpoint, err)
	}
	if err := st.SetListenerToken(ctx, token); err != nil {
		return hook, fmt.Errorf("the webhook is set, but the listener's token could not be saved: %w", err)
	}
	if srv != nil {
		srv.SetAuth(webhook.TokenAuth(token))
	}
	return hook, nil
}

func runWebhookSetup(cmd *cobra.Command, _ []string) error {
	f := cmd.Flags()
	authFlag, _ := f.GetString("auth")
	id, _ := f.GetInt64("id")
	yes, _ := f.GetBool("yes")
	if authFlag != "none" && authFlag != "token" {
		return usageErrorf("--auth %q: want none or token", authFlag)
	}
	withToken := authFlag == "token"
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	ctx := cmd.Context()
	ends, err := st.Endpoints(ctx, "")
	if err != nil {
		return err
	}
	if !ends.Public {
		return usageErrorf("no public URL: Iterable needs your tunnel's address; set it with 'iwb settings public-url https://…' first")
	}
	endpoint := ends.System()
	creds, err := resolveCredentials(cmd, a, "")
	if err != nil {
		return err
	}
	c, err := creds.newClient(a.log)
	if err != nil {
		return usageErrorf("%s: %v", creds.Connection, err)
	}
	listCtx, cancelList := context.WithTimeout(ctx, 30*time.Second)
	defer cancelList()
	hooks, err := c.Webhooks(listCtx)
	if err != nil {
		return actionError(fmt.Errorf("listing the project's system webhooks: %w", err))
	}
	hook, err := pickWebhook(hooks, id, endpoint)
	if err != nil {
		return err
	}
	after := client.Webhook{Endpoint: endpoint, Enabled: true, AuthType: "NoAuth"}
	if withToken {
		after.AuthType = "Basic"
	}
	if !yes {
		what := fmt.Sprintf("system webhook %d: %s → %s", hook.ID, describeWebhook(*hook), describeWebhook(after))
		if err := confirm(cmd, what, "Change it?", "nothing was changed"); err != nil {
			return err
		}
	}
	a.log.Info("webhook setup", "connection", creds.Connection, "webhook", hook.ID, "token", withToken)
	// A fresh deadline: the question above may have waited on the user.
	setupCtx, cancelSetup := context.WithTimeout(ctx, 30*time.Second)
	defer cancelSetup()
	got, err := setupWebhook(setupCtx, c, st, nil, hook.ID, endpoint, withToken)
	if err != nil {
		return actionError(err)
	}
	auth := "no auth"
	if withToken {
		auth = "a token the listener now requires"
	}
	fmt.Fprintf(cmd.OutOrStdout(), "webhook %d sends to %s with %s; tick its event types in Iterable's web app\n",
		got.ID, termtext.Line(got.Endpoint), auth)
	if withToken || ends.Token != "" {
		fmt.Fprintln(cmd.ErrOrStderr(), "a listener already running (iwb listen, the workbench) takes the new auth when restarted")
	}
	return nil
}

// pickWebhook chooses the system webhook to set up: the one id names, else
// the project's only one, else the one already sending to endpoint.
func pickWebhook(hooks []client.Webhook, id int64, endpoint string) (*client.Webhook, error) {
	if len(hooks) == 0 {
		return nil, withExit(exitNotFound, errors.New(
			"the project has no system webhook: add one in Iterable (Integrations → System Webhooks), then run this again"))
	}
	var ids []string
	for i, h := range hooks {
		if (id != 0 && h.ID == id) || (id == 0 && (len(hooks) == 1 || h.Endpoint == endpoint)) {
			return &hooks[i], nil
		}
		ids = append(ids, strconv.FormatInt(h.ID, 10))
	}
	if id != 0 {
		return nil, withExit(exitNotFound, fmt.Errorf("no system webhook %d: the project has %s", id, strings.Join(ids, ", ")))
	}
	return nil, usageErrorf("the project has %d system webhooks (%s): choose one with --id", len(hooks), strings.Join(ids, ", "))
}

// describeWebhook is a webhook's endpoint, state and auth in a few words,
// safe to print (the endpoint comes from the API).
func describeWebhook(h client.Webhook) string {
	endpoint, state, auth := termtext.Line(h.Endpoint), "disabled", "no auth"
	if endpoint == "" {
		endpoint = "nowhere"
	}
	if h.Enabled {
		state = "enabled"
	}
	switch h.AuthType {
	case "Basic":
		auth = "a token"
	case "OAuth2":
		auth = "an OAuth2 token"
	}
	return fmt.Sprintf("%s (%s, %s)", endpoint, state, auth)
}

func runWebhookShow(cmd *cobra.Command, _ []string) error {
	reveal, _ := cmd.Flags().GetBool("reveal-token")
	a, st, err := openStore(cmd, false)
	if err != nil {
		return err
	}
	defer a.close()
	defer st.Close()
	ctx := cmd.Context()
	ends, err := st.Endpoints(ctx, "http://"+webhook.DefaultAddr+"/")
	if err != nil {
		return err
	}
	triggers, err := st.Triggers(ctx)
	if err != nil {
		return err
	}
	tw := tabwriter.NewWriter(cmd.OutOrStdout(), 0, 0, 2, ' ', 0)
	fmt.Fprintf(tw, "system webhook\t%s\t(Integrations → System Webhooks)\n", ends.System())
	fmt.Fprintf(tw, "journey webhook\t%s\t(a journey's Call Webhook tile; ID is its workflow id)\n",
		ends.For(webhook.Trigger{Kind: webhook.TriggerWorkflow, WorkflowID: "ID"}))
	for _, t := range triggers {
		kind := "(New Object: the system webhook's URL)"
		if t.Kind == webhook.TriggerWorkflow {
			kind = "(New Workflow: its journey's Call Webhook tile)"
		}
		fmt.Fprintf(tw, "trigger %s\t%s\t%s\n", t.Name, ends.For(t), kind)
	}
	switch {
	case ends.Token == "":
		fmt.Fprintln(tw, "auth\tnone\t(nothing saved; iwb listen --auth requires auth for its run)")
	case reveal:
		fmt.Fprintf(tw, "auth\tAuthorization: %s\t(Iterable's auth type Basic, the token as-is)\n", ends.Token)
	default:
		fmt.Fprintf(tw, "auth\tAuthorization: %s\t(Iterable's auth type Basic; --reveal-token prints it)\n", secret.Mask(ends.Token))
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	if !ends.Public {
		fmt.Fprintln(cmd.ErrOrStderr(), "no public URL set: these are the listener's local address; Iterable needs your tunnel's (iwb settings public-url URL)")
	}
	return nil
}
