package schema

import (
	"encoding/json"
	"fmt"
	"os"
)

// Format is the form of a schema file.
type Format string

// The two forms a schema file takes; Parse reads either.
const (
	FormatWorkato    Format = "workato"    // Workato's: a JSON array of fields
	FormatJSONSchema Format = "jsonschema" // JSON Schema 2020-12
)

// ParseFormat checks a format's name.
func ParseFormat(name string) (Format, error) {
	switch f := Format(name); f {
	case FormatWorkato, FormatJSONSchema:
		return f, nil
	}
	return "", formatError(name)
}

func formatError(name string) error {
	return fmt.Errorf("%q: use workato or jsonschema", name)
}

// Encode writes the schema in format f, indented and ending in a newline,
// as a file holds it.
func (s Schema) Encode(f Format) ([]byte, error) {
	var b []byte
	var err error
	switch f {
	case FormatJSONSchema:
		b, err = s.JSONSchema()
	case FormatWorkato:
		b, err = json.MarshalIndent(s, "", "  ")
	default:
		return nil, formatError(string(f))
	}
	if err != nil {
		return nil, fmt.Errorf("encoding the schema: %w", err)
	}
	return append(b, '\n'), nil
}

// ReadFile reads a schema file in either form.
func ReadFile(path string) (Schema, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	s, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return s, nil
}
