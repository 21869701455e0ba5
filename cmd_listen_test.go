package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// runCLI runs iwb in-process with IWB_HOME set to home.
func runCLI(t *testing.T, home string, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	t.Setenv("IWB_HOME", home)
	var out, errOut bytes.Buffer
	code = run(args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestEventsAndListenBadInput(t *testing.T) {
	home := t.TempDir()
	for _, c := range []struct {
		args []string
		code int
		want string
	}{
		{[]string{"events", "show", "999"}, 3, "no event 999"},
		{[]string{"events", "show", "abc"}, 2, "not an event id"},
		{[]string{"events", "replay", "1"}, 2, "--to"},
		{[]string{"events", "replay", "1", "--to", "ftp://x"}, 2, "not an http(s) URL"},
		{[]string{"events", "list", "--limit", "0"}, 2, "--limit"},
		{[]string{"listen", "--auth", "token:s3cret"}, 2, "basic[:USER:PASS]"},
		{[]string{"listen", "--auth", "header"}, 2, "IWB_LISTEN_TOKEN"},
		{[]string{"listen", "--auth-file", "x"}, 2, "--auth-file needs --auth"},
		{[]string{"listen", "--max-body", "0"}, 2, "--max-body"},
		{[]string{"listen", "--max-conns", "0"}, 2, "--max-conns"},
		{[]string{"listen", "--addr", "bad addr"}, 2, "HOST:PORT"},
		{[]string{"listen", "--addr", "127.0.0.1:99999"}, 2, "port"},
		{[]string{"listen", "--addr", "192.0.2.1:8787"}, 2, "192.0.2.1"},
		{[]string{"sandbox", "--addr", "bad addr"}, 2, "bad addr"},
		{[]string{"listen", "--forward-to", "localhost"}, 2, "--forward-to"},
	} {
		code, _, errOut := runCLI(t, home, c.args...)
		if code != c.code || !strings.Contains(errOut, c.want) || strings.Count(errOut, "\n") != 1 {
			t.Errorf("%v: exit %d %q, want %d and one line with %q", c.args, code, errOut, c.code, c.want)
		}
		if strings.Contains(errOut, "s3cret") {
			t.Errorf("%v: the error shows the secret", c.args)
		}
	}
}

func freePort(t testing.TB) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

func TestListenEndToEnd(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildIWB(t)
	home := t.TempDir()
	env := append(os.Environ(), "IWB_HOME="+home)
	iwb := func(args ...string) (string, string, error) {
		cmd := exec.Command(bin, args...)
		cmd.Env = env
		var out, errOut bytes.Buffer
		cmd.Stdout, cmd.Stderr = &out, &errOut
		err := cmd.Run()
		return out.String(), errOut.String(), err
	}
	if _, errOut, err := iwb("trigger", "add", "object", "Opens", "--event", "emailOpen"); err != nil {
		t.Fatalf("trigger add: %v %s", err, errOut)
	}

	addr := freePort(t)
	listen := exec.Command(bin, "listen", "--addr", addr, "--json", "--auth", "header:Authorization:OAuth2 tok", "--max-body", "400")
	listen.Env = env
	stdout, _ := listen.StdoutPipe()
	stderr, _ := listen.StderrPipe()
	if err := listen.Start(); err != nil {
		t.Fatal(err)
	}
	defer listen.Process.Kill()
	banner := make(chan string, 1)
	go func() {
		var all strings.Builder
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			all.WriteString(sc.Text() + "\n")
			if strings.Contains(sc.Text(), "HTTPS") {
				banner <- all.String()
			}
		}
	}()
	var text string
	select {
	case text = <-banner:
	case <-time.After(20 * time.Second):
		t.Fatal("iwb listen printed no banner")
	}
	if !strings.Contains(text, "http://"+addr+"/") || !strings.Contains(text, "tunnel") {
		t.Errorf("banner = %q", text)
	}
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 1<<20), 1<<20)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()

	send := func(method, path, contentType, body string, auth bool) (int, string) {
		req, _ := http.NewRequest(method, "http://"+addr+path, strings.NewReader(body))
		req.Header.Set("Content-Type", contentType)
		if auth {
			req.Header.Set("Authorization", "OAuth2 tok")
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var a struct{ ID string }
		b, _ := io.ReadAll(resp.Body)
		json.Unmarshal(b, &a)
		return resp.StatusCode, a.ID
	}
	open := `{"email":"ada@example.com","eventName":"emailOpen","dataFields":{"messageId":"e2e-1","createdAt":"2026-03-14 09:26:53 +00:00"}}`
	var ids []string
	for _, s := range []struct {
		method, path, ct, body string
		auth                   bool
		want                   int
	}{
		{"POST", "/hooks", "application/json", open, true, 200},
		{"POST", "/hooks/workflows/1234", "application/x-www-form-urlencoded", "email=bo%40example.com&plan=pro", true, 200},
		{"POST", "/hooks", "application/json", `{"broken":`, true, 400},
		{"POST", "/hooks", "application/json", `{"pad":"` + strings.Repeat("x", 500) + `"}`, true, 413},
		{"GET", "/hooks", "", "", true, 405},
		{"POST", "/hooks", "application/json", open, false, 401},
	} {
		code, id := send(s.method, s.path, s.ct, s.body, s.auth)
		if code != s.want {
			t.Errorf("%s %s: %d, want %d", s.method, s.path, code, s.want)
		}
		if id != "" {
			ids = append(ids, id)
		}
	}
	if len(ids) != 4 {
		t.Fatalf("stored ids = %v, want 4 (2 accepted, 1 rejected, 1 oversize stub)", ids)
	}
	var printed []map[string]any
	for len(printed) < 4 {
		select {
		case line, ok := <-lines:
			if !ok {
				t.Fatalf("listen stopped printing after %d events", len(printed))
			}
			var v map[string]any
			if err := json.Unmarshal([]byte(line), &v); err != nil {
				t.Fatalf("not a JSON line: %q", line)
			}
			printed = append(printed, v)
		case <-time.After(20 * time.Second):
			t.Fatalf("only %d events printed", len(printed))
		}
	}
	for i, v := range printed {
		for _, key := range []string{"id", "receivedAt", "kind", "eventName", "workflowId", "triggers", "body"} {
			if _, ok := v[key]; !ok {
				t.Errorf("printed event %d lacks %q: %v", i, key, v)
			}
		}
		if v["id"] != ids[i] {
			t.Errorf("printed id %v, answered %s", v["id"], ids[i])
		}
	}
	if printed[0]["kind"] != "system" || printed[0]["eventName"] != "emailOpen" || printed[0]["triggers"].([]any)[0] != "Opens" {
		t.Errorf("first event = %v", printed[0])
	}
	if printed[1]["kind"] != "workflow" || printed[1]["workflowId"] != "1234" || printed[1]["body"].(map[string]any)["plan"] != "pro" {
		t.Errorf("second event = %v", printed[1])
	}
	if printed[2]["status"] != "rejected" || printed[3]["status"] != "oversize" {
		t.Errorf("rejected/oversize = %v / %v", printed[2]["status"], printed[3]["status"])
	}

	// Ctrl-C: a clean stop.
	listen.Process.Signal(syscall.SIGINT)
	done := make(chan error, 1)
	go func() { done <- listen.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("listen after SIGINT: %v", err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("listen did not stop on SIGINT")
	}

	// After the restart of nothing but the CLI, the history is there.
	out, errOut, err := iwb("events", "list", "--json")
	if err != nil {
		t.Fatalf("events list: %v %s", err, errOut)
	}
	got := strings.Split(strings.TrimSpace(out), "\n")
	if len(got) != 4 {
		t.Fatalf("events list printed %d lines: %q", len(got), out)
	}
	for i, line := range got {
		var v map[string]any
		if json.Unmarshal([]byte(line), &v) != nil || v["id"] != ids[i] {
			t.Errorf("line %d = %q, want id %s", i, line, ids[i])
		}
	}
	// A header row, then the one matched event with its date and time.
	if out, _, _ := iwb("events", "list", "--trigger", "Opens"); strings.Count(out, "\n") != 2 ||
		!strings.HasPrefix(out, "ID     DATE       TIME          KIND     EVENT") || !strings.Contains(out, "emailOpen") ||
		!regexp.MustCompile(`\n\d+ +\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} `).MatchString(out) {
		t.Errorf("events list --trigger Opens = %q", out)
	}
	if out, _, _ := iwb("events", "show", ids[0]); !strings.Contains(out, `"Authorization": [`) || !strings.Contains(out, "[redacted]") || strings.Contains(out, "OAuth2 tok") {
		t.Errorf("events show does not redact the auth header: %s", out)
	}
	exportFile := filepath.Join(t.TempDir(), "events.jsonl")
	if _, errOut, err := iwb("events", "export", "--out", exportFile); err != nil || !strings.Contains(errOut, "exported 4 events") {
		t.Errorf("export: %v %q", err, errOut)
	}
	if b, _ := os.ReadFile(exportFile); strings.Count(string(b), "\n") != 4 {
		t.Errorf("export file has %d lines", strings.Count(string(b), "\n"))
	}
	if out, _, _ := iwb("trigger", "list"); !strings.Contains(out, "Opens") || !strings.Contains(out, "  1  ") {
		t.Errorf("trigger list after the run = %q", out)
	}
}

// storeOneEvent POSTs body to a listener on the IWB_HOME event log.
func storeOneEvent(t *testing.T, body string) {
	t.Helper()
	p, err := resolvePaths()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := p.ensure(); err != nil {
		t.Fatal(err)
	}
	st, err := webhook.Open(p.Database(), webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	srv, err := webhook.NewServer(st, webhook.ServerOptions{Addr: "127.0.0.1:0"})
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	resp, err := http.Post(srv.URL()+"hook", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("storing an event: %d", resp.StatusCode)
	}
}

func TestListenPrinterFiltersAndCatchesUp(t *testing.T) {
	home := t.TempDir()
	t.Setenv("IWB_HOME", home)
	storeOneEvent(t, `{"eventName":"emailOpen","email":"a@example.com"}`)
	storeOneEvent(t, `{"eventName":"emailClick","email":"b@example.com"}`)
	storeOneEvent(t, `{"workflowId":1234,"email":"c@example.com"}`)
	p, _ := resolvePaths()
	st, err := webhook.Open(p.Database(), webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var out bytes.Buffer
	printer := &eventPrinter{out: &out, events: []string{"emailOpen"}, workflows: []string{"1234"}, store: st}
	// The live copy of event 3 arrives after drops: 1 and 2 come from the store.
	last, err := st.Get(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	printer.receive(context.Background(), last, true)
	printer.receive(context.Background(), last, false) // a second copy is not printed again
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != 2 || !strings.Contains(lines[0], "emailOpen") || !strings.Contains(lines[0], "a@example.com") ||
		!strings.Contains(lines[1], "workflow 1234") {
		t.Errorf("printed:\n%s", out.String())
	}
}

// TestListenKeepsRequiringTheWorkbenchToken: a token set up from the
// Triggers tab is saved with the log, and `iwb listen` without --auth
// requires it.
func TestListenKeepsRequiringTheWorkbenchToken(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := buildIWB(t)
	home := t.TempDir()
	st, err := webhook.Open(paths{Config: home, Data: home, State: home}.Database(), webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	token := webhook.NewListenerToken()
	if err := st.SetListenerToken(context.Background(), token); err != nil {
		t.Fatal(err)
	}
	st.Close()

	addr := freePort(t)
	listen := exec.Command(bin, "listen", "--addr", addr)
	listen.Env = append(os.Environ(), "IWB_HOME="+home)
	var errOut bytes.Buffer
	listen.Stderr = &errOut
	if err := listen.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { listen.Process.Kill(); listen.Wait() }()
	post := func(auth string) int {
		req, _ := http.NewRequest(http.MethodPost, "http://"+addr+"/", strings.NewReader(`{"eventName":"emailOpen","email":"a@b.c"}`))
		req.Header.Set("Content-Type", "application/json")
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return 0
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if !tuitest.Poll(20*time.Second, func() bool { return post("") != 0 }) {
		t.Fatalf("iwb listen did not start: %s", errOut.String())
	}
	if code := post(""); code != http.StatusUnauthorized {
		t.Errorf("without the token: %d, want 401", code)
	}
	if code := post(token); code != http.StatusOK {
		t.Errorf("with the token: %d, want 200", code)
	}
}
