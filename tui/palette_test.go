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

// TestPaletteFindsTheActionsByName: the palette holds every page's commands,
// the ten actions among them; sms finds Send SMS and runs it on its tab.
func TestPaletteFindsTheActionsByName(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.Press("ctrl+k")
	hs.Type("sms")
	if got, ok := hs.m.palette.chosen(); !ok || got.Name != "Send SMS" {
		t.Fatalf("sms chose %q", got.Name)
	}
	hs.Press("enter")
	if hs.m.Tab() != tabActions || !hs.actionForm("Send SMS") {
		t.Fatalf("the palette left tab %d mode %v:\n%s", hs.m.Tab(), hs.m.Mode(), hs.Screen())
	}
}
