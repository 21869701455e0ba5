package main

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/schema"
)

func runSchemaCLI(t *testing.T, stdin []byte, args ...string) iwbResult {
	t.Helper()
	return runIWB(t, buildIWB(t), baseEnv("IWB_HOME="+t.TempDir()), string(stdin), args...)
}

func eventFixture(name string) string { return filepath.Join("schema", "testdata", "events", name) }

func readEvent(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(eventFixture(name))
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func TestSchemaInferEmailOpen(t *testing.T) {
	r := runSchemaCLI(t, readEvent(t, "emailOpen.json"), "schema", "infer")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	s, err := schema.ParseWorkato([]byte(r.stdout))
	if err != nil {
		t.Fatalf("stdout is not a Workato schema: %v\n%s", err, r.stdout)
	}
	for path, want := range map[string]schema.Type{
		"dataFields.campaignId": schema.Integer,
		"dataFields.createdAt":  schema.DateTime,
		"dataFields.workflowId": schema.Unknown,
		"dataFields":            schema.Object,
		"email":                 schema.String,
	} {
		if f, ok := s.Find(schema.ParsePath(path)); !ok || f.Type != want {
			t.Errorf("%s: got %+v, want type %s", path, f, want)
		}
	}
	df, _ := s.Find(schema.Path{"dataFields"})
	var keys []string
	for _, f := range df.Properties {
		keys = append(keys, f.Name)
	}
	wantKeys := []string{"userAgent", "proxySource", "ip", "templateId", "device", "email", "createdAt", "campaignId",
		"messageId", "emailSubject", "campaignName", "workflowId", "workflowName", "templateName", "channelId",
		"messageTypeId", "experimentId", "emailId"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("dataFields keys\n got %v\nwant %v", keys, wantKeys)
	}
	wantNotes := "note: dataFields.workflowId: unknown type, only nulls seen\n" +
		"note: dataFields.workflowName: unknown type, only nulls seen\n" +
		"note: dataFields.experimentId: unknown type, only nulls seen\n"
	if r.stderr != wantNotes {
		t.Errorf("stderr\n got %q\nwant %q", r.stderr, wantNotes)
	}
}

func TestSchemaInferTwoSamples(t *testing.T) {
	r := runSchemaCLI(t, nil, "schema", "infer", eventFixture("emailOpen.json"), eventFixture("emailOpen_journey.json"))
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	s, err := schema.ParseWorkato([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	for path, optional := range map[string]bool{
		"dataFields.proxySource": true, // only in the first
		"userId":                 true, // only in the second
		"dataFields.campaignId":  false,
		"email":                  false,
	} {
		if f, ok := s.Find(schema.ParsePath(path)); !ok || f.Optional != optional {
			t.Errorf("%s: got %+v, want optional=%v", path, f, optional)
		}
	}
	if f, _ := s.Find(schema.Path{"dataFields", "workflowId"}); f.Type != schema.Integer {
		t.Errorf("workflowId null then 60102: got %s, want integer", f.Type)
	}
}

func TestSchemaInferJSONSchema(t *testing.T) {
	r := runSchemaCLI(t, readEvent(t, "smsBounce.json"), "schema", "infer", "--format", "jsonschema")
	if r.code != exitOK {
		t.Fatalf("exit %d: %s", r.code, r.stderr)
	}
	if !strings.Contains(r.stdout, `"$schema": "https://json-schema.org/draft/2020-12/schema"`) {
		t.Errorf("no $schema in\n%s", r.stdout)
	}
	s, err := schema.FromJSONSchema([]byte(r.stdout))
	if err != nil {
		t.Fatal(err)
	}
	if f, ok := s.Find(schema.Path{"dataFields", "smsProviderResponse", "code"}); !ok || f.Type != schema.Integer {
		t.Errorf("smsProviderResponse.code: %+v", f)
	}
}

func TestSchemaInferBadInput(t *testing.T) {
	tests := []struct {
		name   string
		stdin  string
		args   []string
		stderr string
	}{
		{"broken JSON", `{"a": 1,}`, nil, "iwb: inferring a schema: invalid JSON at byte 8: expected a key in quotes\n"},
		{"not an object", `42`, nil, "iwb: inferring a schema: a sample must be a JSON object (or an array of objects), not a number\n"},
		{"empty", ``, nil, "iwb: inferring a schema: no sample: the input holds no JSON object\n"},
		{"bad format", `{}`, []string{"--format", "yaml"}, "iwb: --format \"yaml\": use workato or jsonschema\n"},
		{"missing file", ``, []string{"nope.json"}, "iwb: reading nope.json: open nope.json: no such file or directory\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runSchemaCLI(t, []byte(tt.stdin), append([]string{"schema", "infer"}, tt.args...)...)
			if r.code != exitUsage || r.stdout != "" || r.stderr != tt.stderr {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", r.code, r.stdout, r.stderr, tt.stderr)
			}
		})
	}
}

// writeSchema infers a schema from fixtures and saves it for validate.
func writeSchema(t *testing.T, format string, fixtures ...string) string {
	t.Helper()
	args := []string{"schema", "infer", "--format", format}
	for _, f := range fixtures {
		args = append(args, eventFixture(f))
	}
	r := runSchemaCLI(t, nil, args...)
	if r.code != exitOK {
		t.Fatalf("infer: exit %d: %s", r.code, r.stderr)
	}
	path := filepath.Join(t.TempDir(), "schema.json")
	if err := os.WriteFile(path, []byte(r.stdout), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func TestSchemaValidate(t *testing.T) {
	for _, format := range []string{"workato", "jsonschema"} {
		t.Run(format, func(t *testing.T) {
			schemaFile := writeSchema(t, format, "emailOpen.json", "emailOpen_journey.json")

			ok := runSchemaCLI(t, readEvent(t, "emailOpen_journey.json"), "schema", "validate", schemaFile)
			if ok.code != exitOK || ok.stdout != "" || ok.stderr != "" {
				t.Errorf("valid payload: exit %d, stdout %q, stderr %q", ok.code, ok.stdout, ok.stderr)
			}

			bad := bytes.Replace(readEvent(t, "emailOpen.json"), []byte(`"campaignId": 51234`), []byte(`"campaignId": "51234"`), 1)
			r := runSchemaCLI(t, bad, "schema", "validate", schemaFile)
			if r.code != exitFailed {
				t.Errorf("exit %d, want 1", r.code)
			}
			if r.stdout != "dataFields.campaignId: expected integer, found string\n" {
				t.Errorf("stdout %q", r.stdout)
			}
			if r.stderr != "iwb: 1 of 1 payloads do not fit the schema\n" {
				t.Errorf("stderr %q", r.stderr)
			}
		})
	}
}

func TestSchemaValidateSeveralPayloads(t *testing.T) {
	schemaFile := writeSchema(t, "workato", "emailOpen.json")
	dir := t.TempDir()
	extra := filepath.Join(dir, "extra.json")
	if err := os.WriteFile(extra, []byte(`[{"email":"a@acme.io","eventName":"emailOpen","dataFields":{}}]`), 0o600); err != nil {
		t.Fatal(err)
	}
	r := runSchemaCLI(t, nil, "schema", "validate", schemaFile, eventFixture("emailOpen.json"), eventFixture("emailOpen_journey.json"), extra)
	if r.code != exitFailed {
		t.Errorf("exit %d, want 1", r.code)
	}
	journey := eventFixture("emailOpen_journey.json")
	for _, want := range []string{
		journey + ": dataFields.proxySource: missing (expected string)\n",
		journey + ": warning: userId: not in the schema (found string)\n",
		extra + "[0]: dataFields.campaignId: missing (expected integer)\n",
	} {
		if !strings.Contains(r.stdout, want) {
			t.Errorf("no line %q in\n%s", want, r.stdout)
		}
	}
	// workflowId was only null in the schema's sample: unknown takes 60102.
	if strings.Contains(r.stdout, "workflowId") || strings.Contains(r.stdout, "emailOpen.json: ") {
		t.Errorf("a problem for a payload that fits:\n%s", r.stdout)
	}
	if r.stderr != "iwb: 2 of 3 payloads do not fit the schema\n" {
		t.Errorf("stderr %q", r.stderr)
	}
}

func TestSchemaValidateBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good := write("good.json", `[{"name":"id","type":"integer"}]`)
	noOf := write("noof.json", `[{"name":"tags","type":"array"}]`)
	tests := []struct {
		name   string
		args   []string
		stdin  string
		stderr string
	}{
		{"schema missing", []string{"missing.json"}, `{}`, "iwb: reading missing.json: open missing.json: no such file or directory\n"},
		{"array without of", []string{noOf}, `{}`, "iwb: " + noOf + ": checking schema: tags: an array needs the type of its items (\"of\")\n"},
		{"payload not JSON", []string{good}, `{"id":`, "iwb: stdin: not a JSON payload: unexpected EOF\n"},
		{"no schema", nil, ``, "iwb: missing the schema file: iwb schema validate SCHEMA.json [PAYLOAD.json...]\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := runSchemaCLI(t, []byte(tt.stdin), append([]string{"schema", "validate"}, tt.args...)...)
			if r.code != exitUsage || r.stdout != "" || r.stderr != tt.stderr {
				t.Errorf("exit %d, stdout %q, stderr %q; want 2, nothing, %q", r.code, r.stdout, r.stderr, tt.stderr)
			}
		})
	}
}

func TestSchemaInferThenValidate(t *testing.T) {
	// infer | validate on the same samples always passes: what infer writes,
	// validate reads.
	schemaFile := writeSchema(t, "workato", "emailOpen.json", "pushSend.json", "smsBounce.json", "embeddedSession.json")
	for _, f := range []string{"emailOpen.json", "pushSend.json", "smsBounce.json", "embeddedSession.json"} {
		r := runSchemaCLI(t, readEvent(t, f), "schema", "validate", schemaFile)
		if r.code != exitOK {
			t.Errorf("%s: exit %d\n%s%s", f, r.code, r.stdout, r.stderr)
		}
	}
}
