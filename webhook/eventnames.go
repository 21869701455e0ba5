package webhook

import (
	"slices"
	"strings"
)

// EventGroup is one channel's system webhook event names, in the order
// Iterable's System Webhooks page lists them.
type EventGroup struct {
	Channel string   `json:"channel"`
	Names   []string `json:"names"`
}

// EventGroups lists the system webhook event names Iterable documents, grouped
// by channel (the New Object trigger's pick list). Note the capital S in
// emailUnSubscribe: names are case-sensitive.
var EventGroups = []EventGroup{
	{"Email", []string{"emailSend", "emailOpen", "emailClick", "emailBounce", "emailComplaint",
		"emailSendSkip", "emailSubscribe", "emailUnSubscribe", "hostedUnsubscribeClick"}},
	{"Push", []string{"pushSend", "pushOpen", "pushBounce", "pushUninstall", "pushSendSkip"}},
	{"SMS", []string{"smsSend", "smsBounce", "smsClick", "smsReceived", "smsSendSkip"}},
	{"In-app", []string{"inAppSend", "inAppOpen", "inAppClick", "inAppClose", "inAppDelete",
		"inAppDelivery", "inAppRecall", "inAppSendSkip"}},
	{"Web push", []string{"webPushSend", "webPushClick", "webPushSendSkip"}},
	{"Embedded", []string{"embeddedSend", "embeddedSendSkip", "embeddedClick", "embeddedReceived",
		"embeddedImpression", "embeddedSession"}},
	{"WhatsApp", []string{"whatsAppSend", "whatsAppBounce", "whatsAppClick", "whatsAppReceived",
		"whatsAppSeen", "whatsAppSendSkip"}},
	{"Journey", []string{"journeyExit"}},
}

// specOnlyEventNames appear in Iterable's API export enum but not on its
// System Webhooks page; they are accepted without a warning.
var specOnlyEventNames = []string{"inboxSession", "inboxMessageImpression", "rcsSend", "rcsSendSkip"}

// EventNames returns every documented system webhook event name, flat.
func EventNames() []string {
	var names []string
	for _, g := range EventGroups {
		names = append(names, g.Names...)
	}
	return names
}

// KnownEventName reports whether Iterable documents name (exact case).
func KnownEventName(name string) bool {
	return slices.Contains(EventNames(), name) || slices.Contains(specOnlyEventNames, name)
}

// SuggestEventName returns the documented event name closest to name, or ""
// when none is close enough to be what the user meant.
func SuggestEventName(name string) string {
	lower := strings.ToLower(name)
	best, bestDist := "", -1
	for _, known := range append(EventNames(), specOnlyEventNames...) {
		d := editDistance(lower, strings.ToLower(known))
		if bestDist < 0 || d < bestDist {
			best, bestDist = known, d
		}
	}
	if bestDist > max(2, len(name)/3) {
		return ""
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, by bytes.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
