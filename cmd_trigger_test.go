package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/schema"
)

func TestTriggerCommands(t *testing.T) {
	home := t.TempDir()
	code, out, errOut := runCLI(t, home, "trigger", "add", "object", "Opens", "--event", "emailOpen, emailUnsubscribe")
	if code != 0 || !strings.Contains(out, `"Opens"`) || !strings.Contains(errOut, `did you mean "emailUnSubscribe"?`) {
		t.Fatalf("add object: %d %q %q", code, out, errOut)
	}
	if code, _, _ := runCLI(t, home, "trigger", "add", "workflow", "Onboarding", "--workflow-id", "1234"); code != 0 {
		t.Fatalf("add workflow: %d", code)
	}
	if code, _, errOut := runCLI(t, home, "trigger", "add", "workflow", "Onboarding", "--workflow-id", "9"); code != 2 || !strings.Contains(errOut, "already exists") {
		t.Errorf("duplicate name: %d %q", code, errOut)
	}
	if code, out, _ := runCLI(t, home, "trigger", "add", "workflow", "FromURL", "--workflow-id", "https://app.iterable.com/workflows/4101/edit"); code != 0 || !strings.Contains(out, "workflow 4101") {
		t.Errorf("workflow id from the editor URL: %d %q", code, out)
	}
	if code, _, errOut := runCLI(t, home, "trigger", "add", "workflow", "NoID"); code != 2 || !strings.Contains(errOut, "workflow id") {
		t.Errorf("missing workflow id: %d %q", code, errOut)
	}
	if code, _, _ := runCLI(t, home, "trigger", "add", "object", "NoEvents"); code != 2 {
		t.Errorf("missing events: %d", code)
	}
	code, out, _ = runCLI(t, home, "trigger", "list", "--json")
	var triggers []struct {
		Name, Kind, WorkflowID string
		EventNames             []string
	}
	if err := json.Unmarshal([]byte(out), &triggers); code != 0 || err != nil || len(triggers) != 3 ||
		triggers[1].Name != "Onboarding" || triggers[1].WorkflowID != "1234" || len(triggers[2].EventNames) != 2 {
		t.Errorf("list --json: %d %v %q", code, err, out)
	}
	if code, out, _ := runCLI(t, home, "trigger", "list"); code != 0 || !strings.Contains(out, "New Workflow") || !strings.Contains(out, "emailOpen,emailUnsubscribe") {
		t.Errorf("list: %q", out)
	}
	if code, _, _ := runCLI(t, home, "trigger", "remove", "Opens"); code != 0 {
		t.Errorf("remove: %d", code)
	}
	if code, _, errOut := runCLI(t, home, "trigger", "remove", "Opens"); code != 3 || !strings.Contains(errOut, "no trigger") {
		t.Errorf("remove again: %d %q", code, errOut)
	}
}

func TestTriggerSchemaFromEventAndFile(t *testing.T) {
	home := t.TempDir()
	t.Setenv("IWB_HOME", home)
	if code, _, errOut := runCLI(t, home, "trigger", "add", "object", "Opens", "--event", "emailOpen"); code != 0 {
		t.Fatalf("add: %s", errOut)
	}
	storeOneEvent(t, `{"email":"kim@example.org","eventName":"emailOpen","dataFields":{"campaignId":3101,"createdAt":"2026-03-04 05:06:07 +00:00","workflowId":null}}`)

	code, out, errOut := runCLI(t, home, "trigger", "schema", "Opens", "--from-event", "1")
	if code != 0 || !strings.Contains(out, "3 top-level fields from event 1") || !strings.Contains(errOut, "note: dataFields.workflowId") {
		t.Fatalf("--from-event: %d %q %q", code, out, errOut)
	}
	code, out, _ = runCLI(t, home, "trigger", "list", "--json")
	var triggers []struct{ Schema schema.Schema }
	if err := json.Unmarshal([]byte(out), &triggers); code != 0 || err != nil || len(triggers) != 1 {
		t.Fatalf("list: %d %v %s", code, err, out)
	}
	if f, ok := triggers[0].Schema.Find(schema.Path{"dataFields", "campaignId"}); !ok || f.Type != schema.Integer {
		t.Errorf("inferred campaignId: %+v", f)
	}

	file := filepath.Join(t.TempDir(), "opens.json")
	os.WriteFile(file, []byte(`[{"name":"email","type":"string"}]`), 0o600)
	if code, out, _ := runCLI(t, home, "trigger", "schema", "Opens", "--file", file); code != 0 || !strings.Contains(out, "1 top-level fields") {
		t.Errorf("--file: %d %q", code, out)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"Opens"}, 2},
		{[]string{"Opens", "--from-event", "1", "--file", file}, 2},
		{[]string{"Opens", "--from-event", "x"}, 2},
		{[]string{"Opens", "--from-event", "99"}, 3},
		{[]string{"Nobody", "--file", file}, 3},
		{[]string{"Opens", "--file", "/no/such/file.json"}, 2},
	} {
		if code, _, errOut := runCLI(t, home, append([]string{"trigger", "schema"}, c.args...)...); code != c.code || strings.Count(errOut, "\n") != 1 {
			t.Errorf("trigger schema %v: exit %d %q, want %d and one line", c.args, code, errOut, c.code)
		}
	}
}
