package client_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/iwb-dev/iwb/client"
)

func TestCountUsersReadsBothFormsAndStopsAtABadLine(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	jsonl := write("users.jsonl", "{\"email\":\"a@example.com\"}\n\n{\"userId\":\"u-2\"}\n")
	csv := write("users.CSV", "email,tier\na@example.com,1\nb@example.com,2\nc@example.com,3\n")
	if n, err := client.CountUsers(jsonl, nil); n != 2 || err != nil {
		t.Errorf("JSON Lines: %d users, %v; want 2", n, err)
	}
	// The converter types CSV cells: a cell it refuses stops the count there.
	refuse3 := func(_, text string) (any, error) {
		if text == "3" {
			return nil, os.ErrInvalid
		}
		return text, nil
	}
	if n, err := client.CountUsers(csv, refuse3); n != 2 || err == nil {
		t.Errorf("CSV with a refused cell: %d users, %v; want 2 and an error", n, err)
	}
	bad := write("bad.jsonl", "{\"email\":\"a@example.com\"}\n{\"tier\":1}\n")
	if _, err := client.CountUsers(bad, nil); err == nil || !strings.Contains(err.Error(), "line 2") {
		t.Errorf("a user with neither email nor userId: %v, want line 2 named", err)
	}
	if _, err := client.CountUsers(write("users.txt", "a@example.com\n"), nil); err == nil {
		t.Error("a .txt file was read as users")
	}
	if _, _, err := client.OpenUsersFile(filepath.Join(dir, "missing.jsonl"), nil); err == nil {
		t.Error("a missing file opened")
	}
}
