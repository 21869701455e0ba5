package client

// Request and response bodies, field for field as the definitions of
// Iterable's published API spec (v1.8). Optional scalars are
// pointers so that a field not given is not sent: updateSubscriptions, for
// one, overwrites every field it receives.

import "slices"

// OptionalApiUser is one user of a bulk update or a list subscription.
type OptionalApiUser struct {
	Email              string         `json:"email,omitempty"`
	UserID             string         `json:"userId,omitempty"`
	DataFields         map[string]any `json:"dataFields,omitempty"`
	PreferUserID       *bool          `json:"preferUserId,omitempty"`
	MergeNestedObjects *bool          `json:"mergeNestedObjects,omitempty"`
}

// SubscribeRequest is the body of POST /api/lists/subscribe.
type SubscribeRequest struct {
	ListID                  int64             `json:"listId"`
	Subscribers             []OptionalApiUser `json:"subscribers"`
	UpdateExistingUsersOnly *bool             `json:"updateExistingUsersOnly,omitempty"`
}

// BulkUpdateUsersRequest is the body of POST /api/users/bulkUpdate.
type BulkUpdateUsersRequest struct {
	Users           []OptionalApiUser `json:"users"`
	CreateNewFields *bool             `json:"createNewFields,omitempty"`
}

// CreateListRequest is the body of POST /api/lists.
type CreateListRequest struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// CreateListResponse answers POST /api/lists.
type CreateListResponse struct {
	ListID int64 `json:"listId"`
}

// TargetSMSRequest is the body of POST /api/sms/target.
type TargetSMSRequest struct {
	CampaignID                int64          `json:"campaignId"`
	RecipientEmail            string         `json:"recipientEmail,omitempty"`
	RecipientUserID           string         `json:"recipientUserId,omitempty"`
	DataFields                map[string]any `json:"dataFields,omitempty"`
	SendAt                    string         `json:"sendAt,omitempty"` // yyyy-MM-dd HH:mm:ss, UTC
	AllowRepeatMarketingSends *bool          `json:"allowRepeatMarketingSends,omitempty"`
}

// TrackRequest is the body of POST /api/events/track.
type TrackRequest struct {
	EventName       string         `json:"eventName"`
	Email           string         `json:"email,omitempty"`
	UserID          string         `json:"userId,omitempty"`
	ID              string         `json:"id,omitempty"`
	CreatedAt       *int64         `json:"createdAt,omitempty"` // unix seconds
	DataFields      map[string]any `json:"dataFields,omitempty"`
	CampaignID      *int64         `json:"campaignId,omitempty"`
	TemplateID      *int64         `json:"templateId,omitempty"`
	CreateNewFields *bool          `json:"createNewFields,omitempty"`
}

// IDChanges are the ids of next not in prev (added) and of prev not in next
// (removed): what sending a subscription set as next changes.
func IDChanges(prev, next []int64) (added, removed []int64) {
	for _, id := range next {
		if !slices.Contains(prev, id) {
			added = append(added, id)
		}
	}
	for _, id := range prev {
		if !slices.Contains(next, id) {
			removed = append(removed, id)
		}
	}
	return added, removed
}

// UpdateSubscriptionsRequest is the body of POST /api/users/updateSubscriptions.
// Iterable overwrites every list it is sent, so nil slices are left out and an
// empty non-nil slice clears the field.
type UpdateSubscriptionsRequest struct {
	Email                      string  `json:"email,omitempty"`
	UserID                     string  `json:"userId,omitempty"`
	EmailListIDs               []int64 `json:"emailListIds,omitzero"`
	UnsubscribedChannelIDs     []int64 `json:"unsubscribedChannelIds,omitzero"`
	UnsubscribedMessageTypeIDs []int64 `json:"unsubscribedMessageTypeIds,omitzero"`
	SubscribedMessageTypeIDs   []int64 `json:"subscribedMessageTypeIds,omitzero"`
	CampaignID                 *int64  `json:"campaignId,omitempty"`
	TemplateID                 *int64  `json:"templateId,omitempty"`
	ValidateChannelAlignment   *bool   `json:"validateChannelAlignment,omitempty"`
}

// ApiUserUpdateRequest is the body of POST /api/users/update.
type ApiUserUpdateRequest struct {
	Email              string         `json:"email,omitempty"`
	UserID             string         `json:"userId,omitempty"`
	DataFields         map[string]any `json:"dataFields,omitempty"`
	PreferUserID       *bool          `json:"preferUserId,omitempty"`
	MergeNestedObjects *bool          `json:"mergeNestedObjects,omitempty"`
	CreateNewFields    *bool          `json:"createNewFields,omitempty"`
}

// APIResponse is IterableApiResponse, the answer of write calls.
type APIResponse struct {
	Msg    string         `json:"msg"`
	Code   string         `json:"code"`
	Params map[string]any `json:"params"`
}

// User is ApiResponseUser.
type User struct {
	Email      string         `json:"email"`
	UserID     string         `json:"userId,omitempty"`
	DataFields map[string]any `json:"dataFields,omitempty"`
}

// UserResponse answers GET /api/users/getByEmail; User is nil for an unknown email.
type UserResponse struct {
	User *User `json:"user,omitempty"`
}

// FailedUserUpdates lists the users a bulk call could not apply, by reason.
type FailedUserUpdates struct {
	ConflictEmails     []string `json:"conflictEmails,omitempty"`
	ConflictUserIDs    []string `json:"conflictUserIds,omitempty"`
	ForgottenEmails    []string `json:"forgottenEmails,omitempty"`
	ForgottenUserIDs   []string `json:"forgottenUserIds,omitempty"`
	InvalidDataEmails  []string `json:"invalidDataEmails,omitempty"`
	InvalidDataUserIDs []string `json:"invalidDataUserIds,omitempty"`
	InvalidEmails      []string `json:"invalidEmails,omitempty"`
	InvalidUserIDs     []string `json:"invalidUserIds,omitempty"`
	NotFoundEmails     []string `json:"notFoundEmails,omitempty"`
	NotFoundUserIDs    []string `json:"notFoundUserIds,omitempty"`
}

// reasons pairs each list with its JSON name, so merging and counting stay in one place.
func (f *FailedUserUpdates) reasons() []struct {
	name string
	ids  *[]string
} {
	return []struct {
		name string
		ids  *[]string
	}{
		{"conflictEmails", &f.ConflictEmails}, {"conflictUserIds", &f.ConflictUserIDs},
		{"forgottenEmails", &f.ForgottenEmails}, {"forgottenUserIds", &f.ForgottenUserIDs},
		{"invalidDataEmails", &f.InvalidDataEmails}, {"invalidDataUserIds", &f.InvalidDataUserIDs},
		{"invalidEmails", &f.InvalidEmails}, {"invalidUserIds", &f.InvalidUserIDs},
		{"notFoundEmails", &f.NotFoundEmails}, {"notFoundUserIds", &f.NotFoundUserIDs},
	}
}

// Merge appends every failed user of other.
func (f *FailedUserUpdates) Merge(other FailedUserUpdates) {
	theirs := other.reasons()
	for i, r := range f.reasons() {
		*r.ids = append(*r.ids, *theirs[i].ids...)
	}
}

// Count is how many users are listed.
func (f *FailedUserUpdates) Count() int {
	n := 0
	for _, r := range f.reasons() {
		n += len(*r.ids)
	}
	return n
}

// BulkResponse is UserBulkUpdateListResponse, the answer of bulkUpdate and
// lists/subscribe. Iterable answers 200 even when some users failed.
type BulkResponse struct {
	SuccessCount      int                `json:"successCount"`
	FailCount         int                `json:"failCount"`
	CreatedFields     []string           `json:"createdFields,omitempty"`
	FilteredOutFields []string           `json:"filteredOutFields,omitempty"`
	FailedUpdates     *FailedUserUpdates `json:"failedUpdates,omitempty"`
	InvalidEmails     []string           `json:"invalidEmails,omitempty"`  // deprecated duplicate
	InvalidUserIDs    []string           `json:"invalidUserIds,omitempty"` // deprecated duplicate
}

// List is ListDetails.
type List struct {
	ID                         int64  `json:"id"`
	Name                       string `json:"name"`
	CreatedAt                  int64  `json:"createdAt"` // epoch ms
	ListType                   string `json:"listType"`
	Description                string `json:"description,omitempty"`
	IsGlobalSuppressionEnabled *bool  `json:"isGlobalSuppressionEnabled,omitempty"`
}

// ListsResponse is GetListsResponse.
type ListsResponse struct {
	Lists []List `json:"lists"`
}

// Channel is ChannelDetails.
type Channel struct {
	ID            int64  `json:"id"`
	Name          string `json:"name"`
	ChannelType   string `json:"channelType"`   // Marketing or Transactional
	MessageMedium string `json:"messageMedium"` // Email, Push, SMS, WebPush
}

// ChannelsResponse is ChannelsResponse.
type ChannelsResponse struct {
	Channels []Channel `json:"channels"`
}

// MessageType is MessageTypeDetails.
type MessageType struct {
	ID                 int64  `json:"id"`
	Name               string `json:"name"`
	ChannelID          int64  `json:"channelId"`
	CreatedAt          int64  `json:"createdAt"`
	UpdatedAt          int64  `json:"updatedAt"`
	SubscriptionPolicy string `json:"subscriptionPolicy"` // OptIn or OptOut
	RateLimitPerMinute *int64 `json:"rateLimitPerMinute,omitempty"`
}

// MessageTypesResponse is MessageTypesResponse.
type MessageTypesResponse struct {
	MessageTypes []MessageType `json:"messageTypes"`
}

// UserFieldsResponse is GetUserFieldsResponse: dotted path → type.
type UserFieldsResponse struct {
	Fields map[string]string `json:"fields"`
}

// Journey is JourneyDetails; its ID is the workflowId of journey webhooks.
type Journey struct {
	ID                int64    `json:"id"`
	Name              string   `json:"name"`
	Enabled           bool     `json:"enabled"`
	IsArchived        bool     `json:"isArchived"`
	JourneyType       string   `json:"journeyType,omitempty"`
	CreatedAt         int64    `json:"createdAt,omitempty"`
	UpdatedAt         int64    `json:"updatedAt,omitempty"`
	CreatorUserID     string   `json:"creatorUserId,omitempty"`
	TriggerEventNames []string `json:"triggerEventNames,omitempty"`
	StartTileID       *int64   `json:"startTileId,omitempty"`
	LifetimeLimit     *int64   `json:"lifetimeLimit,omitempty"`
	SimultaneousLimit *int64   `json:"simultaneousLimit,omitempty"`
}

// JourneysResponse is GetJourneysResponse.
type JourneysResponse struct {
	Journeys           []Journey `json:"journeys"`
	TotalJourneysCount int64     `json:"totalJourneysCount"`
	NextPageURL        string    `json:"nextPageUrl,omitempty"`
	PreviousPageURL    string    `json:"previousPageUrl,omitempty"`
}

// Webhook is ApiWebhookResponse.
type Webhook struct {
	ID                   int64   `json:"id"`
	Endpoint             string  `json:"endpoint"`
	Enabled              bool    `json:"enabled"`
	AuthType             string  `json:"authType"`
	BlastSendEnabled     bool    `json:"blastSendEnabled"`
	TriggeredSendEnabled bool    `json:"triggeredSendEnabled"`
	ChannelIDs           []int64 `json:"channelIds"`
	MessageTypeIDs       []int64 `json:"messageTypeIds"`
}

// WebhooksResponse is GetWebhooksResponse.
type WebhooksResponse struct {
	Webhooks []Webhook `json:"webhooks"`
}

// Header is LinkParam, a custom header Iterable sends with a webhook.
type Header struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

// WebhookUpdate is ApiWebhookModel, the body of POST /api/webhooks.
type WebhookUpdate struct {
	ID                   int64    `json:"id"`
	Endpoint             *string  `json:"endpoint,omitempty"`
	Enabled              *bool    `json:"enabled,omitempty"`
	AuthType             *string  `json:"authType,omitempty"` // NoAuth, Basic or OAuth2
	AuthToken            *string  `json:"authToken,omitempty"`
	Headers              []Header `json:"headers,omitempty"`
	BlastSendEnabled     *bool    `json:"blastSendEnabled,omitempty"`
	TriggeredSendEnabled *bool    `json:"triggeredSendEnabled,omitempty"`
}

// Campaign is CampaignDetails.
type Campaign struct {
	ID              int64    `json:"id"`
	Name            string   `json:"name"`
	CampaignState   string   `json:"campaignState"` // Draft, Ready, Scheduled, Running, Finished, …, Archived
	Type            string   `json:"type"`          // Blast or Triggered
	MessageMedium   string   `json:"messageMedium"` // Email, Push, SMS, InApp, WebPush, …
	TemplateID      int64    `json:"templateId,omitempty"`
	CreatedAt       int64    `json:"createdAt"` // epoch ms
	UpdatedAt       int64    `json:"updatedAt"`
	StartAt         int64    `json:"startAt,omitempty"`
	EndedAt         int64    `json:"endedAt,omitempty"`
	CreatedByUserID string   `json:"createdByUserId"`
	UpdatedByUserID string   `json:"updatedByUserId,omitempty"`
	WorkflowID      int64    `json:"workflowId,omitempty"`
	Labels          []string `json:"labels,omitempty"`
	ListIDs         []int64  `json:"listIds,omitempty"`
}

// CampaignsResponse is GetCampaignsResponse (CampaignsResponse).
type CampaignsResponse struct {
	Campaigns           []Campaign `json:"campaigns"`
	NextPageURL         string     `json:"nextPageUrl,omitempty"`
	PreviousPageURL     string     `json:"previousPageUrl,omitempty"`
	TotalCampaignsCount int64      `json:"totalCampaignsCount,omitempty"` // only on a paged read
}

// EventsResponse is GetEventsResponse: a user's events, newest first. Their
// shape is not fixed; a tracked custom event carries eventName, createdAt,
// email, userId and dataFields.
type EventsResponse struct {
	Events []map[string]any `json:"events"`
}
