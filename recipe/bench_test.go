package recipe

import (
	"context"
	"testing"

	"github.com/iwb-dev/iwb/webhook"
)

// BenchmarkJobBookkeeping is what the job log costs per event, HTTP aside:
// the job stored queued, read back, its one step kept as sent, its answer
// and the job's status kept. One op is one event's job. It runs on both
// stores (PostgreSQL with IWB_TEST_POSTGRES).
func BenchmarkJobBookkeeping(b *testing.B) {
	for _, kind := range []string{"sqlite", "postgres"} {
		b.Run(kind, func(b *testing.B) {
			log, err := webhook.OpenLog(context.Background(), storeKinds[kind](b), webhook.StoreOptions{Logger: quiet})
			if err != nil {
				b.Fatal(err)
			}
			defer log.Close()
			rs, err := OpenFor(log)
			if err != nil {
				b.Fatal(err)
			}
			defer rs.Close()
			benchJobBookkeeping(b, rs)
		})
	}
}

func benchJobBookkeeping(b *testing.B, rs *Store) {
	ctx := context.Background()
	answer := []byte(`{"msg":"","code":"Success","params":null}`)
	body := []byte(`{"email":"ana@acme.io","eventName":"sendSeen","dataFields":{"messageId":"m1"}}`)
	b.ReportAllocs()
	b.ResetTimer()
	for i := range b.N {
		if _, err := rs.addJobs(ctx, []newJob{{recipe: "r", eventID: int64(i + 1), status: StatusQueued}}); err != nil {
			b.Fatal(err)
		}
		j, err := rs.Jobs(ctx, JobQuery{Recipe: "r", EventID: int64(i + 1), Limit: 1})
		if err != nil || len(j) != 1 {
			b.Fatal(err)
		}
		st := StepRun{N: 1, Action: "track-event", Method: "POST", Path: "/api/events/track", Body: body, Sent: true}
		if err := rs.startStep(ctx, j[0].ID, st); err != nil {
			b.Fatal(err)
		}
		st.Done, st.Status, st.Answer = true, 200, answer
		if err := rs.finishStep(ctx, j[0].ID, st, StatusSucceeded, ""); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Microseconds())/float64(b.N), "µs/event")
}
