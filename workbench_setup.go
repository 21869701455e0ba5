package main

import (
	"context"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/webhook"
)

// webhookSetupFor is `iwb webhook setup`'s setupWebhook for the Triggers
// tab, on the workbench's client, event log and listener (nil when it runs
// elsewhere); nil without a client.
func webhookSetupFor(c *client.Client, st webhook.EventLog, srv *webhook.Server) func(ctx context.Context, hookID int64, endpoint string, withToken bool) (*client.Webhook, error) {
	if c == nil || st == nil {
		return nil
	}
	return func(ctx context.Context, hookID int64, endpoint string, withToken bool) (*client.Webhook, error) {
		return setupWebhook(ctx, c, st, srv, hookID, endpoint, withToken)
	}
}
