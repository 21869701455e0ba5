package main

import (
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
)

func TestEventsReplay(t *testing.T) {
	home := t.TempDir()
	var got []byte
	target := http.Server{Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusTeapot)
		io.WriteString(w, "short and stout")
	})}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go target.Serve(ln)
	defer target.Close()
	t.Setenv("IWB_HOME", home)
	storeOneEvent(t, `{"eventName":"smsSend","email":"r@example.com"}`)
	code, out, errOut := runCLI(t, home, "events", "replay", "1", "--to", "http://"+ln.Addr().String()+"/in")
	if string(got) != `{"eventName":"smsSend","email":"r@example.com"}` {
		t.Errorf("target got %q", got)
	}
	if code != 1 || out != "short and stout" || !strings.Contains(errOut, "418") {
		t.Errorf("replay to a 418: exit %d out %q err %q", code, out, errOut)
	}
}
