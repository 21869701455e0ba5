package sandbox_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
)

// get reads a path as given (already escaped) with the sandbox's key.
func get(t *testing.T, sb *sandbox.Sandbox, base, path string) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("GET", base+path, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Api-Key", sb.Key())
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp.StatusCode, body
}

func decode[T any](t *testing.T, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("answer %s: %v", body, err)
	}
	return v
}

func TestEveryUserReadAnswersTheSameProfile(t *testing.T) {
	sb, c, base := setup(t, sandbox.Options{})
	ctx := context.Background()
	people := []struct{ email, userID string }{
		{"ada@example.com", "u-1001"}, // seeded
		{"kim+news@example.com", "u plus/slash"},
		{"100%sure@example.com", "pct%20id"},
		{"zoë@exämple.com", "ユーザー"},
	}
	for _, p := range people[1:] {
		if _, err := c.UpdateUser(ctx, client.ApiUserUpdateRequest{Email: p.email, UserID: p.userID,
			DataFields: map[string]any{"city": "Oslo"}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, p := range people {
		paths := []string{
			"/api/users/getByEmail?email=" + url.QueryEscape(p.email),
			"/api/users/" + url.PathEscape(p.email),
			"/api/users/byUserId/" + url.PathEscape(p.userID),
			"/api/users/byUserId?userId=" + url.QueryEscape(p.userID),
		}
		if !strings.Contains(p.email, "%") {
			paths = append(paths, "/api/users/"+p.email) // "+", "@" and unicode as a client may leave them
		}
		var first []byte
		for _, path := range paths {
			status, body := get(t, sb, base, path)
			if status != 200 {
				t.Fatalf("GET %s: %d %s", path, status, body)
			}
			u := decode[client.UserResponse](t, body).User
			if u == nil || u.Email != p.email || u.UserID != p.userID || u.DataFields["email"] != p.email {
				t.Fatalf("GET %s: %s, want %s / %s", path, body, p.email, p.userID)
			}
			if first == nil {
				first = body
			} else if string(body) != string(first) {
				t.Errorf("GET %s answers\n%s\nwhere %s answered\n%s", path, body, paths[0], first)
			}
		}
		byEmail, err := c.GetUserByEmail(ctx, p.email)
		if err != nil {
			t.Fatal(err)
		}
		byID, err := c.GetUserByUserID(ctx, p.userID)
		if err != nil {
			t.Fatal(err)
		}
		a, _ := json.Marshal(byEmail)
		b, _ := json.Marshal(byID)
		if want := decode[client.UserResponse](t, first).User; string(a) != string(b) || byEmail.Email != want.Email {
			t.Errorf("client reads differ: by email %s, by userId %s", a, b)
		}
	}
	for _, path := range []string{"/api/users/getByEmail?email=ghost%40example.com", "/api/users/ghost@example.com",
		"/api/users/byUserId/nobody", "/api/users/byUserId?userId=nobody"} {
		if status, body := get(t, sb, base, path); status != 200 || strings.TrimSpace(string(body)) != "{}" {
			t.Errorf("GET %s for nobody: %d %s, want 200 {}", path, status, body)
		}
	}
	if _, err := c.GetUserByUserID(ctx, "nobody"); !errors.Is(err, client.ErrUserNotFound) {
		t.Errorf("GetUserByUserID of nobody: %v, want ErrUserNotFound", err)
	}
}

func TestEventsReadNewestFirstWithLimit(t *testing.T) {
	sb, c, base := setup(t, sandbox.Options{})
	ctx := context.Background()
	at := func(sec int64) *int64 { return &sec }
	campaign := int64(sandbox.SMSCampaignID)
	for _, ev := range []client.TrackRequest{
		{EventName: "browse", CreatedAt: at(1_700_000_100)},
		{EventName: "purchase", CreatedAt: at(1_700_000_300), CampaignID: &campaign, DataFields: map[string]any{"total": 42}},
		{EventName: "signup", CreatedAt: at(1_700_000_000)},
		{EventName: "review", CreatedAt: at(1_700_000_200)},
	} {
		ev.Email = "kim+1@example.com"
		ev.UserID = "kim/1"
		if _, err := c.TrackEvent(ctx, ev); err != nil {
			t.Fatal(err)
		}
	}
	names := func(evs []map[string]any) []string {
		var out []string
		for _, e := range evs {
			out = append(out, e["eventName"].(string))
		}
		return out
	}
	evs, err := c.UserEvents(ctx, "kim+1@example.com", 0)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(evs); !slices.Equal(got, []string{"purchase", "review", "browse", "signup"}) {
		t.Errorf("events by email: %v, want newest first", got)
	}
	top := evs[0]
	if top["createdAt"] != "2023-11-14 22:18:20 +00:00" || top["email"] != "kim+1@example.com" || top["userId"] != "kim/1" ||
		top["campaignId"] != float64(sandbox.SMSCampaignID) || top["dataFields"].(map[string]any)["total"] != float64(42) {
		t.Errorf("newest event: %v", top)
	}
	evs, err = c.UserEventsByUserID(ctx, "kim/1", 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(evs); !slices.Equal(got, []string{"purchase", "review"}) {
		t.Errorf("events by userId, limit 2: %v", got)
	}
	if status, body := get(t, sb, base, "/api/events/kim+1@example.com?limit=1"); status != 200 ||
		!slices.Equal(names(decode[client.EventsResponse](t, body).Events), []string{"purchase"}) {
		t.Errorf("a raw + in the path: %d %s", status, body)
	}
	for _, path := range []string{"/api/events/nobody@example.com", "/api/events/byUserId/nobody"} {
		if status, body := get(t, sb, base, path); status != 200 || strings.TrimSpace(string(body)) != `{"events":[]}` {
			t.Errorf("GET %s: %d %s, want 200 with no events", path, status, body)
		}
	}
	for _, limit := range []string{"0", "201", "ten"} {
		if status, body := get(t, sb, base, "/api/events/kim%2B1%40example.com?limit="+limit); status != 400 ||
			decode[client.APIResponse](t, body).Code != "BadParams" {
			t.Errorf("limit=%s: %d %s, want 400 BadParams", limit, status, body)
		}
	}
}

func TestCampaignsAreListedAsIterableDoes(t *testing.T) {
	sb, c, base := setup(t, sandbox.Options{})
	status, body := get(t, sb, base, "/api/campaigns")
	if status != 200 {
		t.Fatalf("GET /api/campaigns: %d %s", status, body)
	}
	raw := decode[struct {
		Campaigns []map[string]any `json:"campaigns"`
		Total     *int64           `json:"totalCampaignsCount"`
	}](t, body)
	if len(raw.Campaigns) < 8 || raw.Total != nil {
		t.Fatalf("unpaged: %d campaigns, total %v; want every campaign and no total", len(raw.Campaigns), raw.Total)
	}
	for _, cmp := range raw.Campaigns { // CampaignDetails' required fields
		for _, k := range []string{"campaignState", "createdAt", "createdByUserId", "id", "messageMedium", "name", "type", "updatedAt"} {
			if _, ok := cmp[k]; !ok {
				t.Errorf("campaign %v has no %s", cmp["id"], k)
			}
		}
	}
	all, err := c.Campaigns(context.Background())
	if err != nil || len(all) != len(raw.Campaigns) {
		t.Fatalf("client.Campaigns: %d, %v", len(all), err)
	}
	if !slices.IsSortedFunc(all, func(a, b client.Campaign) int { return int(a.ID - b.ID) }) {
		t.Errorf("campaigns not by id: %v", all)
	}
	if !slices.ContainsFunc(all, func(c client.Campaign) bool {
		return c.ID == sandbox.SMSCampaignID && c.MessageMedium == "SMS" && c.Type == "Triggered"
	}) {
		t.Errorf("no SMS campaign %d in %+v", sandbox.SMSCampaignID, all)
	}

	status, body = get(t, sb, base, "/api/campaigns?pageSize=3&page=2&sort=-createdAt")
	page := decode[client.CampaignsResponse](t, body)
	if status != 200 || len(page.Campaigns) != 3 || page.TotalCampaignsCount != int64(len(all)) ||
		page.NextPageURL == "" || page.PreviousPageURL == "" {
		t.Fatalf("page 2 of 3: %d %s", status, body)
	}
	if page.Campaigns[0].CreatedAt < page.Campaigns[1].CreatedAt {
		t.Errorf("-createdAt is not descending: %+v", page.Campaigns)
	}
	next, _ := url.Parse(page.NextPageURL)
	if _, body := get(t, sb, base, next.RequestURI()); decode[client.CampaignsResponse](t, body).Campaigns[0].CreatedAt > page.Campaigns[2].CreatedAt {
		t.Errorf("nextPageUrl %s does not continue the order", page.NextPageURL)
	}
	_, body = get(t, sb, base, "/api/campaigns?campaignState=Finished")
	for _, cmp := range decode[client.CampaignsResponse](t, body).Campaigns {
		if cmp.CampaignState != "Finished" {
			t.Errorf("campaignState=Finished lists %+v", cmp)
		}
	}
	for _, q := range []string{"campaignState=Paused", "sort=colour", "pageSize=1001", "page=0"} {
		if status, body := get(t, sb, base, "/api/campaigns?"+q); status != 400 || decode[client.APIResponse](t, body).Code != "BadParams" {
			t.Errorf("?%s: %d %s, want 400 BadParams", q, status, body)
		}
	}
}

func TestJourneysPageSortAndState(t *testing.T) {
	sb, _, base := setup(t, sandbox.Options{})
	journeys := func(q string) client.JourneysResponse {
		t.Helper()
		status, body := get(t, sb, base, "/api/journeys"+q)
		if status != 200 {
			t.Fatalf("GET /api/journeys%s: %d %s", q, status, body)
		}
		return decode[client.JourneysResponse](t, body)
	}
	ids := func(r client.JourneysResponse) (out []int64) {
		for _, j := range r.Journeys {
			out = append(out, j.ID)
		}
		return out
	}
	live := journeys("")
	if len(live.Journeys) != 3 || live.TotalJourneysCount != 3 || slices.ContainsFunc(live.Journeys, func(j client.Journey) bool { return j.IsArchived }) {
		t.Fatalf("default: %+v, want the 3 live journeys", live)
	}
	if got := ids(journeys("?sort=-id")); !slices.IsSortedFunc(got, func(a, b int64) int { return int(b - a) }) || got[0] <= got[2] {
		t.Errorf("sort=-id: %v, want descending", got)
	}
	if got := ids(journeys("?sort=%2Bid")); !slices.IsSorted(got) {
		t.Errorf("sort=+id: %v", got)
	}
	byName := journeys("?sort=+name") // the + unescaped, read as a space
	if !slices.IsSortedFunc(byName.Journeys, func(a, b client.Journey) int { return strings.Compare(a.Name, b.Name) }) {
		t.Errorf("sort=+name: %+v", byName.Journeys)
	}
	if got := journeys("?sort=-updatedAt").Journeys; got[0].UpdatedAt < got[1].UpdatedAt {
		t.Errorf("sort=-updatedAt: %+v", got)
	}
	archived := journeys("?state=Archived")
	if len(archived.Journeys) == 0 || archived.TotalJourneysCount != int64(len(archived.Journeys)) {
		t.Fatalf("state=Archived: %+v", archived)
	}
	for _, j := range archived.Journeys {
		if !j.IsArchived || slices.Contains(ids(live), j.ID) {
			t.Errorf("state=Archived lists %+v", j)
		}
	}
	p1 := journeys("?pageSize=2&sort=-id")
	if len(p1.Journeys) != 2 || p1.TotalJourneysCount != 3 || p1.NextPageURL == "" || p1.PreviousPageURL != "" {
		t.Fatalf("page 1 of 2: %+v", p1)
	}
	next, _ := url.Parse(p1.NextPageURL)
	p2 := journeys("?" + next.RawQuery)
	if got := append(ids(p1), ids(p2)...); !slices.Equal(got, ids(journeys("?sort=-id"))) || p2.NextPageURL != "" {
		t.Errorf("pages 1+2: %v", got)
	}
	for _, q := range []string{"?pageSize=51", "?pageSize=0", "?page=x", "?sort=colour", "?state=Paused"} {
		if status, body := get(t, sb, base, "/api/journeys"+q); status != 400 || decode[client.APIResponse](t, body).Code != "BadParams" {
			t.Errorf("%s: %d %s, want 400 BadParams", q, status, body)
		}
	}
}
