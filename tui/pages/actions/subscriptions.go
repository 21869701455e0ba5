package actions

// Update user subscription overwrites every set it sends, so the form first
// reads the user's sets: it opens on them, sends only a set that changed
// (whole), and the review says what each set gains and loses.

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/internal/oneline"
	"github.com/iwb-dev/iwb/internal/termtext"
	"github.com/iwb-dev/iwb/tui/page"
	"github.com/iwb-dev/iwb/tui/style"
)

// The four sets, in one order everywhere. A profile's dataFields name them
// as the request does.
const (
	setLists = iota
	setUnsubChannels
	setUnsubTypes
	setSubTypes
	setCount
)

var (
	setNames  = [setCount]string{"emailListIds", "unsubscribedChannelIds", "unsubscribedMessageTypeIds", "subscribedMessageTypeIds"}
	setTitles = [setCount]string{"Email lists", "Unsubscribed channels", "Unsubscribed message types", "Subscribed message types"}
)

// subscriptions are a user's sets as Iterable had them when read.
type subscriptions struct {
	who   string // identityOf the values they were read for
	found bool   // Iterable has the user
	err   error  // they could not be read
	sets  [setCount][]int64
}

// subscriptionsLoadedMsg brings a user's sets.
type subscriptionsLoadedMsg struct {
	gen  int
	subs *subscriptions
}

// identityOf is who the values name: their email, else their userId.
func identityOf(v *formValues) string {
	if e := strings.TrimSpace(v.email); e != "" {
		return e
	}
	return strings.TrimSpace(v.userID)
}

// readFor says the sets were read for the user v names now.
func (s *subscriptions) readFor(v *formValues) bool { return s != nil && s.who == identityOf(v) }

// known says the user's sets are known (read, or none: a new user).
func (s *subscriptions) known() bool { return s != nil && s.err == nil }

// loadSubscriptions reads the user's sets from their profile.
func (p *Page) loadSubscriptions() tea.Cmd {
	c, gen, v := p.client, p.gen, p.run.values
	email, userID, who := strings.TrimSpace(v.email), strings.TrimSpace(v.userID), identityOf(v)
	return func() tea.Msg {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		var u *client.User
		var err error
		if email != "" {
			u, err = c.GetUserByEmail(ctx, email)
		} else {
			u, err = c.GetUserByUserID(ctx, userID)
		}
		s := &subscriptions{who: who, err: err}
		if errors.Is(err, client.ErrUserNotFound) {
			s.err = nil
		}
		if u != nil {
			s.found = true
			for i, name := range setNames {
				s.sets[i] = idsIn(u.DataFields[name])
			}
		}
		return subscriptionsLoadedMsg{gen: gen, subs: s}
	}
}

// subscriptionsLoaded opens the form on the user's sets. A run again keeps its request's sets: they are what the
// user meant to have; any other set starts as the user has it.
func (p *Page) subscriptionsLoaded(s *subscriptions) tea.Cmd {
	r := p.run
	prev := r.subs
	r.subs = s
	if s.known() {
		v := r.values
		for i, set := range v.subSets() {
			if prev == nil && v.requested && *set.chosen != nil {
				continue
			}
			*set.chosen, *set.typed = slices.Clone(s.sets[i]), joinIDs(s.sets[i])
		}
		// What was read is not input: leaving still asks only for what
		// the user changed.
		if r.opened != nil {
			opened := *r.opened
			for i, set := range opened.subSets() {
				now := v.subSets()[i]
				*set.chosen, *set.typed = copyOrNil(*now.chosen), *now.typed
			}
			r.opened = &opened
		}
	}
	return p.showForm()
}

// subSet is one set as the form holds it: ticked, or typed when its pick
// list did not load.
type subSet struct {
	chosen *[]int64
	typed  *string
}

func (v *formValues) subSets() [setCount]subSet {
	return [setCount]subSet{
		{&v.emailLists, &v.emailListsText}, {&v.unsubChannels, &v.unsubChannelsText},
		{&v.unsubTypes, &v.unsubTypesText}, {&v.subTypes, &v.subTypesText},
	}
}

// typedSets says, per set, that it is typed: its pick list did not load.
func (pd *pickData) typedSets() [setCount]bool {
	return [setCount]bool{pd.listsErr != nil, pd.channelsErr != nil, pd.typesErr != nil, pd.typesErr != nil}
}

// chosenSets are the sets the form holds now.
func chosenSets(v *formValues, pd *pickData) [setCount][]int64 {
	var out [setCount][]int64
	typed := pd.typedSets()
	for i, set := range v.subSets() {
		if typed[i] {
			out[i], _ = parseIDs(*set.typed) // validated in the form
		} else {
			out[i] = *set.chosen
		}
	}
	return out
}

// sentSets are the sets the request carries. With the user's sets known:
// each that changed, whole (an emptied one as []), the others left out.
// Without: each set chosen, and none left out when nothing is chosen.
func sentSets(v *formValues, pd *pickData, s *subscriptions) [setCount][]int64 {
	var out [setCount][]int64
	for i, chosen := range chosenSets(v, pd) {
		switch {
		case !s.known():
			if len(chosen) > 0 {
				out[i] = chosen
			}
		case !sameIDs(chosen, s.sets[i]):
			out[i] = append([]int64{}, chosen...)
		}
	}
	return out
}

func sameIDs(a, b []int64) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// bothWays refuses a message type both unsubscribed and subscribed.
func bothWays(unsub, sub []int64, pd *pickData) error {
	for _, id := range sub {
		if slices.Contains(unsub, id) {
			return fmt.Errorf("%s is both unsubscribed and subscribed: untick it in one of them", pd.label(setSubTypes, id))
		}
	}
	return nil
}

// checkSubscription refuses what the form holds that contradicts itself.
func checkSubscription(v *formValues, pd *pickData) error {
	sets := chosenSets(v, pd)
	return bothWays(sets[setUnsubTypes], sets[setSubTypes], pd)
}

// label names an id of a set as the account has it: "Newsletter (2001)",
// a message type with its channel's medium and type.
func (pd *pickData) label(set int, id int64) string {
	switch set {
	case setLists:
		for _, l := range pd.lists {
			if l.ID == id {
				return fmt.Sprintf("%s (%d)", termtext.Line(l.Name), id)
			}
		}
	case setUnsubChannels:
		for _, c := range pd.channels {
			if c.ID == id {
				return fmt.Sprintf("%s (%d)", termtext.Line(c.Name), id)
			}
		}
	default:
		for _, t := range pd.messageTypes {
			if t.ID == id {
				return pd.typeLabel(t)
			}
		}
	}
	return strconv.FormatInt(id, 10)
}

// typeLabel is "Newsletter (201) · Email · Marketing": a message type's
// name says little without its channel.
func (pd *pickData) typeLabel(t client.MessageType) string {
	s := fmt.Sprintf("%s (%d)", termtext.Line(t.Name), t.ID)
	for _, c := range pd.channels {
		if c.ID == t.ChannelID {
			return s + " · " + termtext.Line(c.MessageMedium) + " · " + termtext.Line(c.ChannelType)
		}
	}
	return s + fmt.Sprintf(" · channel %d", t.ChannelID)
}

// subscriptionNote heads the sets in the form: whose they are, and what
// is sent; warn when they could not be read.
func subscriptionNote(s *subscriptions) (note string, warn bool) {
	who := s.who
	switch {
	case s.err != nil:
		return "⚠ " + who + "'s sets could not be read (" + oneline.Of(s.err.Error(), 80) +
			"): a set you tick replaces theirs; none ticked: left as is", true
	case !s.found:
		return who + " is not a user yet: what you tick is what they will have", false
	}
	return who + "'s lists and subscriptions now are ticked; only a changed set is sent", false
}

// subscriptionChanges are the review's lines: for each set sent, the ids
// it adds and removes against the user's sets as read; read from the body
// itself, so they say what is sent.
func subscriptionChanges(th style.Theme, body []byte, s *subscriptions, pd *pickData) []string {
	var req client.UpdateSubscriptionsRequest
	_ = json.Unmarshal(body, &req)
	sent := [setCount][]int64{req.EmailListIDs, req.UnsubscribedChannelIDs, req.UnsubscribedMessageTypeIDs, req.SubscribedMessageTypeIDs}
	lines := []string{" " + th.Title.Render("What changes for "+termtext.Line(identityOf(&formValues{email: req.Email, userID: req.UserID})))}
	if s == nil || s.err != nil {
		lines = append(lines, " "+th.Warn.Render("⚠ their sets could not be read: each set sent replaces theirs"))
	}
	for i, ids := range sent {
		title := "  " + setTitles[i]
		switch {
		case ids == nil:
			lines = append(lines, title+th.Muted.Render(" · unchanged, not sent"))
			continue
		case !s.known():
			lines = append(lines, title+" · becomes "+labels(i, ids, pd))
			continue
		}
		added, removed := client.IDChanges(s.sets[i], ids)
		if len(added)+len(removed) == 0 {
			lines = append(lines, title+th.Muted.Render(" · sent as it is"))
			continue
		}
		lines = append(lines, title)
		for _, id := range added {
			lines = append(lines, "    "+th.OK.Render("+ added")+"   "+pd.label(i, id))
		}
		for _, id := range removed {
			lines = append(lines, "    "+th.Error.Render("− removed")+" "+pd.label(i, id))
		}
	}
	return lines
}

func labels(set int, ids []int64, pd *pickData) string {
	if len(ids) == 0 {
		return "none"
	}
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = pd.label(set, id)
	}
	return strings.Join(parts, ", ")
}

// subscriptionsDue says Update user subscription must read the user's
// sets before going on: they were not read for the user given.
func (p *Page) subscriptionsDue() bool {
	r := p.run
	return r.action.Name == "update-subscription" && !r.subs.readFor(r.values)
}

// givenUser says the values name one user, as the form would take them.
func givenUser(v *formValues) bool {
	e, u := strings.TrimSpace(v.email), strings.TrimSpace(v.userID)
	return (e == "") != (u == "") && validateEmail(e) == nil
}

// waitSubscriptions shows the loading screen while the user's sets are read.
func (p *Page) waitSubscriptions() tea.Cmd {
	p.stage = stageLoading
	p.run.loading = termtext.Line(identityOf(p.run.values)) + "'s lists and subscriptions"
	return tea.Batch(p.loadSubscriptions(), page.Wait(p.spinner.Tick))
}
