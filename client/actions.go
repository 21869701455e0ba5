package client

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
)

// Action describes one of the ten actions: the CLI (`iwb action`) and the
// workbench both list and run them from Actions.
type Action struct {
	Name        string // the CLI name, e.g. add-subscribers
	Title       string // the name users know from Iterable's connectors
	Description string // one line
	Method      string
	Path        string
	Required    []string // body fields the spec requires
	// OneOf: at least one of these fields must be given (who the call is about).
	OneOf []string
	// Write: the call changes the project.
	Write bool
	// ReachesPeople: every call can reach a person (asks for confirmation).
	ReachesPeople bool
	// UsersField names the array of users of a bulk action ("users",
	// "subscribers"): such an action also takes users from a file, and asks
	// for confirmation above BulkConfirmAbove users.
	UsersField string
	// newBody is the typed request the body must decode into.
	newBody func() any
	// newAnswer is the typed answer of a success.
	newAnswer func() any
	// only429: retry nothing but 429, the call may have been accepted.
	only429 bool
}

// BulkConfirmAbove is how many users a bulk write may carry before iwb asks.
const BulkConfirmAbove = 100

// Actions are the ten actions, in the order users see them.
var Actions = []Action{
	{
		Name: "add-subscribers", Title: "Add subscribers to list",
		Description: "Subscribe users to a static list, creating unknown users",
		Method:      "POST", Path: "/api/lists/subscribe",
		Required: []string{"listId", "subscribers"}, Write: true, UsersField: "subscribers",
		newBody:   func() any { return new(SubscribeRequest) },
		newAnswer: func() any { return new(BulkResponse) },
	},
	{
		Name: "bulk-upsert-users", Title: "Bulk upsert users",
		Description: "Create or update many users' data fields in one call",
		Method:      "POST", Path: "/api/users/bulkUpdate",
		Required: []string{"users"}, Write: true, UsersField: "users",
		newBody:   func() any { return new(BulkUpdateUsersRequest) },
		newAnswer: func() any { return new(BulkResponse) },
	},
	{
		Name: "create-list", Title: "Create list",
		Description: "Create a static list and return its id",
		Method:      "POST", Path: "/api/lists",
		Required: []string{"name"}, Write: true,
		newBody:   func() any { return new(CreateListRequest) },
		newAnswer: func() any { return new(CreateListResponse) },
	},
	{
		Name: "get-user", Title: "Get user by email",
		Description: "Fetch a user profile by email",
		Method:      "GET", Path: "/api/users/getByEmail",
		Required: []string{"email"},
		newBody: func() any {
			return new(struct {
				Email string `json:"email"`
			})
		},
		newAnswer: func() any { return new(UserResponse) },
	},
	{
		Name: "list-channels", Title: "List channels",
		Description: "List the project's message channels",
		Method:      "GET", Path: "/api/channels",
		newAnswer: func() any { return new(ChannelsResponse) },
	},
	{
		Name: "list-lists", Title: "List project lists",
		Description: "List the project's lists with ids and types",
		Method:      "GET", Path: "/api/lists",
		newAnswer: func() any { return new(ListsResponse) },
	},
	{
		Name: "send-sms", Title: "Send SMS",
		Description: "Send an SMS campaign to one user",
		Method:      "POST", Path: "/api/sms/target",
		Required: []string{"campaignId"}, OneOf: []string{"recipientEmail", "recipientUserId"},
		Write: true, ReachesPeople: true, only429: true,
		newBody:   func() any { return new(TargetSMSRequest) },
		newAnswer: func() any { return new(APIResponse) },
	},
	{
		Name: "track-event", Title: "Track event",
		Description: "Track a custom event on a user",
		Method:      "POST", Path: "/api/events/track",
		Required: []string{"eventName"}, OneOf: []string{"email", "userId"}, Write: true,
		newBody:   func() any { return new(TrackRequest) },
		newAnswer: func() any { return new(APIResponse) },
	},
	{
		Name: "update-subscription", Title: "Update user subscription",
		Description: "Overwrite a user's lists, channel and message type subscriptions",
		Method:      "POST", Path: "/api/users/updateSubscriptions",
		OneOf: []string{"email", "userId"}, Write: true,
		newBody:   func() any { return new(UpdateSubscriptionsRequest) },
		newAnswer: func() any { return new(APIResponse) },
	},
	{
		Name: "upsert-user", Title: "Upsert user",
		Description: "Create or update one user's data fields",
		Method:      "POST", Path: "/api/users/update",
		OneOf: []string{"email", "userId"}, Write: true,
		newBody:   func() any { return new(ApiUserUpdateRequest) },
		newAnswer: func() any { return new(APIResponse) },
	},
}

// Body is a new value of the typed request the body decodes into, nil for
// an action that takes none: a recipe's save check reads the types a field
// takes from it.
func (a Action) Body() any {
	if a.newBody == nil {
		return nil
	}
	return a.newBody()
}

// Answer is a new value of the typed answer of a success: the shape a later
// step of a recipe may take pills from.
func (a Action) Answer() any { return a.newAnswer() }

// Target is where a checked body goes: the method, the path with a GET's
// query, and the body sent (nil for a GET).
func (a Action) Target(body []byte) (method, path string, sent []byte) {
	k := a.request(body)
	path = k.path
	if len(k.query) > 0 {
		path += "?" + k.query.Encode()
	}
	return k.method, path, k.body
}

// LookupAction finds an action by its CLI name.
func LookupAction(name string) (Action, bool) {
	for _, a := range Actions {
		if a.Name == name {
			return a, true
		}
	}
	return Action{}, false
}

// ActionNames lists the CLI names, for messages.
func ActionNames() []string {
	names := make([]string, len(Actions))
	for i, a := range Actions {
		names[i] = a.Name
	}
	return names
}

// Kind says what the action does, as `iwb action list` and the workbench
// show it: read, write, bulk write, or write that reaches people.
func (a Action) Kind() string {
	switch {
	case a.ReachesPeople:
		return "write, reaches people"
	case a.UsersField != "":
		return "bulk write"
	case a.Write:
		return "write"
	}
	return "read"
}

// NeedsConfirmation says whether sending to this many users must be confirmed.
func (a Action) NeedsConfirmation(users int) bool {
	return a.ReachesPeople || (a.UsersField != "" && users > BulkConfirmAbove)
}

// InputError is a body that cannot go out: nothing was sent.
type InputError struct {
	Action  string
	Problem string
}

func (e *InputError) Error() string { return e.Action + ": " + e.Problem }

// Check validates a body against the action's required fields and the
// spec's types, and counts the users of a bulk action. A body of an action
// that takes none may be empty.
func (a Action) Check(body []byte) (users int, err error) {
	bad := func(format string, args ...any) (int, error) {
		return 0, &InputError{Action: a.Name, Problem: fmt.Sprintf(format, args...)}
	}
	body = bytes.TrimSpace(body)
	if a.newBody == nil {
		if len(body) > 0 && string(body) != "{}" {
			return bad("takes no body")
		}
		return 0, nil
	}
	if len(body) == 0 {
		body = []byte("{}")
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return bad("the body is not a JSON object: %v", jsonProblem(err))
	}
	given := func(name string) bool {
		v, ok := fields[name]
		return ok && string(v) != "null" && string(v) != `""`
	}
	var missing []string
	for _, name := range a.Required {
		if !given(name) {
			missing = append(missing, name)
		}
	}
	if len(missing) > 0 {
		return bad("missing required field %s", strings.Join(quoteAll(missing), ", "))
	}
	if len(a.OneOf) > 0 {
		found := false
		for _, name := range a.OneOf {
			found = found || given(name)
		}
		if !found {
			return bad("give %s", strings.Join(quoteAll(a.OneOf), " or "))
		}
	}
	if err := json.Unmarshal(body, a.newBody()); err != nil {
		return bad("%v", jsonProblem(err))
	}
	if a.UsersField != "" {
		var list []json.RawMessage
		_ = json.Unmarshal(fields[a.UsersField], &list) // the typed decode above checked it
		users = len(list)
	}
	return users, nil
}

func quoteAll(names []string) []string {
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	return q
}

// jsonProblem says what is wrong with a body in the user's terms.
func jsonProblem(err error) string {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		return fmt.Sprintf("field %q: %s expected, got %s", typeErr.Field, jsonTypeName(typeErr.Type.Kind().String()), typeErr.Value)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) {
		return fmt.Sprintf("invalid JSON at byte %d: %v", syntaxErr.Offset, syntaxErr)
	}
	if err == nil {
		return "null"
	}
	return err.Error()
}

func jsonTypeName(kind string) string {
	switch {
	case strings.HasPrefix(kind, "int"), strings.HasPrefix(kind, "uint"):
		return "an integer"
	case strings.HasPrefix(kind, "float"):
		return "a number"
	case kind == "bool":
		return "true or false"
	case kind == "string":
		return "a string"
	case kind == "slice":
		return "an array"
	default:
		return "an object"
	}
}

// request turns a checked body into the call that carries it.
func (a Action) request(body []byte) call {
	k := call{method: a.Method, path: a.Path, only429: a.only429}
	if a.Method == "GET" {
		var q struct {
			Email string `json:"email"`
		}
		if json.Unmarshal(body, &q) == nil && q.Email != "" {
			k.query = url.Values{"email": {q.Email}}
		}
		return k
	}
	k.body = bytes.TrimSpace(body)
	return k
}

// Run sends a body exactly as given and returns Iterable's answer as JSON.
// Check the body first. The error is *Error for an API failure, wraps
// ErrUserNotFound for get-user of an unknown email, and is *BulkFailure
// (with the answer) when some users of a bulk call failed.
func (c *Client) Run(ctx context.Context, a Action, body []byte) (json.RawMessage, error) {
	k := a.request(body)
	answer, err := c.do(ctx, k)
	if err != nil {
		return nil, err
	}
	switch {
	case a.Path == "/api/users/getByEmail":
		var r UserResponse
		if err := json.Unmarshal(answer, &r); err == nil && r.User == nil {
			return answer, fmt.Errorf("%w: %s", ErrUserNotFound, k.query.Get("email"))
		}
	case a.UsersField != "":
		var r BulkResponse
		if err := json.Unmarshal(answer, &r); err != nil {
			return answer, fmt.Errorf("%s: decoding the answer: %w", k.endpoint(), err)
		}
		if err := bulkOutcome(r); err != nil {
			return answer, err
		}
	}
	return answer, nil
}

// bulkOutcome is nil when every user was applied.
func bulkOutcome(r BulkResponse) error {
	if r.FailCount == 0 {
		return nil
	}
	f := &BulkFailure{SuccessCount: r.SuccessCount, FailCount: r.FailCount}
	if r.FailedUpdates != nil {
		f.Failed = *r.FailedUpdates
	}
	return f
}

// KeyVariable is the environment variable a shared curl reads the key from;
// iwb itself reads the key from it too.
const KeyVariable = "ITERABLE_API_KEY"

// Curl renders the request of a checked body as a curl command that runs as
// is in a POSIX shell, reading the key from $ITERABLE_API_KEY: the key
// itself is never in it, so it can be shared.
func (c *Client) Curl(a Action, body []byte) string {
	k := a.request(body)
	parts := []string{"curl", "-X", k.method, shellQuote(c.url(k)),
		"-H", `"Api-Key: $` + KeyVariable + `"`}
	if k.body != nil {
		parts = append(parts, "-H", shellQuote("Content-Type: application/json"),
			"--data-raw", shellQuote(string(k.body)))
	}
	return strings.Join(parts, " ")
}

func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// The typed calls.

// Subscribe adds users to a list (add-subscribers). Some users failing is a *BulkFailure.
func (c *Client) Subscribe(ctx context.Context, r SubscribeRequest) (*BulkResponse, error) {
	return c.bulk(ctx, "/api/lists/subscribe", r)
}

// BulkUpdateUsers creates or updates many users (bulk-upsert-users).
func (c *Client) BulkUpdateUsers(ctx context.Context, r BulkUpdateUsersRequest) (*BulkResponse, error) {
	return c.bulk(ctx, "/api/users/bulkUpdate", r)
}

func (c *Client) bulk(ctx context.Context, path string, in any) (*BulkResponse, error) {
	var out BulkResponse
	if err := c.send(ctx, call{method: "POST", path: path}, in, &out); err != nil {
		return nil, err
	}
	return &out, bulkOutcome(out)
}

// CreateList creates a static list (create-list) and returns its id.
func (c *Client) CreateList(ctx context.Context, r CreateListRequest) (int64, error) {
	var out CreateListResponse
	err := c.send(ctx, call{method: "POST", path: "/api/lists"}, r, &out)
	return out.ListID, err
}

// GetUserByEmail fetches a user (get-user); an unknown email wraps ErrUserNotFound.
func (c *Client) GetUserByEmail(ctx context.Context, email string) (*User, error) {
	return c.getUser(ctx, call{method: "GET", path: "/api/users/getByEmail", query: url.Values{"email": {email}}}, email)
}

// GetUserByUserID fetches a user by userId; an unknown one wraps ErrUserNotFound.
func (c *Client) GetUserByUserID(ctx context.Context, userID string) (*User, error) {
	return c.getUser(ctx, call{method: "GET", path: "/api/users/byUserId/{userId}", arg: userID}, userID)
}

// getUser reads UserResponse, whose empty answer means nobody has that id.
func (c *Client) getUser(ctx context.Context, k call, who string) (*User, error) {
	var out UserResponse
	if err := c.send(ctx, k, nil, &out); err != nil {
		return nil, err
	}
	if out.User == nil {
		return nil, fmt.Errorf("%w: %s", ErrUserNotFound, who)
	}
	return out.User, nil
}

// UserEvents reads the events tracked on a user, newest first, at most
// limit of them (1 to 200; 0 means Iterable's default of 30).
func (c *Client) UserEvents(ctx context.Context, email string, limit int) ([]map[string]any, error) {
	return c.events(ctx, call{method: "GET", path: "/api/events/{email}", arg: email}, limit)
}

// UserEventsByUserID is UserEvents for a user known by userId.
func (c *Client) UserEventsByUserID(ctx context.Context, userID string, limit int) ([]map[string]any, error) {
	return c.events(ctx, call{method: "GET", path: "/api/events/byUserId/{userId}", arg: userID}, limit)
}

func (c *Client) events(ctx context.Context, k call, limit int) ([]map[string]any, error) {
	if limit > 0 {
		k.query = url.Values{"limit": {strconv.Itoa(limit)}}
	}
	var out EventsResponse
	err := c.send(ctx, k, nil, &out)
	return out.Events, err
}

// campaignPages bounds Campaigns to 50,000 campaigns.
const campaignPages = 50

// Campaigns lists every campaign of the project, a page of 1,000 at a time.
func (c *Client) Campaigns(ctx context.Context) ([]Campaign, error) {
	var all []Campaign
	for page := 1; page <= campaignPages; page++ {
		var out CampaignsResponse
		k := call{method: "GET", path: "/api/campaigns",
			query: url.Values{"page": {strconv.Itoa(page)}, "pageSize": {"1000"}}}
		if err := c.send(ctx, k, nil, &out); err != nil {
			return all, err
		}
		all = append(all, out.Campaigns...)
		if out.NextPageURL == "" || len(out.Campaigns) == 0 {
			break
		}
	}
	return all, nil
}

// Channels lists the project's channels (list-channels).
func (c *Client) Channels(ctx context.Context) ([]Channel, error) {
	var out ChannelsResponse
	err := c.send(ctx, call{method: "GET", path: "/api/channels"}, nil, &out)
	return out.Channels, err
}

// Lists lists the project's lists (list-lists).
func (c *Client) Lists(ctx context.Context) ([]List, error) {
	var out ListsResponse
	err := c.send(ctx, call{method: "GET", path: "/api/lists"}, nil, &out)
	return out.Lists, err
}

// SendSMS sends an SMS campaign to one user (send-sms). Only a 429 is retried.
func (c *Client) SendSMS(ctx context.Context, r TargetSMSRequest) (*APIResponse, error) {
	return c.write(ctx, call{method: "POST", path: "/api/sms/target", only429: true}, r)
}

// TrackEvent tracks a custom event (track-event).
func (c *Client) TrackEvent(ctx context.Context, r TrackRequest) (*APIResponse, error) {
	return c.write(ctx, call{method: "POST", path: "/api/events/track"}, r)
}

// UpdateSubscriptions overwrites the subscription fields sent (update-subscription).
func (c *Client) UpdateSubscriptions(ctx context.Context, r UpdateSubscriptionsRequest) (*APIResponse, error) {
	return c.write(ctx, call{method: "POST", path: "/api/users/updateSubscriptions"}, r)
}

// UpdateUser creates or updates one user (upsert-user).
func (c *Client) UpdateUser(ctx context.Context, r ApiUserUpdateRequest) (*APIResponse, error) {
	return c.write(ctx, call{method: "POST", path: "/api/users/update"}, r)
}

func (c *Client) write(ctx context.Context, k call, in any) (*APIResponse, error) {
	var out APIResponse
	if err := c.send(ctx, k, in, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// UserFields lists the project's user fields: dotted path → type.
func (c *Client) UserFields(ctx context.Context) (map[string]string, error) {
	var out UserFieldsResponse
	err := c.send(ctx, call{method: "GET", path: "/api/users/getFields"}, nil, &out)
	return out.Fields, err
}

// MessageTypes lists the project's message types.
func (c *Client) MessageTypes(ctx context.Context) ([]MessageType, error) {
	var out MessageTypesResponse
	err := c.send(ctx, call{method: "GET", path: "/api/messageTypes"}, nil, &out)
	return out.MessageTypes, err
}

// Journeys lists one page of journeys (pageSize at most 50); their ids are workflow ids.
func (c *Client) Journeys(ctx context.Context, page, pageSize int) (*JourneysResponse, error) {
	var out JourneysResponse
	k := call{method: "GET", path: "/api/journeys",
		query: url.Values{"page": {strconv.Itoa(page)}, "pageSize": {strconv.Itoa(pageSize)}}}
	if err := c.send(ctx, k, nil, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Webhooks lists the project's system webhooks.
func (c *Client) Webhooks(ctx context.Context) ([]Webhook, error) {
	var out WebhooksResponse
	err := c.send(ctx, call{method: "GET", path: "/api/webhooks"}, nil, &out)
	return out.Webhooks, err
}

// PointWebhook points system webhook id at endpoint and enables it. Iterable
// sends a non-empty token as-is in the Authorization header (its "Basic" auth
// type); an empty one turns the webhook's auth off.
func (c *Client) PointWebhook(ctx context.Context, id int64, endpoint, token string) (*Webhook, error) {
	enabled, authType := true, "NoAuth"
	up := WebhookUpdate{ID: id, Endpoint: &endpoint, Enabled: &enabled, AuthType: &authType}
	if token != "" {
		authType, up.AuthToken = "Basic", &token
	}
	return c.UpdateWebhook(ctx, up)
}

// UpdateWebhook changes a system webhook (there is no create call).
func (c *Client) UpdateWebhook(ctx context.Context, r WebhookUpdate) (*Webhook, error) {
	var out Webhook
	if err := c.send(ctx, call{method: "POST", path: "/api/webhooks"}, r, &out); err != nil {
		return nil, err
	}
	return &out, nil
}
