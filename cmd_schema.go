package main

import "github.com/spf13/cobra"

func newSchemaCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Infer and validate webhook payload schemas",
	}
	infer := &cobra.Command{
		Use:   "infer [FILE...]",
		Short: "Infer a schema from sample payloads (stdin when no FILE)",
		RunE:  notYet,
	}
	infer.Flags().String("format", "workato", "output format: workato or jsonschema")
	validate := &cobra.Command{
		Use:   "validate SCHEMA.json [PAYLOAD.json...]",
		Short: "Check payloads against a schema (stdin when no PAYLOAD); exit 1 when invalid",
		Args:  cobra.MinimumNArgs(1),
		RunE:  notYet,
	}
	cmd.AddCommand(infer, validate)
	return cmd
}
