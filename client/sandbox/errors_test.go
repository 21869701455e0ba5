package sandbox_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/client/sandbox"
)

// iterableAPI is testdata/iterable-api.json: Iterable's error codes, the
// status each is answered with, and the operations the sandbox follows, as
// copied from Iterable's OpenAPI document (its _source says from where).
type iterableAPI struct {
	Codes      []string       `json:"codes"`
	Status     map[string]int `json:"status"`
	Operations map[string]struct {
		OperationID string `json:"operationId"`
		Statuses    []int  `json:"statuses"`
	} `json:"operations"`
}

func readIterableAPI(t *testing.T) iterableAPI {
	t.Helper()
	raw, err := os.ReadFile("testdata/iterable-api.json")
	if err != nil {
		t.Fatal(err)
	}
	var api iterableAPI
	if err := json.Unmarshal(raw, &api); err != nil {
		t.Fatal(err)
	}
	return api
}

// departures are the statuses the sandbox answers where Iterable's document
// lists none for the operation; each is in the package doc with its reason.
var departures = map[string][]int{
	"POST /api/events/track": {409}, // email and userId of two users, as users/update answers it
	"GET /api/campaigns":     {400}, // a page, pageSize, sort or state it cannot read
}

func TestEveryErrorCarriesIterablesCodeAndStatus(t *testing.T) {
	api := readIterableAPI(t)
	for code, status := range sandbox.ErrorStatus {
		if !slices.Contains(api.Codes, code) {
			t.Errorf("the sandbox answers code %s, which is not one of Iterable's", code)
		} else if api.Status[code] != status {
			t.Errorf("the sandbox answers %s with %d, Iterable with %d", code, status, api.Status[code])
		}
	}

	sb := sandbox.New(sandbox.Options{Rates: map[string]float64{"GET /api/channels": 0.001}})
	t.Cleanup(sb.Close)
	srv := httptest.NewServer(sb.Handler())
	t.Cleanup(srv.Close)
	seen := map[string]bool{}
	send := func(route, method, path, body string, key bool) (int, string) {
		t.Helper()
		req, err := http.NewRequest(method, srv.URL+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if key {
			req.Header.Set("Api-Key", sb.Key())
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var answer struct {
			Code *string `json:"code"`
		}
		if err := json.NewDecoder(resp.Body).Decode(&answer); err != nil || answer.Code == nil {
			t.Errorf("%s %s: %d, no Iterable error body (%v)", method, path, resp.StatusCode, err)
			return resp.StatusCode, ""
		}
		code := *answer.Code
		seen[code] = true
		if !slices.Contains(api.Codes, code) {
			t.Errorf("%s %s: code %q is not one of Iterable's", method, path, code)
		}
		if resp.StatusCode != api.Status[code] {
			t.Errorf("%s %s: %s with status %d, Iterable answers it with %d", method, path, code, resp.StatusCode, api.Status[code])
		}
		if op, ok := api.Operations[route]; route != "" && resp.StatusCode != 429 && ok &&
			!slices.Contains(op.Statuses, resp.StatusCode) && !slices.Contains(departures[route], resp.StatusCode) {
			t.Errorf("%s %s: status %d, which %s (%s) never answers", method, path, resp.StatusCode, route, op.OperationID)
		}
		return resp.StatusCode, code
	}

	// Without a key, every endpoint (and any other path) is BadApiKey.
	for _, route := range sb.Routes() {
		if _, ok := api.Operations[route]; !ok {
			t.Errorf("the sandbox serves %s, which is none of Iterable's operations", route)
		}
		method, path, _ := strings.Cut(route, " ")
		path = strings.NewReplacer("{email}", "ada@example.com", "{userId}", "u-1001").Replace(path)
		if _, code := send(route, method, path, "{}", false); code != "BadApiKey" {
			t.Errorf("%s without a key: %s", route, code)
		}
	}
	if _, code := send("", "GET", "/api/nothing", "", false); code != "BadApiKey" {
		t.Errorf("unknown path without a key: %s", code)
	}

	// Set up what some refusals need: an event field's type.
	if st, _ := send("POST /api/events/track", "POST", "/api/events/track", `{"email":"ada@example.com","eventName":"paid","dataFields":{"total":1}}`, true); st != 200 {
		t.Fatalf("track: %d", st)
	}
	if st, _ := get(t, sb, srv.URL, "/api/channels"); st != 200 { // the one request of its second
		t.Fatalf("channels: %d", st)
	}
	tooBig := `{"users":[{"email":"a@example.com","dataFields":{"pad":"` + strings.Repeat("x", 4<<20) + `"}}]}`
	for _, c := range []struct{ route, method, path, body, want string }{
		{"", "GET", "/api/nothing", "", "NotFound"},
		{"", "DELETE", "/api/lists", "", "NotFound"},
		{"GET /api/channels", "GET", "/api/channels", "", "RateLimitExceeded"},
		{"POST /api/users/update", "POST", "/api/users/update", `{"email":`, "BadJsonBody"},
		{"POST /api/users/update", "POST", "/api/users/update", `{"email":5}`, "BadJsonBody"},
		{"POST /api/users/update", "POST", "/api/users/update", `{"dataFields":{}}`, "BadParams"},
		{"POST /api/users/update", "POST", "/api/users/update", `{"email":"not an email"}`, "InvalidEmailAddressError"},
		{"POST /api/users/update", "POST", "/api/users/update", `{"email":"ada@example.com","userId":"u-1002"}`, "ExternalKeyConflict"},
		{"POST /api/users/update", "POST", "/api/users/update", `{"email":"ada@example.com","dataFields":{"score":"high"}}`, "RequestFieldsTypesMismatched"},
		{"POST /api/users/bulkUpdate", "POST", "/api/users/bulkUpdate", `{}`, "BadParams"},
		{"POST /api/users/bulkUpdate", "POST", "/api/users/bulkUpdate", tooBig, "BatchTooLarge"},
		{"POST /api/lists/subscribe", "POST", "/api/lists/subscribe", `{"subscribers":[]}`, "BadParams"},
		{"POST /api/lists/subscribe", "POST", "/api/lists/subscribe", `{"listId":999,"subscribers":[]}`, "BadParams"},
		{"POST /api/lists", "POST", "/api/lists", `{"description":"no name"}`, "BadParams"},
		{"POST /api/events/track", "POST", "/api/events/track", `{"email":"ada@example.com"}`, "BadParams"},
		{"POST /api/events/track", "POST", "/api/events/track", `{"eventName":"paid"}`, "BadParams"},
		{"POST /api/events/track", "POST", "/api/events/track", `{"eventName":"paid","email":"ada@example.com","id":"` + strings.Repeat("i", 513) + `"}`, "BadParams"},
		{"POST /api/events/track", "POST", "/api/events/track", `{"eventName":"paid","email":"ada@example.com","dataFields":{"total":"a lot"}}`, "RequestFieldsTypesMismatched"},
		{"POST /api/events/track", "POST", "/api/events/track", `{"eventName":"paid","email":"ada@"}`, "InvalidEmailAddressError"},
		{"POST /api/events/track", "POST", "/api/events/track", `{"eventName":"paid","email":"ada@example.com","userId":"u-1002"}`, "ExternalKeyConflict"},
		{"POST /api/users/updateSubscriptions", "POST", "/api/users/updateSubscriptions", `{"emailListIds":[]}`, "BadParams"},
		{"POST /api/users/updateSubscriptions", "POST", "/api/users/updateSubscriptions", `{"email":"ada@example.com","emailListIds":[999]}`, "BadParams"},
		{"POST /api/users/updateSubscriptions", "POST", "/api/users/updateSubscriptions", `{"email":"ada@"}`, "InvalidEmailAddressError"},
		{"POST /api/users/updateSubscriptions", "POST", "/api/users/updateSubscriptions", `{"email":"ada@example.com","userId":"u-1002"}`, "ExternalKeyConflict"},
		{"POST /api/sms/target", "POST", "/api/sms/target", `{"recipientEmail":"ada@example.com"}`, "BadParams"},
		{"POST /api/sms/target", "POST", "/api/sms/target", `{"campaignId":73003}`, "BadParams"},
		{"POST /api/sms/target", "POST", "/api/sms/target", `{"campaignId":5001,"recipientEmail":"ada@example.com"}`, "BadParams"},
		{"POST /api/sms/target", "POST", "/api/sms/target", `{"campaignId":73001,"recipientEmail":"ada@example.com"}`, "BadParams"},
		{"POST /api/sms/target", "POST", "/api/sms/target", `{"campaignId":73003,"recipientEmail":"ada@example.com","sendAt":"tomorrow"}`, "BadParams"},
		{"POST /api/sms/target", "POST", "/api/sms/target", `{"campaignId":73003,"recipientEmail":"ada@example.com","sendAt":"2099-01-01 00:00:00"}`, "BadParams"},
		{"POST /api/sms/target", "POST", "/api/sms/target", `{"campaignId":73003,"recipientEmail":"ghost@example.com"}`, "UnknownEmailError"},
		{"POST /api/sms/target", "POST", "/api/sms/target", `{"campaignId":73003,"recipientUserId":"ghost"}`, "UnknownUserIdError"},
		{"GET /api/users/getByEmail", "GET", "/api/users/getByEmail", "", "BadParams"},
		{"GET /api/users/byUserId", "GET", "/api/users/byUserId", "", "BadParams"},
		{"GET /api/events/{email}", "GET", "/api/events/ada@example.com?limit=201", "", "BadParams"},
		{"GET /api/events/byUserId/{userId}", "GET", "/api/events/byUserId/u-1001?limit=0", "", "BadParams"},
		{"GET /api/journeys", "GET", "/api/journeys?page=0", "", "BadParams"},
		{"GET /api/journeys", "GET", "/api/journeys?pageSize=51", "", "BadParams"},
		{"GET /api/journeys", "GET", "/api/journeys?sort=-colour", "", "BadParams"},
		{"GET /api/journeys", "GET", "/api/journeys?state=Live", "", "BadParams"},
		{"GET /api/campaigns", "GET", "/api/campaigns?pageSize=1001", "", "BadParams"},
		{"GET /api/campaigns", "GET", "/api/campaigns?sort=colour", "", "BadParams"},
		{"GET /api/campaigns", "GET", "/api/campaigns?campaignState=Paused", "", "BadParams"},
		{"POST /api/webhooks", "POST", "/api/webhooks", `{}`, "BadParams"},
		{"POST /api/webhooks", "POST", "/api/webhooks", `{"id":1,"authType":"Digest"}`, "BadParams"},
		{"POST /api/webhooks", "POST", "/api/webhooks", `{"id":1,"endpoint":"ftp://x"}`, "BadParams"},
		{"POST /api/webhooks", "POST", "/api/webhooks", `{"id":9}`, "BadParams"},
	} {
		if _, code := send(c.route, c.method, c.path, c.body, true); code != c.want {
			t.Errorf("%s %s %.80s: %s, want %s", c.method, c.path, c.body, code, c.want)
		}
	}
	for code := range sandbox.ErrorStatus {
		if !seen[code] {
			t.Errorf("no request of the walk was answered %s: add the path that answers it", code)
		}
	}
}

// TestPackageDocListsEveryEndpoint keeps the package doc's table true: each
// endpoint served is on a line with the Iterable operation it follows.
func TestPackageDocListsEveryEndpoint(t *testing.T) {
	api := readIterableAPI(t)
	doc, err := os.ReadFile("doc.go")
	if err != nil {
		t.Fatal(err)
	}
	sb := sandbox.New(sandbox.Options{})
	t.Cleanup(sb.Close)
	for _, route := range sb.Routes() {
		method, path, _ := strings.Cut(route, " ")
		line := regexp.MustCompile(`(?m)^//\t` + method + ` +` + regexp.QuoteMeta(path) + `[ ?].*$`).Find(doc)
		if op := api.Operations[route].OperationID; line == nil || !strings.Contains(string(line), op) {
			t.Errorf("the package doc has no line for %s with its operation %q", route, op)
		}
	}
}
