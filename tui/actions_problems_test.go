package tui

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestADuplicateDataFieldMarksBothRowsAndTheNoticeGoes: a data field given
// twice marks both its rows with the reason, right under each; review is
// refused with a notice that goes by itself once a row is removed.
func TestADuplicateDataFieldMarksBothRowsAndTheNoticeGoes(t *testing.T) {
	t.Parallel()
	bothSizes(t, func(t *testing.T, w, h int) {
		env := newSandboxEnv(t)
		hs := newHarness(t, env.deps(), w, h)
		hs.openAction("Upsert user")
		hs.Paste("ada@example.com")
		hs.Press("enter", "enter", "enter", "enter", "enter")
		hs.addField("plan", 0, "pro")
		hs.addField("tier", 0, "gold")
		hs.addField("plan", 0, "basic")
		s := hs.Screen()
		if n := strings.Count(s, "✗ plan: given twice (rows 1 and 3)"); n != 2 {
			t.Fatalf("%d rows say plan is given twice, want both:\n%s", n, s)
		}
		if n := strings.Count(s, "(project) ✗"); n != 2 {
			t.Fatalf("%d rows are marked ✗, want both plan rows:\n%s", n, s)
		}
		hs.CheckFrame(w, h)
		hs.Press("tab", "enter")
		hs.MustShow("fix the ✗ rows first: plan: given twice")
		// The third row goes: both marks and the notice go with it.
		hs.Press("up", "up", "delete")
		hs.MustNotShow("given twice", "fix the ✗ rows first", "✗")
		hs.MustShow(`"plan": "pro"`, `"tier": "gold"`)
		hs.Press("tab", "enter")
		hs.MustShow("Review: POST /api/users/update")
		if n := env.rec.count("POST", "/api/users/update"); n != 0 {
			t.Fatalf("sent before the review was confirmed")
		}
	})
}

// TestBulkReviewShowsTheFilesColumnsWithTheirTypes: the review of a bulk
// file lists the data fields it sets, each with the type it goes as: the
// project's for a field it has, else the one its first value fixes.
func TestBulkReviewShowsTheFilesColumnsWithTheirTypes(t *testing.T) {
	t.Parallel()
	files := []struct{ name, text string }{
		{"users.csv", "email,plan,score,tier\nana@acme.io,pro,42,gold\nbo@acme.io,basic,7,\n"},
		{"users.jsonl", `{"email":"ana@acme.io","dataFields":{"plan":"pro","score":42,"points":12.5,"tags":["a","b"],"vip":true}}` + "\n"},
	}
	want := map[string][]string{
		"users.csv": {"score    long       (project)", "plan     string     (project)",
			"tier     string     new field ⚠ its first value fixes its type"},
		"users.jsonl": {"points   double     new field", "tags     [string]   new field", "vip      boolean    new field", "score    long       (project)"},
	}
	for _, f := range files {
		bothSizes(t, func(t *testing.T, w, h int) {
			env := newSandboxEnv(t)
			path := filepath.Join(t.TempDir(), f.name)
			if err := os.WriteFile(path, []byte(f.text), 0o600); err != nil {
				t.Fatal(err)
			}
			hs := newHarness(t, env.deps(), w, h)
			hs.openAction("Bulk upsert users")
			hs.Press("down", "enter", "enter")
			hs.Paste(path)
			hs.Press("enter")
			hs.MustShow("Data fields in the file, as they will be sent")
			hs.MustShow(want[f.name]...)
			hs.CheckFrame(w, h)
		})
	}
}
