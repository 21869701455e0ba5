package client_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
)

// fast retries keep the tests short; the policy's shape is what is tested.
var fast = client.RetryPolicy{MaxAttempts: 4, BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond, MaxElapsed: 5 * time.Second}

// scripted answers each request with the next status, then keeps the last.
func scripted(t *testing.T, statuses ...int) (*httptest.Server, *atomic.Int64) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := int(n.Add(1)) - 1
		status := statuses[min(i, len(statuses)-1)]
		w.WriteHeader(status)
		if status == 200 {
			io.WriteString(w, `{"msg":"","code":"Success","params":null}`)
		} else {
			io.WriteString(w, `{"msg":"try later","code":"GenericError","params":null}`)
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func newClient(t *testing.T, url string, p client.RetryPolicy) *client.Client {
	t.Helper()
	c, err := client.New(client.Options{BaseURL: url, Key: "k", Retry: p})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestRetriesUntilSuccess(t *testing.T) {
	srv, n := scripted(t, 503, 500, 200)
	c := newClient(t, srv.URL, fast)
	if _, err := c.TrackEvent(context.Background(), client.TrackRequest{EventName: "e", Email: "a@example.com"}); err != nil {
		t.Fatalf("failed twice then succeeded, got %v", err)
	}
	if n.Load() != 3 {
		t.Errorf("%d attempts, want 3", n.Load())
	}
}

func TestNeverRecoversIsBounded(t *testing.T) {
	srv, n := scripted(t, 500)
	c := newClient(t, srv.URL, fast)
	_, err := c.UpdateUser(context.Background(), client.ApiUserUpdateRequest{Email: "a@example.com"})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 500 || apiErr.Code != "GenericError" {
		t.Fatalf("got %v, want the last 500", err)
	}
	if n.Load() != int64(fast.MaxAttempts) {
		t.Errorf("%d attempts, want %d", n.Load(), fast.MaxAttempts)
	}
	// Bounded in time too: a policy whose next wait passes MaxElapsed stops there.
	srv2, n2 := scripted(t, 500)
	slow := client.RetryPolicy{MaxAttempts: 100, BaseDelay: time.Hour, MaxDelay: time.Hour, MaxElapsed: time.Millisecond}
	if _, err := newClient(t, srv2.URL, slow).Lists(context.Background()); err == nil || n2.Load() != 1 {
		t.Errorf("retry time bound: %d attempts, %v", n2.Load(), err)
	}
}

func TestClientErrorsAreNotRetried(t *testing.T) {
	srv, n := scripted(t, 400, 200)
	c := newClient(t, srv.URL, fast)
	if _, err := c.Lists(context.Background()); err == nil || n.Load() != 1 {
		t.Errorf("a 400 is final: %d attempts, %v", n.Load(), err)
	}
}

func TestSendSMSRetriesOnlyOn429(t *testing.T) {
	srv, n := scripted(t, 500, 200)
	c := newClient(t, srv.URL, fast)
	req := client.TargetSMSRequest{CampaignID: 1, RecipientEmail: "a@example.com"}
	if _, err := c.SendSMS(context.Background(), req); err == nil || n.Load() != 1 {
		t.Errorf("send-sms after a 500 may have been sent: %d attempts, %v", n.Load(), err)
	}
	srv429, n429 := scripted(t, 429, 200)
	if _, err := newClient(t, srv429.URL, fast).SendSMS(context.Background(), req); err != nil || n429.Load() != 2 {
		t.Errorf("send-sms after a 429 was not sent: %d attempts, %v", n429.Load(), err)
	}
	// The same holds through Run.
	srvRun, nRun := scripted(t, 502, 200)
	a, _ := client.LookupAction("send-sms")
	if _, err := newClient(t, srvRun.URL, fast).Run(context.Background(), a, []byte(`{"campaignId":1,"recipientEmail":"a@example.com"}`)); err == nil || nRun.Load() != 1 {
		t.Errorf("Run send-sms after a 502: %d attempts, %v", nRun.Load(), err)
	}
}

func TestConnectionErrorsAreRetriedButBounded(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var accepted atomic.Int64
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			accepted.Add(1)
			conn.Close() // hang up before answering
		}
	}()
	defer ln.Close()
	c := newClient(t, "http://"+ln.Addr().String(), fast)
	if _, err := c.Channels(context.Background()); err == nil {
		t.Fatal("a server that hangs up answered")
	}
	if accepted.Load() < int64(fast.MaxAttempts) {
		t.Errorf("%d connections, want %d attempts", accepted.Load(), fast.MaxAttempts)
	}
}

func TestHangingServerTimesOut(t *testing.T) {
	release := make(chan struct{})
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	defer srv.Close()
	defer close(release)
	p := fast
	p.MaxAttempts = 2
	p.AttemptTimeout = 50 * time.Millisecond
	_, err := newClient(t, srv.URL, p).Lists(context.Background())
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("got %v, want a timeout", err)
	}
	if n.Load() != 2 {
		t.Errorf("%d attempts, want 2", n.Load())
	}
	// A cancelled context stops at once, without retrying.
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := newClient(t, srv.URL, p).Lists(ctx); !errors.Is(err, context.Canceled) {
		t.Errorf("cancelled: %v", err)
	}
}

func TestRetryAfterIsHonoured(t *testing.T) {
	var n atomic.Int64
	var first, second time.Time
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) == 1 {
			first = time.Now()
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(429)
			io.WriteString(w, `{"msg":"slow down","code":"RateLimitExceeded","params":null}`)
			return
		}
		second = time.Now()
		io.WriteString(w, `{"lists":[]}`)
	}))
	defer srv.Close()
	p := fast
	p.MaxDelay = 2 * time.Second // Retry-After is capped by MaxDelay
	if _, err := newClient(t, srv.URL, p).Lists(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Not a speed assertion: the client must not come back before it was told to.
	if gap := second.Sub(first); gap < 900*time.Millisecond {
		t.Errorf("came back after %v, Retry-After said 1s", gap)
	}
}

func TestLowRateSandboxAndLimiter(t *testing.T) {
	rates := map[string]float64{"POST /api/users/update": 4}
	// Without the client's limiter, a burst meets 429 and, with no retry, fails.
	raw := newEnv(t, sandbox.Options{Rates: rates}, client.Options{Unlimited: true, Retry: client.RetryPolicy{MaxAttempts: 1}})
	limited := 0
	for range 8 {
		_, err := raw.c.UpdateUser(context.Background(), client.ApiUserUpdateRequest{Email: "a@example.com"})
		var apiErr *client.Error
		if errors.As(err, &apiErr) && apiErr.Status == 429 {
			limited++
		}
	}
	if limited == 0 || raw.sb.RateLimited() == 0 {
		t.Errorf("a burst of 8 over 4/s met no 429")
	}
	// With the limiter at the same rate, the sandbox never says 429.
	paced := newEnv(t, sandbox.Options{Rates: rates}, client.Options{Limits: rates, Retry: client.RetryPolicy{MaxAttempts: 1}})
	for i := range 8 {
		if _, err := paced.c.UpdateUser(context.Background(), client.ApiUserUpdateRequest{Email: "a@example.com"}); err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if paced.sb.RateLimited() != 0 {
		t.Errorf("the limited client met %d 429s", paced.sb.RateLimited())
	}
}

func TestBulkUpdateBurstAtPublishedRate(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, client.Options{Retry: client.RetryPolicy{MaxAttempts: 1}})
	for i := range 7 {
		_, err := e.c.BulkUpdateUsers(context.Background(), client.BulkUpdateUsersRequest{
			Users: []client.OptionalApiUser{{Email: "b@example.com"}}})
		if err != nil {
			t.Fatalf("call %d: %v", i, err)
		}
	}
	if e.sb.RateLimited() != 0 {
		t.Errorf("%d 429s through the client's limiter", e.sb.RateLimited())
	}
	// The same burst sent directly is refused.
	refused := 0
	for range 7 {
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/users/bulkUpdate", strings.NewReader(`{"users":[{"email":"b@example.com"}]}`))
		req.Header.Set("Api-Key", e.sb.Key())
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode == 429 {
			refused++
		}
	}
	if refused == 0 {
		t.Error("7 direct bulkUpdate calls within a second met no 429")
	}
}

// TestLimiterNeverOverfillsASlidingSecond sends 100 requests to one endpoint
// from four goroutines and checks, at the sandbox, every one-second window
// that starts at an arrival.
func TestLimiterNeverOverfillsASlidingSecond(t *testing.T) {
	const rate = 20
	rates := map[string]float64{"POST /api/users/bulkUpdate": rate}
	e := newEnv(t, sandbox.Options{Rates: rates}, client.Options{Limits: rates, Retry: client.RetryPolicy{MaxAttempts: 1}})
	var wg sync.WaitGroup
	var next atomic.Int64
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= 100 {
				if _, err := e.c.BulkUpdateUsers(context.Background(), client.BulkUpdateUsersRequest{
					Users: []client.OptionalApiUser{{Email: "b@example.com"}}}); err != nil {
					t.Error(err)
					return
				}
			}
		}()
	}
	wg.Wait()
	reqs := e.rec.all()
	if len(reqs) != 100 {
		t.Fatalf("%d requests reached the sandbox, want 100", len(reqs))
	}
	slices.SortFunc(reqs, func(a, b recorded) int { return a.At.Compare(b.At) })
	for i, r := range reqs {
		in := 0
		for _, o := range reqs[i:] {
			if o.At.Sub(r.At) <= time.Second {
				in++
			}
		}
		if in > rate {
			t.Fatalf("%d requests within the second from request %d, the rate is %d", in, i, rate)
		}
	}
	if n := e.sb.RateLimited(); n != 0 {
		t.Errorf("the sandbox answered 429 %d times", n)
	}
}
