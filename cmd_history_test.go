package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestHistoryKeepsCommandLineRuns(t *testing.T) {
	bin := buildIWB(t)
	const key = "feedfacecafebeef0123456789abcdef"
	home := t.TempDir()
	url := startSandbox(t, bin, actionEnv(home), "--key", key)
	env := actionEnv(home, "ITERABLE_BASE_URL="+url, "ITERABLE_API_KEY="+key)
	iwb := func(args ...string) iwbResult { return runIWB(t, bin, env, "", args...) }

	if res := iwb("history"); res.code != 0 || strings.TrimSpace(res.stdout) != "ID  DATE  TIME  SOURCE  ACTION  CONNECTION  STATUS  TOOK" {
		t.Fatalf("an empty history: exit %d %q %s", res.code, res.stdout, res.stderr)
	}
	users := filepath.Join(t.TempDir(), "users.jsonl")
	if err := os.WriteFile(users, []byte("{\"email\":\"a@example.com\"}\n{\"email\":\"b@example.com\"}\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		args []string
		code int
	}{
		{[]string{"create-list", "--data", `{"name":"Launch"}`}, 0},
		{[]string{"get-user", "--data", `{"email":"nobody@example.com"}`}, 3},
		{[]string{"upsert-user", "--data", `{"email":"ada@example.com","dataFields":{"score":"high"}}`}, 1},
		{[]string{"bulk-upsert-users", "--file", users}, 0},
		{[]string{"create-list", "--dry-run", "--data", `{"name":"not sent"}`}, 0},
	} {
		if res := iwb(append([]string{"action", "run"}, c.args...)...); res.code != c.code {
			t.Fatalf("%v: exit %d, want %d: %s", c.args, res.code, c.code, res.stderr)
		}
	}

	res := iwb("history")
	lines := strings.Split(strings.TrimSpace(res.stdout), "\n")
	if res.code != 0 || len(lines) != 5 || !strings.HasPrefix(lines[0], "ID ") {
		t.Fatalf("history: exit %d\n%s", res.code, res.stdout)
	}
	for i, want := range [][]string{
		{"1 ", "cli", "create-list", "ITERABLE_API_KEY", "200"},
		{"2 ", "cli", "get-user", "200"},
		{"3 ", "cli", "upsert-user", "400"},
		{"4 ", "cli", "bulk-upsert-users", "200"},
	} {
		for _, w := range want {
			if !strings.Contains(lines[i+1], w) {
				t.Errorf("history row %d %q lacks %q", i+1, lines[i+1], w)
			}
		}
	}

	res = iwb("history", "--json", "--limit", "2")
	type run struct {
		ID      int64
		Source  string
		Action  string
		Status  int
		Request map[string]any
		Answer  json.RawMessage
	}
	var runs []run
	for _, line := range strings.Split(strings.TrimSpace(res.stdout), "\n") {
		var one run
		if err := json.Unmarshal([]byte(line), &one); err != nil {
			t.Fatalf("history --json line %q: %v", line, err)
		}
		runs = append(runs, one)
	}
	if len(runs) != 2 || runs[0].ID != 3 || runs[1].ID != 4 || runs[1].Request["_usersFromFile"] != users ||
		!strings.Contains(string(runs[1].Answer), `"succeeded":2`) || !strings.Contains(string(runs[0].Answer), "RequestFieldsTypesMismatched") {
		t.Errorf("history --json --limit 2:\n%s", res.stdout)
	}

	res = iwb("history", "show", "1")
	if res.code != 0 || !strings.Contains(res.stdout, "create-list from cli") || !strings.Contains(res.stdout, `"name": "Launch"`) ||
		!strings.Contains(res.stdout, `"listId": 2002`) {
		t.Errorf("history show 1: exit %d\n%s", res.code, res.stdout)
	}
	if res := iwb("history", "show", "99"); res.code != 3 || !strings.Contains(res.stderr, "no run 99") {
		t.Errorf("history show 99: exit %d %s", res.code, res.stderr)
	}
	if res := iwb("history", "show", "one"); res.code != 2 {
		t.Errorf("history show one: exit %d %s", res.code, res.stderr)
	}
	if res := iwb("history", "--limit", "0"); res.code != 2 {
		t.Errorf("history --limit 0: exit %d %s", res.code, res.stderr)
	}
}
