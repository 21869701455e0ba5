package webhook

import "testing"

func BenchmarkListenerOnly(b *testing.B) {
	const conns = 50
	total := max(b.N, 5000)
	st := openTestStore(b, StoreOptions{})
	srv := startListener(b, st, ServerOptions{})
	sub := st.Subscribe()
	go func() {
		for range sub.C {
		}
	}()
	defer sub.Close()
	client := loadClient(conns)
	sendLoad(b, client, srv.URL()+"h", 2000, conns)
	b.ResetTimer()
	c0 := processCPU()
	d, _ := sendLoad(b, client, srv.URL()+"h", total, conns)
	b.ReportMetric(float64(total)/d.Seconds(), "ev/s")
	b.ReportMetric(float64((processCPU()-c0).Microseconds())/float64(total), "cpu-µs/ev")
}
