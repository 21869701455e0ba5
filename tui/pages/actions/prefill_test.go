package actions

import (
	"testing"

	"github.com/iwb-dev/iwb/client"
)

// TestPrefillUserNamesTheUserAsEachFormTakesIt: the email when there is
// one, else the userId (a form takes one, never both); a user already in
// the form is kept; a form that names no user takes none.
func TestPrefillUserNamesTheUserAsEachFormTakesIt(t *testing.T) {
	action := func(name string) client.Action {
		a, ok := client.LookupAction(name)
		if !ok {
			t.Fatalf("no action %s", name)
		}
		return a
	}
	for _, c := range []struct {
		action, email, userID string
		given                 func(*formValues)
		want                  string
		check                 func(*formValues) bool
	}{
		{"upsert-user", "ana@acme.io", "u-1", nil, "ana@acme.io", func(v *formValues) bool { return v.email == "ana@acme.io" && v.userID == "" }},
		{"track-event", "", "u-1", nil, "u-1", func(v *formValues) bool { return v.email == "" && v.userID == "u-1" }},
		{"get-user", "", "u-1", nil, "", func(v *formValues) bool { return v.email == "" }},
		{"add-subscribers", "", "u-1", nil, "u-1", func(v *formValues) bool { return v.usersText == "u-1" }},
		{"update-subscription", "ana@acme.io", "", func(v *formValues) { v.userID = "u-9" }, "",
			func(v *formValues) bool { return v.email == "" && v.userID == "u-9" }},
		{"bulk-upsert-users", "ana@acme.io", "", func(v *formValues) { v.usersFrom = usersFile }, "", func(v *formValues) bool { return v.usersText == "" }},
		{"list-lists", "ana@acme.io", "", nil, "", func(v *formValues) bool { return v.email == "" }},
	} {
		v := newFormValues()
		if c.given != nil {
			c.given(v)
		}
		if got := prefillUser(action(c.action), v, c.email, c.userID); got != c.want || !c.check(v) {
			t.Errorf("%s with %q/%q: put %q, values %+v", c.action, c.email, c.userID, got, *v)
		}
	}
}
