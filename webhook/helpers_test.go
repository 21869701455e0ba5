package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// quietLog keeps test output to the failures.
var quietLog = slog.New(slog.NewTextHandler(io.Discard, nil))

// openTestStore opens a store on a fresh SQLite file, closed at cleanup.
func openTestStore(t testing.TB, opts StoreOptions) *Store {
	t.Helper()
	return openStoreAt(t, filepath.Join(t.TempDir(), "events.db"), opts)
}

// settle waits until st's flusher has inserted every event answered so
// far, for a test that reads the file or the counts (Stats) directly.
func settle(t testing.TB, st *Store) {
	t.Helper()
	if err := st.settled(context.Background()); err != nil {
		t.Fatal(err)
	}
}

func openStoreAt(t testing.TB, path string, opts StoreOptions) *Store {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLog
	}
	st, err := Open(path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// startListener serves st on a free loopback port; it is shut down at cleanup.
func startListener(t testing.TB, st EventLog, opts ServerOptions) *Server {
	t.Helper()
	opts.Addr = "127.0.0.1:0"
	if opts.Logger == nil {
		opts.Logger = quietLog
	}
	srv, err := NewServer(st, opts)
	if err != nil {
		t.Fatalf("NewServer: %v", err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatalf("Start: %v", err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(ctx)
	})
	return srv
}

// answer is a listener's reply.
type answer struct {
	Status int
	Header http.Header
	OK     bool   `json:"ok"`
	ID     string `json:"id"`
	Error  string `json:"error"`
}

// post sends body to the listener and decodes its answer.
func post(t testing.TB, srv *Server, path, contentType string, body []byte, headers ...string) answer {
	t.Helper()
	return do(t, http.MethodPost, srv.URL()+trimSlash(path), contentType, body, headers...)
}

func trimSlash(p string) string {
	if len(p) > 0 && p[0] == '/' {
		return p[1:]
	}
	return p
}

func do(t testing.TB, method, url, contentType string, body []byte, headers ...string) answer {
	t.Helper()
	req, err := http.NewRequest(method, url, bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer resp.Body.Close()
	a := answer{Status: resp.StatusCode, Header: resp.Header}
	raw, _ := io.ReadAll(resp.Body)
	if len(raw) > 0 {
		if err := json.Unmarshal(raw, &a); err != nil {
			t.Fatalf("%s %s answered %d with a body that is not JSON: %q", method, url, resp.StatusCode, raw)
		}
	}
	return a
}

// mustGet reads a stored event by the id a listener answered.
func mustGet(t testing.TB, st EventLog, id string) Event {
	t.Helper()
	n, err := strconv.ParseInt(id, 10, 64)
	if err != nil {
		t.Fatalf("answer id %q is not a number", id)
	}
	ev, err := st.Get(context.Background(), n)
	if err != nil {
		t.Fatalf("Get(%s): %v", id, err)
	}
	return ev
}

func fixture(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// systemBody is a system webhook body of the given event name.
func systemBody(eventName, messageID string) []byte {
	b, _ := json.Marshal(map[string]any{
		"email":     "ada@example.com",
		"eventName": eventName,
		"dataFields": map[string]any{
			"messageId":  messageID,
			"createdAt":  "2026-03-14 09:26:53 +00:00",
			"campaignId": 7001,
		},
	})
	return b
}

// waitFor polls cond until it holds, failing after a bound.
func waitFor(t testing.TB, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
