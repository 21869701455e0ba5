package client_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
)

// recorded is one request as it went over the wire.
type recorded struct {
	Method, Path, Query string
	Header              http.Header
	Body                []byte
	At                  time.Time // when the request reached the sandbox
}

// recorder sits in front of a handler and keeps every request.
type recorder struct {
	mu   sync.Mutex
	reqs []recorded
	next http.Handler
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(req.Body)
	r.mu.Lock()
	r.reqs = append(r.reqs, recorded{req.Method, req.URL.Path, req.URL.RawQuery, req.Header.Clone(), body, time.Now()})
	r.mu.Unlock()
	req.Body = io.NopCloser(bytes.NewReader(body))
	r.next.ServeHTTP(w, req)
}

func (r *recorder) last(t *testing.T) recorded {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("no request was recorded")
	}
	return r.reqs[len(r.reqs)-1]
}

func (r *recorder) all() []recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]recorded(nil), r.reqs...)
}

// env is a sandbox over loopback and a client pointed at it.
type env struct {
	sb  *sandbox.Sandbox
	rec *recorder
	srv *httptest.Server
	c   *client.Client
}

func newEnv(t *testing.T, sopts sandbox.Options, copts client.Options) *env {
	t.Helper()
	sb := sandbox.New(sopts)
	t.Cleanup(sb.Close)
	rec := &recorder{next: sb.Handler()}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	copts.BaseURL = srv.URL
	if copts.Key == "" {
		copts.Key = sb.Key()
	}
	if copts.UserAgent == "" {
		copts.UserAgent = "iwb/test"
	}
	c, err := client.New(copts)
	if err != nil {
		t.Fatal(err)
	}
	return &env{sb: sb, rec: rec, srv: srv, c: c}
}

func ptr[T any](v T) *T { return &v }

// checkRequest asserts what went over the wire.
func checkRequest(t *testing.T, got recorded, key, method, path, query, body string) {
	t.Helper()
	if got.Method != method || got.Path != path || got.Query != query {
		t.Errorf("request %s %s?%s, want %s %s?%s", got.Method, got.Path, got.Query, method, path, query)
	}
	if got.Header.Get("Api-Key") != key {
		t.Errorf("Api-Key header %q, want the key", got.Header.Get("Api-Key"))
	}
	if ua := got.Header.Get("User-Agent"); ua != "iwb/test" {
		t.Errorf("User-Agent %q", ua)
	}
	if body == "" {
		if len(got.Body) != 0 {
			t.Errorf("body %s, want none", got.Body)
		}
		return
	}
	if ct := got.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type %q", ct)
	}
	if string(got.Body) != body {
		t.Errorf("body\n got %s\nwant %s", got.Body, body)
	}
}

func TestTypedCallsAgainstSandbox(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, client.Options{})
	ctx := context.Background()
	key := e.sb.Key()

	listID, err := e.c.CreateList(ctx, client.CreateListRequest{Name: "VIP", Description: "big spenders"})
	if err != nil || listID == 0 {
		t.Fatalf("CreateList: %d, %v", listID, err)
	}
	checkRequest(t, e.rec.last(t), key, "POST", "/api/lists", "", `{"name":"VIP","description":"big spenders"}`)

	sub, err := e.c.Subscribe(ctx, client.SubscribeRequest{ListID: listID, Subscribers: []client.OptionalApiUser{
		{Email: "kim@example.com", DataFields: map[string]any{"tier": "gold"}}}})
	if err != nil || sub.SuccessCount != 1 || sub.FailCount != 0 {
		t.Fatalf("Subscribe: %+v, %v", sub, err)
	}
	checkRequest(t, e.rec.last(t), key, "POST", "/api/lists/subscribe", "",
		`{"listId":`+itoa(listID)+`,"subscribers":[{"email":"kim@example.com","dataFields":{"tier":"gold"}}]}`)

	u, err := e.c.GetUserByEmail(ctx, "kim@example.com")
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, e.rec.last(t), key, "GET", "/api/users/getByEmail", "email=kim%40example.com", "")
	if ids, _ := u.DataFields["emailListIds"].([]any); len(ids) != 1 || ids[0] != float64(listID) {
		t.Errorf("emailListIds = %v, want [%d]", u.DataFields["emailListIds"], listID)
	}
	if u.DataFields["tier"] != "gold" {
		t.Errorf("dataFields = %v", u.DataFields)
	}

	resp, err := e.c.UpdateUser(ctx, client.ApiUserUpdateRequest{Email: "kim@example.com",
		DataFields: map[string]any{"prefs": map[string]any{"sms": true}}, MergeNestedObjects: ptr(true)})
	if err != nil || resp.Code != "Success" {
		t.Fatalf("UpdateUser: %+v, %v", resp, err)
	}
	checkRequest(t, e.rec.last(t), key, "POST", "/api/users/update", "",
		`{"email":"kim@example.com","dataFields":{"prefs":{"sms":true}},"mergeNestedObjects":true}`)

	bulk, err := e.c.BulkUpdateUsers(ctx, client.BulkUpdateUsersRequest{Users: []client.OptionalApiUser{
		{Email: "lee@example.com", DataFields: map[string]any{"tier": "silver"}},
		{UserID: "u-77", PreferUserID: ptr(true)},
	}, CreateNewFields: ptr(true)})
	if err != nil || bulk.SuccessCount != 2 {
		t.Fatalf("BulkUpdateUsers: %+v, %v", bulk, err)
	}
	checkRequest(t, e.rec.last(t), key, "POST", "/api/users/bulkUpdate", "",
		`{"users":[{"email":"lee@example.com","dataFields":{"tier":"silver"}},{"userId":"u-77","preferUserId":true}],"createNewFields":true}`)

	created := int64(1700000000)
	tr, err := e.c.TrackEvent(ctx, client.TrackRequest{EventName: "purchase", Email: "kim@example.com",
		ID: "order-1", CreatedAt: &created, DataFields: map[string]any{"amount": 12.5}})
	if err != nil || tr.Params["id"] != "order-1" {
		t.Fatalf("TrackEvent: %+v, %v", tr, err)
	}
	checkRequest(t, e.rec.last(t), key, "POST", "/api/events/track", "",
		`{"eventName":"purchase","email":"kim@example.com","id":"order-1","createdAt":1700000000,"dataFields":{"amount":12.5}}`)
	if evs := e.sb.Events("kim@example.com"); len(evs) != 1 || evs[0].EventName != "purchase" {
		t.Errorf("events kept: %+v", evs)
	}

	_, err = e.c.UpdateSubscriptions(ctx, client.UpdateSubscriptionsRequest{Email: "kim@example.com",
		EmailListIDs: []int64{}, UnsubscribedChannelIDs: []int64{105}})
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, e.rec.last(t), key, "POST", "/api/users/updateSubscriptions", "",
		`{"email":"kim@example.com","emailListIds":[],"unsubscribedChannelIds":[105]}`)
	u, _ = e.c.GetUserByEmail(ctx, "kim@example.com")
	if ids, _ := u.DataFields["emailListIds"].([]any); len(ids) != 0 {
		t.Errorf("emailListIds after overwrite with [] = %v", ids)
	}
	if prefs, _ := u.DataFields["prefs"].(map[string]any); prefs["sms"] != true {
		t.Errorf("prefs = %v", u.DataFields["prefs"])
	}

	sms, err := e.c.SendSMS(ctx, client.TargetSMSRequest{CampaignID: sandbox.SMSCampaignID, RecipientEmail: "kim@example.com",
		DataFields: map[string]any{"code": "X1"}})
	if err != nil || sms.Code != "Success" {
		t.Fatalf("SendSMS: %+v, %v", sms, err)
	}
	checkRequest(t, e.rec.last(t), key, "POST", "/api/sms/target", "",
		`{"campaignId":73003,"recipientEmail":"kim@example.com","dataFields":{"code":"X1"}}`)

	chans, err := e.c.Channels(ctx)
	if err != nil || len(chans) != 8 {
		t.Fatalf("Channels: %d, %v", len(chans), err)
	}
	checkRequest(t, e.rec.last(t), key, "GET", "/api/channels", "", "")
	media := map[string]int{}
	for _, ch := range chans {
		media[ch.MessageMedium+"/"+ch.ChannelType]++
	}
	for _, m := range []string{"Email", "Push", "SMS", "WebPush"} {
		if media[m+"/Marketing"] != 1 || media[m+"/Transactional"] != 1 {
			t.Errorf("channels of %s: %v", m, media)
		}
	}

	lists, err := e.c.Lists(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, e.rec.last(t), key, "GET", "/api/lists", "", "")
	var vip *client.List
	for i := range lists {
		if lists[i].ID == listID {
			vip = &lists[i]
		}
	}
	if vip == nil || vip.Name != "VIP" || vip.ListType != "Standard" || vip.CreatedAt < 1e12 {
		t.Errorf("created list as listed: %+v", vip)
	}

	fields, err := e.c.UserFields(ctx)
	if err != nil {
		t.Fatal(err)
	}
	checkRequest(t, e.rec.last(t), key, "GET", "/api/users/getFields", "", "")
	for path, typ := range map[string]string{"tier": "string", "prefs": "object", "prefs.sms": "boolean", "email": "string"} {
		if fields[path] != typ {
			t.Errorf("getFields[%q] = %q, want %q", path, fields[path], typ)
		}
	}

	mts, err := e.c.MessageTypes(ctx)
	if err != nil || len(mts) == 0 || mts[0].ChannelID == 0 {
		t.Fatalf("MessageTypes: %+v, %v", mts, err)
	}
	js, err := e.c.Journeys(ctx, 1, 2)
	if err != nil || len(js.Journeys) != 2 || js.TotalJourneysCount < 3 {
		t.Fatalf("Journeys: %+v, %v", js, err)
	}
	checkRequest(t, e.rec.last(t), key, "GET", "/api/journeys", "page=1&pageSize=2", "")

	hooks, err := e.c.Webhooks(ctx)
	if err != nil || len(hooks) != 1 || hooks[0].ID != 1 || hooks[0].Enabled || hooks[0].Endpoint != "" {
		t.Fatalf("Webhooks at start: %+v, %v", hooks, err)
	}
	wh, err := e.c.UpdateWebhook(ctx, client.WebhookUpdate{ID: 1, Endpoint: ptr("https://hooks.example.com/in"), Enabled: ptr(true)})
	if err != nil || !wh.Enabled || wh.Endpoint != "https://hooks.example.com/in" {
		t.Fatalf("UpdateWebhook: %+v, %v", wh, err)
	}
	checkRequest(t, e.rec.last(t), key, "POST", "/api/webhooks", "", `{"id":1,"endpoint":"https://hooks.example.com/in","enabled":true}`)
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func TestRunSendsBodyAsGivenAndClassifiesAnswers(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, client.Options{})
	ctx := context.Background()
	action := func(name string) client.Action {
		a, ok := client.LookupAction(name)
		if !ok {
			t.Fatalf("no action %s", name)
		}
		return a
	}

	body := []byte(`{"email":"ada@example.com",  "dataFields":{"vip":true}}`)
	answer, err := e.c.Run(ctx, action("upsert-user"), body)
	if err != nil || !strings.Contains(string(answer), `"Success"`) {
		t.Fatalf("Run upsert-user: %s, %v", answer, err)
	}
	if got := e.rec.last(t).Body; string(got) != string(body) {
		t.Errorf("body went out as %s, want as given", got)
	}

	answer, err = e.c.Run(ctx, action("get-user"), []byte(`{"email":"nobody@example.com"}`))
	if !errors.Is(err, client.ErrUserNotFound) || string(bytes.TrimSpace(answer)) != "{}" {
		t.Errorf("get-user of an unknown email: %s, %v; want ErrUserNotFound", answer, err)
	}
	if _, err := e.c.GetUserByEmail(ctx, "nobody@example.com"); !errors.Is(err, client.ErrUserNotFound) {
		t.Errorf("GetUserByEmail unknown: %v", err)
	}

	answer, err = e.c.Run(ctx, action("bulk-upsert-users"),
		[]byte(`{"users":[{"email":"ok@example.com"},{"email":"not-an-email"},{"email":"ok2@example.com"}]}`))
	var partial *client.BulkFailure
	if !errors.As(err, &partial) || partial.FailCount != 1 || partial.SuccessCount != 2 ||
		len(partial.Failed.InvalidEmails) != 1 || partial.Failed.InvalidEmails[0] != "not-an-email" {
		t.Fatalf("partial bulk failure: %v (%+v)", err, partial)
	}
	if !strings.Contains(string(answer), `"failCount": 1`) && !strings.Contains(string(answer), `"failCount":1`) {
		t.Errorf("the answer is returned with the failure: %s", answer)
	}
	// The typed call says the same.
	resp, err := e.c.BulkUpdateUsers(ctx, client.BulkUpdateUsersRequest{Users: []client.OptionalApiUser{{Email: "bad@"}}})
	if !errors.As(err, &partial) || resp == nil || resp.FailCount != 1 {
		t.Errorf("typed partial failure: %+v, %v", resp, err)
	}
}

func TestErrorShapes(t *testing.T) {
	e := newEnv(t, sandbox.Options{Rates: map[string]float64{"POST /api/lists": 1}},
		client.Options{Unlimited: true, Retry: client.RetryPolicy{MaxAttempts: 1}})
	ctx := context.Background()
	run := func(name, body string) *client.Error {
		t.Helper()
		a, _ := client.LookupAction(name)
		_, err := e.c.Run(ctx, a, []byte(body))
		var apiErr *client.Error
		if !errors.As(err, &apiErr) {
			t.Fatalf("%s %s: %v, want *client.Error", name, body, err)
		}
		return apiErr
	}

	if err := run("upsert-user", `{"email":"ada@example.com","dataFields":{"score":"lots"}}`); err.Status != 400 ||
		err.Code != "RequestFieldsTypesMismatched" || err.ValidationErrors["score"].ExpectedType != "long" ||
		err.ValidationErrors["score"].Category != "user" || !strings.Contains(err.Msg, "'score'") {
		t.Errorf("type clash: %+v", err)
	}
	if err := run("upsert-user", `{"email":"ada@example.com","preferUserId":"yes"}`); err.Status != 400 ||
		err.Code != "BadJsonBody" || err.Params["obj.preferUserId"] != "Boolean value expected" {
		t.Errorf("bad JSON: %+v", err)
	}
	if err := run("send-sms", `{"campaignId":1}`); err.Status != 400 || err.Code != "BadParams" {
		t.Errorf("missing recipient: %+v", err)
	}
	if err := run("send-sms", `{"campaignId":73003,"recipientEmail":"ghost@example.com"}`); err.Status != 400 || err.Code != "UnknownEmailError" {
		t.Errorf("unknown recipient: %+v", err)
	}
	big := `{"users":[{"email":"a@example.com","dataFields":{"blob":"` + strings.Repeat("x", client.MaxBatchBytes) + `"}}]}`
	if err := run("bulk-upsert-users", big); err.Status != 400 || err.Code != "BatchTooLarge" {
		t.Errorf("over 4 MB: %+v", err)
	}
	if _, err := e.c.CreateList(ctx, client.CreateListRequest{Name: "a"}); err != nil {
		t.Fatal(err)
	}
	if err := run("create-list", `{"name":"b"}`); err.Status != 429 || err.Code != "RateLimitExceeded" {
		t.Errorf("over the rate: %+v", err)
	}

	wrong, _ := client.New(client.Options{BaseURL: e.srv.URL, Key: "0123456789abcdef0123456789abcdef"})
	_, err := wrong.Lists(ctx)
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || apiErr.Code != "BadApiKey" || !apiErr.IsBadKey() {
		t.Fatalf("wrong key: %v", err)
	}
	if strings.Contains(err.Error(), "0123456789abcdef0123456789abcdef") {
		t.Errorf("the key is in the error: %v", err)
	}
}

func TestStatusDecidesBeforeCode(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusForbidden)
		io.WriteString(w, `{"msg":"nope","code":"Success","params":null}`)
	}))
	defer srv.Close()
	c, _ := client.New(client.Options{BaseURL: srv.URL, Key: "k"})
	_, err := c.Channels(context.Background())
	var apiErr *client.Error
	if !errors.As(err, &apiErr) || apiErr.Status != 403 || apiErr.Code != "Success" {
		t.Errorf("a 403 saying Success is an error: %v", err)
	}
}

func TestParseErrorShapes(t *testing.T) {
	cases := []struct {
		name, body   string
		code, msg    string
		field, ftype string
	}{
		{"iterable", `{"msg":"Invalid API key","code":"BadApiKey","params":null}`, "BadApiKey", "Invalid API key", "", ""},
		{"validation", `{"msg":"m","code":"RequestFieldsTypesMismatched","params":{"validationErrors":{"signupDate":{"incomingTypes":["string","keyword"],"expectedType":"date","_type":"UnexpectedType","offendingValue":"GGG","category":"user"}}}}`,
			"RequestFieldsTypesMismatched", "m", "signupDate", "date"},
		{"catalog", `{"error":"NotFound","message":"Catalog not found","code":"NotFound","data":{}}`, "NotFound", "Catalog not found", "", ""},
		{"text", "<html>Bad gateway</html>", "", "<html>Bad gateway</html>", "", ""},
		{"odd params", `{"msg":5,"code":["x"],"params":{"validationErrors":{"f":"bad"}}}`, `["x"]`, "5", "f", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			e := client.ParseError(400, []byte(c.body))
			if e.Status != 400 || e.Code != c.code || e.Msg != c.msg {
				t.Errorf("got status %d code %q msg %q", e.Status, e.Code, e.Msg)
			}
			if c.field != "" {
				fe, ok := e.ValidationErrors[c.field]
				if !ok || fe.ExpectedType != c.ftype {
					t.Errorf("validationErrors = %+v", e.ValidationErrors)
				}
			}
		})
	}
}

func FuzzParseError(f *testing.F) {
	for _, seed := range []string{
		`{"msg":"x","code":"BadParams","params":{"obj.users[1].preferUserId":"Boolean value expected"}}`,
		`{"msg":"m","code":"RequestFieldsTypesMismatched","params":{"validationErrors":{"a":{"expectedType":"long","incomingTypes":["string"]}}}}`,
		`{"error":{"message":"x"},"code":3}`, `[]`, `null`, `"text"`, "\xff\xfe", `{"params":[1,2]}`, ``,
	} {
		f.Add(400, []byte(seed))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		e := client.ParseError(status, body)
		if e == nil || e.Status != status {
			t.Fatalf("ParseError lost the status: %+v", e)
		}
		msg := e.Error()
		if !utf8Valid(msg) || strings.ContainsAny(e.Msg, "\n\r") && !json.Valid(body) {
			t.Fatalf("message not one valid line: %q", msg)
		}
	})
}

func utf8Valid(s string) bool { return strings.ToValidUTF8(s, "") == s }

func TestCurlReadsTheKeyFromTheEnvironment(t *testing.T) {
	key := "3b5c0e1f9a7d4c2b8e6f0a1d2c3b3f2a"
	c, _ := client.New(client.Options{BaseURL: "https://api.iterable.com", Key: key})
	a, _ := client.LookupAction("track-event")
	got := c.Curl(a, []byte(`{"eventName":"it's","email":"a@example.com"}`))
	want := `curl -X POST 'https://api.iterable.com/api/events/track' -H "Api-Key: $ITERABLE_API_KEY" -H 'Content-Type: application/json' --data-raw '{"eventName":"it'\''s","email":"a@example.com"}'`
	if got != want {
		t.Errorf("curl\n got %s\nwant %s", got, want)
	}
	g, _ := client.LookupAction("get-user")
	if got := c.Curl(g, []byte(`{"email":"a+b@example.com"}`)); !strings.Contains(got, "getByEmail?email=a%2Bb%40example.com") || strings.Contains(got, key) {
		t.Errorf("get-user curl: %s", got)
	}
}

func TestKeyNeverLogged(t *testing.T) {
	var logs bytes.Buffer
	e := newEnv(t, sandbox.Options{}, client.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
		Retry: client.RetryPolicy{MaxAttempts: 2, BaseDelay: 1}})
	ctx := context.Background()
	_, _ = e.c.Lists(ctx)
	_, _ = e.c.UpdateUser(ctx, client.ApiUserUpdateRequest{Email: "x@example.com", DataFields: map[string]any{"score": "text"}})
	e.srv.Close() // connection errors are logged and retried too
	_, err := e.c.Lists(ctx)
	if err == nil {
		t.Fatal("a closed server answered")
	}
	if logs.Len() == 0 {
		t.Fatal("nothing was logged")
	}
	if strings.Contains(logs.String(), e.sb.Key()) || strings.Contains(err.Error(), e.sb.Key()) {
		t.Errorf("the key is in the log or the error:\n%s\n%v", logs.String(), err)
	}
}

func TestActionTableAndChecks(t *testing.T) {
	titles := []string{"Add subscribers to list", "Bulk upsert users", "Create list", "Get user by email", "List channels",
		"List project lists", "Send SMS", "Track event", "Update user subscription", "Upsert user"}
	if len(client.Actions) != len(titles) {
		t.Fatalf("%d actions", len(client.Actions))
	}
	for i, a := range client.Actions {
		if a.Title != titles[i] || a.Description == "" || a.Method == "" || !strings.HasPrefix(a.Path, "/api/") {
			t.Errorf("action %d: %+v", i, a)
		}
	}
	cases := []struct {
		action, body, problem string
		users                 int
	}{
		{"send-sms", `{"recipientEmail":"a@example.com"}`, `missing required field "campaignId"`, 0},
		{"send-sms", `{"campaignId":"12","recipientEmail":"a@example.com"}`, `field "campaignId": an integer expected, got string`, 0},
		{"send-sms", `{"campaignId":12}`, `give "recipientEmail" or "recipientUserId"`, 0},
		{"add-subscribers", `{"listId":3}`, `missing required field "subscribers"`, 0},
		{"track-event", `{"eventName":"x","email":"a@example.com","dataFields":[1]}`, `field "dataFields": an object expected`, 0},
		{"create-list", `[1]`, "not a JSON object", 0},
		{"create-list", `{"name":`, "not a JSON object", 0},
		{"list-lists", `{"x":1}`, "takes no body", 0},
		{"get-user", `{}`, `missing required field "email"`, 0},
		{"bulk-upsert-users", `{"users":[{"email":"a@example.com"},{"userId":"2"}]}`, "", 2},
		{"list-channels", ``, "", 0},
	}
	for _, c := range cases {
		a, _ := client.LookupAction(c.action)
		users, err := a.Check([]byte(c.body))
		if c.problem == "" {
			if err != nil || users != c.users {
				t.Errorf("%s %s: %d users, %v", c.action, c.body, users, err)
			}
			continue
		}
		var inErr *client.InputError
		if !errors.As(err, &inErr) || !strings.Contains(err.Error(), c.problem) {
			t.Errorf("%s %s: %v, want a problem containing %q", c.action, c.body, err, c.problem)
		}
	}
	sms, _ := client.LookupAction("send-sms")
	bulk, _ := client.LookupAction("bulk-upsert-users")
	upsert, _ := client.LookupAction("upsert-user")
	if !sms.NeedsConfirmation(0) || bulk.NeedsConfirmation(100) || !bulk.NeedsConfirmation(101) || upsert.NeedsConfirmation(0) {
		t.Error("confirmation rules: send-sms always, bulk over 100 users, others never")
	}
}

func TestPointWebhookSendsItsEventsWithTheToken(t *testing.T) {
	e := newEnv(t, sandbox.Options{}, client.Options{})
	ctx := context.Background()
	auth := make(chan string, 4)
	hook := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		auth <- r.Header.Get("Authorization")
	}))
	t.Cleanup(hook.Close)
	sms := client.TargetSMSRequest{CampaignID: sandbox.SMSCampaignID, RecipientEmail: "ada@example.com"}

	wh, err := e.c.PointWebhook(ctx, 1, hook.URL+"/in", "tok-123")
	if err != nil || !wh.Enabled || wh.Endpoint != hook.URL+"/in" || wh.AuthType != "Basic" {
		t.Fatalf("PointWebhook with a token: %+v, %v", wh, err)
	}
	if _, err := e.c.SendSMS(ctx, sms); err != nil {
		t.Fatal(err)
	}
	next := func() string {
		select {
		case got := <-auth:
			return got
		case <-time.After(10 * time.Second):
			t.Fatal("no webhook arrived within 10s")
			return ""
		}
	}
	if got := next(); got != "tok-123" {
		t.Errorf("the webhook came with Authorization %q, want the token as-is", got)
	}

	if wh, err = e.c.PointWebhook(ctx, 1, hook.URL+"/in", ""); err != nil || wh.AuthType != "NoAuth" {
		t.Fatalf("PointWebhook without a token: %+v, %v", wh, err)
	}
	if _, err := e.c.SendSMS(ctx, sms); err != nil {
		t.Fatal(err)
	}
	if got := next(); got != "" {
		t.Errorf("without a token the webhook came with Authorization %q", got)
	}
	if _, err := e.c.PointWebhook(ctx, 9, hook.URL, ""); err == nil {
		t.Error("pointing webhook 9, which the project does not have, succeeded")
	}
}

// TestCurlRunsAsIs runs the shared curl in a shell with the key in the
// environment, as whoever it was shared with would.
func TestCurlRunsAsIs(t *testing.T) {
	curl, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("no curl on PATH")
	}
	e := newEnv(t, sandbox.Options{}, client.Options{})
	a, _ := client.LookupAction("create-list")
	cmd := e.c.Curl(a, []byte(`{"name":"Shared 'quoted' list"}`))
	if strings.Contains(cmd, e.sb.Key()) {
		t.Fatalf("the curl carries the key: %s", cmd)
	}
	sh := exec.Command("sh", "-c", cmd+" --silent --show-error")
	sh.Env = []string{"PATH=" + filepath.Dir(curl), client.KeyVariable + "=" + e.sb.Key()}
	out, err := sh.CombinedOutput()
	if err != nil {
		t.Fatalf("%s: %v\n%s", cmd, err, out)
	}
	var created client.CreateListResponse
	if json.Unmarshal(out, &created) != nil || created.ListID == 0 {
		t.Fatalf("the curl's answer: %s", out)
	}
	lists, _ := e.c.Lists(context.Background())
	if !slices.ContainsFunc(lists, func(l client.List) bool { return l.ID == created.ListID && l.Name == "Shared 'quoted' list" }) {
		t.Errorf("the list the curl made is not in %+v", lists)
	}
}
