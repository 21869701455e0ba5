package webhook_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/recipe"
	"github.com/iwb-dev/iwb/webhook"
)

// BenchmarkListenerWithArmedRecipe runs the listener benchmark's load (50
// connections, ~2 KB emailSend bodies) twice in one process against one
// event log: first with the recipe runner running and no recipe armed, then
// with one armed recipe that tracks an event for every one of them (its cap
// lifted), against a loopback API that answers at once. Reported: both
// rates, their ratio, and the jobs the runner finished during the second run.
func BenchmarkListenerWithArmedRecipe(b *testing.B) {
	const conns = 50
	total := max(b.N, 5000)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	path := filepath.Join(b.TempDir(), "events.db")
	st, err := webhook.Open(path, webhook.StoreOptions{Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	srv, err := webhook.NewServer(st, webhook.ServerOptions{Addr: "127.0.0.1:0", Logger: quiet})
	if err != nil {
		b.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if err := srv.Start(ctx); err != nil {
		b.Fatal(err)
	}
	defer srv.Shutdown(context.Background())
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		io.WriteString(w, `{"msg":"","code":"Success","params":null}`)
	}))
	defer api.Close()
	c, err := client.New(client.Options{BaseURL: api.URL, Key: "k", Unlimited: true})
	if err != nil {
		b.Fatal(err)
	}
	rs, err := recipe.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer rs.Close()
	runner := recipe.NewRunner(recipe.RunnerOptions{Events: st, Recipes: rs, Log: quiet,
		Client: func(context.Context) (*client.Client, error) { return c, nil }})
	done := make(chan struct{})
	go func() { defer close(done); runner.Run(ctx) }()
	defer func() { cancel(); <-done }()
	if _, err := st.AddTrigger(ctx, webhook.Trigger{Name: "sends", Kind: webhook.TriggerObject, EventNames: []string{"emailSend"}}); err != nil {
		b.Fatal(err)
	}
	r := recipe.Recipe{Name: "track-sends", Trigger: "sends", Cap: 1 << 30, Steps: []recipe.Step{{Action: "track-event",
		Input: json.RawMessage(`{"email":"{{email}}","eventName":"sendSeen","dataFields":{"messageId":"{{dataFields.messageId}}"}}`)}}}
	if err := rs.Add(ctx, r); err != nil {
		b.Fatal(err)
	}
	url := srv.URL() + "h"
	webhook.DriveLoad(b, url, 2000, conns) // warm up

	b.ResetTimer()
	without, _ := webhook.DriveLoad(b, url, total, conns)
	newest, _ := st.List(ctx, webhook.Query{Desc: true, Limit: 1})
	if err := rs.Arm(ctx, r.Name, newest[0].ID); err != nil {
		b.Fatal(err)
	}
	with, lat := webhook.DriveLoad(b, url, total, conns)
	b.StopTimer()
	jobs, _ := rs.Tallies(ctx)
	b.ReportMetric(without, "without-ev/s")
	b.ReportMetric(with, "with-ev/s")
	b.ReportMetric(with/without, "ratio")
	b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "with-p99-ms")
	b.ReportMetric(float64(jobs[r.Name].Succeeded), "jobs-done")
}
