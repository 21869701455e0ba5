package tui

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/client/sandbox"
	"github.com/iwb-dev/iwb/tui/pages/events/eventstest"
)

// seen is one request the sandbox received.
type seen struct {
	Method, Path, Query string
	Body                []byte
}

// recorder keeps every request on its way to the sandbox.
type recorder struct {
	mu   sync.Mutex
	reqs []seen
	next http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.mu.Lock()
	r.reqs = append(r.reqs, seen{req.Method, req.URL.Path, req.URL.RawQuery, body})
	r.mu.Unlock()
	r.next.ServeHTTP(w, req)
}

// last is the last request to path; it fails the test when there is none.
func (r *recorder) last(t *testing.T, method, path string) seen {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i := len(r.reqs) - 1; i >= 0; i-- {
		if r.reqs[i].Method == method && r.reqs[i].Path == path {
			return r.reqs[i]
		}
	}
	t.Fatalf("the sandbox received no %s %s; it got %+v", method, path, r.reqs)
	return seen{}
}

func (r *recorder) count(method, path string) int {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := 0
	for _, q := range r.reqs {
		if q.Method == method && q.Path == path {
			n++
		}
	}
	return n
}

// sandboxEnv is a workbench on a sandbox over loopback, with a real history.
type sandboxEnv struct {
	sb   *sandbox.Sandbox
	rec  *recorder
	c    *client.Client
	hist *history.Store
}

func newSandboxEnv(t *testing.T) *sandboxEnv {
	t.Helper()
	sb := sandbox.New(sandbox.Options{Unlimited: true})
	t.Cleanup(sb.Close)
	rec := &recorder{next: sb.Handler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{BaseURL: srv.URL, Key: sb.Key(), Unlimited: true})
	if err != nil {
		t.Fatal(err)
	}
	h, err := history.Open(filepath.Join(t.TempDir(), "iwb.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return &sandboxEnv{sb: sb, rec: rec, c: c, hist: h}
}

func (e *sandboxEnv) deps() Deps {
	return Deps{Connections: twoConns(), Events: eventstest.NewSource(0), Client: e.c, History: e.hist, Connection: "sandbox (us)"}
}

// openAction goes to the Actions tab and opens the action titled title.
func (h *harness) openAction(title string) {
	h.TB().Helper()
	h.Press("2", "home")
	for _, a := range client.Actions {
		if a.Title == title {
			h.Press("enter")
			return
		}
		h.Press("down")
	}
	h.TB().Fatalf("no action titled %q", title)
}

// actionForm says the form of the action titled title has the keys.
func (h *harness) actionForm(title string) bool {
	return h.m.Mode() == ModeForm && h.m.form != nil && h.m.form.Title == title
}

// clipboardOf runs cmd's batch and returns the text it puts on the
// clipboard by OSC 52.
func clipboardOf(t *testing.T, cmd tea.Cmd) string {
	t.Helper()
	batch, ok := cmd().(tea.BatchMsg)
	if !ok {
		t.Fatal("the copy is not a batch")
	}
	for _, c := range batch {
		if c == nil {
			continue
		}
		// tea.SetClipboard's message is an unexported string type.
		if v := reflect.ValueOf(c()); v.Kind() == reflect.String {
			return v.String()
		}
	}
	t.Fatal("nothing was put on the clipboard")
	return ""
}

// addField adds a data field in the builder: name, optionally a type
// reached with right presses, and the value.
func (h *harness) addField(name string, typeSteps int, value string) {
	h.TB().Helper()
	h.Press("+")
	h.Paste(name)
	h.Press("tab")
	for range typeSteps {
		h.Press("right")
	}
	h.Press("tab")
	h.Paste(value)
	h.Press("enter")
}

func bodyOf(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("body %q: %v", b, err)
	}
	return m
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// failing answers status to one endpoint ("METHOD /path"), as Iterable does
// when a key lacks a right.
func failing(next http.Handler, endpoint string, status int) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method+" "+r.URL.Path == endpoint {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"msg":"Forbidden: this key cannot read lists","code":"Forbidden","params":null}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeUsersCSV(t *testing.T, n int) string {
	t.Helper()
	var b strings.Builder
	b.WriteString("email,plan,score\n")
	for i := range n {
		fmt.Fprintf(&b, "user%d@acme.io,pro,%d\n", i, i)
	}
	path := filepath.Join(t.TempDir(), "users.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}
