package main

import "github.com/spf13/cobra"

func newListenCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "listen",
		Short: "Receive Iterable webhooks, store each one, and print it",
		Long: `listen runs the webhook listener: every system or journey webhook POSTed to it is
stored before it is acknowledged, matched against the triggers, and printed.
Iterable needs an HTTPS URL, so give it your tunnel's address.`,
		Args: cobra.NoArgs,
		RunE: notYet,
	}
	f := cmd.Flags()
	f.String("addr", "127.0.0.1:8787", "address to listen on (HOST:PORT; port 0 picks a free one)")
	f.Bool("json", false, "print one JSON object per event")
	f.StringArray("event", nil, "print only events with this event name (repeatable)")
	f.StringArray("workflow", nil, "print only events of this workflow id (repeatable)")
	f.String("forward-to", "", "re-send each accepted event to this URL")
	f.String("auth", "", "require auth: basic:USER:PASS or header:NAME:VALUE")
	f.Int64("max-body", 1<<20, "largest body accepted, in bytes")
	f.Bool("durable", false, "fsync every commit (synchronous=FULL)")
	return cmd
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
		RunE:  notYet,
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
		RunE:  notYet,
	}
	export := &cobra.Command{
		Use:   "export",
		Short: "Export every stored event as JSON lines",
		Args:  cobra.NoArgs,
		RunE:  notYet,
	}
	export.Flags().String("out", "", "write to this file instead of stdout")
	replay := &cobra.Command{
		Use:   "replay ID --to URL",
		Short: "Re-send a stored event to a URL",
		Args:  cobra.ExactArgs(1),
		RunE:  notYet,
	}
	replay.Flags().String("to", "", "the URL to send the event to")
	cmd.AddCommand(list, show, export, replay)
	return cmd
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
		RunE:  notYet,
	}
	object.Flags().StringSlice("event", nil, "system webhook event names, e.g. emailOpen,emailClick")
	workflow := &cobra.Command{
		Use:   "workflow NAME --workflow-id ID",
		Short: "Add a New Workflow trigger: a journey by its workflow id",
		Args:  cobra.ExactArgs(1),
		RunE:  notYet,
	}
	workflow.Flags().String("workflow-id", "", "the journey's workflow id (the number in its editor URL)")
	add.AddCommand(object, workflow)
	list := &cobra.Command{
		Use:   "list",
		Short: "List the triggers",
		Args:  cobra.NoArgs,
		RunE:  notYet,
	}
	list.Flags().Bool("json", false, "print JSON")
	remove := &cobra.Command{
		Use:   "remove NAME",
		Short: "Remove a trigger",
		Args:  cobra.ExactArgs(1),
		RunE:  notYet,
	}
	schemaCmd := &cobra.Command{
		Use:   "schema NAME (--from-event ID | --file SCHEMA.json)",
		Short: "Set a trigger's payload schema from a stored event or a schema file",
		Args:  cobra.ExactArgs(1),
		RunE:  notYet,
	}
	schemaCmd.Flags().String("from-event", "", "infer the schema from this stored event")
	schemaCmd.Flags().String("file", "", "read the schema from this file (Workato JSON or JSON Schema)")
	cmd.AddCommand(add, list, remove, schemaCmd)
	return cmd
}
