package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/schema"
)

func newSchemaCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "schema",
		Short: "Infer and validate webhook payload schemas",
	}
	infer := &cobra.Command{
		Use:   "infer [FILE...]",
		Short: "Infer a schema from sample payloads (stdin when no FILE)",
		Long: `Infer a schema from sample payloads. Each FILE (or stdin) holds a payload object,
an array of payloads, or payloads one after the other (JSON Lines). The schema goes
to stdout; a note per field to check (unknown type, conflict, key with a '.') goes
to stderr.`,
		RunE: runSchemaInfer,
	}
	infer.Flags().String("format", "workato", "output format: workato or jsonschema")
	validate := &cobra.Command{
		Use:   "validate SCHEMA.json [PAYLOAD.json...]",
		Short: "Check payloads against a schema (stdin when no PAYLOAD); exit 1 when invalid",
		Long: `Check payloads against a schema in Workato or JSON Schema form. Prints one line per
problem; warnings (fields the schema does not know) do not make a payload invalid.
Exit 0 when every payload fits, 1 when one does not, 2 when a file cannot be read.`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return usageErrorf("missing the schema file: iwb schema validate SCHEMA.json [PAYLOAD.json...]")
			}
			return nil
		},
		RunE: runSchemaValidate,
	}
	cmd.AddCommand(infer, validate)
	return cmd
}

// input is one file named on the command line, or stdin.
type input struct {
	name string
	data []byte
}

// readInputs reads the named files, or stdin when there are none. It reads
// no more of each than inference takes, so a huge file fails with the
// inference's size error rather than filling memory.
func readInputs(cmd *cobra.Command, names []string) ([]input, error) {
	if len(names) == 0 {
		data, err := readLimited(cmd.InOrStdin())
		if err != nil {
			return nil, usageErrorf("reading stdin: %v", err)
		}
		return []input{{"stdin", data}}, nil
	}
	out := make([]input, 0, len(names))
	for _, name := range names {
		f, err := os.Open(name)
		if err != nil {
			return nil, usageErrorf("reading %s: %v", name, err)
		}
		data, err := readLimited(f)
		f.Close()
		if err != nil {
			return nil, usageErrorf("reading %s: %v", name, err)
		}
		out = append(out, input{name, data})
	}
	return out, nil
}

func readLimited(r io.Reader) ([]byte, error) {
	data, err := io.ReadAll(io.LimitReader(r, schema.MaxInputBytes+1))
	if err == nil && len(data) > schema.MaxInputBytes {
		err = fmt.Errorf("more than the %d MiB iwb reads", schema.MaxInputBytes>>20)
	}
	return data, err
}

func runSchemaInfer(cmd *cobra.Command, args []string) error {
	name, _ := cmd.Flags().GetString("format")
	format, err := schema.ParseFormat(name)
	if err != nil {
		return usageErrorf("--format %v", err)
	}
	inputs, err := readInputs(cmd, args)
	if err != nil {
		return err
	}
	docs := make([][]byte, len(inputs))
	for i, in := range inputs {
		docs[i] = in.data
	}
	inf, err := schema.Infer(docs...)
	if err != nil {
		return usageErrorf("inferring a schema: %v", err)
	}
	out, err := inf.Schema.Encode(format)
	if err != nil {
		return err
	}
	if _, err := cmd.OutOrStdout().Write(termtext.JSON(out)); err != nil {
		return err
	}
	for _, n := range inf.Notes {
		fmt.Fprintf(cmd.ErrOrStderr(), "note: %s\n", termtext.Line(n.String()))
	}
	return nil
}

func runSchemaValidate(cmd *cobra.Command, args []string) error {
	s, err := schema.ReadFile(args[0])
	if err != nil {
		return usageErrorf("%v", err)
	}
	inputs, err := readInputs(cmd, args[1:])
	if err != nil {
		return err
	}
	type payload struct {
		name  string
		value any
	}
	var payloads []payload
	for _, in := range inputs {
		var v any
		if err := schema.DecodeJSON(in.data, &v); err != nil {
			return usageErrorf("%s: not a JSON payload: %v", in.name, err)
		}
		if list, ok := v.([]any); ok { // an array of payloads, as infer reads them
			for i, item := range list {
				payloads = append(payloads, payload{fmt.Sprintf("%s[%d]", in.name, i), item})
			}
			continue
		}
		payloads = append(payloads, payload{in.name, v})
	}
	invalid := 0
	for _, p := range payloads {
		problems := schema.Validate(s, p.value)
		for _, prob := range problems {
			if len(payloads) > 1 {
				fmt.Fprintf(cmd.OutOrStdout(), "%s: %s\n", p.name, termtext.Line(prob.String()))
			} else {
				fmt.Fprintln(cmd.OutOrStdout(), termtext.Line(prob.String()))
			}
		}
		if schema.HasErrors(problems) {
			invalid++
		}
	}
	if invalid > 0 {
		return withExit(exitFailed, fmt.Errorf("%d of %d payloads do not fit the schema", invalid, len(payloads)))
	}
	return nil
}
