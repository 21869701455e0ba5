package webhook

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// maxForwardResponse is how much of a forward's response body is kept.
const maxForwardResponse = 64 << 10

// hopHeaders are not re-sent: they describe the original connection.
var hopHeaders = []string{"Connection", "Content-Length", "Host", "Keep-Alive", "Proxy-Connection",
	"Te", "Trailer", "Transfer-Encoding", "Upgrade"}

// CheckForwardURL checks a --forward-to or --to URL.
func CheckForwardURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL (e.g. http://localhost:3000/webhooks)", raw)
	}
	return nil
}

// Send re-sends a request body to target with the given method and headers
// (less the hop-by-hop ones) and reports what came back. It never fails:
// errors are in the result.
func Send(ctx context.Context, client *http.Client, target, method string, header http.Header, body []byte) ForwardResult {
	res := ForwardResult{URL: target, At: time.Now()}
	if method == "" {
		method = http.MethodPost
	}
	req, err := http.NewRequestWithContext(ctx, method, target, bytes.NewReader(body))
	if err != nil {
		res.Error = err.Error()
		return res
	}
	for k, vs := range header {
		req.Header[k] = append([]string(nil), vs...)
	}
	for _, k := range hopHeaders {
		req.Header.Del(k)
	}
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		res.Latency = time.Since(start)
		res.Error = err.Error()
		return res
	}
	defer resp.Body.Close()
	res.Status = resp.StatusCode
	res.Response, err = io.ReadAll(io.LimitReader(resp.Body, maxForwardResponse+1))
	res.Latency = time.Since(start)
	if len(res.Response) > maxForwardResponse {
		res.Response, res.Truncated = res.Response[:maxForwardResponse], true
	}
	if err != nil {
		res.Error = "reading the response: " + err.Error()
	}
	return res
}

// Replay re-sends a stored event to target: its method, body bytes and
// headers, less those whose value was redacted when it was stored.
func Replay(ctx context.Context, client *http.Client, ev Event, target string) ForwardResult {
	header := http.Header{}
	for k, vs := range ev.Headers {
		for _, v := range vs {
			if v != redacted {
				header.Add(k, v)
			}
		}
	}
	return Send(ctx, client, target, ev.Method, header, ev.Body)
}

// forwarder re-sends accepted events, one at a time in arrival order, and
// records each result with its event.
type forwarder struct {
	target string
	client *http.Client
	store  EventLog
	log    *slog.Logger
	queue  chan forwardJob
	wg     sync.WaitGroup
	// failures counts the forwards that failed, for Server.Refusals.
	failures *refusalLog
}

type forwardJob struct {
	id     int64
	method string
	header http.Header
	body   []byte
}

func newForwarder(target string, st EventLog, log *slog.Logger, failures *refusalLog) *forwarder {
	f := &forwarder{
		failures: failures,
		target:   target,
		client:   &http.Client{Timeout: 10 * time.Second},
		store:    st,
		log:      log,
		queue:    make(chan forwardJob, 4096),
	}
	f.wg.Add(1)
	go f.run()
	return f
}

// enqueue hands an event to the forwarder; when it is too far behind, the
// event is marked as not forwarded instead (replay it later).
func (f *forwarder) enqueue(ctx context.Context, job forwardJob, authHeader string) {
	job.header = job.header.Clone()
	if authHeader != "" {
		job.header.Del(authHeader)
	}
	select {
	case f.queue <- job:
	default:
		res := ForwardResult{URL: f.target, At: time.Now(), Error: "not forwarded: the forward queue is full (use iwb events replay)"}
		f.failures.note(failedForward, "event %d: %s", job.id, res.Error)
		if err := f.store.setForward(ctx, job.id, res); err != nil {
			f.log.Error("recording a skipped forward", "id", job.id, "err", err)
		}
	}
}

func (f *forwarder) run() {
	defer f.wg.Done()
	for job := range f.queue {
		res := Send(context.Background(), f.client, f.target, job.method, job.header, job.body)
		switch {
		case res.Error != "":
			f.log.Warn("forward failed", "id", job.id, "target", f.target, "err", res.Error)
			f.failures.note(failedForward, "event %d: %s", job.id, res.Error)
		case res.Status >= 300:
			f.failures.note(failedForward, "event %d: %s answered %d", job.id, f.target, res.Status)
		}
		if err := f.store.setForward(context.Background(), job.id, res); err != nil {
			f.log.Error("recording a forward", "id", job.id, "err", err)
		}
	}
}

// stop forwards what is queued, waiting at most until ctx ends.
func (f *forwarder) stop(ctx context.Context) error {
	close(f.queue)
	done := make(chan struct{})
	go func() { f.wg.Wait(); close(done) }()
	select {
	case <-done:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("forwarding the last events to %s: %w", strings.TrimSpace(f.target), ctx.Err())
	}
}
