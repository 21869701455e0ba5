package tui

import "testing"

func TestMatchScore(t *testing.T) {
	t.Parallel()
	if _, ok := matchScore("xyz", "Add a connection"); ok {
		t.Error("xyz matched")
	}
	sub, _ := matchScore("conn", "Add a connection")
	fuzzy, _ := matchScore("adcn", "Add a connection")
	if sub >= fuzzy {
		t.Errorf("a substring (%d) should rank before a fuzzy match (%d)", sub, fuzzy)
	}
	start, _ := matchScore("add", "Add a connection")
	inner, _ := matchScore("dd", "Add a connection")
	if start >= inner {
		t.Errorf("a word start (%d) should rank before a match inside a word (%d)", start, inner)
	}
}
