package webhook

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/schema"
)

func contractSettingsSurviveReopening(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	if u, err := st.PublicURL(ctx); err != nil || u != "" {
		t.Fatalf("a new log has the public URL %q (%v), want none", u, err)
	}
	saved, err := st.SetPublicURL(ctx, "  https://abc.ngrok.app/ ")
	if err != nil || saved != "https://abc.ngrok.app" {
		t.Fatalf("SetPublicURL = %q, %v", saved, err)
	}
	token := NewListenerToken()
	if len(token) != 32 || token == NewListenerToken() {
		t.Fatalf("token %q: want 32 random hex characters", token)
	}
	if err := st.SetListenerToken(ctx, token); err != nil {
		t.Fatal(err)
	}
	st.Close()

	st = open(StoreOptions{})
	if u, _ := st.PublicURL(ctx); u != "https://abc.ngrok.app" {
		t.Errorf("after reopening the public URL is %q", u)
	}
	if got, _ := st.ListenerToken(ctx); got != token {
		t.Errorf("after reopening the token is %q, want %q", got, token)
	}
	if _, err := st.SetPublicURL(ctx, ""); err != nil {
		t.Fatal(err)
	}
	if u, _ := st.PublicURL(ctx); u != "" {
		t.Errorf("clearing left %q", u)
	}
}

func TestCheckPublicURLRefusesWhatIterableCannotCall(t *testing.T) {
	for _, bad := range []string{"abc.ngrok.app", "ftp://abc.ngrok.app", "https://", "https://a.b/?x=1", "https://a.b/#top"} {
		if _, err := CheckPublicURL(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestTriggerURLForBothKinds(t *testing.T) {
	obj := Trigger{Name: "opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}
	wf := Trigger{Name: "nps", Kind: TriggerWorkflow, WorkflowID: "4101"}
	if got := TriggerURL("https://abc.ngrok.app/", obj); got != "https://abc.ngrok.app/" {
		t.Errorf("object URL %q", got)
	}
	if got := TriggerURL("http://127.0.0.1:8787/", wf); got != "http://127.0.0.1:8787/workflows/4101" {
		t.Errorf("workflow URL %q", got)
	}
}

func TestParseWorkflowIDTakesAnIDOrAnEditorURL(t *testing.T) {
	for in, want := range map[string]string{
		"1234":   "1234",
		" 4101 ": "4101",
		"https://app.iterable.com/workflows/1234/edit":         "1234",
		"https://app.eu.iterable.com/workflows/60102/edit?x=1": "60102",
	} {
		if got, err := ParseWorkflowID(in); err != nil || got != want {
			t.Errorf("ParseWorkflowID(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"", "abc", "https://app.iterable.com/templates/12", "12a"} {
		if _, err := ParseWorkflowID(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func FuzzParseWorkflowID(f *testing.F) {
	for _, s := range []string{"1234", "https://app.iterable.com/workflows/1234/edit", "/workflows//", "workflows/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id, err := ParseWorkflowID(s)
		if err == nil && !isDigits(id) {
			t.Fatalf("%q gave the id %q", s, id)
		}
	})
}

func TestSetAuthChangesWhatARunningListenerRequires(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	body := systemBody("emailOpen", "a1")
	if a := post(t, srv, "/", "application/json", body); a.Status != 200 {
		t.Fatalf("without auth: %d", a.Status)
	}
	token := NewListenerToken()
	srv.SetAuth(TokenAuth(token))
	if a := post(t, srv, "/", "application/json", systemBody("emailOpen", "a2")); a.Status != 401 {
		t.Fatalf("without the token after SetAuth: %d, want 401", a.Status)
	}
	if a := post(t, srv, "/", "application/json", systemBody("emailOpen", "a3"), "Authorization", token); a.Status != 200 {
		t.Fatalf("with the token: %d", a.Status)
	}
	ev, err := st.Get(context.Background(), 2)
	if err != nil {
		t.Fatal(err)
	}
	if got := ev.Headers.Get("Authorization"); got == token || got == "" {
		t.Errorf("the stored Authorization header is %q: the token must be redacted", got)
	}
	srv.SetAuth(TokenAuth(""))
	if a := post(t, srv, "/", "application/json", systemBody("emailOpen", "a4")); a.Status != 200 {
		t.Fatalf("after clearing the auth: %d", a.Status)
	}
}

func contractUpdateTriggerKeepsSchemaAndCounts(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	sc := schema.Schema{{Name: "email", Type: schema.String}}
	if _, err := st.AddTrigger(ctx, Trigger{Name: "msgs", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetTriggerSchema(ctx, "msgs", sc); err != nil {
		t.Fatal(err)
	}
	appendAll(t, st, systemBody("emailOpen", "u1"), systemBody("smsSend", "u2"))
	if _, err := st.UpdateTrigger(ctx, Trigger{Name: "msgs", Kind: TriggerObject, EventNames: []string{"emailOpen", "smsSend"}}); err != nil {
		t.Fatal(err)
	}
	appendAll(t, st, systemBody("smsSend", "u3"))
	tr, err := st.Trigger(ctx, "msgs")
	if err != nil {
		t.Fatal(err)
	}
	if tr.Matched != 2 || len(tr.Schema) != 1 || len(tr.EventNames) != 2 {
		t.Errorf("after the update: matched %d, schema %v, events %v; want 2 matches (emailOpen, then smsSend), the schema kept", tr.Matched, tr.Schema, tr.EventNames)
	}
	if _, err := st.UpdateTrigger(ctx, Trigger{Name: "msgs", Kind: TriggerWorkflow, WorkflowID: "1"}); !errors.Is(err, ErrNotFound) {
		t.Errorf("changing the kind: %v, want not found", err)
	}
}

func contractMismatchesByPathWithCounts(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	if _, err := st.AddTrigger(ctx, Trigger{Name: "opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		t.Fatal(err)
	}
	sc := schema.Schema{
		{Name: "email", Type: schema.String},
		{Name: "eventName", Type: schema.String},
		{Name: "dataFields", Type: schema.Object, Properties: schema.Schema{
			{Name: "messageId", Type: schema.Integer},
			{Name: "createdAt", Type: schema.DateTime},
			{Name: "campaignId", Type: schema.Integer},
		}},
	}
	if err := st.SetTriggerSchema(ctx, "opens", sc); err != nil {
		t.Fatal(err)
	}
	// Arrival checks the payload: messageId is a string in each of them.
	evs := appendAll(t, st, systemBody("emailOpen", "m1"), systemBody("emailOpen", "m2"), systemBody("emailOpen", "m3"))
	if !evs[2].Mismatch || len(evs[2].Problems["opens"]) == 0 {
		t.Fatalf("the event was not checked on arrival: %+v", evs[2].Problems)
	}
	got, err := st.Mismatches(ctx, "opens", 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 1 || got[0].Path != "dataFields.messageId" || got[0].Count != 3 || got[0].LastEventID != evs[2].ID ||
		got[0].Expected != "integer" || got[0].Found != "string" {
		t.Fatalf("mismatches = %+v; want dataFields.messageId ×3, expected integer, found string, last #%d", got, evs[2].ID)
	}
	if got, _ := st.Mismatches(ctx, "opens", 2); got[0].Count != 2 {
		t.Errorf("a window of 2 counted %d", got[0].Count)
	}
	// A new schema starts a clean slate.
	sc[2].Properties[0].Type = schema.String
	if err := st.SetTriggerSchema(ctx, "opens", sc); err != nil {
		t.Fatal(err)
	}
	appendAll(t, st, systemBody("emailOpen", "m4"))
	if got, err := st.Mismatches(ctx, "opens", 0); err != nil || len(got) != 0 {
		t.Errorf("after fixing the schema: %+v %v, want none", got, err)
	}
	if _, err := st.Mismatches(ctx, "nope", 0); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown trigger: %v", err)
	}
}

func TestWidenWithEventsNeedsJSONBodies(t *testing.T) {
	_, err := WidenWithEvents(nil, Event{ID: 7, Status: StatusRejected})
	if !errors.Is(err, ErrNoPayload) || !strings.Contains(err.Error(), "event 7") {
		t.Errorf("err = %v", err)
	}
	inf, err := WidenWithEvents(nil, Event{ID: 8, Payload: systemBody("emailOpen", "w1")})
	if err != nil || len(inf.Schema) != 3 {
		t.Errorf("inferred %v, %v", inf.Schema, err)
	}
	// Several events are samples inferred together: a key one lacks is optional.
	inf, err = WidenWithEvents(nil, Event{ID: 8, Payload: []byte(`{"a":1,"b":"x"}`)}, Event{ID: 9, Payload: []byte(`{"a":2}`)})
	if b, _ := inf.Schema.Find(schema.Path{"b"}); err != nil || inf.Samples != 2 || !b.Optional {
		t.Errorf("two events: %+v %v", inf, err)
	}
}

// BenchmarkMismatches reads the Schemas tab's summary of a trigger whose
// 20,000 events each miss the schema: the cost is the window's, not the log's.
func BenchmarkMismatches(b *testing.B) {
	ctx := context.Background()
	st := openTestStore(b, StoreOptions{})
	if _, err := st.AddTrigger(ctx, Trigger{Name: "opens", Kind: TriggerObject, EventNames: []string{"emailOpen"}}); err != nil {
		b.Fatal(err)
	}
	sc := schema.Schema{{Name: "email", Type: schema.Integer}, {Name: "dataFields", Type: schema.Object,
		Properties: schema.Schema{{Name: "messageId", Type: schema.Integer}}}}
	if err := st.SetTriggerSchema(ctx, "opens", sc); err != nil {
		b.Fatal(err)
	}
	bodies := make([][]byte, 20000)
	for i := range bodies {
		bodies[i] = systemBody("emailOpen", "m"+strconv.Itoa(i))
	}
	appendAll(b, st, bodies...)
	b.ResetTimer()
	b.ReportAllocs()
	for b.Loop() {
		got, err := st.Mismatches(ctx, "opens", 0)
		if err != nil || len(got) != 5 || got[0].Count != MismatchWindow {
			b.Fatalf("%+v %v", got, err)
		}
	}
}

func contractEndpointsPreferThePublicURLAndCarryTheToken(t *testing.T, open openLog) {
	ctx := context.Background()
	st := open(StoreOptions{})
	local := "http://127.0.0.1:8787/"
	e, err := st.Endpoints(ctx, local)
	if err != nil || e.Public || e.Token != "" || e.System() != local {
		t.Fatalf("without settings: %+v, system %q, %v; want the listener's own URL and no token", e, e.System(), err)
	}
	if none, _ := st.Endpoints(ctx, ""); none.System() != "" || none.For(Trigger{Kind: TriggerWorkflow, WorkflowID: "1"}) != "" {
		t.Errorf("without any base the URLs are %q and %q, want none", none.System(), none.For(Trigger{Kind: TriggerWorkflow, WorkflowID: "1"}))
	}
	if _, err := st.SetPublicURL(ctx, "https://abc.ngrok.app/"); err != nil {
		t.Fatal(err)
	}
	token := NewListenerToken()
	if err := st.SetListenerToken(ctx, token); err != nil {
		t.Fatal(err)
	}
	e, err = st.Endpoints(ctx, local)
	if err != nil || !e.Public || e.Token != token {
		t.Fatalf("with settings: %+v, %v", e, err)
	}
	if e.System() != "https://abc.ngrok.app/" {
		t.Errorf("system webhook URL %q", e.System())
	}
	if got := e.For(Trigger{Kind: TriggerWorkflow, WorkflowID: "4101"}); got != "https://abc.ngrok.app/workflows/4101" {
		t.Errorf("journey URL %q", got)
	}
	if a, err := st.ListenerAuth(ctx); err != nil || a != TokenAuth(token) {
		t.Errorf("ListenerAuth = %v, %v; want the saved token", a, err)
	}
}
