package client_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/sandbox"
)

func TestRedirectToAnotherHostIsRefused(t *testing.T) {
	const key = "0123456789abcdef0123456789ab3f2a"
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Api-Key") != "" {
			elsewhere.Add(1)
		}
		w.Write([]byte(`{"lists":[]}`))
	}))
	defer other.Close()
	api := sandbox.New(sandbox.Options{Key: key}).Handler()
	base := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch r.URL.Path {
		case "/moved/api/lists":
			http.Redirect(w, r, other.URL+"/api/lists", http.StatusTemporaryRedirect)
		case "/same/api/lists":
			http.Redirect(w, r, "/api/lists", http.StatusTemporaryRedirect)
		default:
			api.ServeHTTP(w, r)
		}
	}))
	defer base.Close()

	c, err := client.New(client.Options{BaseURL: base.URL + "/moved", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	_, err = c.Lists(context.Background())
	if err == nil || !strings.Contains(err.Error(), "refusing to follow") || !strings.Contains(err.Error(), strings.TrimPrefix(other.URL, "http://")) {
		t.Errorf("a redirect to another host: %v, want it refused naming the host", err)
	}
	if n := elsewhere.Load(); n != 0 {
		t.Errorf("the key reached the other host %d times", n)
	}

	same, err := client.New(client.Options{BaseURL: base.URL + "/same", Key: key})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := same.Lists(context.Background()); err != nil {
		t.Errorf("a redirect on the same host: %v", err)
	}
}

func TestPlainHTTPBaseURLOnlyOnLoopback(t *testing.T) {
	for _, u := range []string{"http://api.example.com", "http://10.0.0.5:8080", "http://api.iterable.com.evil.example"} {
		if _, err := client.New(client.Options{BaseURL: u, Key: "k"}); !errors.Is(err, client.ErrInsecureBaseURL) {
			t.Errorf("%s: %v, want ErrInsecureBaseURL", u, err)
		}
		if _, err := client.New(client.Options{BaseURL: u, Key: "k", InsecureHTTP: true}); err != nil {
			t.Errorf("%s with InsecureHTTP: %v", u, err)
		}
	}
	for _, u := range []string{"http://127.0.0.1:9", "http://localhost:8080", "http://[::1]:1", "https://api.example.com"} {
		if _, err := client.New(client.Options{BaseURL: u, Key: "k"}); err != nil {
			t.Errorf("%s: %v", u, err)
		}
	}
}
