package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/internal/pgtest"
)

// openLog opens the test's event log, the same one on every call, closed
// at cleanup.
type openLog func(opts StoreOptions) EventLog

// storeContract is what every store must do alike; TestStoreContract runs
// each on a fresh SQLite file and on a fresh PostgreSQL database.
var storeContract = map[string]func(t *testing.T, open openLog){
	"ListPagesAndFilters":              contractListPagesAndFilters,
	"SlowReaderCatchesUpFromTheStore":  contractSlowReaderDropsLiveCopiesAndCatchesUpFromTheStore,
	"SchemaOfATriggerIsChecked":        contractSchemaOfATriggerIsCheckedOnItsEvents,
	"ForwardingResendsAndRecords":      contractForwardingResendsAndRecords,
	"UpdateTriggerKeepsSchemaAndCount": contractUpdateTriggerKeepsSchemaAndCounts,
	"MismatchesByPathWithCounts":       contractMismatchesByPathWithCounts,
	"EndpointsPreferThePublicURL":      contractEndpointsPreferThePublicURLAndCarryTheToken,
	"SettingsSurviveReopening":         contractSettingsSurviveReopening,
	"DuplicatesMarkedAcrossReopening":  contractDuplicatesMarkedAcrossReopening,
	"TriggerNamesAreUnique":            contractTriggerNamesAreUnique,
	"GivenUpEventsAreNotStored":        contractGivenUpEventsAreNotStored,
	"ListenerAnswersAndStats":          contractListenerAnswersAndStats,
	"PruneKeepsPinnedAndNewest":        contractPruneKeepsPinnedAndNewest,
	"PagesCutBodiesGetReadsWhole":      contractPagesCutBodiesGetReadsWhole,
}

// contractPagesCutBodiesGetReadsWhole: a page read with a body limit holds
// at most that much of each body, marks the cut ones, still names their
// user and still finds text past the cut; Get reads the event whole.
func contractPagesCutBodiesGetReadsWhole(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	pad := strings.Repeat("x", 10_000)
	big := []byte(`{"email":"big@example.com","userId":"u-7","eventName":"emailSend","dataFields":{"pad":"` + pad + `needle"}}`)
	small := systemBody("emailOpen", "m1")
	evs := appendAll(t, st, big, small)
	const limit = 300 // above the small body's size
	page, err := st.List(ctx, Query{BodyLimit: limit})
	if err != nil || len(page) != 2 {
		t.Fatalf("List: %d events, %v", len(page), err)
	}
	cut, whole := page[0], page[1]
	if !cut.Cut || string(cut.Body) != string(big[:limit]) {
		t.Errorf("large event: cut %v, body %d bytes; want cut to its first %d", cut.Cut, len(cut.Body), limit)
	}
	if cut.Email != "big@example.com" || cut.UserID != "u-7" || cut.EventName != "emailSend" {
		t.Errorf("large event names %q %q %q; want big@example.com u-7 emailSend", cut.Email, cut.UserID, cut.EventName)
	}
	if whole.Cut || string(whole.Body) != string(small) {
		t.Errorf("small event: cut %v, body %q; want it whole", whole.Cut, whole.Body)
	}
	found, err := st.List(ctx, Query{Text: "needle", BodyLimit: limit})
	if err != nil || len(found) != 1 || found[0].ID != evs[0].ID || !found[0].Cut {
		t.Errorf("text past the cut: %d events, %v; want the large one, cut", len(found), err)
	}
	got, err := st.Get(ctx, evs[0].ID)
	if err != nil || got.Cut || string(got.Body) != string(big) {
		t.Errorf("Get: cut %v, %d bytes, %v; want all %d", got.Cut, len(got.Body), err, len(big))
	}
	all, err := st.List(ctx, Query{})
	if err != nil || all[0].Cut || len(all[0].Body) != len(big) {
		t.Errorf("without a limit: %v", err)
	}
}

func TestStoreContract(t *testing.T) {
	stores := map[string]func(t *testing.T) string{
		"sqlite":   func(t *testing.T) string { return filepath.Join(t.TempDir(), "events.db") },
		"postgres": func(t *testing.T) string { return pgtest.Fresh(t) },
	}
	for kind, location := range stores {
		t.Run(kind, func(t *testing.T) {
			for name, test := range storeContract {
				t.Run(name, func(t *testing.T) {
					t.Parallel() // a PostgreSQL test mostly waits on the server
					at := location(t)
					test(t, func(opts StoreOptions) EventLog { return openLogAt(t, at, opts) })
				})
			}
		})
	}
}

// openLogAt opens the event log at a path or postgres:// URL, closed at cleanup.
func openLogAt(t testing.TB, location string, opts StoreOptions) EventLog {
	t.Helper()
	if opts.Logger == nil {
		opts.Logger = quietLog
	}
	st, err := OpenLog(context.Background(), location, opts)
	if err != nil {
		t.Fatalf("OpenLog: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func contractDuplicatesMarkedAcrossReopening(t *testing.T, open openLog) {
	st := open(StoreOptions{DuplicateWindow: time.Hour})
	first := appendAll(t, st, systemBody("emailOpen", "m1"), systemBody("emailOpen", "m2"), systemBody("emailOpen", "m1"))
	if first[0].DuplicateOf != 0 || first[1].DuplicateOf != 0 || first[2].DuplicateOf != first[0].ID {
		t.Errorf("duplicate marks %d,%d,%d; want only the third, of #%d", first[0].DuplicateOf, first[1].DuplicateOf, first[2].DuplicateOf, first[0].ID)
	}
	st.Close()
	st = open(StoreOptions{DuplicateWindow: time.Hour})
	again := appendAll(t, st, systemBody("emailOpen", "m2"), []byte(`{"a":1}`), []byte(`{"a":1}`))
	if again[0].DuplicateOf != first[1].ID || again[1].DuplicateOf != 0 || again[2].DuplicateOf != again[1].ID {
		t.Errorf("after reopening: marks %d,%d,%d; want #%d, none, #%d", again[0].DuplicateOf, again[1].DuplicateOf, again[2].DuplicateOf, first[1].ID, again[1].ID)
	}
	stored, err := st.Get(context.Background(), again[0].ID)
	if err != nil || stored.DuplicateOf != first[1].ID {
		t.Errorf("stored mark %d, %v", stored.DuplicateOf, err)
	}
	if s := st.Stats(); s.Events != 6 || s.Duplicates != 3 {
		t.Errorf("stats %+v, want 6 events, 3 duplicates", s)
	}
}

func contractTriggerNamesAreUnique(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	tr := Trigger{Name: "opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}
	if _, err := st.AddTrigger(ctx, tr); err != nil {
		t.Fatal(err)
	}
	if _, err := st.AddTrigger(ctx, tr); !errors.Is(err, ErrTriggerExists) {
		t.Errorf("adding it twice: %v, want ErrTriggerExists", err)
	}
	if _, err := st.AddTrigger(ctx, Trigger{Name: "bad", Kind: TriggerObject}); err == nil {
		t.Error("a trigger without event names was saved")
	}
	ev := appendAll(t, st, systemBody("emailOpen", "x"))[0]
	if fmt.Sprint(ev.Triggers) != "[opens]" {
		t.Errorf("matched %v", ev.Triggers)
	}
	if err := st.RemoveTrigger(ctx, "opens"); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveTrigger(ctx, "opens"); !errors.Is(err, ErrNotFound) {
		t.Errorf("removing it twice: %v, want not found", err)
	}
	if _, err := st.Trigger(ctx, "opens"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a removed trigger: %v", err)
	}
	if ev := appendAll(t, st, systemBody("emailOpen", "y"))[0]; len(ev.Triggers) != 0 {
		t.Errorf("a removed trigger still matched: %v", ev.Triggers)
	}
	if got, _ := st.Get(ctx, ev.ID); fmt.Sprint(got.Triggers) != "[opens]" {
		t.Errorf("an event forgot what it matched: %v", got.Triggers)
	}
}

func contractGivenUpEventsAreNotStored(t *testing.T, open openLog) {
	st := open(StoreOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := st.Append(ctx, &Event{ReceivedAt: time.Now(), Status: StatusAccepted, Body: []byte("{}")})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("Append with an ended context = %v, want ErrBusy", err)
	}
	if n, _ := st.Count(context.Background(), Query{}); n != 0 {
		t.Errorf("%d events stored, want none", n)
	}
	if st.Stats().Busy != 1 {
		t.Errorf("busy = %d, want 1", st.Stats().Busy)
	}
	st.Close()
	if err := st.Append(context.Background(), &Event{Status: StatusAccepted}); !errors.Is(err, ErrClosed) {
		t.Errorf("Append after Close = %v", err)
	}
}

func contractListenerAnswersAndStats(t *testing.T, open openLog) {
	st := open(StoreOptions{})
	srv := startListener(t, st, ServerOptions{Auth: TokenAuth("tok")})
	ok := post(t, srv, "/h", "application/json", systemBody("emailOpen", "a"), "Authorization", "tok")
	bad := post(t, srv, "/h", "application/json", []byte(`{"no`), "Authorization", "tok")
	denied := post(t, srv, "/h", "application/json", []byte(`{}`))
	form := post(t, srv, "/h", "application/x-www-form-urlencoded", []byte("email=ada%00%ff@example.com&eventName=smsSend"), "Authorization", "tok")
	if ok.Status != http.StatusOK || bad.Status != http.StatusBadRequest || denied.Status != http.StatusUnauthorized || form.Status != http.StatusOK {
		t.Fatalf("answers %d %d %d %d, want 200 400 401 200", ok.Status, bad.Status, denied.Status, form.Status)
	}
	if ev := mustGet(t, st, bad.ID); ev.Status != StatusRejected || string(ev.Body) != `{"no` {
		t.Errorf("rejected event stored as %s %q", ev.Status, ev.Body)
	}
	ev := mustGet(t, st, form.ID)
	if !ev.Form || ev.EventName != "smsSend" || string(ev.Body) != "email=ada%00%ff@example.com&eventName=smsSend" || ev.Headers.Get("Authorization") == "tok" {
		t.Errorf("form event stored as form=%v %q %q, auth %q", ev.Form, ev.EventName, ev.Body, ev.Headers.Get("Authorization"))
	}
	if s := st.Stats(); s.Events != 3 || s.Rejected != 1 || s.Unauthorized != 1 {
		t.Errorf("stats %+v, want 3 events, 1 rejected, 1 unauthorized", s)
	}
}

func contractPruneKeepsPinnedAndNewest(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	var bodies [][]byte
	for i := range 5 {
		bodies = append(bodies, systemBody("emailOpen", fmt.Sprint("p", i)))
	}
	evs := appendAll(t, st, bodies...)
	if err := st.Pin(ctx, evs[0].ID, true); err != nil {
		t.Fatal(err)
	}
	if err := st.Pin(ctx, 999, true); !errors.Is(err, ErrNotFound) {
		t.Errorf("pinning a missing event: %v", err)
	}
	dry, err := st.Prune(ctx, PruneRequest{KeepEvents: 2, DryRun: true})
	if err != nil || dry.Events != 2 {
		t.Fatalf("dry run: %+v %v, want 2 events", dry, err)
	}
	res, err := st.Prune(ctx, PruneRequest{KeepEvents: 2})
	if err != nil || res.Events != 2 {
		t.Fatalf("prune: %+v %v, want 2 events", res, err)
	}
	left, err := st.List(ctx, Query{})
	if want := fmt.Sprintf("%d,%d,%d", evs[0].ID, evs[3].ID, evs[4].ID); err != nil || ids(left) != want {
		t.Errorf("left [%s] %v, want [%s]: the pinned one and the newest two", ids(left), err, want)
	}
	if res, err := st.Prune(ctx, PruneRequest{Before: time.Now().Add(time.Hour)}); err != nil || res.Events != 1 {
		t.Errorf("pruning everything: %+v %v, want 1 (the pinned and the newest stay)", res, err)
	}
	if n := st.Stats().Events; n != 2 {
		t.Errorf("stats say %d events, want 2", n)
	}
	if _, err := st.Prune(ctx, PruneRequest{}); err == nil {
		t.Error("a prune without limits ran")
	}
}

func TestPostgresWatchSeesAnotherProcessesTriggers(t *testing.T) {
	db := pgtest.Fresh(t)
	mine, theirs := openLogAt(t, db, StoreOptions{}).(*PGStore), openLogAt(t, db, StoreOptions{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	changed := make(chan struct{}, 8)
	go mine.Watch(ctx, time.Second, func() { changed <- struct{}{} })
	waitFor(t, "the watch to start", func() bool {
		mine.watchMu.Lock()
		defer mine.watchMu.Unlock()
		return len(mine.watchers) == 1
	})
	if _, err := theirs.AddTrigger(context.Background(), Trigger{Name: "opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	select {
	case <-changed:
	case <-time.After(10 * time.Second):
		t.Fatal("no change seen after another store added a trigger")
	}
	// The listener's own copy follows too: its next event matches.
	if ev := appendAll(t, mine, systemBody("emailOpen", "w"))[0]; fmt.Sprint(ev.Triggers) != "[opens]" {
		t.Errorf("matched %v after another process added the trigger", ev.Triggers)
	}
}
