package schema

import (
	"bytes"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

func TestEncodeThenReadFileKeepsTheSchemaInBothFormats(t *testing.T) {
	dir := t.TempDir()
	for _, name := range []string{"workato", "jsonschema"} {
		f, err := ParseFormat(name)
		if err != nil {
			t.Fatal(err)
		}
		data, err := fullSchema.Encode(f)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.HasSuffix(data, []byte("}\n")) && !bytes.HasSuffix(data, []byte("]\n")) {
			t.Errorf("%s: the file does not end in one newline: %q", name, data[max(len(data)-4, 0):])
		}
		if isJSONSchema := bytes.Contains(data, []byte(JSONSchemaDialect)); isJSONSchema != (f == FormatJSONSchema) {
			t.Errorf("%s: carries the JSON Schema dialect: %v", name, isJSONSchema)
		}
		path := filepath.Join(dir, name+".json")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		back, err := ReadFile(path)
		if err != nil || !reflect.DeepEqual(back, fullSchema) {
			t.Errorf("%s: read back %q, %v", name, flatten(back), err)
		}
	}
	if _, err := ParseFormat("yaml"); err == nil || !strings.Contains(err.Error(), "workato or jsonschema") {
		t.Errorf("ParseFormat(yaml) = %v, want the two names", err)
	}
	if _, err := ReadFile(filepath.Join(dir, "missing.json")); err == nil {
		t.Error("ReadFile of a missing file succeeded")
	}
	bad := filepath.Join(dir, "bad.json")
	os.WriteFile(bad, []byte(`"a string"`), 0o600)
	if _, err := ReadFile(bad); err == nil || !strings.Contains(err.Error(), bad) {
		t.Errorf("ReadFile of a non-schema = %v, want an error naming the file", err)
	}
}
