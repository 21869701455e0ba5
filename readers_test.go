package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/iwb-dev/iwb/webhook"
)

// TestEveryReaderHandlesADeepStoredBody: a body nested 10,000 deep, stored
// before the listener refused deep bodies, is printed by every reader (its
// body as text) and stops none of them.
func TestEveryReaderHandlesADeepStoredBody(t *testing.T) {
	home := t.TempDir()
	t.Setenv("IWB_HOME", home)
	storeOneEvent(t, `{"eventName":"emailOpen","email":"a@example.com"}`)
	deep := []byte(strings.Repeat("[", 10_000) + strings.Repeat("]", 10_000))
	p, _ := resolvePaths()
	st, err := webhook.Open(p.Database(), webhook.StoreOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if err := st.Append(context.Background(), &webhook.Event{ReceivedAt: time.Now(), Method: "POST", Path: "/hooks",
		ContentType: "application/json", Status: webhook.StatusAccepted, Kind: webhook.KindUnknown,
		Body: deep, Payload: deep, Size: int64(len(deep)), Headers: http.Header{}}); err != nil {
		t.Fatal(err)
	}
	storeOneEvent(t, `{"eventName":"emailClick","email":"b@example.com"}`)

	jsonLines := func(what, out string, want int) {
		t.Helper()
		lines := strings.Split(strings.TrimSpace(out), "\n")
		if len(lines) != want {
			t.Fatalf("%s: %d lines, want %d", what, len(lines), want)
		}
		for _, l := range lines {
			var ev struct {
				ID        string `json:"id"`
				RawBody   string `json:"rawBody"`
				BodyError string `json:"bodyError"`
			}
			if err := json.Unmarshal([]byte(l), &ev); err != nil {
				t.Fatalf("%s: a line is not JSON: %v", what, err)
			}
			if ev.ID == "2" && (ev.RawBody != string(deep) || ev.BodyError == "") {
				t.Errorf("%s: the deep event's body is not kept as text: bodyError %q", what, ev.BodyError)
			}
		}
	}
	code, out, errOut := runCLI(t, home, "events", "list", "--json")
	if code != 0 {
		t.Fatalf("events list --json: exit %d %s", code, errOut)
	}
	jsonLines("events list --json", out, 3)
	if code, out, errOut = runCLI(t, home, "events", "export"); code != 0 {
		t.Fatalf("events export: exit %d %s", code, errOut)
	}
	jsonLines("events export", out, 3)
	if code, out, errOut = runCLI(t, home, "events", "show", "2"); code != 0 || !json.Valid([]byte(out)) {
		t.Fatalf("events show 2: exit %d %s", code, errOut)
	}

	// iwb listen --json keeps printing after it.
	var printed bytes.Buffer
	printer := &eventPrinter{out: &printed, json: true, store: st}
	last, err := st.Get(context.Background(), 3)
	if err != nil {
		t.Fatal(err)
	}
	printer.receive(context.Background(), last, true)
	if printer.err != nil {
		t.Fatalf("listen --json stopped: %v", printer.err)
	}
	jsonLines("listen --json", printed.String(), 3)

	// Replay sends the stored bytes as they are.
	var got []byte
	target := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go target.Serve(ln)
	defer target.Close()
	if code, _, errOut = runCLI(t, home, "events", "replay", "2", "--to", "http://"+ln.Addr().String()+"/in"); code != 0 || !bytes.Equal(got, deep) {
		t.Errorf("replay of the deep event: exit %d %s, target got %d bytes", code, errOut, len(got))
	}
}
