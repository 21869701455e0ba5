package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/schema"
	"github.com/iwb-dev/iwb/tui"
	"github.com/iwb-dev/iwb/tui/pages/events"
	"github.com/iwb-dev/iwb/tui/style"
	"github.com/iwb-dev/iwb/tui/tuitest"
	"github.com/iwb-dev/iwb/webhook"
)

// liveStore is a real event log in a temporary folder with a real listener
// on a loopback port in front of it.
type liveStore struct {
	store *webhook.Store
	srv   *webhook.Server
	url   string
}

func startLiveStore(t *testing.T, opts webhook.ServerOptions) *liveStore {
	t.Helper()
	quiet := slog.New(slog.DiscardHandler)
	st, err := webhook.Open(filepath.Join(t.TempDir(), "events.db"), webhook.StoreOptions{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	opts.Addr, opts.Logger = "127.0.0.1:0", quiet
	srv, err := webhook.NewServer(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = srv.Shutdown(context.Background())
		_ = st.Close()
	})
	return &liveStore{store: st, srv: srv, url: srv.URL()}
}

// post sends a webhook as Iterable would and returns the listener's status.
func (l *liveStore) post(t *testing.T, path, body string) int {
	t.Helper()
	resp, err := http.Post(l.url+strings.TrimPrefix(path, "/"), "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// mixedLog stores the shapes the Events tab must tell apart: system events
// (one matching a trigger whose schema it breaks), a journey webhook with
// its workflow id in the query, a user known only by id, a rejected body
// and a duplicate.
func mixedLog(t *testing.T) *liveStore {
	t.Helper()
	l := startLiveStore(t, webhook.ServerOptions{})
	ctx := context.Background()
	if _, err := l.store.AddTrigger(ctx, webhook.Trigger{Name: "opens", Kind: webhook.TriggerObject, EventNames: []string{"emailOpen"},
		Schema: schema.Schema{{Name: "email", Type: schema.String}, {Name: "eventName", Type: schema.String},
			{Name: "dataFields", Type: schema.Object, Properties: schema.Schema{{Name: "campaignId", Type: schema.Integer}}}}}); err != nil {
		t.Fatal(err)
	}
	for _, p := range []struct{ path, body string }{
		{"/iterable", `{"email":"ada@example.com","eventName":"emailSend","dataFields":{"campaignId":1}}`},                    // 1
		{"/iterable", `{"email":"grace@example.com","eventName":"emailOpen","dataFields":{"campaignId":"not a number"}}`},     // 2
		{"/journey?workflowId=4101", `{"email":"linus@example.com","dataFields":{"phoneNumber":"+358401234503"}}`},            // 3
		{"/iterable", `{"userId":"u-1005","eventName":"smsSend","dataFields":{"campaignId":3,"messageId":"m-77"}}`},           // 4
		{"/iterable", `{"email":"broken@example.com", oops`},                                                                  // 5
		{"/iterable", `{"email":"ada@example.com","eventName":"emailClick","dataFields":{"messageId":"m-1","campaignId":1}}`}, // 6
		{"/iterable", `{"email":"ada@example.com","eventName":"emailClick","dataFields":{"messageId":"m-1","campaignId":1}}`}, // 7, a duplicate of 6
	} {
		l.post(t, p.path, p.body)
	}
	return l
}

func ids(evs []events.Event) []int64 {
	out := make([]int64, len(evs))
	for i, e := range evs {
		out[i] = e.ID
	}
	return out
}

func TestStoreEventsPagesByIDOldestFirst(t *testing.T) {
	l := mixedLog(t)
	src := newStoreEvents(l.store)
	ctx := context.Background()

	tail, err := src.Before(ctx, events.Filter{}, 0, 3)
	if err != nil {
		t.Fatal(err)
	}
	if got := ids(tail); !slices.Equal(got, []int64{5, 6, 7}) {
		t.Errorf("the newest three = %v, want [5 6 7] in ascending order", got)
	}
	before, _ := src.Before(ctx, events.Filter{}, 5, 3)
	if got := ids(before); !slices.Equal(got, []int64{2, 3, 4}) {
		t.Errorf("the three below #5 = %v, want [2 3 4]", got)
	}
	head, _ := src.After(ctx, events.Filter{}, 0, 2)
	after, _ := src.After(ctx, events.Filter{}, 5, 10)
	if !slices.Equal(ids(head), []int64{1, 2}) || !slices.Equal(ids(after), []int64{6, 7}) {
		t.Errorf("After(0,2) = %v, After(5) = %v; want [1 2] and [6 7]", ids(head), ids(after))
	}
	n, _ := src.Count(ctx, events.Filter{})
	stats, _ := src.Stats(ctx)
	if n != 7 || stats.Total != 7 || stats.Rejected != 1 || stats.Bytes <= 0 {
		t.Errorf("Count = %d, Stats = %+v; want 7 events, 1 rejected, and the log's size", n, stats)
	}
}

func TestStoreEventsFiltersMapToTheStoreQuery(t *testing.T) {
	l := mixedLog(t)
	src := newStoreEvents(l.store)
	ctx := context.Background()
	for _, c := range []struct {
		f    events.Filter
		want []int64
	}{
		{events.Filter{EventName: "emailClick"}, []int64{6, 7}},
		{events.Filter{WorkflowID: "4101"}, []int64{3}},
		{events.Filter{Trigger: "opens"}, []int64{2}},
		{events.Filter{Text: "GRACE@"}, []int64{2}},
		{events.Filter{Text: "u-1005"}, []int64{4}},
		{events.Filter{EventName: "emailClick", Text: "nobody"}, nil},
	} {
		got, err := src.After(ctx, c.f, 0, 100)
		if err != nil {
			t.Fatal(err)
		}
		n, _ := src.Count(ctx, c.f)
		if !slices.Equal(ids(got), c.want) || n != len(c.want) {
			t.Errorf("%+v: events %v, count %d; want %v", c.f, ids(got), n, c.want)
		}
		tail, _ := src.Before(ctx, c.f, 0, 100)
		if !slices.Equal(ids(tail), c.want) {
			t.Errorf("%+v from the newest: %v, want %v", c.f, ids(tail), c.want)
		}
	}
}

func TestStoreEventsShowWhatTheDetailNeeds(t *testing.T) {
	l := mixedLog(t)
	evs, err := newStoreEvents(l.store).After(context.Background(), events.Filter{}, 0, 100)
	if err != nil {
		t.Fatal(err)
	}
	byID := map[int64]events.Event{}
	for _, e := range evs {
		byID[e.ID] = e
	}
	if e := byID[2]; e.Kind != "system" || e.EventName != "emailOpen" || !slices.Equal(e.Triggers, []string{"opens"}) ||
		len(e.SchemaProblems) != 1 || !strings.HasPrefix(e.SchemaProblems[0], "opens: dataFields.campaignId") {
		t.Errorf("#2 = kind %q name %q triggers %v problems %q; want a system emailOpen matching opens with its schema problem named by trigger",
			e.Kind, e.EventName, e.Triggers, e.SchemaProblems)
	}
	if e := byID[3]; e.Kind != "workflow" || e.WorkflowID != "4101" || e.Path != "/journey" || e.Query != "workflowId=4101" ||
		e.Email != "linus@example.com" || e.Headers.Get("Content-Type") != "application/json" {
		t.Errorf("#3 = %+v; want the journey webhook with its path, query, email and headers", e)
	}
	if e := byID[4]; e.Email != "" || e.UserID != "u-1005" || e.Who() != "u-1005" {
		t.Errorf("#4 email %q userId %q shows %q for its user, want the userId when there is no email", e.Email, e.UserID, e.Who())
	}
	if e := byID[5]; !e.Rejected || !strings.Contains(e.RejectReason, "not valid JSON") || string(e.Body) != `{"email":"broken@example.com", oops` {
		t.Errorf("#5 rejected=%v reason=%q body=%q; want rejected with its reason and raw body", e.Rejected, e.RejectReason, e.Body)
	}
	if byID[6].Duplicate || !byID[7].Duplicate {
		t.Errorf("duplicate marks: #6 %v, #7 %v; want only the second copy marked", byID[6].Duplicate, byID[7].Duplicate)
	}
	if byID[1].Forward != nil {
		t.Errorf("#1 has a forward result %+v, but nothing forwards", byID[1].Forward)
	}
}

func TestStoreEventsForwardResultAndReplay(t *testing.T) {
	var mu sync.Mutex
	var got []string
	status := http.StatusOK
	target := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got = append(got, r.Header.Get("Content-Type")+" "+string(b))
		code := status
		mu.Unlock()
		w.WriteHeader(code)
	}))
	defer target.Close()
	l := startLiveStore(t, webhook.ServerOptions{ForwardTo: target.URL + "/hook"})
	body := `{"email":"ada@example.com","eventName":"emailOpen","dataFields":{}}`
	l.post(t, "/iterable", body)
	src := newStoreEvents(l.store)
	ctx := context.Background()

	var ev events.Event
	tuitest.WaitFor(t, 5*time.Second, "the forward result to be stored", func() bool {
		evs, err := src.After(ctx, events.Filter{}, 0, 1)
		if err != nil || len(evs) == 0 || evs[0].Forward == nil {
			return false
		}
		ev = evs[0]
		return true
	})
	if f := ev.Forward; f.URL != target.URL+"/hook" || f.Status != 200 || f.Err != "" || f.Took <= 0 {
		t.Errorf("forward = %+v; want 200 from the target with its latency", f)
	}

	replay := replayTo(l.store, target.URL+"/again", nil)
	res, err := replay(ctx, ev)
	if err != nil || res.Status != 200 {
		t.Fatalf("replay = %+v, %v; want 200", res, err)
	}
	mu.Lock()
	last := got[len(got)-1]
	status = http.StatusInternalServerError
	mu.Unlock()
	if last != "application/json "+body {
		t.Errorf("the replay sent %q, want the stored body with its content type", last)
	}
	if _, err := replay(ctx, ev); err == nil || !strings.Contains(err.Error(), "answered 500") {
		t.Errorf("a replay answered 500 gave err %v, want it said", err)
	}
	if _, err := replay(ctx, events.Event{ID: 999}); err == nil {
		t.Error("replaying an event that is not stored gave no error")
	}
}

func TestStoreEventsSubscribeCountsWhatTheReaderMisses(t *testing.T) {
	l := startLiveStore(t, webhook.ServerOptions{})
	src := newStoreEvents(l.store)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	live, dropped := src.Subscribe(ctx)

	l.post(t, "/iterable", `{"email":"ada@example.com","eventName":"emailSend","dataFields":{}}`)
	select {
	case ev := <-live:
		if ev.ID != 1 || ev.EventName != "emailSend" {
			t.Errorf("live event = #%d %q, want #1 emailSend", ev.ID, ev.EventName)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no live event within 5s")
	}

	// Nobody reads now: past the relay's buffer, copies are counted as
	// dropped, and the store keeps every event.
	const n = 100
	for i := range n {
		l.post(t, "/iterable", `{"email":"ada@example.com","eventName":"emailOpen","dataFields":{"i":`+strings.Repeat("1", i+1)+`}}`)
	}
	tuitest.WaitFor(t, 5*time.Second, "drops to be counted", func() bool { return dropped() > 0 })
	if total, _ := src.Count(context.Background(), events.Filter{}); total != n+1 {
		t.Errorf("the store holds %d events, want %d: a dropped copy must stay stored", total, n+1)
	}
	cancel()
	tuitest.WaitFor(t, 5*time.Second, "the channel to close when ctx ends", func() bool {
		for {
			select {
			case _, ok := <-live:
				if !ok {
					return true
				}
			default:
				return false
			}
		}
	})
}

// TestEventsTabOnTheRealStore drives the workbench on the store adapter:
// a webhook posted to the listener shows in the list through the relay, and
// the filter narrows the list through the store's query.
func TestEventsTabOnTheRealStore(t *testing.T) {
	l := mixedLog(t)
	src := newStoreEvents(l.store)
	m := tui.New(tui.Deps{Events: src, ListenerURL: l.url, NoColor: true})
	h := tuitest.NewHarness(t, m)
	h.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.Run(m.Init())
	screen := h.Screen()
	for _, want := range []string{"emailSend", "wf 4101", "u-1005", "7 events · 1 rejected"} {
		if !strings.Contains(screen, want) {
			t.Errorf("the Events tab lacks %q:\n%s", want, screen)
		}
	}
	l.post(t, "/iterable", `{"email":"new@example.com","eventName":"pushOpen","dataFields":{}}`)
	h.Send(tui.EventsMsg{New: 1})
	if screen := h.Screen(); !strings.Contains(screen, "pushOpen") || !strings.Contains(screen, "8 events") {
		t.Errorf("the new event did not show:\n%s", screen)
	}
	h.Press("/")
	h.Type("event:emailClick")
	h.Press("enter")
	screen = h.Screen()
	if strings.Contains(screen, "pushOpen") || strings.Count(screen, "emailClick") < 2 {
		t.Errorf("the filter event:emailClick did not narrow the list:\n%s", screen)
	}
}

// BenchmarkStoreEventsTail is what one live refresh of the Events tab costs on
// a real log of IWB_BENCH_EVENTS events (default 100,000): the count and the
// newest page, unfiltered and filtered by event name.
func BenchmarkStoreEventsTail(b *testing.B) {
	total := 100_000
	if v, err := strconv.Atoi(os.Getenv("IWB_BENCH_EVENTS")); err == nil && v > 0 {
		total = v
	}
	st, err := webhook.Open(filepath.Join(b.TempDir(), "events.db"), webhook.StoreOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	names := []string{"emailSend", "emailOpen", "emailClick", "pushSend", "smsSend", "inAppOpen"}
	var next atomic.Int64
	var wg sync.WaitGroup
	for range 32 {
		wg.Go(func() {
			for {
				n := int(next.Add(1))
				if n > total {
					return
				}
				body := fmt.Appendf(nil, `{"email":"user%d@example.com","eventName":%q,"dataFields":{"campaignId":%d}}`, n%5000, names[n%len(names)], n)
				if err := appendJSON(st, body); err != nil {
					b.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	src := newStoreEvents(st)
	ctx := context.Background()
	for _, c := range []struct {
		name string
		f    events.Filter
	}{{"all", events.Filter{}}, {"event-name", events.Filter{EventName: "smsSend"}}} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := src.Count(ctx, c.f); err != nil {
					b.Fatal(err)
				}
				if evs, err := src.Before(ctx, c.f, 0, events.ReadRows); err != nil || len(evs) != events.ReadRows {
					b.Fatalf("%d events, %v", len(evs), err)
				}
			}
		})
	}
}

// appendJSON stores a JSON body as the listener would have received it.
func appendJSON(st *webhook.Store, body []byte) error {
	parsed, _ := webhook.ParseBody("application/json", body)
	c := webhook.Classify(parsed, "/h", nil)
	ev := &webhook.Event{ReceivedAt: time.Now(), Status: webhook.StatusAccepted, Kind: c.Kind, EventName: c.EventName,
		Email: c.Email, Method: "POST", Path: "/h", Headers: http.Header{"Content-Type": {"application/json"}},
		Body: body, Payload: parsed.Payload, Size: int64(len(body))}
	return st.Append(context.Background(), ev)
}

// largeLog stores n events of about size bytes each, straight into a
// fresh log: the email first, then padding, then a marker naming the event.
func largeLog(tb testing.TB, n, size int) *webhook.Store {
	tb.Helper()
	st, err := webhook.Open(filepath.Join(tb.TempDir(), "events.db"), webhook.StoreOptions{Logger: slog.New(slog.DiscardHandler)})
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	pad := strings.Repeat("x", size)
	for i := 1; i <= n; i++ {
		body := fmt.Appendf(nil, `{"email":"big%d@example.com","eventName":"emailSend","dataFields":{"pad":%q,"end":"END-OF-%d"}}`, i, pad, i)
		if err := appendJSON(st, body); err != nil {
			tb.Fatal(err)
		}
	}
	return st
}

// TestEventsPageOfLargeBodiesIsBoundedAndTheSelectedOneWhole: a page of
// large events holds at most RowBody of each body and still names each
// event's user; the selected event's detail and copy have its whole body.
func TestEventsPageOfLargeBodiesIsBoundedAndTheSelectedOneWhole(t *testing.T) {
	const n, size = 30, 256 << 10
	src := newStoreEvents(largeLog(t, n, size))
	rows, err := src.Before(context.Background(), events.Filter{}, 0, events.ReadRows)
	if err != nil || len(rows) != n {
		t.Fatalf("%d rows, %v", len(rows), err)
	}
	held := 0
	for _, ev := range rows {
		held += len(ev.Body)
		if !ev.Cut || ev.Email != fmt.Sprintf("big%d@example.com", ev.ID) {
			t.Errorf("#%d: cut %v, email %q", ev.ID, ev.Cut, ev.Email)
		}
	}
	if held > len(rows)*events.RowBody {
		t.Errorf("the page holds %d body bytes; want at most %d rows × %d", held, len(rows), events.RowBody)
	}

	m := tui.New(tui.Deps{Events: src, NoColor: true})
	h := tuitest.NewHarness(t, m)
	h.Send(tea.WindowSizeMsg{Width: 120, Height: 40})
	h.Run(m.Init())
	h.Press("y")
	want := fmt.Sprintf("copied the payload of #%d (%s bytes)", n, style.Thousands(size+len(fmt.Sprintf(`{"email":"big%d@example.com","eventName":"emailSend","dataFields":{"pad":"","end":"END-OF-%d"}}`, n, n))))
	if screen := h.Screen(); !strings.Contains(screen, want) {
		t.Errorf("y did not copy the whole body (%q):\n%s", want, screen)
	}
	h.Press("enter", "G")
	if screen := h.Screen(); !strings.Contains(screen, fmt.Sprintf("END-OF-%d", n)) {
		t.Errorf("the detail's end lacks the body's end:\n%s", screen)
	}
}

// BenchmarkEventsPageOfLargeBodies is one page of the Events list over 200
// stored events of 1 MiB: "rows" as the list reads it (bodies cut to
// RowBody), "whole" the same query reading whole bodies, as the list did.
func BenchmarkEventsPageOfLargeBodies(b *testing.B) {
	const n = 200
	st := largeLog(b, n, 1<<20-100)
	src := newStoreEvents(st)
	ctx := context.Background()
	b.Run("rows", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if evs, err := src.Before(ctx, events.Filter{}, 0, events.ReadRows); err != nil || len(evs) != n {
				b.Fatalf("%d events, %v", len(evs), err)
			}
		}
	})
	b.Run("whole", func(b *testing.B) {
		b.ReportAllocs()
		q := storeQuery(events.Filter{})
		q.Desc, q.Limit, q.BodyLimit = true, events.ReadRows, 0
		for b.Loop() {
			if evs, err := st.List(ctx, q); err != nil || len(evs) != n {
				b.Fatalf("%d events, %v", len(evs), err)
			}
		}
	})
}
