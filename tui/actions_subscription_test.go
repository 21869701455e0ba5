package tui

import (
	"context"
	"fmt"
	"net/http"
	"testing"

	"github.com/iwb-dev/iwb/client"
)

// subscriptionSets reads the user's four sets back from the sandbox.
func subscriptionSets(t *testing.T, env *sandboxEnv, email string) string {
	t.Helper()
	u, err := env.c.GetUserByEmail(context.Background(), email)
	if err != nil {
		t.Fatal(err)
	}
	df := u.DataFields
	return fmt.Sprint(df["emailListIds"], df["unsubscribedChannelIds"], df["unsubscribedMessageTypeIds"], df["subscribedMessageTypeIds"])
}

// TestUpdateSubscriptionStartsFromTheUsersSets: given the email, the form
// reads the user's lists and subscriptions and opens on them; the review
// says what each set gains and loses, only changed sets are sent (whole),
// and the sets left alone stay as they were in the sandbox.
func TestUpdateSubscriptionStartsFromTheUsersSets(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	ctx := context.Background()
	if _, err := env.c.CreateList(ctx, client.CreateListRequest{Name: "Win-back VIPs"}); err != nil {
		t.Fatal(err)
	}
	if _, err := env.c.UpdateSubscriptions(ctx, client.UpdateSubscriptionsRequest{Email: "ada@example.com", UnsubscribedMessageTypeIDs: []int64{203}}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter")
	if n := env.rec.count("GET", "/api/users/getByEmail"); n != 1 {
		t.Fatalf("the user's sets were read %d times, want once", n)
	}
	hs.MustShow("ada@example.com's lists and subscriptions now are ticked", "[x] Newsletter (2001)", "[ ] Win-back VIPs (2002)")
	hs.Press("down", "x", "up", "x", "enter") // Win-back VIPs in, Newsletter out
	hs.Press("enter")                         // channels as they are
	hs.MustShow("[x] Promotions (203) · Push · Marketing")
	hs.Press("enter", "x", "enter") // subscribed to the Newsletter type
	hs.Press("enter", "enter", "enter")
	hs.MustShow("Review: POST /api/users/updateSubscriptions", "What changes for ada@example.com",
		"+ added   Win-back VIPs (2002)", "− removed Newsletter (2001)",
		"Unsubscribed channels · unchanged, not sent", "Unsubscribed message types · unchanged, not sent",
		"+ added   Newsletter (201) · Email · Marketing")
	hs.Press("enter")
	want := `{"email":"ada@example.com","emailListIds":[2002],"subscribedMessageTypeIds":[201]}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/users/updateSubscriptions").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
	hs.MustShow("200 OK")
	if got := subscriptionSets(t, env, "ada@example.com"); got != "[2002] <nil> [203] [201]" {
		t.Fatalf("ada's sets are %s, want [2002] <nil> [203] [201]", got)
	}
}

// TestUpdateSubscriptionRefusesATypeBothWays: a message type ticked both as
// unsubscribed and subscribed is refused by name, and nothing is sent.
func TestUpdateSubscriptionRefusesATypeBothWays(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	if _, err := env.c.UpdateSubscriptions(context.Background(), client.UpdateSubscriptionsRequest{Email: "ada@example.com", UnsubscribedMessageTypeIDs: []int64{201}}); err != nil {
		t.Fatal(err)
	}
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter")
	hs.MustShow("[x] Newsletter (201) · Email · Marketing")
	hs.Press("enter", "x", "enter")
	hs.MustShow("Newsletter (201) · Email · Marketing is both unsubscribed and subscribed")
	hs.Press("enter", "enter", "enter", "enter")
	hs.MustNotShow("Review: POST")
	if n := env.rec.count("POST", "/api/users/updateSubscriptions"); n != 1 { // the test's own, above
		t.Fatalf("a contradictory subscription was sent %d times", n-1)
	}
}

// TestUpdateSubscriptionOfANewUser says the user is not one yet, and sends
// what is ticked.
func TestUpdateSubscriptionOfANewUser(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Paste("new@acme.io")
	hs.Press("enter", "enter")
	hs.MustShow("new@acme.io is not a user yet: what you tick", "[ ] Newsletter (2001)")
	hs.Press("x", "enter", "enter", "enter", "enter", "enter", "enter", "enter")
	hs.MustShow("What changes for new@acme.io", "+ added   Newsletter (2001)")
	hs.Press("enter")
	want := `{"email":"new@acme.io","emailListIds":[2001]}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/users/updateSubscriptions").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
}

// TestUpdateSubscriptionWhenTheUserCannotBeRead warns that each set sent
// replaces the user's, and leaves out what is not ticked.
func TestUpdateSubscriptionWhenTheUserCannotBeRead(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/users/getByEmail", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter")
	hs.MustShow("⚠ ada@example.com's sets could not be read (", "none chosen: left as is", "[ ] Newsletter (2001)")
	hs.Press("enter", "x", "enter", "enter", "enter", "enter", "enter", "enter")
	hs.MustShow("their sets could not be read: each set sent replaces theirs",
		"Email lists · unchanged, not sent", "Unsubscribed channels · becomes Marketing Email (101)")
	hs.Press("enter")
	want := `{"email":"ada@example.com","unsubscribedChannelIds":[101]}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/users/updateSubscriptions").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
}

// TestUpdateSubscriptionAnotherUserReadsTheirSets: going back to the user
// and giving another reads that user's sets in place of the first's.
func TestUpdateSubscriptionAnotherUserReadsTheirSets(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter")
	hs.MustShow("ada@example.com's lists and subscriptions now are ticked", "[x] Newsletter (2001)")
	hs.Press("shift+tab", "shift+tab")
	hs.MustShow("> ada@example.com")
	hs.Press("ctrl+u")
	hs.Paste("new@acme.io")
	hs.Press("enter", "enter")
	hs.MustShow("new@acme.io is not a user yet: what you tick", "[ ] Newsletter (2001)")
}

// TestUpdateSubscriptionTypedIDsBothWaysAreRefusedAtTheReview: with the
// message types unreadable their ids are typed; one typed in both sets is
// refused before the review, by id.
func TestUpdateSubscriptionTypedIDsBothWaysAreRefusedAtTheReview(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	env.rec.next = failing(env.rec.next, "GET /api/messageTypes", http.StatusForbidden)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Paste("ada@example.com")
	hs.Press("enter", "enter", "enter", "enter")
	hs.MustShow("Unsubscribed message types", "type ids, comma separated")
	hs.Paste("201, 202")
	hs.Press("enter")
	hs.Paste("202")
	hs.Press("enter", "enter", "enter", "enter")
	hs.MustShow("202 is both unsubscribed and subscribed")
	hs.MustNotShow("Review: POST")
	if n := env.rec.count("POST", "/api/users/updateSubscriptions"); n != 0 {
		t.Fatalf("a contradictory subscription was sent %d times", n)
	}
}

// TestUpdateSubscriptionRunAgainOpensOnTheUsersSets: a run again names the
// user, so their sets are read at once and the form opens past the user;
// the request's sets are what the user meant (here: no lists), the others
// start as the user has them, and the review says what that changes.
func TestUpdateSubscriptionRunAgainOpensOnTheUsersSets(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := runAgain(t, env, "update-subscription", `{"email":"ada@example.com","emailListIds":[]}`)
	if !hs.actionForm("Update user subscription") {
		t.Fatalf("R should open Update user subscription:\n%s", hs.Screen())
	}
	hs.MustShow("ada@example.com's lists and subscriptions now are ticked", "Email lists", "[ ] Newsletter (2001)")
	hs.MustNotShow("> ada@example.com")
	hs.Press("enter", "enter", "enter", "enter", "enter", "enter", "enter")
	hs.MustShow("What changes for ada@example.com", "− removed Newsletter (2001)", "Unsubscribed channels · unchanged, not sent")
	hs.Press("enter")
	want := `{"email":"ada@example.com","emailListIds":[]}`
	if s := mustJSON(t, bodyOf(t, env.rec.last(t, "POST", "/api/users/updateSubscriptions").Body)); s != want {
		t.Fatalf("the sandbox got %s, want %s", s, want)
	}
}

// TestUpdateSubscriptionByUserID reads the sets of the user the userId
// names.
func TestUpdateSubscriptionByUserID(t *testing.T) {
	t.Parallel()
	env := newSandboxEnv(t)
	hs := newHarness(t, env.deps(), 120, 40)
	hs.openAction("Update user subscription")
	hs.Press("enter")
	hs.Paste("u-1002")
	hs.Press("enter")
	hs.MustShow("u-1002's lists and subscriptions now are ticked")
	if n := env.rec.count("GET", "/api/users/byUserId/u-1002"); n != 1 {
		t.Fatalf("the user's sets were read by userId %d times, want once", n)
	}
}
