package history

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestAddRecentNewestFirstAndPrivate(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iwb.db")
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	at := time.Date(2026, 11, 27, 10, 0, 0, 0, time.UTC)
	for i, name := range []string{"upsert-user", "get-user"} {
		_, err := s.Add(ctx, Record{At: at.Add(time.Duration(i) * time.Minute), Action: name, Connection: "demo",
			Status: 200, Duration: 12 * time.Millisecond, Request: []byte(`{"email":"ana@acme.io"}`), Answer: []byte(`{"code":"Success"}`)})
		if err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	// A second open reads what the first kept.
	s, err = Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	got, err := s.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got[0].Action != "get-user" || got[1].Action != "upsert-user" {
		t.Fatalf("want get-user then upsert-user, got %+v", got)
	}
	r := got[1]
	if !r.At.Equal(at) || r.Status != 200 || r.Duration != 12*time.Millisecond || r.Connection != "demo" ||
		string(r.Request) != `{"email":"ana@acme.io"}` || string(r.Answer) != `{"code":"Success"}` {
		t.Fatalf("record read back differs: %+v", r)
	}
	for _, p := range []string{path, path + "-wal"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if fi.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %v, want 0600", filepath.Base(p), fi.Mode().Perm())
		}
	}
}

func TestLargeAnswerIsClipped(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "iwb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	big := bytes.Repeat([]byte("x"), MaxStored+10)
	if _, err := s.Add(context.Background(), Record{Action: "bulk-upsert-users", Answer: big}); err != nil {
		t.Fatal(err)
	}
	got, err := s.Recent(context.Background(), 1)
	if err != nil {
		t.Fatal(err)
	}
	if len(got[0].Answer) > MaxStored+len("…") || !bytes.HasSuffix(got[0].Answer, []byte("…")) {
		t.Fatalf("answer kept %d bytes, want it clipped to %d and marked", len(got[0].Answer), MaxStored)
	}
}

func BenchmarkAdd(b *testing.B) {
	s, err := Open(filepath.Join(b.TempDir(), "iwb.db"))
	if err != nil {
		b.Fatal(err)
	}
	defer s.Close()
	r := Record{At: time.Now(), Action: "upsert-user", Connection: "demo", Status: 200,
		Request: []byte(`{"email":"ana@acme.io","dataFields":{"plan":"pro"}}`), Answer: []byte(`{"msg":"","code":"Success","params":null}`)}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.Add(context.Background(), r); err != nil {
			b.Fatal(err)
		}
	}
}

func TestKeepsTheNewestMaxRecordsWithTheirSource(t *testing.T) {
	s, err := OpenMax(filepath.Join(t.TempDir(), "iwb.db"), 3)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	for i := range 5 {
		src := SourceCLI
		if i%2 == 0 {
			src = "" // the workbench's runs
		}
		if _, err := s.Add(ctx, Record{At: time.Now(), Source: src, Action: "get-user", Connection: "demo", Status: 200}); err != nil {
			t.Fatal(err)
		}
	}
	got, err := s.Recent(ctx, 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3 || got[0].ID != 5 || got[2].ID != 3 {
		t.Fatalf("kept %+v, want runs 5, 4, 3", got)
	}
	if got[0].Source != SourceWorkbench || got[1].Source != SourceCLI {
		t.Errorf("sources %q %q, want workbench then cli", got[0].Source, got[1].Source)
	}
	if r, err := s.Get(ctx, 4); err != nil || r.ID != 4 || r.Source != SourceCLI {
		t.Errorf("Get(4): %+v, %v", r, err)
	}
	if _, err := s.Get(ctx, 1); !errors.Is(err, ErrNotFound) {
		t.Errorf("Get of a dropped run: %v, want ErrNotFound", err)
	}
}

func TestOpensAHistoryMadeBeforeSources(t *testing.T) {
	path := filepath.Join(t.TempDir(), "iwb.db")
	db, err := sql.Open("sqlite", "file:"+path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`CREATE TABLE action_history (id INTEGER PRIMARY KEY AUTOINCREMENT, at_ns INTEGER NOT NULL,
		action TEXT NOT NULL, connection TEXT NOT NULL, status INTEGER NOT NULL, duration_ns INTEGER NOT NULL,
		request BLOB NOT NULL, answer BLOB NOT NULL);
		INSERT INTO action_history (at_ns, action, connection, status, duration_ns, request, answer) VALUES (1, 'create-list', 'demo', 200, 5, '{}', '{}')`); err != nil {
		t.Fatal(err)
	}
	db.Close()
	s, err := Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	r, err := s.Get(context.Background(), 1)
	if err != nil || r.Action != "create-list" || r.Source != SourceWorkbench {
		t.Errorf("the older run: %+v, %v", r, err)
	}
}

func TestPruneByAgeAndCount(t *testing.T) {
	s, err := Open(filepath.Join(t.TempDir(), "iwb.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	ctx := context.Background()
	start := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for i := range 1200 {
		if _, err := s.Add(ctx, Record{At: start.Add(time.Duration(i) * time.Hour), Action: "get-user"}); err != nil {
			t.Fatal(err)
		}
	}
	n, err := s.Prune(ctx, start.Add(100*time.Hour), 0)
	if err != nil || n != 100 {
		t.Fatalf("pruned %d before hour 100 (%v), want 100", n, err)
	}
	n, err = s.Prune(ctx, time.Time{}, 600)
	if err != nil || n != 500 {
		t.Fatalf("pruned %d keeping 600 (%v), want 500", n, err)
	}
	got, _ := s.Recent(ctx, 1000)
	if len(got) != 600 || !got[len(got)-1].At.Equal(start.Add(600*time.Hour)) {
		t.Fatalf("%d records left, oldest %v", len(got), got[len(got)-1].At)
	}
}
