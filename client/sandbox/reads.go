package sandbox

import (
	"cmp"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/client"
)

// userFrom reads who a request is about, from its path or its query.
type userFrom func(r *http.Request) string

func fromPath(name string) userFrom { return func(r *http.Request) string { return r.PathValue(name) } }
func fromQuery(name string) userFrom {
	return func(r *http.Request) string { return r.URL.Query().Get(name) }
}

// find looks a user up by email or by userId. The caller holds s.mu.
func (s *Sandbox) find(byEmail bool, key string) *user {
	if byEmail {
		return s.users[key]
	}
	return s.byUserID[key]
}

// userRead answers UserResponse for every path that reads one user: the
// profile under "user", or 200 {} when nobody has that email or userId.
func (s *Sandbox) userRead(byEmail bool, from userFrom) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := required(w, r, byEmail, from)
		if !ok {
			return
		}
		var resp client.UserResponse
		s.mu.Lock()
		if u := s.find(byEmail, key); u != nil {
			p := u.profile()
			resp.User = &p
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, resp)
	}
}

// required reads the user's email or userId, answering BadParams when it is missing.
func required(w http.ResponseWriter, r *http.Request, byEmail bool, from userFrom) (string, bool) {
	key := from(r)
	if key == "" {
		name := "userId"
		if byEmail {
			name = "email"
		}
		badParams(w, name+" is required")
		return "", false
	}
	return key, true
}

// Events a user read may ask for at most, and by default.
const (
	maxEventsLimit     = 200
	defaultEventsLimit = 30
)

// eventsRead answers GetEventsResponse: the user's tracked events, newest
// first, at most limit of them; an unknown user has none.
func (s *Sandbox) eventsRead(byEmail bool, from userFrom) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		key, ok := required(w, r, byEmail, from)
		if !ok {
			return
		}
		limit, ok := intParam(w, r.URL.Query(), "limit", defaultEventsLimit, maxEventsLimit)
		if !ok {
			return
		}
		out := []map[string]any{}
		s.mu.Lock()
		if u := s.find(byEmail, key); u != nil {
			evs := slices.Clone(u.events)
			slices.Reverse(evs) // the latest tracked first among equal times
			slices.SortStableFunc(evs, func(a, b trackedEvent) int { return cmp.Compare(b.CreatedAt, a.CreatedAt) })
			for _, e := range evs[:min(limit, len(evs))] {
				out = append(out, e.answer(u))
			}
		}
		s.mu.Unlock()
		writeJSON(w, http.StatusOK, client.EventsResponse{Events: out})
	}
}

// answer is a tracked event as a user's events read shows it.
func (e trackedEvent) answer(u *user) map[string]any {
	ev := map[string]any{"id": e.ID, "eventName": e.EventName, "eventType": "customEvent",
		"createdAt": formatTime(time.Unix(e.CreatedAt, 0)), "email": u.email, "dataFields": e.DataFields}
	if u.userID != "" {
		ev["userId"] = u.userID
	}
	if e.CampaignID != nil {
		ev["campaignId"] = *e.CampaignID
	}
	if e.TemplateID != nil {
		ev["templateId"] = *e.TemplateID
	}
	return ev
}

// intParam reads an optional integer query parameter between 1 and most.
func intParam(w http.ResponseWriter, q url.Values, name string, def, most int) (int, bool) {
	v := q.Get(name)
	if v == "" {
		return def, true
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > most {
		badParams(w, fmt.Sprintf("%s must be an integer from 1 to %d, not %q", name, most, v))
		return 0, false
	}
	return n, true
}

// order compares two items by one field, ascending.
type order[T any] map[string]func(a, b T) int

// sortBy sorts items by the sort parameter: "field" or "+field" ascending,
// "-field" descending (a "+" left unescaped in a query reads as a space).
func sortBy[T any](w http.ResponseWriter, q url.Values, items []T, fields order[T]) bool {
	v := q.Get("sort")
	if v == "" {
		v = "id"
	}
	desc := strings.HasPrefix(v, "-")
	name := strings.TrimLeft(v, "+- ")
	less, ok := fields[name]
	if !ok {
		badParams(w, fmt.Sprintf("sort %q: sort by one of %s, with - for descending", v,
			strings.Join(slices.Sorted(maps.Keys(fields)), ", ")))
		return false
	}
	slices.SortStableFunc(items, func(a, b T) int {
		if desc {
			return less(b, a)
		}
		return less(a, b)
	})
	return true
}

// paged is one page of a paged read with the links to its neighbours.
type paged[T any] struct {
	items      []T
	total      int
	next, prev string
}

// pageOf cuts the page the page and pageSize parameters ask for.
func pageOf[T any](w http.ResponseWriter, r *http.Request, items []T, defaultSize, maxSize int) (paged[T], bool) {
	q := r.URL.Query()
	page, ok := intParam(w, q, "page", 1, 1<<30)
	if !ok {
		return paged[T]{}, false
	}
	size, ok := intParam(w, q, "pageSize", defaultSize, maxSize)
	if !ok {
		return paged[T]{}, false
	}
	start := min((page-1)*size, len(items))
	end := min(start+size, len(items))
	p := paged[T]{items: items[start:end], total: len(items)}
	link := func(n int) string {
		q := r.URL.Query()
		q.Set("page", strconv.Itoa(n))
		q.Set("pageSize", strconv.Itoa(size))
		return (&url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path, RawQuery: q.Encode()}).String()
	}
	if end < len(items) {
		p.next = link(page + 1)
	}
	if page > 1 {
		p.prev = link(min(page-1, (len(items)+size-1)/size))
	}
	return p, true
}

// byCommon are the sort fields journeys and campaigns share.
func byCommon[T any](id func(T) int64, name func(T) string, created, updated func(T) int64) order[T] {
	by := func(f func(T) int64) func(a, b T) int { return func(a, b T) int { return cmp.Compare(f(a), f(b)) } }
	return order[T]{
		"id":        by(id),
		"name":      func(a, b T) int { return cmp.Compare(name(a), name(b)) },
		"createdAt": by(created),
		"updatedAt": by(updated),
	}
}

var journeyOrder = byCommon(
	func(j client.Journey) int64 { return j.ID }, func(j client.Journey) string { return j.Name },
	func(j client.Journey) int64 { return j.CreatedAt }, func(j client.Journey) int64 { return j.UpdatedAt })

var campaignOrder = func() order[client.Campaign] {
	o := byCommon(
		func(c client.Campaign) int64 { return c.ID }, func(c client.Campaign) string { return c.Name },
		func(c client.Campaign) int64 { return c.CreatedAt }, func(c client.Campaign) int64 { return c.UpdatedAt })
	o["startAt"] = func(a, b client.Campaign) int { return cmp.Compare(a.StartAt, b.StartAt) }
	return o
}()

// getJourneys lists the live journeys, or with state=Archived only the archived ones.
func (s *Sandbox) getJourneys(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	items := slices.Clone(journeys)
	for _, st := range q["state"] {
		if st != "Archived" {
			badParams(w, fmt.Sprintf("state %q: the only state is Archived", st))
			return
		}
		items = slices.Clone(archivedJourneys)
	}
	if !sortBy(w, q, items, journeyOrder) {
		return
	}
	p, ok := pageOf(w, r, items, 10, 50)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, client.JourneysResponse{Journeys: p.items, TotalJourneysCount: int64(p.total),
		NextPageURL: p.next, PreviousPageURL: p.prev})
}

// campaignStates are CampaignDetails' states, which campaignState filters by.
var campaignStates = []string{"Draft", "Ready", "Scheduled", "Running", "Finished", "Starting", "Aborted", "Recurring", "Archived"}

// getCampaigns lists the seeded campaigns, filtered by campaignState; without
// page or pageSize it answers all of them and no total, as Iterable's
// unpaged read does.
func (s *Sandbox) getCampaigns(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	items := slices.Clone(campaignList)
	if states := q["campaignState"]; len(states) > 0 {
		for _, st := range states {
			if !slices.Contains(campaignStates, st) {
				badParams(w, fmt.Sprintf("campaignState %q: one of %s", st, strings.Join(campaignStates, ", ")))
				return
			}
		}
		items = slices.DeleteFunc(items, func(c client.Campaign) bool { return !slices.Contains(states, c.CampaignState) })
	}
	if !sortBy(w, q, items, campaignOrder) {
		return
	}
	if !q.Has("page") && !q.Has("pageSize") {
		writeJSON(w, http.StatusOK, client.CampaignsResponse{Campaigns: items})
		return
	}
	p, ok := pageOf(w, r, items, 20, 1000)
	if !ok {
		return
	}
	writeJSON(w, http.StatusOK, client.CampaignsResponse{Campaigns: p.items, TotalCampaignsCount: int64(p.total),
		NextPageURL: p.next, PreviousPageURL: p.prev})
}

// campaignByID finds a seeded campaign.
func campaignByID(id int64) (client.Campaign, bool) {
	i := slices.IndexFunc(campaignList, func(c client.Campaign) bool { return c.ID == id })
	if i < 0 {
		return client.Campaign{}, false
	}
	return campaignList[i], true
}
