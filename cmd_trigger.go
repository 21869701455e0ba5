package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/webhook"
)

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
	raw, _ := cmd.Flags().GetString("workflow-id")
	id, err := webhook.ParseWorkflowID(raw)
	if err != nil {
		return usageErrorf("--workflow-id: %v", err)
	}
	return addTrigger(cmd, webhook.Trigger{Name: args[0], Kind: webhook.TriggerWorkflow, WorkflowID: id})
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
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", termtext.Line(t.Name), kind, termtext.Line(on), hasSchema, t.Matched, last)
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
		var err error
		if fromFile, err = schema.ReadFile(file); err != nil {
			return usageErrorf("%v", err)
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
		inf, err := webhook.WidenWithEvents(trigger.Schema, ev)
		if err != nil {
			return usageErrorf("%v", err)
		}
		for _, n := range inf.Notes {
			fmt.Fprintln(cmd.ErrOrStderr(), "note: "+termtext.Line(n.String()))
		}
		next, source = inf.Schema, fmt.Sprintf("event %d", eventID)
	}
	if err := st.SetTriggerSchema(ctx, name, next); err != nil {
		return fmt.Errorf("saving the schema of %q: %w", name, err)
	}
	fmt.Fprintf(cmd.OutOrStdout(), "trigger %q: schema of %d top-level fields from %s\n", name, len(next), source)
	return nil
}
