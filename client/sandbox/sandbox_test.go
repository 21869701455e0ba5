package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
)

// webhookTime is the createdAt format of Iterable's webhooks: "2016-12-02 20:21:04 +00:00".
var webhookTime = regexp.MustCompile(`^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \+00:00$`)

type received struct {
	URL    string
	Header http.Header
	Body   map[string]any
}

// receiver is a webhook endpoint that hands every POST to a channel.
func receiver(t *testing.T) (*httptest.Server, chan received) {
	ch := make(chan received, 100)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var body map[string]any
		raw, _ := io.ReadAll(r.Body)
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("webhook body is not JSON: %s", raw)
		}
		ch <- received{URL: r.URL.String(), Header: r.Header.Clone(), Body: body}
	}))
	t.Cleanup(srv.Close)
	return srv, ch
}

func next(t *testing.T, ch chan received) received {
	t.Helper()
	select {
	case r := <-ch:
		return r
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook arrived within 5s")
		return received{}
	}
}

func setup(t *testing.T, opts sandbox.Options) (*sandbox.Sandbox, *client.Client, string) {
	t.Helper()
	sb := sandbox.New(opts)
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	c, err := client.New(client.Options{BaseURL: srv.URL, Key: sb.Key(), Unlimited: true, Retry: client.RetryPolicy{MaxAttempts: 1}})
	if err != nil {
		t.Fatal(err)
	}
	return sb, c, srv.URL
}

func fields(t *testing.T, r received) map[string]any {
	t.Helper()
	df, ok := r.Body["dataFields"].(map[string]any)
	if !ok {
		t.Fatalf("no dataFields in %v", r.Body)
	}
	if !webhookTime.MatchString(fmt.Sprint(df["createdAt"])) {
		t.Errorf("createdAt %v is not like 2016-12-02 20:21:04 +00:00", df["createdAt"])
	}
	return df
}

func TestSystemWebhooksFollowTheCalls(t *testing.T) {
	sb, c, _ := setup(t, sandbox.Options{})
	ctx := context.Background()
	hook, got := receiver(t)

	// Disabled at first: this send posts nothing.
	if _, err := c.SendSMS(ctx, client.TargetSMSRequest{CampaignID: sandbox.SMSCampaignID, RecipientEmail: "grace@example.com"}); err != nil {
		t.Fatal(err)
	}
	sb.SetWebhook(hook.URL)

	if _, err := c.SendSMS(ctx, client.TargetSMSRequest{CampaignID: sandbox.SMSCampaignID, RecipientEmail: "ada@example.com"}); err != nil {
		t.Fatal(err)
	}
	r := next(t, got)
	df := fields(t, r)
	if r.Body["eventName"] != "smsSend" || r.Body["email"] != "ada@example.com" || r.Body["userId"] != "u-1001" ||
		df["campaignId"] != float64(sandbox.SMSCampaignID) || df["toPhoneNumber"] != "+447700900101" {
		t.Errorf("smsSend body %v", r.Body)
	}
	if r.Header.Get("Content-Type") != "application/json" {
		t.Errorf("content type %q", r.Header.Get("Content-Type"))
	}

	listID, _ := c.CreateList(ctx, client.CreateListRequest{Name: "Hooks"})
	if _, err := c.Subscribe(ctx, client.SubscribeRequest{ListID: listID, Subscribers: []client.OptionalApiUser{{Email: "new@example.com"}}}); err != nil {
		t.Fatal(err)
	}
	r = next(t, got)
	if df := fields(t, r); r.Body["eventName"] != "emailSubscribe" || r.Body["email"] != "new@example.com" ||
		fmt.Sprint(df["emailListIds"]) != fmt.Sprintf("[%d]", listID) {
		t.Errorf("emailSubscribe body %v", r.Body)
	}

	if _, err := c.UpdateSubscriptions(ctx, client.UpdateSubscriptionsRequest{Email: "new@example.com", EmailListIDs: []int64{}}); err != nil {
		t.Fatal(err)
	}
	r = next(t, got)
	if df := fields(t, r); r.Body["eventName"] != "emailUnSubscribe" || fmt.Sprint(df["emailListIds"]) != fmt.Sprintf("[%d]", listID) {
		t.Errorf("emailUnSubscribe body %v", r.Body)
	}
	if _, err := c.UpdateSubscriptions(ctx, client.UpdateSubscriptionsRequest{Email: "new@example.com", UnsubscribedChannelIDs: []int64{101}}); err != nil {
		t.Fatal(err)
	}
	r = next(t, got)
	if df := fields(t, r); r.Body["eventName"] != "emailUnSubscribe" || fmt.Sprint(df["channelIds"]) != "[101]" {
		t.Errorf("channel unsubscribe body %v", r.Body)
	}
}

func TestWebhookDoesNotBlockTheAnswer(t *testing.T) {
	release := make(chan struct{})
	arrived := make(chan struct{}, 10)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrived <- struct{}{}
		<-release
	}))
	defer hook.Close()
	defer close(release)
	_, c, _ := setup(t, sandbox.Options{WebhookURL: hook.URL})
	for range 3 { // answered while the endpoint holds the first delivery
		if _, err := c.SendSMS(context.Background(), client.TargetSMSRequest{CampaignID: sandbox.SMSCampaignID, RecipientEmail: "ada@example.com"}); err != nil {
			t.Fatal(err)
		}
	}
	select {
	case <-arrived:
	case <-time.After(5 * time.Second):
		t.Fatal("the webhook never arrived")
	}
}

func TestWebhookConfiguredThroughAPI(t *testing.T) {
	_, c, _ := setup(t, sandbox.Options{})
	ctx := context.Background()
	hook, got := receiver(t)
	_, err := c.UpdateWebhook(ctx, client.WebhookUpdate{ID: 1, Endpoint: ptr(hook.URL + "/in?campaign={{campaignId}}&wf={{workflowId}}"),
		Enabled: ptr(true), AuthType: ptr("Basic"), AuthToken: ptr("Basic dXNlcjpwYXNz"), Headers: []client.Header{{Key: "X-Project", Value: "demo"}}})
	if err != nil {
		t.Fatal(err)
	}
	hooks, _ := c.Webhooks(ctx)
	if len(hooks) != 1 || !hooks[0].Enabled || hooks[0].AuthType != "Basic" {
		t.Errorf("webhooks %+v", hooks)
	}
	if _, err := c.SendSMS(ctx, client.TargetSMSRequest{CampaignID: sandbox.SMSCampaignID, RecipientEmail: "linus@example.com"}); err != nil {
		t.Fatal(err)
	}
	r := next(t, got)
	if r.URL != "/in?campaign=73003&wf=" || r.Header.Get("Authorization") != "Basic dXNlcjpwYXNz" || r.Header.Get("X-Project") != "demo" {
		t.Errorf("delivery %s %v", r.URL, r.Header)
	}
	_, err = c.UpdateWebhook(ctx, client.WebhookUpdate{ID: 9})
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 400 || apiErr.Code != "BadParams" {
		t.Errorf("unknown webhook id: %v", err)
	}
	_, err = c.UpdateWebhook(ctx, client.WebhookUpdate{ID: 1, AuthType: ptr("Digest")})
	if !errors.As(err, &apiErr) || apiErr.Code != "BadParams" {
		t.Errorf("bad authType: %v", err)
	}
}

func ptr[T any](v T) *T { return &v }

func TestUserFieldsMergeAndTypes(t *testing.T) {
	_, c, _ := setup(t, sandbox.Options{})
	ctx := context.Background()
	up := func(data string, merge bool) error {
		var df map[string]any
		if err := json.Unmarshal([]byte(data), &df); err != nil {
			t.Fatal(err)
		}
		_, err := c.UpdateUser(ctx, client.ApiUserUpdateRequest{Email: "m@example.com", DataFields: df, MergeNestedObjects: &merge})
		return err
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(up(`{"settings":{"mobile":true},"level":1,"joined":"2024-05-01 10:00:00 +00:00"}`, false))
	must(up(`{"settings":{"email":true}}`, true))
	u, _ := c.GetUserByEmail(ctx, "m@example.com")
	if fmt.Sprint(u.DataFields["settings"]) != "map[email:true mobile:true]" || u.DataFields["level"] != float64(1) {
		t.Errorf("merged: %v", u.DataFields)
	}
	must(up(`{"settings":{"push":false}}`, false))
	u, _ = c.GetUserByEmail(ctx, "m@example.com")
	if fmt.Sprint(u.DataFields["settings"]) != "map[push:false]" {
		t.Errorf("overwritten: %v", u.DataFields["settings"])
	}
	must(up(`{"level":2.5}`, false)) // numbers stay numbers
	err := up(`{"joined":"soon","settings":{"push":"maybe"}}`, false)
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Code != "RequestFieldsTypesMismatched" ||
		apiErr.ValidationErrors["joined"].ExpectedType != "date" || apiErr.ValidationErrors["settings.push"].ExpectedType != "boolean" ||
		fmt.Sprint(apiErr.ValidationErrors["joined"].IncomingTypes) != "[string keyword]" || apiErr.ValidationErrors["joined"].OffendingValue != "soon" {
		t.Fatalf("clash: %v", err)
	}
	u, _ = c.GetUserByEmail(ctx, "m@example.com")
	if u.DataFields["joined"] != "2024-05-01 10:00:00 +00:00" {
		t.Errorf("a refused update changed the profile: %v", u.DataFields)
	}
	fieldTypes, _ := c.UserFields(ctx)
	for path, typ := range map[string]string{"settings": "object", "settings.mobile": "boolean", "settings.push": "boolean",
		"level": "long", "joined": "date", "score": "long", "firstName": "string"} {
		if fieldTypes[path] != typ {
			t.Errorf("getFields[%s] = %q, want %q", path, fieldTypes[path], typ)
		}
	}

	// createNewFields false drops unknown fields.
	resp, err := c.BulkUpdateUsers(ctx, client.BulkUpdateUsersRequest{CreateNewFields: ptr(false),
		Users: []client.OptionalApiUser{{Email: "m@example.com", DataFields: map[string]any{"brandNew": 1, "level": 3}}}})
	if err != nil || fmt.Sprint(resp.FilteredOutFields) != "[brandNew]" {
		t.Errorf("filtered: %+v, %v", resp, err)
	}
	// A user known only by userId gets a placeholder email.
	if _, err := c.UpdateUser(ctx, client.ApiUserUpdateRequest{UserID: "only-id"}); err != nil {
		t.Fatal(err)
	}
	if u, err := c.GetUserByEmail(ctx, "only-id@placeholder.email"); err != nil || u.UserID != "only-id" {
		t.Errorf("userId-only user: %+v, %v", u, err)
	}
	// Event fields are typed per event name.
	_, err = c.TrackEvent(ctx, client.TrackRequest{EventName: "purchase", Email: "m@example.com", DataFields: map[string]any{"total": 10}})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.TrackEvent(ctx, client.TrackRequest{EventName: "purchase", Email: "m@example.com", DataFields: map[string]any{"total": "ten"}})
	if !errors.As(err, &apiErr) || apiErr.ValidationErrors["total"].Category != "event" {
		t.Errorf("event field clash: %v", err)
	}
	_, err = c.TrackEvent(ctx, client.TrackRequest{EventName: "refund", Email: "m@example.com", DataFields: map[string]any{"total": "ten"}})
	if err != nil {
		t.Errorf("another event name has its own types: %v", err)
	}
}

func TestRawErrorsAndAuth(t *testing.T) {
	sb, _, base := setup(t, sandbox.Options{})
	do := func(method, path, keyHeader, body string) (int, map[string]any) {
		req, _ := http.NewRequest(method, base+path, strings.NewReader(body))
		if keyHeader != "" {
			req.Header[keyHeader] = []string{sb.Key()}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out map[string]any
		_ = json.NewDecoder(resp.Body).Decode(&out)
		return resp.StatusCode, out
	}
	if st, out := do("GET", "/api/lists", "", ""); st != 401 || out["code"] != "BadApiKey" {
		t.Errorf("no key: %d %v", st, out)
	}
	if st, _ := do("GET", "/api/lists", "Api_key", ""); st != 200 {
		t.Errorf("Api_Key spelling refused: %d", st)
	}
	if st, out := do("POST", "/api/users/update", "Api-Key", `{"email":`); st != 400 || out["code"] != "BadJsonBody" ||
		!strings.Contains(fmt.Sprint(out["msg"]), "/api/users/update") {
		t.Errorf("bad JSON: %d %v", st, out)
	}
	if st, out := do("POST", "/api/lists", "Api-Key", `{"description":"no name"}`); st != 400 || out["code"] != "BadParams" {
		t.Errorf("missing name: %d %v", st, out)
	}
	if st, out := do("POST", "/api/sms/target", "Api-Key", `{"recipientEmail":"ada@example.com"}`); st != 400 || out["code"] != "BadParams" {
		t.Errorf("missing campaignId: %d %v", st, out)
	}
	if st, out := do("GET", "/api/users/getByEmail?email=ghost%40example.com", "Api-Key", ""); st != 200 || len(out) != 0 {
		t.Errorf("unknown user: %d %v, want 200 {}", st, out)
	}
	if st, out := do("GET", "/api/nothing", "Api-Key", ""); st != 404 || out["code"] != "NotFound" {
		t.Errorf("unknown path: %d %v", st, out)
	}
	if st, _ := do("GET", "/api/journeys?pageSize=51", "Api-Key", ""); st != 400 {
		t.Errorf("pageSize over 50: %d", st)
	}
	if st, out := do("POST", "/api/sms/target", "Api-Key", `{"campaignId":1,"recipientEmail":"ada@example.com","sendAt":"tomorrow"}`); st != 400 || out["code"] != "BadParams" {
		t.Errorf("bad sendAt: %d %v", st, out)
	}
}

func TestSeededProject(t *testing.T) {
	_, c, _ := setup(t, sandbox.Options{})
	ctx := context.Background()
	mts, _ := c.MessageTypes(ctx)
	chans, _ := c.Channels(ctx)
	if len(mts) != len(chans) {
		t.Errorf("%d message types for %d channels", len(mts), len(chans))
	}
	js, err := c.Journeys(ctx, 1, 50)
	if err != nil || len(js.Journeys) < 3 {
		t.Fatalf("journeys %+v, %v", js, err)
	}
	for _, j := range js.Journeys {
		if j.ID == 0 || j.Name == "" {
			t.Errorf("journey %+v", j)
		}
	}
	lists, _ := c.Lists(ctx)
	if len(lists) != 1 || lists[0].Name != "Newsletter" {
		t.Errorf("lists %+v", lists)
	}
	u, err := c.GetUserByEmail(ctx, "ada@example.com")
	if err != nil || fmt.Sprint(u.DataFields["emailListIds"]) != fmt.Sprintf("[%d]", lists[0].ID) {
		t.Errorf("seeded user %+v, %v", u, err)
	}
}

// workflowIDOf finds a journey webhook's workflow id where a receiver must look.
func workflowIDOf(d sandbox.Delivery) (id int64, where string) {
	var body map[string]any
	_ = json.Unmarshal([]byte(d.Body), &body)
	if v, ok := body["workflowId"].(float64); ok {
		return int64(v), "top-level"
	}
	if df, ok := body["dataFields"].(map[string]any); ok {
		if v, ok := df["workflowId"].(float64); ok {
			return int64(v), "dataFields"
		}
	}
	u, _ := url.Parse(d.URL)
	if v := u.Query().Get("workflowId"); v != "" {
		n, _ := strconv.ParseInt(v, 10, 64)
		return n, "query"
	}
	if i := strings.Index(u.Path, "/workflows/"); i >= 0 {
		n, _ := strconv.ParseInt(u.Path[i+len("/workflows/"):], 10, 64)
		return n, "path"
	}
	return 0, ""
}

func TestTrafficCoversEveryEventFamily(t *testing.T) {
	sb, c, _ := setup(t, sandbox.Options{})
	js, _ := c.Journeys(context.Background(), 1, 50)
	journeyIDs := map[int64]bool{}
	for _, j := range js.Journeys {
		journeyIDs[j.ID] = true
	}
	tr := sb.NewTraffic(sandbox.TrafficOptions{URL: "http://127.0.0.1:1/hooks", Seed: 7})
	seen := map[string]bool{}
	places := map[string]bool{}
	for range 4000 {
		d := tr.Next()
		var body map[string]any
		if err := json.Unmarshal(d.Body, &body); err != nil {
			t.Fatalf("generated body is not JSON: %s", d.Body)
		}
		if body["email"] == nil && body["userId"] == nil {
			t.Fatalf("no email nor userId: %s", d.Body)
		}
		df, _ := body["dataFields"].(map[string]any)
		if !webhookTime.MatchString(fmt.Sprint(df["createdAt"])) {
			t.Fatalf("createdAt: %s", d.Body)
		}
		switch d.Kind {
		case "system":
			// Keys come in the order Iterable's documentation shows them.
			if !regexp.MustCompile(`^\{("email":[^,]+,)?("userId":[^,]+,)?"eventName":"[^"]+","dataFields":\{"email":"[^"]+","createdAt":`).Match(d.Body) {
				t.Fatalf("keys out of Iterable's order: %s", d.Body)
			}
			if body["eventName"] != d.EventName {
				t.Fatalf("eventName %v, delivery says %s", body["eventName"], d.EventName)
			}
			seen[d.EventName] = true
			if wf, ok := df["workflowId"].(float64); ok && !journeyIDs[int64(wf)] {
				t.Errorf("workflowId %v is not a journey", wf)
			}
		case "workflow":
			if body["eventName"] != nil {
				t.Errorf("a journey webhook carries an eventName: %s", d.Body)
			}
			id, where := workflowIDOf(d)
			if !journeyIDs[id] || id != d.WorkflowID {
				t.Errorf("journey webhook workflow id %d (%s), want %d: %s %s", id, where, d.WorkflowID, d.URL, d.Body)
			}
			places[where] = true
		default:
			t.Fatalf("kind %q", d.Kind)
		}
	}
	for _, fam := range sandbox.EventFamilies {
		for _, name := range fam.Events {
			if !seen[name] {
				t.Errorf("%s never generated", name)
			}
		}
	}
	for _, where := range []string{"top-level", "dataFields", "query", "path"} {
		if !places[where] {
			t.Errorf("no journey webhook with its workflow id in the %s", where)
		}
	}
	// The same seed makes the same sequence.
	a := sb.NewTraffic(sandbox.TrafficOptions{URL: "http://x", Seed: 3}).Next()
	b := sb.NewTraffic(sandbox.TrafficOptions{URL: "http://x", Seed: 3}).Next()
	if a.EventName != b.EventName || a.URL != b.URL || a.Kind != b.Kind {
		t.Errorf("seeded traffic differs: %+v vs %+v", a, b)
	}
}

func TestTrafficRunsUntilCancelled(t *testing.T) {
	sb, _, _ := setup(t, sandbox.Options{})
	var mu sync.Mutex
	auth := ""
	hook, got := receiver(t)
	ctx, cancel := context.WithCancel(context.Background())
	tr := sb.NewTraffic(sandbox.TrafficOptions{URL: hook.URL, Interval: time.Millisecond,
		Header: http.Header{"Authorization": {"Bearer demo"}}})
	done := make(chan struct{})
	go func() { tr.Run(ctx); close(done) }()
	for range 5 {
		r := next(t, got)
		mu.Lock()
		auth = r.Header.Get("Authorization")
		mu.Unlock()
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Run did not stop when its context ended")
	}
	if tr.Sent() < 4 || auth != "Bearer demo" { // the last may be cut by the cancel
		t.Errorf("sent %d, Authorization %q", tr.Sent(), auth)
	}
}
