package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// nested is a JSON body of arrays depth levels deep.
func nested(depth int) []byte {
	return []byte(strings.Repeat("[", depth) + strings.Repeat("]", depth))
}

func TestBodyDeeperThanTheBoundIs400AndKeptAsRejected(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{})
	for _, ct := range []string{"application/json", ""} {
		deep := append([]byte(`{"eventName":"x","a":`), nested(MaxDepth)...)
		deep = append(deep, '}')
		a := post(t, srv, "/hooks", ct, deep)
		if a.Status != http.StatusBadRequest || a.ID == "" || !strings.Contains(a.Error, "512 levels") {
			t.Fatalf("content type %q: answer = %+v, want 400 naming the 512-level limit", ct, a)
		}
		ev := mustGet(t, st, a.ID)
		if ev.Status != StatusRejected || ev.Payload != nil || !bytes.Equal(ev.Body, deep) || !strings.Contains(ev.Error, "512") {
			t.Errorf("stored as status %q payload %d bytes error %q", ev.Status, len(ev.Payload), ev.Error)
		}
	}
	// At the bound, with brackets inside strings not counted, it is accepted.
	ok := append([]byte(`{"s":"[[[[{{{{\"[","a":`), nested(MaxDepth-1)...)
	ok = append(ok, '}')
	if a := post(t, srv, "/hooks", "application/json", ok); a.Status != http.StatusOK {
		t.Fatalf("a body exactly %d deep = %+v, want 200", MaxDepth, a)
	}
}

// appendStored stores an event as a listener did before it refused deep
// bodies: accepted, with the body as its payload.
func appendStored(t *testing.T, st *Store, body []byte) int64 {
	t.Helper()
	ev := &Event{ReceivedAt: time.Now(), Method: "POST", Path: "/hooks", ContentType: "application/json",
		Status: StatusAccepted, Kind: KindUnknown, Body: body, Payload: body, Size: int64(len(body)), Headers: http.Header{}}
	ev.dupKey = duplicateKey(Classification{}, body)
	if err := st.Append(context.Background(), ev); err != nil {
		t.Fatal(err)
	}
	return ev.ID
}

func TestABodyTooDeepForTheEncoderStillPrints(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	body := nested(10_000)
	id := appendStored(t, st, body)
	ev, err := st.Get(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	for name, enc := range map[string]func(any) ([]byte, error){
		"compact": json.Marshal,
		"indent":  func(v any) ([]byte, error) { return json.MarshalIndent(v, "", "  ") },
	} {
		b, err := enc(ev)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		var got struct {
			ID        string          `json:"id"`
			Body      json.RawMessage `json:"body"`
			RawBody   string          `json:"rawBody"`
			BodyError string          `json:"bodyError"`
		}
		if err := json.Unmarshal(b, &got); err != nil {
			t.Fatalf("%s: the output is not JSON: %v", name, err)
		}
		if string(got.Body) != "null" || got.RawBody != string(body) || !strings.Contains(got.BodyError, "rawBody") {
			t.Errorf("%s: body %.20s rawBody %d bytes bodyError %q", name, got.Body, len(got.RawBody), got.BodyError)
		}
	}
}

// FuzzEventJSON: every body the listener accepts, and every JSON body one
// stored before the depth bound could hold, prints as one JSON object.
func FuzzEventJSON(f *testing.F) {
	seedFixtures(f, func(b []byte) { f.Add(b, "application/json") })
	f.Add(nested(10_001), "application/json")
	f.Add([]byte("a=1&a=\x1b"), "application/x-www-form-urlencoded")
	f.Add([]byte("\xff\x00plain"), "text/plain")
	f.Fuzz(func(t *testing.T, body []byte, contentType string) {
		events := []Event{{ID: 1, Body: body, Status: StatusRejected}}
		if parsed, err := ParseBody(contentType, body); err == nil {
			events = append(events, Event{ID: 2, Body: body, Payload: parsed.Payload, Form: parsed.Form, Status: StatusAccepted})
		}
		if json.Valid(body) {
			events = append(events, Event{ID: 3, Body: body, Payload: body, Status: StatusAccepted})
		}
		for _, ev := range events {
			b, err := json.Marshal(ev)
			if err != nil {
				t.Fatalf("event %d: %v", ev.ID, err)
			}
			if !json.Valid(b) || bytes.ContainsRune(b, '\n') {
				t.Fatalf("event %d: not one line of JSON: %q", ev.ID, b)
			}
			if _, err := json.MarshalIndent(ev, "", "  "); err != nil {
				t.Fatalf("event %d indented: %v", ev.ID, err)
			}
		}
	})
}

// trickle opens a connection that announces a body of size bytes and sends
// only its first few; it is closed at cleanup.
func trickle(t testing.TB, addr string, size int) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "POST /hooks HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n{\"a\":", addr, size)
	return c
}

func TestOverTheConnectionCapIs503AtOnce(t *testing.T) {
	st := openTestStore(t, StoreOptions{})
	srv := startListener(t, st, ServerOptions{MaxConns: 2})
	held := []net.Conn{trickle(t, srv.Addr(), 1<<20), trickle(t, srv.Addr(), 1<<20)}
	// The two trickling connections are being served once a request over
	// the cap is refused.
	client := &http.Client{Timeout: 10 * time.Second}
	var resp *http.Response
	deadline := time.Now().Add(10 * time.Second)
	for {
		var err error
		resp, err = client.Post(srv.URL()+"hooks", "application/json", strings.NewReader(`{"eventName":"emailOpen"}`))
		if err != nil {
			t.Fatalf("a request over the cap got no answer: %v", err)
		}
		resp.Body.Close()
		if resp.StatusCode == http.StatusServiceUnavailable || time.Now().After(deadline) {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if resp.StatusCode != http.StatusServiceUnavailable || resp.Header.Get("Retry-After") == "" {
		t.Fatalf("over the cap: %d Retry-After %q, want 503 with Retry-After", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st.Stats().Busy == 0 {
		t.Error("the refusal is not counted as busy")
	}
	// A place given back is served again.
	for _, c := range held {
		c.Close()
	}
	deadline = time.Now().Add(10 * time.Second)
	for {
		a := post(t, srv, "/hooks", "application/json", []byte(`{"eventName":"emailOpen"}`))
		if a.Status == http.StatusOK {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("after the held connections closed: %+v", a)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func TestNewServerRefusesANegativeConnectionCap(t *testing.T) {
	if _, err := NewServer(openTestStore(t, StoreOptions{}), ServerOptions{MaxConns: -1}); err == nil || !strings.Contains(err.Error(), "connection limit") {
		t.Errorf("MaxConns -1: %v", err)
	}
}

func TestParseAuthTakesTheSecretFromOutsideTheSpec(t *testing.T) {
	for _, c := range []struct {
		spec, secret string
		want         Auth
	}{
		{"header", "tok", Auth{Mode: "header", Header: "Authorization", Value: "tok"}},
		{"header:x-hook-token", "OAuth2 tok", Auth{Mode: "header", Header: "X-Hook-Token", Value: "OAuth2 tok"}},
		{"header:X-Hook:inline", "ignored", Auth{Mode: "header", Header: "X-Hook", Value: "inline"}},
		{"basic", "iterable:pa:ss", Auth{Mode: "basic", User: "iterable", Pass: "pa:ss"}},
		{"basic:u:p", "ignored:x", Auth{Mode: "basic", User: "u", Pass: "p"}},
	} {
		got, err := ParseAuth(c.spec, c.secret)
		if err != nil || got != c.want {
			t.Errorf("ParseAuth(%q, %q) = %+v, %v; want %+v", c.spec, c.secret, got, err, c.want)
		}
	}
	for _, spec := range []string{"header", "header:X-Hook", "basic"} {
		if _, err := ParseAuth(spec, ""); err == nil || !strings.Contains(err.Error(), "IWB_LISTEN_") {
			t.Errorf("ParseAuth(%q) without a secret: %v, want it to name the variable", spec, err)
		}
	}
	if _, err := ParseAuth("basic", "no-colon-s3cret"); err == nil || strings.Contains(err.Error(), "s3cret") {
		t.Errorf("a bad basic secret: %v", err)
	}
}
