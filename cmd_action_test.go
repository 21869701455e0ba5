package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// These tests build the binary and run it as a user would.

// actionEnv is the environment without the caller's Iterable settings.
func actionEnv(home string, extra ...string) []string {
	var env []string
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "ITERABLE_") && !strings.HasPrefix(kv, "IWB_") {
			env = append(env, kv)
		}
	}
	return append(append(env, "IWB_HOME="+home, "IWB_KEYRING_BACKEND=file", "IWB_KEYRING_PASSPHRASE=test"), extra...)
}

// The spec's definitions, as far as these requests use them: each body field
// and its JSON type, and the fields required.
type specBody struct {
	method, path string
	required     []string
	fields       map[string]string // name → integer, string, boolean, object, array<integer>, array<user>
}

var optionalAPIUser = map[string]string{"email": "string", "userId": "string", "dataFields": "object",
	"preferUserId": "boolean", "mergeNestedObjects": "boolean"}

var specBodies = map[string]specBody{
	"add-subscribers": {"POST", "/api/lists/subscribe", []string{"listId", "subscribers"},
		map[string]string{"listId": "integer", "subscribers": "array<user>", "updateExistingUsersOnly": "boolean"}},
	"bulk-upsert-users": {"POST", "/api/users/bulkUpdate", []string{"users"},
		map[string]string{"users": "array<user>", "createNewFields": "boolean"}},
	"create-list":   {"POST", "/api/lists", []string{"name"}, map[string]string{"name": "string", "description": "string"}},
	"get-user":      {"GET", "/api/users/getByEmail", nil, nil},
	"list-channels": {"GET", "/api/channels", nil, nil},
	"list-lists":    {"GET", "/api/lists", nil, nil},
	"send-sms": {"POST", "/api/sms/target", []string{"campaignId"}, map[string]string{"campaignId": "integer",
		"recipientEmail": "string", "recipientUserId": "string", "dataFields": "object", "sendAt": "string",
		"allowRepeatMarketingSends": "boolean"}},
	"track-event": {"POST", "/api/events/track", []string{"eventName"}, map[string]string{"eventName": "string",
		"email": "string", "userId": "string", "id": "string", "createdAt": "integer", "dataFields": "object",
		"campaignId": "integer", "templateId": "integer", "createNewFields": "boolean"}},
	"update-subscription": {"POST", "/api/users/updateSubscriptions", nil, map[string]string{"email": "string",
		"userId": "string", "emailListIds": "array<integer>", "unsubscribedChannelIds": "array<integer>",
		"unsubscribedMessageTypeIds": "array<integer>", "subscribedMessageTypeIds": "array<integer>",
		"campaignId": "integer", "templateId": "integer", "validateChannelAlignment": "boolean"}},
	"upsert-user": {"POST", "/api/users/update", nil, map[string]string{"email": "string", "userId": "string",
		"dataFields": "object", "preferUserId": "boolean", "mergeNestedObjects": "boolean", "createNewFields": "boolean"}},
}

// checkSpecType says what is wrong with a value for a spec type, or "".
func checkSpecType(typ string, v any) string {
	switch typ {
	case "string":
		if _, ok := v.(string); !ok {
			return "not a string"
		}
	case "boolean":
		if _, ok := v.(bool); !ok {
			return "not a boolean"
		}
	case "object":
		if _, ok := v.(map[string]any); !ok {
			return "not an object"
		}
	case "integer":
		n, ok := v.(json.Number)
		if _, err := n.Int64(); !ok || err != nil {
			return "not an integer"
		}
	case "array<integer>", "array<user>":
		items, ok := v.([]any)
		if !ok {
			return "not an array"
		}
		for i, item := range items {
			if typ == "array<integer>" {
				if p := checkSpecType("integer", item); p != "" {
					return fmt.Sprintf("item %d: %s", i, p)
				}
				continue
			}
			if p := checkSpecObject(optionalAPIUser, nil, item); p != "" {
				return fmt.Sprintf("item %d: %s", i, p)
			}
		}
	}
	return ""
}

func checkSpecObject(fields map[string]string, required []string, v any) string {
	obj, ok := v.(map[string]any)
	if !ok {
		return "not an object"
	}
	for _, name := range required {
		if _, ok := obj[name]; !ok {
			return "missing required " + name
		}
	}
	for name, val := range obj {
		typ, known := fields[name]
		if !known {
			return "field " + name + " is not in the spec's definition"
		}
		if p := checkSpecType(typ, val); p != "" {
			return name + ": " + p
		}
	}
	return ""
}

type recordedCall struct {
	method, path, query, key, contentType string
	body                                  []byte
}

// iterableRecorder answers like Iterable would, and keeps every request.
type iterableRecorder struct {
	mu    sync.Mutex
	calls []recordedCall
}

func (r *iterableRecorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.calls = append(r.calls, recordedCall{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Get("Api-Key"), req.Header.Get("Content-Type"), body})
	r.mu.Unlock()
	answers := map[string]string{
		"POST /api/lists/subscribe":  `{"successCount":2,"failCount":0,"createdFields":[],"filteredOutFields":[],"failedUpdates":{"invalidEmails":[]}}`,
		"POST /api/users/bulkUpdate": `{"successCount":2,"failCount":0,"createdFields":["tier"],"filteredOutFields":[],"failedUpdates":{}}`,
		"POST /api/lists":            `{"listId":77}`,
		"GET /api/users/getByEmail":  `{"user":{"email":"a@example.com","userId":"u1","dataFields":{"emailListIds":[77]}}}`,
		"GET /api/channels":          `{"channels":[{"id":1,"name":"Marketing Email","channelType":"Marketing","messageMedium":"Email"}]}`,
		"GET /api/lists":             `{"lists":[{"id":77,"name":"VIP","createdAt":1700000000000,"listType":"Standard"}]}`,
	}
	w.Header().Set("Content-Type", "application/json")
	if a, ok := answers[req.Method+" "+req.URL.Path]; ok {
		io.WriteString(w, a)
		return
	}
	io.WriteString(w, `{"msg":"recorded","code":"Success","params":null}`)
}

func (r *iterableRecorder) take() []recordedCall {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.calls
	r.calls = nil
	return c
}

const recorderKey = "0123456789abcdef0123456789abcdef"

func TestActionRunAgainstRecorder(t *testing.T) {
	bin := buildIWB(t)
	rec := &iterableRecorder{}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	env := actionEnv(t.TempDir(), "ITERABLE_BASE_URL="+srv.URL, "ITERABLE_API_KEY="+recorderKey)

	cases := []struct {
		action, data string
		query        string
		answer       string // a piece of the answer printed on stdout
	}{
		{"add-subscribers", `{"listId":77,"subscribers":[{"email":"a@example.com","dataFields":{"x":1}},{"userId":"u2","preferUserId":true}],"updateExistingUsersOnly":false}`, "", `"successCount": 2`},
		{"bulk-upsert-users", `{"users":[{"email":"a@example.com","dataFields":{"tier":"gold"},"mergeNestedObjects":true},{"userId":"u2"}],"createNewFields":true}`, "", `"createdFields": [`},
		{"create-list", `{"name":"VIP","description":"big spenders"}`, "", `"listId": 77`},
		{"get-user", `{"email":"a@example.com"}`, "email=a%40example.com", `"emailListIds": [`},
		{"list-channels", ``, "", `"messageMedium": "Email"`},
		{"list-lists", ``, "", `"listType": "Standard"`},
		{"send-sms", `{"campaignId":12,"recipientEmail":"a@example.com","dataFields":{"code":"1"},"sendAt":"2026-12-01 10:00:00","allowRepeatMarketingSends":false}`, "", `"code": "Success"`},
		{"track-event", `{"eventName":"purchase","email":"a@example.com","id":"o-1","createdAt":1700000000,"dataFields":{"amount":3.5},"campaignId":5,"templateId":6,"createNewFields":true}`, "", `"msg": "recorded"`},
		{"update-subscription", `{"email":"a@example.com","emailListIds":[77],"unsubscribedChannelIds":[1],"unsubscribedMessageTypeIds":[2],"subscribedMessageTypeIds":[3],"campaignId":4,"templateId":5,"validateChannelAlignment":true}`, "", `"code": "Success"`},
		{"upsert-user", `{"email":"a@example.com","dataFields":{"a":{"b":1}},"preferUserId":true,"mergeNestedObjects":true,"createNewFields":false}`, "", `"code": "Success"`},
	}
	for _, c := range cases {
		t.Run(c.action, func(t *testing.T) {
			args := []string{"action", "run", c.action, "--yes"}
			if c.data != "" {
				args = append(args, "--data", c.data)
			}
			res := runIWB(t, bin, env, "", args...)
			if res.code != 0 || !strings.Contains(res.stdout, c.answer) {
				t.Fatalf("exit %d\nstdout %s\nstderr %s", res.code, res.stdout, res.stderr)
			}
			calls := rec.take()
			if len(calls) != 1 {
				t.Fatalf("%d requests, want 1", len(calls))
			}
			got, spec := calls[0], specBodies[c.action]
			if got.method != spec.method || got.path != spec.path || got.query != c.query || got.key != recorderKey {
				t.Errorf("sent %s %s?%s with key %q", got.method, got.path, got.query, got.key)
			}
			if spec.method == "GET" {
				if len(got.body) != 0 {
					t.Errorf("a GET with a body: %s", got.body)
				}
				return
			}
			if got.contentType != "application/json" {
				t.Errorf("Content-Type %q", got.contentType)
			}
			dec := json.NewDecoder(bytes.NewReader(got.body))
			dec.UseNumber()
			var body any
			if err := dec.Decode(&body); err != nil {
				t.Fatalf("body is not JSON: %s", got.body)
			}
			if p := checkSpecObject(spec.fields, spec.required, body); p != "" {
				t.Errorf("body does not validate against the spec: %s\n%s", p, got.body)
			}
			if string(got.body) != c.data {
				t.Errorf("body went out as\n%s\nnot as given\n%s", got.body, c.data)
			}
		})
	}

	t.Run("users from files", func(t *testing.T) {
		dir := t.TempDir()
		csvPath := filepath.Join(dir, "users.csv")
		os.WriteFile(csvPath, []byte("email,userId,tier\na@example.com,u1,gold\nb@example.com,,silver\n"), 0o600)
		res := runIWB(t, bin, env, "", "action", "run", "bulk-upsert-users", "--file", csvPath, "--data", `{"createNewFields":true}`)
		if res.code != 0 || !strings.Contains(res.stdout, `"sent": 2`) {
			t.Fatalf("exit %d\n%s\n%s", res.code, res.stdout, res.stderr)
		}
		calls := rec.take()
		want := `{"createNewFields":true,"users":[{"email":"a@example.com","userId":"u1","dataFields":{"tier":"gold"}},{"email":"b@example.com","dataFields":{"tier":"silver"}}]}`
		// The project's field types are read first, to type the CSV columns.
		if len(calls) != 2 || calls[0].path != "/api/users/getFields" || string(calls[1].body) != want {
			t.Fatalf("calls %+v", calls)
		}
		jsonlPath := filepath.Join(dir, "subs.jsonl")
		os.WriteFile(jsonlPath, []byte("{\"email\":\"a@example.com\"}\n{\"email\":\"c@example.com\",\"dataFields\":{\"n\":2}}\n"), 0o600)
		res = runIWB(t, bin, env, "", "action", "run", "add-subscribers", "--file", jsonlPath, "--data", `{"listId":77}`)
		calls = rec.take()
		if res.code != 0 || len(calls) != 1 {
			t.Fatalf("exit %d, %d calls\n%s", res.code, len(calls), res.stderr)
		}
		var body any
		dec := json.NewDecoder(bytes.NewReader(calls[0].body))
		dec.UseNumber()
		_ = dec.Decode(&body)
		if p := checkSpecObject(specBodies["add-subscribers"].fields, specBodies["add-subscribers"].required, body); p != "" {
			t.Errorf("file body: %s: %s", p, calls[0].body)
		}
		// A bad line anywhere in the file: nothing is sent.
		os.WriteFile(jsonlPath, []byte("{\"email\":\"a@example.com\"}\n{\"email\":7}\n"), 0o600)
		res = runIWB(t, bin, env, "", "action", "run", "add-subscribers", "--file", jsonlPath, "--data", `{"listId":77}`)
		if res.code != 2 || !strings.Contains(res.stderr, "line 2") || len(rec.take()) != 0 {
			t.Errorf("bad line: exit %d %s", res.code, res.stderr)
		}
	})

	t.Run("bad input sends nothing", func(t *testing.T) {
		for _, args := range [][]string{
			{"action", "run", "send-sms", "--yes", "--data", `{"recipientEmail":"a@example.com"}`},
			{"action", "run", "send-sms", "--data", `{"campaignId":12,"recipientEmail":"a@example.com"}`}, // no terminal, no --yes
			{"action", "run", "create-list", "--data", `{"name":`},
			{"action", "run", "no-such-action"},
			{"action", "run", "create-list", "--data", "@" + filepath.Join(t.TempDir(), "missing.json")},
			{"action", "run", "create-list", "--file", "users.csv", "--data", `{"name":"x"}`},
		} {
			res := runIWB(t, bin, env, "", args...)
			lines := strings.Split(strings.TrimSpace(res.stderr), "\n")
			if res.code != 2 || len(lines) != 1 || !strings.HasPrefix(lines[0], "iwb: ") {
				t.Errorf("%v: exit %d, stderr %q", args, res.code, res.stderr)
			}
			if n := len(rec.take()); n != 0 {
				t.Errorf("%v: %d requests sent", args, n)
			}
		}
		// Over 100 users, a bulk write needs --yes when there is no terminal to ask on.
		var many strings.Builder
		for i := range 101 {
			fmt.Fprintf(&many, "{\"email\":\"u%d@example.com\"}\n", i)
		}
		manyPath := filepath.Join(t.TempDir(), "many.jsonl")
		os.WriteFile(manyPath, []byte(many.String()), 0o600)
		res := runIWB(t, bin, env, "", "action", "run", "bulk-upsert-users", "--file", manyPath)
		if res.code != 2 || !strings.Contains(res.stderr, "101 users") || len(rec.take()) != 0 {
			t.Errorf("101 users without --yes: exit %d %s", res.code, res.stderr)
		}
		res = runIWB(t, bin, env, "", "action", "run", "send-sms", "--data", `{"recipientEmail":"a@example.com"}`)
		if !strings.Contains(res.stderr, `"campaignId"`) {
			t.Errorf("missing campaignId is named: %s", res.stderr)
		}
		res = runIWB(t, bin, env, "", "action", "run", "send-sms", "--data", `{"campaignId":12,"recipientEmail":"a@example.com"}`)
		if !strings.Contains(res.stderr, "--yes") {
			t.Errorf("the refusal says what to do: %s", res.stderr)
		}
	})

	t.Run("curl and dry run send nothing and never show the key", func(t *testing.T) {
		res := runIWB(t, bin, env, `{"campaignId":12,"recipientEmail":"a@example.com"}`, "action", "run", "send-sms", "--curl", "--data", "-")
		if res.code != 0 || strings.Contains(res.stdout, recorderKey) || !strings.Contains(res.stdout, `-H "Api-Key: $ITERABLE_API_KEY"`) ||
			!strings.Contains(res.stdout, srv.URL+"/api/sms/target") {
			t.Errorf("curl: exit %d %s %s", res.code, res.stdout, res.stderr)
		}
		res = runIWB(t, bin, env, "", "action", "run", "upsert-user", "--dry-run", "--data", `{"email":"a@example.com"}`)
		if res.code != 0 || !strings.Contains(res.stdout, "nothing was sent") {
			t.Errorf("dry run: exit %d %s %s", res.code, res.stdout, res.stderr)
		}
		if n := len(rec.take()); n != 0 {
			t.Errorf("%d requests sent", n)
		}
	})

	t.Run("action list", func(t *testing.T) {
		res := runIWB(t, bin, env, "", "action", "list")
		for _, title := range []string{"Add subscribers to list", "Bulk upsert users", "Create list", "Get user by email",
			"List channels", "List project lists", "Send SMS", "Track event", "Update user subscription", "Upsert user"} {
			if !strings.Contains(res.stdout, title) {
				t.Errorf("%q missing from action list", title)
			}
		}
		// The descriptions are the workbench's too: exit codes belong to
		// run's help alone.
		if strings.Contains(res.stdout, "exit") {
			t.Errorf("action list speaks of exit codes:\n%s", res.stdout)
		}
		help := runIWB(t, bin, env, "", "action", "run", "--help")
		if !strings.Contains(help.stdout, "get-user takes {\"email\": \"...\"}\nand exits 3 when no user has that email") {
			t.Errorf("action run --help does not say get-user's exit 3:\n%s", help.stdout)
		}
	})

	// Nothing the runs logged holds the key.
	filepath.WalkDir(envHome(env), func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			if b, _ := os.ReadFile(path); bytes.Contains(b, []byte(recorderKey)) {
				t.Errorf("%s holds the key in clear", path)
			}
		}
		return nil
	})
}

func envHome(env []string) string {
	for _, kv := range env {
		if h, ok := strings.CutPrefix(kv, "IWB_HOME="); ok {
			return h
		}
	}
	return ""
}

// startSandbox runs `iwb sandbox` and returns its URL once it listens.
func startSandbox(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	cmd := exec.Command(bin, append([]string{"sandbox", "--addr", "127.0.0.1:0"}, args...)...)
	cmd.Env = env
	stdout, _ := cmd.StdoutPipe()
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	t.Cleanup(func() {
		cmd.Process.Signal(syscall.SIGINT)
		select {
		case err := <-exited:
			if err != nil {
				t.Errorf("sandbox did not stop cleanly on Ctrl-C: %v %s", err, stderr.String())
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Error("sandbox did not stop on Ctrl-C")
		}
	})
	lines := make(chan string, 2)
	go func() {
		s := bufio.NewScanner(stdout)
		for s.Scan() {
			lines <- s.Text()
		}
		exited <- cmd.Wait()
	}()
	select {
	case line := <-lines:
		url, ok := strings.CutPrefix(line, "sandbox listening on ")
		if !ok {
			t.Fatalf("first line %q", line)
		}
		return url
	case <-time.After(20 * time.Second):
		t.Fatalf("the sandbox did not start: %s", stderr.String())
		return ""
	}
}

func TestActionRunAgainstSandbox(t *testing.T) {
	bin := buildIWB(t)
	const key = "feedfacecafebeef0123456789abcdef"
	home := t.TempDir()
	url := startSandbox(t, bin, actionEnv(home), "--key", key)
	env := actionEnv(home, "ITERABLE_BASE_URL="+url, "ITERABLE_API_KEY="+key)
	run := func(args ...string) iwbResult {
		return runIWB(t, bin, env, "", append([]string{"action", "run"}, args...)...)
	}

	// Without K: 401 BadApiKey, exit 4.
	resp, err := http.Get(url + "/api/lists")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 401 || !strings.Contains(string(raw), `"code":"BadApiKey"`) {
		t.Errorf("no key: %d %s", resp.StatusCode, raw)
	}
	wrong := runIWB(t, bin, actionEnv(home, "ITERABLE_BASE_URL="+url, "ITERABLE_API_KEY=00000000000000000000000000000000"), "",
		"action", "run", "list-lists")
	if wrong.code != 4 || !strings.Contains(wrong.stderr, "401") || !strings.Contains(wrong.stderr, "BadApiKey") {
		t.Errorf("wrong key: exit %d %s", wrong.code, wrong.stderr)
	}

	// create-list, add-subscribers, get-user: the list id is in emailListIds.
	res := run("create-list", "--data", `{"name":"Launch"}`)
	var created struct{ ListID int64 }
	if res.code != 0 || json.Unmarshal([]byte(res.stdout), &created) != nil || created.ListID == 0 {
		t.Fatalf("create-list: exit %d %s %s", res.code, res.stdout, res.stderr)
	}
	res = run("add-subscribers", "--data", fmt.Sprintf(`{"listId":%d,"subscribers":[{"email":"sam@example.com"}]}`, created.ListID))
	if res.code != 0 {
		t.Fatalf("add-subscribers: exit %d %s", res.code, res.stderr)
	}
	res = run("get-user", "--data", `{"email":"sam@example.com"}`)
	var got struct {
		User struct {
			DataFields struct{ EmailListIDs []int64 }
		}
	}
	if res.code != 0 || json.Unmarshal([]byte(res.stdout), &got) != nil || fmt.Sprint(got.User.DataFields.EmailListIDs) != fmt.Sprintf("[%d]", created.ListID) {
		t.Errorf("get-user: exit %d %s", res.code, res.stdout)
	}

	// A field sent as a number, then as text.
	if res = run("upsert-user", "--data", `{"email":"sam@example.com","dataFields":{"visits":3}}`); res.code != 0 {
		t.Fatalf("upsert-user: %s", res.stderr)
	}
	res = run("upsert-user", "--data", `{"email":"sam@example.com","dataFields":{"visits":"three"}}`)
	if res.code != 1 || !strings.Contains(res.stderr, "400") || !strings.Contains(res.stderr, "RequestFieldsTypesMismatched") ||
		!strings.Contains(res.stderr, "'visits'") {
		t.Errorf("type clash: exit %d %s", res.code, res.stderr)
	}

	// A CSV file is typed by the project's fields: visits is a long now, so
	// "lots" is refused before anything is sent and "7" goes out as a number.
	// The file is checked whole: every bad row is listed, in line order.
	csvFile := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(csvFile, []byte("email,visits,score\nsam@example.com,lots,1\nok@example.com,7,2\n,3,4\nkim@example.com,many,high\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res = run("bulk-upsert-users", "--file", csvFile)
	wantOrder := []string{`line 2, column "visits": `, "line 4: a user needs an email or a userId",
		`line 5, column "visits": `, `line 5, column "score": `, "3 bad rows (listed above); nothing was sent"}
	at := 0
	for _, w := range wantOrder {
		i := strings.Index(res.stderr[at:], w)
		if i < 0 {
			t.Errorf("CSV with bad rows: %q missing or out of order in\n%s", w, res.stderr)
			break
		}
		at += i + len(w)
	}
	if res.code != 2 || strings.Contains(res.stderr, "line 3") {
		t.Errorf("CSV with bad rows: exit %d %s", res.code, res.stderr)
	}
	if u := run("get-user", "--data", `{"email":"ok@example.com"}`); u.code != 3 {
		t.Errorf("a good row of a refused file was sent: %s", u.stdout)
	}
	if err := os.WriteFile(csvFile, []byte("email,visits,plan\nsam@example.com,7,pro\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	if res = run("bulk-upsert-users", "--file", csvFile); res.code != 0 {
		t.Fatalf("typed CSV: exit %d %s", res.code, res.stderr)
	}
	res = run("get-user", "--data", `{"email":"sam@example.com"}`)
	if !strings.Contains(res.stdout, `"visits": 7`) || !strings.Contains(res.stdout, `"plan": "pro"`) {
		t.Errorf("after the typed CSV, get-user shows %s", res.stdout)
	}

	// get-user of an unknown email: exit 3.
	if res = run("get-user", "--data", `{"email":"nobody@example.com"}`); res.code != 3 {
		t.Errorf("unknown email: exit %d %s", res.code, res.stderr)
	}

	// A burst over 5/s: none meets 429 through the client's limiter...
	var users strings.Builder
	for i := range 7000 {
		fmt.Fprintf(&users, "{\"email\":\"burst%d@example.com\"}\n", i)
	}
	file := filepath.Join(t.TempDir(), "burst.jsonl")
	os.WriteFile(file, []byte(users.String()), 0o600)
	res = run("bulk-upsert-users", "--file", file, "--yes")
	if res.code != 0 || !strings.Contains(res.stdout, `"requests": 7`) {
		t.Fatalf("7 bulk requests: exit %d %s %s", res.code, res.stdout, res.stderr)
	}
	logs, err := os.ReadFile(filepath.Join(home, "logs", "iwb.log"))
	if err != nil || !bytes.Contains(logs, []byte("action run")) {
		t.Fatalf("the run left no log: %v", err)
	}
	if bytes.Contains(logs, []byte("RateLimitExceeded")) {
		t.Errorf("the client met 429:\n%s", logs)
	}
	// ...and the same burst sent directly meets it.
	limited := 0
	for range 8 {
		req, _ := http.NewRequest("POST", url+"/api/users/bulkUpdate", strings.NewReader(`{"users":[{"email":"direct@example.com"}]}`))
		req.Header.Set("Api-Key", key)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == 429 && strings.Contains(string(body), "RateLimitExceeded") {
			limited++
		}
	}
	if limited == 0 {
		t.Error("8 direct bulkUpdate calls in a burst met no 429")
	}
}
