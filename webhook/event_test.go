package webhook

import "testing"

func TestWhoIsTheEmailElseTheUserID(t *testing.T) {
	for _, c := range []struct{ email, userID, want string }{
		{"ada@example.com", "u-1", "ada@example.com"},
		{"", "u-1", "u-1"},
		{"", "", ""},
	} {
		if got := (Event{Email: c.email, UserID: c.userID}).Who(); got != c.want {
			t.Errorf("email %q userId %q: Who() = %q, want %q", c.email, c.userID, got, c.want)
		}
	}
}
