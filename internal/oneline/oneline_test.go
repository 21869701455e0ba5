package oneline

import "testing"

func TestOf(t *testing.T) {
	for _, c := range []struct {
		in   string
		max  int
		want string
	}{
		{"400 Bad Request:\n\t{\"msg\": \"bad\"}\r\n", 0, `400 Bad Request: {"msg": "bad"}`},
		{"  spaced   out  ", 0, "spaced out"},
		{"ümlaut ümlaut", 6, "ümlaut…"},
		{"short", 80, "short"},
		{"", 10, ""},
	} {
		if got := Of(c.in, c.max); got != c.want {
			t.Errorf("Of(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
