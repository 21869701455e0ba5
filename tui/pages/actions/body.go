package actions

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/client/history"
	"github.com/iwb-dev/iwb/schema"
)

func intOrNil(s string) *int64 {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil
	}
	return &n
}

// createdAtLayouts are the dates and date-times Track event's createdAt
// takes besides epoch seconds; a time without a zone is UTC.
var createdAtLayouts = []string{time.DateOnly, time.DateTime, "2006-01-02 15:04:05 -07:00", time.RFC3339}

// parseCreatedAt reads createdAt as epoch seconds, a date or a date-time;
// empty is nil (Iterable uses the time it receives the event).
func parseCreatedAt(s string) (*int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return &n, nil
	}
	for _, l := range createdAtLayouts {
		if t, err := time.Parse(l, s); err == nil {
			n := t.Unix()
			return &n, nil
		}
	}
	return nil, fmt.Errorf("created at takes epoch seconds, a date like 2026-11-27 or a date-time like 2026-11-27 10:00:00 (UTC), not %q", s)
}

// createdAtOrNil is createdAt as sent; the form refuses what does not parse.
func createdAtOrNil(s string) *int64 {
	n, _ := parseCreatedAt(s)
	return n
}

// boolIfNot is the flag to send: nil (left out) when it is the spec's default.
func boolIfNot(v, def bool) *bool {
	if v == def {
		return nil
	}
	return &v
}

// triState is createNewFields to send: nil leaves it to the project.
func triState(s string) *bool {
	if s != yesValue && s != noValue {
		return nil
	}
	v := s == yesValue
	return &v
}

// buildBody is the request body of the form's values. dataFields are
// already built (nil when none); for bulk actions from a file the users are
// left out (the stream adds them).
func buildBody(a client.Action, v *formValues, picks *pickData, subs *subscriptions, data map[string]any) ([]byte, error) {
	email, userID := strings.TrimSpace(v.email), strings.TrimSpace(v.userID)
	var body any
	switch a.Name {
	case "upsert-user":
		body = client.ApiUserUpdateRequest{Email: email, UserID: userID, DataFields: data,
			PreferUserID: boolIfNot(v.preferUserID, false), MergeNestedObjects: boolIfNot(v.mergeNested, false),
			CreateNewFields: triState(v.createNewFields)}
	case "add-subscribers":
		id, err := strconv.ParseInt(strings.TrimSpace(v.listID), 10, 64)
		if err != nil {
			return nil, errors.New("choose the list (or type its id)")
		}
		body = client.SubscribeRequest{ListID: id, Subscribers: bulkUsers(v, data),
			UpdateExistingUsersOnly: boolIfNot(v.updateExistingOnly, false)}
	case "bulk-upsert-users":
		body = client.BulkUpdateUsersRequest{Users: bulkUsers(v, data), CreateNewFields: triState(v.createNewFields)}
	case "create-list":
		body = client.CreateListRequest{Name: strings.TrimSpace(v.name), Description: v.description}
	case "get-user":
		body = map[string]string{"email": email}
	case "list-channels", "list-lists":
		return nil, nil
	case "send-sms":
		campaign := v.campaignID
		if v.campaignPick != "" {
			campaign = v.campaignPick
		}
		id, _ := strconv.ParseInt(strings.TrimSpace(campaign), 10, 64)
		body = client.TargetSMSRequest{CampaignID: id, RecipientEmail: email, RecipientUserID: userID, DataFields: data,
			SendAt: strings.TrimSpace(v.sendAt), AllowRepeatMarketingSends: boolIfNot(v.allowRepeat, true)}
	case "track-event":
		body = client.TrackRequest{EventName: strings.TrimSpace(v.eventName), Email: email, UserID: userID,
			ID: v.eventID, CreatedAt: createdAtOrNil(v.createdAt), DataFields: data,
			CampaignID: intOrNil(v.campaignID), TemplateID: intOrNil(v.templateID), CreateNewFields: triState(v.createNewFields)}
	case "update-subscription":
		sets := sentSets(v, picks, subs)
		body = client.UpdateSubscriptionsRequest{Email: email, UserID: userID,
			EmailListIDs: sets[setLists], UnsubscribedChannelIDs: sets[setUnsubChannels],
			UnsubscribedMessageTypeIDs: sets[setUnsubTypes], SubscribedMessageTypeIDs: sets[setSubTypes],
			CampaignID: intOrNil(v.campaignID), TemplateID: intOrNil(v.templateID),
			ValidateChannelAlignment: boolIfNot(v.validateAlignment, true)}
	default:
		return nil, fmt.Errorf("unknown action %s", a.Name)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s body: %w", a.Name, err)
	}
	if a.UsersField != "" && v.usersFrom == usersFile {
		// The users come from the file; the body holds the other fields.
		var m map[string]json.RawMessage
		_ = json.Unmarshal(b, &m)
		delete(m, a.UsersField)
		b, _ = json.Marshal(m)
	}
	return b, nil
}

// bulkUsers are the typed users, each with the data fields.
func bulkUsers(v *formValues, data map[string]any) []client.OptionalApiUser {
	if v.usersFrom != usersTyped {
		return nil
	}
	users := typedUsers(v.usersText)
	for i := range users {
		users[i].DataFields = data
	}
	return users
}

// valuesFromBody fills a form from a request body: a run again from the
// history, a profile to edit, a list to add subscribers to. Fields the body
// lacks keep their defaults.
func valuesFromBody(a client.Action, body []byte, project schema.ProjectFields) *formValues {
	v := newFormValues()
	if len(body) == 0 {
		return v
	}
	setTri := func(b *bool) {
		if b != nil {
			v.createNewFields = map[bool]string{true: yesValue, false: noValue}[*b]
		}
	}
	str := func(n *int64) string {
		if n == nil {
			return ""
		}
		return strconv.FormatInt(*n, 10)
	}
	switch a.Name {
	case "upsert-user":
		var r client.ApiUserUpdateRequest
		_ = json.Unmarshal(body, &r)
		v.email, v.userID = r.Email, r.UserID
		v.fields = rowsFromData(r.DataFields, project)
		v.mergeNested, v.preferUserID = r.MergeNestedObjects != nil && *r.MergeNestedObjects, r.PreferUserID != nil && *r.PreferUserID
		setTri(r.CreateNewFields)
	case "add-subscribers", "bulk-upsert-users":
		var m map[string]json.RawMessage
		_ = json.Unmarshal(body, &m)
		if path, ok := m[history.UsersFileKey]; ok {
			v.usersFrom = usersFile
			_ = json.Unmarshal(path, &v.filePath)
		}
		var users []client.OptionalApiUser
		_ = json.Unmarshal(m[a.UsersField], &users)
		var lines []string
		for _, u := range users {
			lines = append(lines, cmpOr(u.Email, u.UserID))
		}
		v.usersText = strings.Join(lines, "\n")
		if len(users) > 0 {
			v.fields = rowsFromData(users[0].DataFields, project)
		}
		if a.Name == "add-subscribers" {
			var r client.SubscribeRequest
			_ = json.Unmarshal(body, &r)
			if r.ListID != 0 {
				v.listID = strconv.FormatInt(r.ListID, 10)
			}
			v.updateExistingOnly = r.UpdateExistingUsersOnly != nil && *r.UpdateExistingUsersOnly
		} else {
			var r client.BulkUpdateUsersRequest
			_ = json.Unmarshal(body, &r)
			setTri(r.CreateNewFields)
		}
	case "create-list":
		var r client.CreateListRequest
		_ = json.Unmarshal(body, &r)
		v.name, v.description = r.Name, r.Description
	case "get-user":
		var r struct{ Email string }
		_ = json.Unmarshal(body, &r)
		v.email = r.Email
	case "send-sms":
		var r client.TargetSMSRequest
		_ = json.Unmarshal(body, &r)
		v.campaignID = str(&r.CampaignID)
		v.email, v.userID, v.sendAt = r.RecipientEmail, r.RecipientUserID, r.SendAt
		v.fields = rowsFromData(r.DataFields, nil)
		v.allowRepeat = r.AllowRepeatMarketingSends == nil || *r.AllowRepeatMarketingSends
	case "track-event":
		var r client.TrackRequest
		_ = json.Unmarshal(body, &r)
		v.eventName, v.email, v.userID, v.eventID = r.EventName, r.Email, r.UserID, r.ID
		v.createdAt, v.campaignID, v.templateID = str(r.CreatedAt), str(r.CampaignID), str(r.TemplateID)
		v.fields = rowsFromData(r.DataFields, nil)
		setTri(r.CreateNewFields)
	case "update-subscription":
		var r client.UpdateSubscriptionsRequest
		_ = json.Unmarshal(body, &r)
		v.email, v.userID, v.requested = r.Email, r.UserID, true
		v.emailLists, v.unsubChannels, v.unsubTypes, v.subTypes = r.EmailListIDs, r.UnsubscribedChannelIDs, r.UnsubscribedMessageTypeIDs, r.SubscribedMessageTypeIDs
		v.emailListsText, v.unsubChannelsText = joinIDs(r.EmailListIDs), joinIDs(r.UnsubscribedChannelIDs)
		v.unsubTypesText, v.subTypesText = joinIDs(r.UnsubscribedMessageTypeIDs), joinIDs(r.SubscribedMessageTypeIDs)
		v.campaignID, v.templateID = str(r.CampaignID), str(r.TemplateID)
		v.validateAlignment = r.ValidateChannelAlignment == nil || *r.ValidateChannelAlignment
	}
	return v
}

func cmpOr(a, b string) string {
	if a != "" {
		return a
	}
	return b
}

func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ", ")
}

// rowsFromData turns a dataFields object back into builder rows: nested
// objects become dotted names, typed as the project has them or as their
// JSON value reads.
func rowsFromData(data map[string]any, project schema.ProjectFields) []schema.DataField {
	var rows []schema.DataField
	var walk func(prefix string, m map[string]any)
	walk = func(prefix string, m map[string]any) {
		names := make([]string, 0, len(m))
		for k := range m {
			names = append(names, k)
		}
		slices.Sort(names)
		for _, k := range names {
			name := prefix + k
			val := m[k]
			if sub, ok := val.(map[string]any); ok && len(sub) > 0 && project[name] != schema.DataObject && project[name] != schema.DataGeoLocation {
				walk(name+".", sub)
				continue
			}
			rows = append(rows, rowOf(name, val, project))
		}
	}
	walk("", data)
	return rows
}

func rowOf(name string, val any, project schema.ProjectFields) schema.DataField {
	row := schema.DataField{Name: name, Type: project[name]}
	text := func(x any) string {
		switch x := x.(type) {
		case string:
			return x
		case nil:
			return ""
		}
		b, _ := json.Marshal(x)
		return string(b)
	}
	if list, ok := val.([]any); ok {
		row.Array = true
		row.Text = text(list)
		if row.Type == "" && len(list) > 0 {
			row.Type = jsonDataType(list[0])
		}
		return row
	}
	row.Text = text(val)
	if row.Type == "" {
		row.Type = jsonDataType(val)
	}
	return row
}

// jsonDataType is the Iterable type a decoded JSON value reads as.
func jsonDataType(v any) schema.DataType {
	switch x := v.(type) {
	case bool:
		return schema.DataBoolean
	case float64:
		if x == float64(int64(x)) {
			return schema.DataLong
		}
		return schema.DataDouble
	case json.Number:
		if _, err := x.Int64(); err == nil {
			return schema.DataLong
		}
		return schema.DataDouble
	case map[string]any:
		return schema.DataObject
	}
	return schema.DataString
}
