package recipe

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func TestPrefillFillsTheStepOfThatActionFromTheEvent(t *testing.T) {
	r := Recipe{Name: "two", Trigger: "clicks", Steps: []Step{
		{Action: "get-user", Input: json.RawMessage(`{"email":"{{email}}"}`)},
		{Action: "upsert-user", Input: json.RawMessage(`{"email":"{{email}}","dataFields":{"campaign":"{{dataFields.campaignId}}","plan":"{{steps.1.user.dataFields.plan}}","note":"clicked {{dataFields.url}}"}}`)},
	}}
	in, ok, err := r.Prefill("upsert-user", []byte(clickPayload))
	if !ok || err != nil {
		t.Fatalf("ok %v, err %v", ok, err)
	}
	want := `{"dataFields":{"campaign":7001,"note":"clicked https://x.io/?a=1&b=2","plan":"{{steps.1.user.dataFields.plan}}"},"email":"ana@acme.io"}`
	if string(in) != want {
		t.Fatalf("prefill\n got %s\nwant %s", in, want)
	}
	if _, ok, _ := r.Prefill("send-sms", []byte(clickPayload)); ok {
		t.Fatal("a recipe without a Send SMS step prefilled Send SMS")
	}
	_, ok, err = r.Prefill("upsert-user", []byte(`{"email":"bo@acme.io"}`))
	if !ok || err == nil || !strings.Contains(err.Error(), "missing pill {{dataFields.") {
		t.Fatalf("an event without the pill's field: ok %v, err %v", ok, err)
	}
	if _, _, err = r.Prefill("upsert-user", []byte("not json")); err == nil {
		t.Fatal("a body that is not JSON filled a step")
	}
}

func TestJobsForEventsReadsEachEventsJobsNewestFirst(t *testing.T) {
	for kind, location := range storeKinds {
		t.Run(kind, func(t *testing.T) { testJobsForEvents(t, newRigAt(t, location(t))) })
	}
}

func testJobsForEvents(t *testing.T, g *rig) {
	other := upsertClick
	other.Name = "also-clicks"
	g.addArmed(t, upsertClick)
	g.addArmed(t, other)
	stop := g.start(t)
	defer stop()
	a := g.post(t, "ana@acme.io", 7001)
	b := g.post(t, "low@acme.io", 5) // skipped: the condition is false
	g.waitJobs(t, upsertClick.Name, 2)
	g.waitJobs(t, other.Name, 2)
	got, err := g.recipes.JobsForEvents(context.Background(), []int64{a, b, b + 1000})
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || len(got[a]) != 2 || len(got[b]) != 2 {
		t.Fatalf("jobs by event: %+v", got)
	}
	for _, j := range got[a] {
		if j.Status != StatusSucceeded || j.EventID != a {
			t.Errorf("event %d: job %+v", a, j)
		}
	}
	if got[a][0].ID < got[a][1].ID {
		t.Errorf("event %d's jobs are not newest first: %d, %d", a, got[a][0].ID, got[a][1].ID)
	}
	for _, j := range got[b] {
		if j.Status != StatusSkipped || !strings.Contains(j.Reason, "dataFields.campaignId") {
			t.Errorf("event %d: job %+v, want skipped with the condition as reason", b, j)
		}
	}
	if none, err := g.recipes.JobsForEvents(context.Background(), nil); err != nil || len(none) != 0 {
		t.Fatalf("no ids: %v, %v", none, err)
	}
}
