package tui

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/webhook"
)

// TestStatusBarCountsRefusalsByKind: a sender the listener refuses shows in
// the status bar by status, and the last refusal's time and cause in the
// header, at both sizes and without colour.
func TestStatusBarCountsRefusalsByKind(t *testing.T) {
	deps, st := storeDeps(t)
	srv := startTestListener(t, st)
	deps.Listener, deps.ListenerURL = srv, srv.URL()
	token := strings.Repeat("k", 32)
	auth, err := webhook.ParseAuth("header:X-Iwb-Token:"+token, "")
	if err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, deps, 120, 40)
	hs.MustShow("0 rejected · 0 dropped")
	hs.MustNotShow("refused", "✗ 401")

	srv.SetAuth(auth)
	if status, err := httpPost(srv.URL()+"iterable", `{"email":"a@example.com","eventName":"emailOpen"}`); err != nil || status != 401 {
		t.Fatalf("a post without the token: %d %v", status, err)
	}
	req, _ := http.NewRequest("POST", srv.URL()+"iterable", strings.NewReader(`{"email":`))
	req.Header.Set("X-Iwb-Token", token)
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	at := time.Now().Format(time.TimeOnly)[:5] // HH:MM, the seconds may have moved on
	hs.MustShow("refused 401×1 400×1 · 0 dropped", "✗ 400 at "+at)
	hs.CheckFrame(120, 40)

	small := newHarness(t, deps, 80, 24)
	small.MustShow("refused 401×1 400×1")
	small.CheckFrame(80, 24)
	if s := small.Screen(); strings.Contains(s, token) {
		t.Errorf("the token reached the screen:\n%s", s)
	}
}
