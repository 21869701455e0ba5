package webhook

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

func TestRefusalsAreCountedByKindWithTheLastCause(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	t.Cleanup(target.Close)
	token, _ := ParseAuth("header:X-Token:t0k", "")
	srv := startListener(t, st, ServerOptions{Auth: token, MaxBody: 1024, ForwardTo: target.URL})
	if r := srv.Refusals(); r.Refused() != 0 || r.Forward.Count != 0 {
		t.Fatalf("a new listener has refusals: %+v", r)
	}
	if _, _, ok := srv.Refusals().Latest(); ok {
		t.Error("Latest of nothing refused is ok")
	}
	start := time.Now()
	good := systemBody("emailOpen", "m-1")
	for _, c := range []struct {
		body    []byte
		headers []string
		status  int
	}{
		{good, nil, 401},
		{good, []string{"X-Token", "wrong"}, 401},
		{[]byte(`{"email":`), []string{"X-Token", "t0k"}, 400},
		{bytes.Repeat([]byte("x"), 2048), []string{"X-Token", "t0k"}, 413},
		{good, []string{"X-Token", "t0k"}, 200},
	} {
		if a := post(t, srv, "/iterable", "application/json", c.body, c.headers...); a.Status != c.status {
			t.Fatalf("POST: %d, want %d", a.Status, c.status)
		}
	}
	waitFor(t, "the failed forward", func() bool { return srv.Refusals().Forward.Count == 1 })
	r := srv.Refusals()
	if r.Auth.Count != 2 || r.BadBody.Count != 1 || r.TooLarge.Count != 1 || r.Busy.Count != 0 || r.Refused() != 4 {
		t.Errorf("counts: %+v", r)
	}
	for name, f := range map[string]Failures{"auth": r.Auth, "bad body": r.BadBody, "too large": r.TooLarge, "forward": r.Forward} {
		if f.Last.Before(start) || f.Cause == "" {
			t.Errorf("%s: last %v, cause %q", name, f.Last, f.Cause)
		}
	}
	if !strings.Contains(r.Auth.Cause, "/iterable") || strings.Contains(r.Auth.Cause, "t0k") || strings.Contains(r.Auth.Cause, "wrong") {
		t.Errorf("auth cause %q: want the path, never a credential", r.Auth.Cause)
	}
	if !strings.Contains(r.TooLarge.Cause, "1024-byte limit") || !strings.Contains(r.Forward.Cause, "502") {
		t.Errorf("causes: too large %q, forward %q", r.TooLarge.Cause, r.Forward.Cause)
	}
	if kind, f, ok := r.Latest(); !ok || kind != "too large" || f != r.TooLarge {
		t.Errorf("Latest: %s %+v %v, want the 413", kind, f, ok)
	}

	// A store that cannot take the event: 503, counted as busy.
	st.Close()
	if a := post(t, srv, "/iterable", "application/json", systemBody("emailOpen", "m-2"), "X-Token", "t0k"); a.Status != 503 {
		t.Fatalf("closed store: %d", a.Status)
	}
	if r := srv.Refusals(); r.Busy.Count != 1 || r.Busy.Cause == "" {
		t.Errorf("busy: %+v", r.Busy)
	}
	if kind, _, _ := srv.Refusals().Latest(); kind != "busy" {
		t.Errorf("Latest after the 503: %s", kind)
	}
}
