package sandbox

import (
	"cmp"
	"encoding/json"
	"slices"
	"time"

	"github.com/iwb-dev/iwb/client"
)

// firstListID is the seeded Newsletter list's id; created lists follow it.
const firstListID = 2001

// seededAt is when the fake project was made; fixed so answers are stable.
var seededAt = time.Date(2025, 3, 4, 9, 30, 0, 0, time.UTC)

// channels: Email, Push, SMS and WebPush, each Marketing and Transactional.
var channels = []client.Channel{
	{ID: 101, Name: "Marketing Email", ChannelType: "Marketing", MessageMedium: "Email"},
	{ID: 102, Name: "Transactional Email", ChannelType: "Transactional", MessageMedium: "Email"},
	{ID: 103, Name: "Marketing Push", ChannelType: "Marketing", MessageMedium: "Push"},
	{ID: 104, Name: "Transactional Push", ChannelType: "Transactional", MessageMedium: "Push"},
	{ID: 105, Name: "Marketing SMS", ChannelType: "Marketing", MessageMedium: "SMS"},
	{ID: 106, Name: "Transactional SMS", ChannelType: "Transactional", MessageMedium: "SMS"},
	{ID: 107, Name: "Marketing Web Push", ChannelType: "Marketing", MessageMedium: "WebPush"},
	{ID: 108, Name: "Transactional Web Push", ChannelType: "Transactional", MessageMedium: "WebPush"},
}

// messageTypes: one per channel.
var messageTypes = func() []client.MessageType {
	names := []string{"Newsletter", "Receipts", "Promotions", "Account alerts", "Flash sales", "Delivery updates", "Browser offers", "Browser reminders"}
	out := make([]client.MessageType, len(channels))
	for i, c := range channels {
		out[i] = client.MessageType{ID: 201 + int64(i), Name: names[i], ChannelID: c.ID,
			CreatedAt: seededAt.UnixMilli(), UpdatedAt: seededAt.UnixMilli(), SubscriptionPolicy: "OptOut"}
	}
	return out
}()

// journeys: their ids are the workflowId of journey webhooks. All of them are
// live; archivedJourneys lists those GET /api/journeys hides unless asked.
var journeys = []client.Journey{
	{ID: 4101, Name: "Welcome series", Enabled: true, JourneyType: "Journey", CreatedAt: seededAt.UnixMilli(), UpdatedAt: seededAt.UnixMilli(), TriggerEventNames: []string{"signup"}},
	{ID: 4102, Name: "Abandoned cart", Enabled: true, JourneyType: "Journey", CreatedAt: seededAt.Add(time.Hour).UnixMilli(), UpdatedAt: seededAt.Add(48 * time.Hour).UnixMilli(), TriggerEventNames: []string{"cartAbandoned"}},
	{ID: 4103, Name: "Win-back", Enabled: false, JourneyType: "Journey", CreatedAt: seededAt.Add(2 * time.Hour).UnixMilli(), UpdatedAt: seededAt.Add(2 * time.Hour).UnixMilli()},
}

var archivedJourneys = []client.Journey{
	{ID: 4099, Name: "Holiday 2024", Enabled: false, IsArchived: true, JourneyType: "Journey", CreatedAt: seededAt.Add(-90 * 24 * time.Hour).UnixMilli(), UpdatedAt: seededAt.Add(-30 * 24 * time.Hour).UnixMilli()},
}

// campaign is a message the fake project sends.
type campaign struct {
	ID, TemplateID, ChannelID, MessageTypeID int64
	Name, TemplateName                       string
	Medium, Type, State                      string // CampaignDetails' messageMedium, type, campaignState
}

// campaigns are keyed by the event family whose webhooks name them; every
// one of them is listed by GET /api/campaigns.
var campaigns = map[string]campaign{
	"email":    {ID: 73001, TemplateID: 91001, ChannelID: 101, MessageTypeID: 201, Name: "Spring sale", TemplateName: "Spring sale email", Medium: "Email", Type: "Triggered", State: "Running"},
	"push":     {ID: 73002, TemplateID: 91002, ChannelID: 103, MessageTypeID: 203, Name: "Back in stock", TemplateName: "Back in stock push", Medium: "Push", Type: "Triggered", State: "Running"},
	"sms":      {ID: 73003, TemplateID: 91003, ChannelID: 105, MessageTypeID: 205, Name: "Flash sale SMS", TemplateName: "Flash sale text", Medium: "SMS", Type: "Triggered", State: "Running"},
	"inApp":    {ID: 73004, TemplateID: 91004, ChannelID: 103, MessageTypeID: 203, Name: "New feature tour", TemplateName: "Feature tour in-app", Medium: "InApp", Type: "Triggered", State: "Running"},
	"webPush":  {ID: 73005, TemplateID: 91005, ChannelID: 107, MessageTypeID: 207, Name: "Price drop", TemplateName: "Price drop web push", Medium: "WebPush", Type: "Triggered", State: "Running"},
	"embedded": {ID: 73006, TemplateID: 91006, ChannelID: 103, MessageTypeID: 203, Name: "Home banner", TemplateName: "Home banner card", Medium: "Embedded", Type: "Triggered", State: "Running"},
	"whatsApp": {ID: 73007, TemplateID: 91007, ChannelID: 106, MessageTypeID: 206, Name: "Order shipped", TemplateName: "Order shipped WhatsApp", Medium: "WhatsApp", Type: "Triggered", State: "Running"},
	"blast":    {ID: 73008, TemplateID: 91008, ChannelID: 101, MessageTypeID: 201, Name: "March newsletter", TemplateName: "Newsletter March", Medium: "Email", Type: "Blast", State: "Finished"},
}

// campaignList is every seeded campaign as CampaignDetails, by id.
var campaignList = func() []client.Campaign {
	out := make([]client.Campaign, 0, len(campaigns))
	for _, c := range campaigns {
		at := seededAt.Add(time.Duration(c.ID-73000) * time.Hour).UnixMilli()
		d := client.Campaign{ID: c.ID, Name: c.Name, TemplateID: c.TemplateID, MessageMedium: c.Medium,
			Type: c.Type, CampaignState: c.State, CreatedAt: at, UpdatedAt: at, StartAt: at,
			CreatedByUserID: "owner@example.com", Labels: []string{}}
		if c.Type == "Blast" {
			d.ListIDs = []int64{firstListID}
		}
		out = append(out, d)
	}
	slices.SortFunc(out, func(a, b client.Campaign) int { return cmp.Compare(a.ID, b.ID) })
	return out
}()

// SMSCampaignID is the seeded SMS campaign, for Send SMS in demos.
const SMSCampaignID = 73003

// seedUsers are the project's first users; their fields set the field types.
var seedUsers = []string{
	`{"email":"ada@example.com","userId":"u-1001","dataFields":{"firstName":"Ada","city":"London","plan":"pro","phoneNumber":"+447700900101","score":42}}`,
	`{"email":"grace@example.com","userId":"u-1002","dataFields":{"firstName":"Grace","city":"New York","plan":"free","phoneNumber":"+12025550102","score":17}}`,
	`{"email":"linus@example.com","userId":"u-1003","dataFields":{"firstName":"Linus","city":"Helsinki","plan":"pro","phoneNumber":"+358401234503","score":8}}`,
	`{"email":"margaret@example.com","userId":"u-1004","dataFields":{"firstName":"Margaret","city":"Boston","plan":"team","phoneNumber":"+16175550104","score":99}}`,
	`{"email":"alan@example.com","userId":"u-1005","dataFields":{"firstName":"Alan","city":"Manchester","plan":"free","phoneNumber":"+447700900105","score":23}}`,
}

// seed fills the fake project; New calls it before the sandbox is shared.
func (s *Sandbox) seed() {
	s.mu.Lock()
	defer s.mu.Unlock()
	newsletter := s.addList("Newsletter", "Everyone who asked for the weekly newsletter", seededAt)
	for _, raw := range seedUsers {
		var in client.OptionalApiUser
		if err := json.Unmarshal([]byte(raw), &in); err != nil {
			panic("sandbox: bad seed user: " + err.Error()) // a programming error, caught by every test
		}
		res := s.applyUser(userWrite{email: in.Email, userID: in.UserID, dataFields: in.DataFields}, seededAt)
		if res.user != nil {
			res.user.listIDs = []int64{newsletter}
		}
	}
}
