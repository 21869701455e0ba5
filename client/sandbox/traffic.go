package sandbox

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/iwb-dev/iwb/client"
)

// EventFamily is a group of system webhook events of one medium.
type EventFamily struct {
	Name   string // the campaigns key: email, push, sms, inApp, webPush, embedded, whatsApp, journey
	Events []string
}

// EventFamilies are every system webhook event the generator makes.
var EventFamilies = []EventFamily{
	{"email", []string{"emailSend", "emailOpen", "emailClick", "emailBounce", "emailComplaint", "emailSendSkip",
		"emailSubscribe", "emailUnSubscribe", "hostedUnsubscribeClick"}},
	{"push", []string{"pushSend", "pushOpen", "pushBounce", "pushUninstall", "pushSendSkip"}},
	{"sms", []string{"smsSend", "smsBounce", "smsClick", "smsReceived", "smsSendSkip"}},
	{"inApp", []string{"inAppSend", "inAppOpen", "inAppClick", "inAppClose", "inAppDelete", "inAppDelivery",
		"inAppRecall", "inAppSendSkip"}},
	{"webPush", []string{"webPushSend", "webPushClick", "webPushSendSkip"}},
	{"embedded", []string{"embeddedSend", "embeddedSendSkip", "embeddedClick", "embeddedReceived",
		"embeddedImpression", "embeddedSession"}},
	{"whatsApp", []string{"whatsAppSend", "whatsAppBounce", "whatsAppClick", "whatsAppReceived", "whatsAppSeen",
		"whatsAppSendSkip"}},
	{"journey", []string{"journeyExit"}},
}

// TrafficOptions configure a traffic generator.
type TrafficOptions struct {
	URL        string        // where system webhooks go
	JourneyURL string        // where journey webhooks go; default URL
	Interval   time.Duration // between two events; default 1s
	Seed       uint64        // the same seed makes the same sequence; 0: random
	HTTPClient *http.Client
	Header     http.Header // sent with every request, e.g. Authorization
	// Authorize, when set, adds the receiver's current credentials to each
	// request's header, so traffic keeps flowing when they change.
	Authorize func(http.Header)
}

// Delivery is one generated webhook request.
type Delivery struct {
	URL        string
	Kind       string // "system" or "workflow"
	EventName  string // system events only
	WorkflowID int64  // 0 when the event is not from a journey
	Body       []byte
}

// Traffic generates realistic system and journey webhooks about the
// sandbox's users, campaigns and journeys.
type Traffic struct {
	s    *Sandbox
	opts TrafficOptions

	mu  sync.Mutex
	rng *rand.Rand

	sent, failed atomic.Int64
}

// NewTraffic makes a generator; Run sends, Next only makes.
func (s *Sandbox) NewTraffic(opts TrafficOptions) *Traffic {
	if opts.JourneyURL == "" {
		opts.JourneyURL = opts.URL
	}
	if opts.Interval <= 0 {
		opts.Interval = time.Second
	}
	if opts.HTTPClient == nil {
		opts.HTTPClient = &http.Client{Timeout: 5 * time.Second}
	}
	seed := opts.Seed
	if seed == 0 {
		seed = rand.Uint64()
	}
	return &Traffic{s: s, opts: opts, rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
}

// Sent and Failed count deliveries of Run.
func (t *Traffic) Sent() int64   { return t.sent.Load() }
func (t *Traffic) Failed() int64 { return t.failed.Load() }

// Run posts one event per interval until ctx ends; failures are counted, not fatal.
func (t *Traffic) Run(ctx context.Context) {
	tick := time.NewTicker(t.opts.Interval)
	defer tick.Stop()
	for {
		err := t.Send(ctx, t.Next())
		if ctx.Err() != nil {
			return
		}
		if err != nil {
			t.failed.Add(1)
		} else {
			t.sent.Add(1)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		}
	}
}

// Send posts one generated webhook with the configured headers and credentials.
func (t *Traffic) Send(ctx context.Context, d Delivery) error {
	h := t.opts.Header.Clone()
	if h == nil {
		h = http.Header{}
	}
	h.Set("Content-Type", "application/json")
	if t.opts.Authorize != nil {
		t.opts.Authorize(h)
	}
	return post(ctx, t.opts.HTTPClient, delivery{url: d.URL, header: h, body: d.Body})
}

// Next makes the next event: mostly system webhooks of every family, and
// about one in six a journey webhook carrying its workflow id.
func (t *Traffic) Next() Delivery {
	t.mu.Lock()
	defer t.mu.Unlock()
	people := t.s.people()
	p := people[t.rng.IntN(len(people))]
	now := time.Now()
	if t.rng.IntN(6) == 0 {
		return t.journeyWebhook(p, now)
	}
	family := EventFamilies[t.rng.IntN(len(EventFamilies))]
	name := family.Events[t.rng.IntN(len(family.Events))]
	var j *client.Journey
	if family.Name == "journey" || t.rng.IntN(2) == 0 {
		j = &journeys[t.rng.IntN(len(journeys))]
	}
	c, ok := campaigns[family.Name]
	if !ok {
		c = campaigns["email"]
	}
	event := systemEvent(name, p, &c, j, now, t.extra(family.Name, name, p, j))
	if family.Name == "journey" {
		// A journey exit is about the journey, not a message.
		fields := event["dataFields"].(map[string]any)
		for _, k := range []string{"campaignId", "campaignName", "templateId", "templateName", "channelId",
			"messageTypeId", "emailId", "messageId"} {
			delete(fields, k)
		}
	}
	if p.userID != "" && t.rng.IntN(4) == 0 {
		delete(event, "email") // userID-based projects identify by userId alone
	}
	d := Delivery{URL: t.opts.URL, Kind: "system", EventName: name, Body: eventJSON(event)}
	if j != nil {
		d.WorkflowID = j.ID
	}
	return d
}

// journeyWebhook is a journey's Call Webhook tile. Its body is not
// documented, so the workflow id travels in each of the places a receiver
// must look: top-level, dataFields, the query, or the path.
func (t *Traffic) journeyWebhook(p person, now time.Time) Delivery {
	j := journeys[t.rng.IntN(len(journeys))]
	fields := map[string]any{"email": p.email, "createdAt": formatTime(now), "phoneNumber": p.phone}
	body := map[string]any{"email": p.email, "dataFields": fields}
	if p.userID != "" {
		body["userId"] = p.userID
	}
	url := t.opts.JourneyURL
	switch t.rng.IntN(4) {
	case 0:
		body["workflowId"], body["workflowName"] = j.ID, j.Name
	case 1:
		fields["workflowId"], fields["workflowName"] = j.ID, j.Name
	case 2:
		url = addQuery(url, fmt.Sprintf("workflowId=%d", j.ID))
	default:
		url = strings.TrimRight(url, "/") + fmt.Sprintf("/workflows/%d", j.ID)
	}
	return Delivery{URL: url, Kind: "workflow", WorkflowID: j.ID, Body: eventJSON(body)}
}

func addQuery(url, q string) string {
	if strings.Contains(url, "?") {
		return url + "&" + q
	}
	return url + "?" + q
}

// extra are the fields particular to an event, as Iterable documents them.
func (t *Traffic) extra(family, name string, p person, j *client.Journey) map[string]any {
	x := map[string]any{}
	switch family {
	case "email":
		x["emailSubject"] = "Our spring sale starts now"
		x["contentId"] = 274000 + t.rng.IntN(1000)
		switch name {
		case "emailClick", "hostedUnsubscribeClick":
			x["url"] = "https://shop.example.com/spring"
			x["ip"] = "203.0.113.24"
			x["userAgent"] = "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_4) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.4 Safari/605.1.15"
			x["userAgentDevice"] = "Mac"
			x["city"], x["region"], x["country"] = "Lisbon", "11", "Portugal"
		case "emailOpen":
			x["userAgent"] = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_4 like Mac OS X)"
			x["proxySource"] = "Apple"
		case "emailBounce":
			x["recipientState"] = "HardBounce"
		case "emailSendSkip":
			x["reason"] = "DuplicateMarketingMessage"
		case "emailSubscribe", "emailUnSubscribe":
			x["emailListIds"] = []int64{2001}
			x["channelIds"] = []int64{}
			x["messageTypeIds"] = []int64{}
			x["unsubSource"] = "EmailLink"
		}
	case "push":
		x["pushMessage"] = "Your size is back in stock"
		x["platformEndpoint"] = "arn:aws:sns:us-east-1:000000000000:endpoint/APNS/iwb-demo/" + NewKey()[:12]
		x["payload"] = map[string]any{"path": "products/4711"}
		x["sound"], x["badge"], x["deeplink"] = "", nil, nil
		x["contentAvailable"] = false
		if name == "pushOpen" {
			x["appAlreadyRunning"] = t.rng.IntN(2) == 0
		}
		if name == "pushSendSkip" {
			x["reason"] = "NoDevices"
		}
	case "sms":
		x["toPhoneNumber"] = p.phone
		x["fromPhoneNumberId"] = 258
		x["smsMessage"] = "Flash sale: 30% off today only"
		x["imageUrl"] = nil
		switch name {
		case "smsReceived":
			x["fromPhoneNumber"], x["toPhoneNumber"], x["smsMessage"] = p.phone, "+15005550006", "STOP"
		case "smsClick":
			x["url"] = "https://shop.example.com/flash"
		case "smsSendSkip":
			x["reason"] = "UnsubscribedFromChannel"
		case "smsBounce":
			x["smsProviderResponseCode"] = "30003"
		}
	case "inApp":
		x["messageContext"] = map[string]any{"saveToInbox": true, "trigger": "immediate"}
		x["inAppBody"] = "<p>Have you tried the new dashboard?</p>"
		x["expiresAt"] = formatTime(time.Now().Add(24 * time.Hour))
		if name == "inAppClick" {
			x["clickedUrl"] = "iterable://dismiss"
		}
		if name == "inAppSendSkip" {
			x["reason"] = "FrequencyCapped"
		}
	case "webPush":
		x["webPushMessage"] = "Prices dropped on your wishlist"
		x["webPushIcon"], x["webPushBody"], x["webPushClickAction"] = nil, nil, nil
		x["browserToken"] = NewKey() + NewKey()
		if name == "webPushSendSkip" {
			x["reason"] = "DuplicateMarketingMessage"
		}
	case "embedded":
		x["placementId"] = 301
		x["messageContext"] = map[string]any{"placementId": 301}
		if name == "embeddedSession" {
			x["session"] = map[string]any{"id": NewKey()[:16], "start": formatTime(time.Now().Add(-2 * time.Minute))}
		}
		if name == "embeddedSendSkip" {
			x["reason"] = "UserNotEligible"
		}
	case "whatsApp":
		x["toPhoneNumber"] = p.phone
		x["whatsAppMessage"] = "Your order has shipped"
		if name == "whatsAppReceived" {
			x["fromPhoneNumber"] = p.phone
		}
		if name == "whatsAppSendSkip" {
			x["reason"] = "UnsubscribedFromChannel"
		}
	case "journey":
		x["journeyExitReason"] = "ReachedExitTile"
		if j != nil {
			x["workflowId"], x["workflowName"] = j.ID, j.Name
		}
	}
	return x
}

// people are the users events are about: the stored ones, or the seed when stateless.
func (s *Sandbox) people() []person {
	s.mu.Lock()
	defer s.mu.Unlock()
	emails := sortedKeys(s.users) // sorted, so a seed replays the same sequence
	out := make([]person, 0, min(len(emails), 500))
	for _, e := range emails[:min(len(emails), 500)] {
		out = append(out, s.users[e].person())
	}
	if len(out) == 0 {
		for _, raw := range seedUsers {
			var in client.OptionalApiUser
			_ = json.Unmarshal([]byte(raw), &in)
			phone, _ := in.DataFields["phoneNumber"].(string)
			out = append(out, person{email: in.Email, userID: in.UserID, phone: phone})
		}
	}
	return out
}

// The order Iterable's documentation writes a webhook's keys in, at the top
// and in dataFields; keys not listed follow alphabetically. Order carries no
// meaning in JSON, but it is what a user reading the Events tab, or inferring
// a schema whose fields keep first-seen order, expects to see.
var (
	eventKeyOrder     = []string{"email", "userId", "eventName", "workflowId", "workflowName", "dataFields"}
	dataFieldKeyOrder = []string{"email", "createdAt", "campaignId", "templateId", "campaignName", "workflowId",
		"workflowName", "templateName", "channelId", "messageTypeId", "experimentId", "messageId", "emailId"}
)

// eventJSON encodes a generated event (maps of plain values) with its keys in
// Iterable's order.
func eventJSON(v any) []byte {
	var b bytes.Buffer
	writeEventJSON(&b, v, eventKeyOrder)
	return b.Bytes()
}

func writeEventJSON(b *bytes.Buffer, v any, order []string) {
	m, ok := v.(map[string]any)
	if !ok {
		enc := json.NewEncoder(b)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(v); err != nil {
			panic("sandbox: encoding a generated event: " + err.Error()) // only plain values are generated
		}
		b.Truncate(b.Len() - 1) // Encode's newline
		return
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := func(k string) int {
		if i := slices.Index(order, k); i >= 0 {
			return i
		}
		return len(order)
	}
	slices.SortFunc(keys, func(x, y string) int {
		if c := cmp.Compare(rank(x), rank(y)); c != 0 {
			return c
		}
		return strings.Compare(x, y)
	})
	b.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			b.WriteByte(',')
		}
		writeEventJSON(b, k, nil)
		b.WriteByte(':')
		var inner []string
		if k == "dataFields" {
			inner = dataFieldKeyOrder
		}
		writeEventJSON(b, m[k], inner)
	}
	b.WriteByte('}')
}
