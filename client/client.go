// Package client is the Iterable REST client: typed requests and responses for
// the ten actions and the calls the forms need, one error type, retries with
// backoff, and a rate limiter per endpoint at Iterable's published limits.
package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Options configure a Client. BaseURL and Key are required.
type Options struct {
	BaseURL    string // e.g. https://api.iterable.com (the region's host) or a sandbox
	Key        string // the project's API key; never logged or printed
	UserAgent  string // e.g. iwb/1.2.0; default "iwb"
	HTTPClient *http.Client
	Logger     *slog.Logger // default: discard
	Retry      RetryPolicy  // zero value: DefaultRetryPolicy
	// Limits overrides PublishedLimits per "METHOD /path" (requests per second).
	Limits map[string]float64
	// Unlimited turns the client-side limiter off: only for benchmarks against
	// a sandbox whose limits are lifted too.
	Unlimited bool
	// InsecureHTTP allows an http:// base URL on a host other than loopback,
	// which sends the key in clear.
	InsecureHTTP bool
}

// ErrInsecureBaseURL is an http:// base URL on a host other than loopback.
var ErrInsecureBaseURL = errors.New("plain http would send the API key in clear")

// errOtherHost is a redirect to a host other than the base URL's.
var errOtherHost = errors.New("redirected to another host")

// RetryPolicy bounds retries of 429, 5xx and connection errors.
type RetryPolicy struct {
	MaxAttempts    int           // including the first; default 5
	BaseDelay      time.Duration // first backoff; default 250ms, doubled each time
	MaxDelay       time.Duration // one backoff at most; default 10s
	MaxElapsed     time.Duration // all attempts and waits of one call; default 60s
	AttemptTimeout time.Duration // one attempt; default 30s
}

// DefaultRetryPolicy is used for the zero fields of Options.Retry.
var DefaultRetryPolicy = RetryPolicy{
	MaxAttempts:    5,
	BaseDelay:      250 * time.Millisecond,
	MaxDelay:       10 * time.Second,
	MaxElapsed:     60 * time.Second,
	AttemptTimeout: 30 * time.Second,
}

func (p RetryPolicy) withDefaults() RetryPolicy {
	d := DefaultRetryPolicy
	if p.MaxAttempts > 0 {
		d.MaxAttempts = p.MaxAttempts
	}
	if p.BaseDelay > 0 {
		d.BaseDelay = p.BaseDelay
	}
	if p.MaxDelay > 0 {
		d.MaxDelay = p.MaxDelay
	}
	if p.MaxElapsed > 0 {
		d.MaxElapsed = p.MaxElapsed
	}
	if p.AttemptTimeout > 0 {
		d.AttemptTimeout = p.AttemptTimeout
	}
	return d
}

// Client calls one Iterable project. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	key       string
	userAgent string
	http      *http.Client
	log       *slog.Logger
	retry     RetryPolicy
	limiters  map[string]*bucket
}

// New checks the options and makes a Client.
func New(opts Options) (*Client, error) {
	if opts.BaseURL == "" {
		return nil, errors.New("no base URL")
	}
	base, err := url.Parse(strings.TrimRight(opts.BaseURL, "/"))
	if err != nil || (base.Scheme != "http" && base.Scheme != "https") || base.Host == "" {
		return nil, fmt.Errorf("base URL %q: want http(s)://HOST[:PORT]", opts.BaseURL)
	}
	if base.Scheme == "http" && !opts.InsecureHTTP && !isLoopback(base.Hostname()) {
		return nil, fmt.Errorf("base URL %s: %w; use https://, or --insecure-http for a proxy you trust", base.Redacted(), ErrInsecureBaseURL)
	}
	c := &Client{
		base:      base,
		key:       opts.Key,
		userAgent: opts.UserAgent,
		http:      opts.HTTPClient,
		log:       opts.Logger,
		retry:     opts.Retry.withDefaults(),
		limiters:  map[string]*bucket{},
	}
	if c.userAgent == "" {
		c.userAgent = "iwb"
	}
	if c.http == nil {
		c.http = &http.Client{}
	}
	// The key goes in a header of its own, which Go's client keeps on a
	// redirect to another host (it drops only Authorization and cookies).
	hc := *c.http
	hc.CheckRedirect = c.sameHost
	c.http = &hc
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if !opts.Unlimited {
		for endpoint, rate := range PublishedLimits {
			c.limiters[endpoint] = newBucket(rate)
		}
		for endpoint, rate := range opts.Limits {
			c.limiters[endpoint] = newBucket(rate)
		}
	}
	return c, nil
}

// sameHost refuses a redirect that leaves the base URL's scheme and host,
// so the key never reaches another server; it otherwise follows up to 10.
func (c *Client) sameHost(req *http.Request, via []*http.Request) error {
	if req.URL.Host != c.base.Host || req.URL.Scheme != c.base.Scheme {
		return fmt.Errorf("refusing to follow %s to %s://%s, which would send it the API key: %w",
			via[0].URL.Path, req.URL.Scheme, req.URL.Host, errOtherHost)
	}
	if len(via) >= 10 {
		return errors.New("stopped after 10 redirects")
	}
	return nil
}

// isLoopback is true for localhost and loopback addresses, where plain http
// never leaves the machine.
func isLoopback(host string) bool {
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// BaseURL is where the requests go.
func (c *Client) BaseURL() string { return c.base.String() }

// call is one logical request: the body (already JSON, or nil) goes out as
// given, waiting for the endpoint's limiter, retrying as the policy allows.
type call struct {
	method, path string
	// arg fills the path's one {parameter} segment, escaped; the path keeps
	// the pattern so limits and errors name the endpoint, not the user.
	arg   string
	query url.Values
	body  []byte
	// only429 retries nothing but 429: for calls that may have been accepted
	// when the answer was lost (send-sms must not reach a person twice).
	only429 bool
}

func (k call) endpoint() string { return k.method + " " + k.path }

// do sends the call and returns the body of a 2xx answer, or *Error.
func (c *Client) do(ctx context.Context, k call) ([]byte, error) {
	start := time.Now()
	deadline := start.Add(c.retry.MaxElapsed)
	for attempt := 1; ; attempt++ {
		if lim := c.limiters[k.endpoint()]; lim != nil {
			if err := lim.wait(ctx); err != nil {
				return nil, fmt.Errorf("%s: waiting for the rate limit: %w", k.endpoint(), err)
			}
		}
		status, header, body, err := c.attempt(ctx, k)
		if err == nil && status >= 200 && status < 300 {
			c.log.Debug("iterable call", "endpoint", k.endpoint(), "status", status, "attempt", attempt)
			return body, nil
		}
		var failure error
		retryable := false
		if err != nil {
			failure = fmt.Errorf("%s: %w", k.endpoint(), err)
			retryable = ctx.Err() == nil && !k.only429 && !errors.Is(err, errOtherHost)
		} else {
			apiErr := ParseError(status, body)
			apiErr.Method, apiErr.Path = k.method, k.path
			failure = apiErr
			retryable = status == http.StatusTooManyRequests || (status >= 500 && !k.only429)
		}
		if !retryable || attempt >= c.retry.MaxAttempts {
			c.log.Info("iterable call failed", "endpoint", k.endpoint(), "attempts", attempt, "error", failure)
			return nil, failure
		}
		wait := c.backoff(attempt, header)
		if time.Now().Add(wait).After(deadline) {
			c.log.Info("iterable call failed: out of retry time", "endpoint", k.endpoint(), "attempts", attempt, "error", failure)
			return nil, failure
		}
		c.log.Info("iterable call retrying", "endpoint", k.endpoint(), "attempt", attempt, "wait", wait, "error", failure)
		t := time.NewTimer(wait)
		select {
		case <-t.C:
		case <-ctx.Done():
			t.Stop()
			return nil, fmt.Errorf("%s: %w (after: %v)", k.endpoint(), ctx.Err(), failure)
		}
	}
}

// backoff is exponential with full jitter, or what Retry-After asks.
func (c *Client) backoff(attempt int, header http.Header) time.Duration {
	if ra := header.Get("Retry-After"); ra != "" {
		if secs, err := strconv.Atoi(strings.TrimSpace(ra)); err == nil && secs >= 0 {
			return min(time.Duration(secs)*time.Second, c.retry.MaxDelay)
		}
		if at, err := http.ParseTime(ra); err == nil {
			return min(max(time.Until(at), 0), c.retry.MaxDelay)
		}
	}
	ceiling := min(c.retry.BaseDelay<<(attempt-1), c.retry.MaxDelay)
	return ceiling/2 + rand.N(ceiling/2+1)
}

// attempt is one HTTP exchange, bounded by the attempt timeout.
func (c *Client) attempt(ctx context.Context, k call) (int, http.Header, []byte, error) {
	ctx, cancel := context.WithTimeout(ctx, c.retry.AttemptTimeout)
	defer cancel()
	req, err := c.newRequest(ctx, k)
	if err != nil {
		return 0, nil, nil, err
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("reading the answer: %w", err)
	}
	return resp.StatusCode, resp.Header, body, nil
}

func (c *Client) newRequest(ctx context.Context, k call) (*http.Request, error) {
	u := c.url(k)
	var body io.Reader
	if k.body != nil {
		body = bytes.NewReader(k.body)
	}
	req, err := http.NewRequestWithContext(ctx, k.method, u, body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Api-Key", c.key)
	req.Header.Set("User-Agent", c.userAgent)
	req.Header.Set("Accept", "application/json")
	if k.body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	return req, nil
}

func (c *Client) url(k call) string {
	u := *c.base
	base, escapedBase := strings.TrimRight(u.Path, "/"), strings.TrimRight(u.EscapedPath(), "/")
	u.Path, u.RawPath = base+k.path, ""
	if open, end := strings.Index(k.path, "{"), strings.Index(k.path, "}"); k.arg != "" && open >= 0 && end > open {
		u.Path = base + k.path[:open] + k.arg + k.path[end+1:]
		u.RawPath = escapedBase + k.path[:open] + url.PathEscape(k.arg) + k.path[end+1:]
	}
	if len(k.query) > 0 {
		u.RawQuery = k.query.Encode()
	}
	return u.String()
}

// send marshals in (when not nil), calls, and decodes the answer into out.
func (c *Client) send(ctx context.Context, k call, in, out any) error {
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return fmt.Errorf("%s: encoding the request: %w", k.endpoint(), err)
		}
		k.body = b
	}
	body, err := c.do(ctx, k)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("%s: decoding the answer: %w (%s)", k.endpoint(), err, excerpt(body))
	}
	return nil
}
