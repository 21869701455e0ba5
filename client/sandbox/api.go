package sandbox

import (
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/iwb-dev/iwb/client"
)

// userWrite is one user of users/update, bulkUpdate or lists/subscribe.
type userWrite struct {
	email, userID   string
	dataFields      map[string]any
	mergeNested     bool
	createNewFields *bool
	onlyExisting    bool
}

type outcome int

const (
	applied outcome = iota
	invalidEmail
	conflict
	notFound
	invalidData
)

// writeResult is what applying a userWrite did.
type writeResult struct {
	user              *user // nil in a stateless sandbox
	outcome           outcome
	created, filtered []string
	clash             *typeClash
}

func validEmail(e string) bool {
	at := strings.IndexByte(e, '@')
	return at > 0 && at == strings.LastIndexByte(e, '@') && strings.Contains(e[at:], ".") &&
		!strings.ContainsAny(e, " \t\r\n,;<>") && !strings.HasSuffix(e, ".")
}

// placeholderDomain gives users created by userId alone an email, as
// Iterable's hybrid projects do.
const placeholderDomain = "@placeholder.email"

// applyUser finds or creates the user and merges the data fields. The caller holds s.mu.
func (s *Sandbox) applyUser(in userWrite, now time.Time) writeResult {
	if in.email != "" && !validEmail(in.email) {
		return writeResult{outcome: invalidEmail}
	}
	var u *user
	if !s.stateless {
		byEmail, byID := s.users[in.email], s.byUserID[in.userID]
		if byEmail != nil && byID != nil && byEmail != byID ||
			byEmail != nil && in.userID != "" && byEmail.userID != "" && byEmail.userID != in.userID {
			return writeResult{outcome: conflict}
		}
		u = byEmail
		if u == nil {
			u = byID
		}
		if u == nil && in.onlyExisting {
			return writeResult{outcome: notFound}
		}
	}
	if in.dataFields == nil {
		in.dataFields = map[string]any{}
	}
	created, filtered, clash := s.checkTypes("user", in.dataFields, in.createNewFields)
	if clash != nil {
		return writeResult{outcome: invalidData, clash: clash}
	}
	res := writeResult{created: created, filtered: filtered}
	if s.stateless {
		return res
	}
	if u == nil {
		email := in.email
		if email == "" {
			email = in.userID + placeholderDomain
		}
		u = &user{email: email, dataFields: map[string]any{}, signupDate: now}
		s.users[email] = u
	}
	if in.userID != "" && u.userID == "" {
		u.userID = in.userID
		s.byUserID[in.userID] = u
	}
	mergeFields(u.dataFields, in.dataFields, in.mergeNested)
	u.updatedAt = now
	res.user = u
	return res
}

// iterableTime is how Iterable writes dates in profiles and webhooks.
const iterableTime = "2006-01-02 15:04:05 -07:00"

func formatTime(t time.Time) string { return t.UTC().Format(iterableTime) }

// profile is the user as getByEmail shows it.
func (u *user) profile() client.User {
	df := maps.Clone(u.dataFields)
	df["email"] = u.email
	df["emailListIds"] = append([]int64{}, u.listIDs...)
	df["signupDate"] = formatTime(u.signupDate)
	df["profileUpdatedAt"] = formatTime(u.updatedAt)
	if u.userID != "" {
		df["userId"] = u.userID
	}
	for name, ids := range map[string][]int64{
		"unsubscribedChannelIds":     u.unsubscribedChannelIDs,
		"unsubscribedMessageTypeIds": u.unsubscribedMessageTypeIDs,
		"subscribedMessageTypeIds":   u.subscribedMessageTypeIDs,
	} {
		if ids != nil {
			df[name] = ids
		}
	}
	return client.User{Email: u.email, UserID: u.userID, DataFields: df}
}

func boolValue(b *bool) bool { return b != nil && *b }

// identified answers 400 BadParams, as Iterable does, when a request names
// its user by neither email nor userId.
func identified(w http.ResponseWriter, email, userID string) bool {
	if email == "" && userID == "" {
		badParams(w, "Either email or userId must be provided")
		return false
	}
	return true
}

// refused answers a single-user write whose email is invalid or whose email
// and userId belong to different users.
func refused(w http.ResponseWriter, o outcome, email, userID string) bool {
	switch o {
	case invalidEmail:
		writeError(w, "InvalidEmailAddressError", "Invalid email: "+email, nil)
	case conflict:
		writeError(w, "ExternalKeyConflict", fmt.Sprintf("Email %q and userId %q belong to different users", email, userID), nil)
	default:
		return false
	}
	return true
}

func (s *Sandbox) updateUser(w http.ResponseWriter, r *http.Request) {
	var req client.ApiUserUpdateRequest
	if !readBody(w, r, &req) {
		return
	}
	if !identified(w, req.Email, req.UserID) {
		return
	}
	s.mu.Lock()
	res := s.applyUser(userWrite{email: req.Email, userID: req.UserID, dataFields: req.DataFields,
		mergeNested: boolValue(req.MergeNestedObjects), createNewFields: req.CreateNewFields}, time.Now())
	s.mu.Unlock()
	switch {
	case refused(w, res.outcome, req.Email, req.UserID):
	case res.outcome == invalidData:
		writeError(w, "RequestFieldsTypesMismatched", res.clash.msg,
			map[string]any{"validationErrors": res.clash.fields})
	default:
		writeSuccess(w, "This user has been updated.", nil)
	}
}

// failedUpdates is FailedUserUpdates with every list present, as Iterable answers.
type failedUpdates map[string][]string

func newFailedUpdates() failedUpdates {
	f := failedUpdates{}
	for _, k := range []string{"invalidEmails", "invalidUserIds", "notFoundEmails", "notFoundUserIds",
		"forgottenEmails", "forgottenUserIds", "conflictEmails", "conflictUserIds", "invalidDataEmails", "invalidDataUserIds"} {
		f[k] = []string{}
	}
	return f
}

func (f failedUpdates) add(o outcome, email, userID string) {
	kind := map[outcome]string{invalidEmail: "invalid", conflict: "conflict", notFound: "notFound", invalidData: "invalidData"}[o]
	if email != "" {
		f[kind+"Emails"] = append(f[kind+"Emails"], email)
	} else {
		f[kind+"UserIds"] = append(f[kind+"UserIds"], userID)
	}
}

// applyUsers runs a bulk call's users and answers UserBulkUpdateListResponse.
// each (may be nil) is called for every applied user, under s.mu.
func (s *Sandbox) applyUsers(w http.ResponseWriter, users []client.OptionalApiUser, createNewFields *bool, onlyExisting bool, each func(*user)) {
	failed := newFailedUpdates()
	success, fails := 0, 0
	created, filtered := map[string]bool{}, map[string]bool{}
	now := time.Now()
	s.mu.Lock()
	for _, in := range users {
		if in.Email == "" && in.UserID == "" {
			fails++
			failed["invalidEmails"] = append(failed["invalidEmails"], "")
			continue
		}
		res := s.applyUser(userWrite{email: in.Email, userID: in.UserID, dataFields: in.DataFields,
			mergeNested: boolValue(in.MergeNestedObjects), createNewFields: createNewFields, onlyExisting: onlyExisting}, now)
		if res.outcome != applied {
			fails++
			failed.add(res.outcome, in.Email, in.UserID)
			continue
		}
		success++
		for _, f := range res.created {
			created[f] = true
		}
		for _, f := range res.filtered {
			filtered[f] = true
		}
		if each != nil && res.user != nil {
			each(res.user)
		}
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, map[string]any{
		"successCount": success, "failCount": fails,
		"createdFields": sortedKeys(created), "filteredOutFields": sortedKeys(filtered),
		"failedUpdates":  failed,
		"invalidEmails":  failed["invalidEmails"],
		"invalidUserIds": failed["invalidUserIds"],
	})
}

func (s *Sandbox) bulkUpdate(w http.ResponseWriter, r *http.Request) {
	var req client.BulkUpdateUsersRequest
	if !readBody(w, r, &req) {
		return
	}
	if req.Users == nil {
		badParams(w, "users is required")
		return
	}
	s.applyUsers(w, req.Users, req.CreateNewFields, false, nil)
}

func (s *Sandbox) subscribe(w http.ResponseWriter, r *http.Request) {
	var req client.SubscribeRequest
	if !readBody(w, r, &req) {
		return
	}
	if req.ListID == 0 || req.Subscribers == nil {
		badParams(w, "listId and subscribers are required")
		return
	}
	s.mu.Lock()
	known := slices.ContainsFunc(s.lists, func(l client.List) bool { return l.ID == req.ListID })
	s.mu.Unlock()
	if !known {
		badParams(w, fmt.Sprintf("List %d does not exist", req.ListID))
		return
	}
	s.applyUsers(w, req.Subscribers, nil, boolValue(req.UpdateExistingUsersOnly), func(u *user) {
		if !slices.Contains(u.listIDs, req.ListID) {
			u.listIDs = append(u.listIDs, req.ListID)
			s.queueSubscription("emailSubscribe", u, []int64{req.ListID}, nil)
		}
	})
}

func (s *Sandbox) getLists(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	lists := slices.Clone(s.lists)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, client.ListsResponse{Lists: lists})
}

func (s *Sandbox) createList(w http.ResponseWriter, r *http.Request) {
	var req client.CreateListRequest
	if !readBody(w, r, &req) {
		return
	}
	if strings.TrimSpace(req.Name) == "" {
		badParams(w, "name is required")
		return
	}
	s.mu.Lock()
	id := s.addList(req.Name, req.Description, time.Now())
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, client.CreateListResponse{ListID: id})
}

// addList makes a static list; the caller holds s.mu.
func (s *Sandbox) addList(name, description string, now time.Time) int64 {
	id := s.nextListID
	s.nextListID++
	s.lists = append(s.lists, client.List{ID: id, Name: name, Description: description,
		CreatedAt: now.UnixMilli(), ListType: "Standard"})
	return id
}

func (s *Sandbox) getChannels(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, client.ChannelsResponse{Channels: channels})
}

func (s *Sandbox) getMessageTypes(w http.ResponseWriter, r *http.Request) {
	writeJSON(w, http.StatusOK, client.MessageTypesResponse{MessageTypes: messageTypes})
}

func (s *Sandbox) getFields(w http.ResponseWriter, r *http.Request) {
	fields := map[string]string{
		"email": "string", "userId": "string", "emailListIds": "long",
		"signupDate": "date", "profileUpdatedAt": "date",
	}
	s.mu.Lock()
	maps.Copy(fields, s.fieldTypes["user"])
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, client.UserFieldsResponse{Fields: fields})
}

func (s *Sandbox) track(w http.ResponseWriter, r *http.Request) {
	var req client.TrackRequest
	if !readBody(w, r, &req) {
		return
	}
	if req.EventName == "" {
		badParams(w, "eventName is required")
		return
	}
	if !identified(w, req.Email, req.UserID) {
		return
	}
	if len(req.ID) > 512 {
		badParams(w, "id is longer than 512 bytes")
		return
	}
	now := time.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if req.DataFields == nil {
		req.DataFields = map[string]any{}
	}
	if _, _, clash := s.checkTypes("event:"+req.EventName, req.DataFields, req.CreateNewFields); clash != nil {
		writeError(w, "RequestFieldsTypesMismatched", clash.msg, map[string]any{"validationErrors": clash.fields})
		return
	}
	res := s.applyUser(userWrite{email: req.Email, userID: req.UserID}, now)
	if refused(w, res.outcome, req.Email, req.UserID) {
		return
	}
	ev := trackedEvent{ID: req.ID, EventName: req.EventName, CreatedAt: now.Unix(), DataFields: req.DataFields,
		CampaignID: req.CampaignID, TemplateID: req.TemplateID}
	if req.CreatedAt != nil {
		ev.CreatedAt = *req.CreatedAt
	}
	if ev.ID == "" {
		ev.ID = NewKey()
	}
	if u := res.user; u != nil {
		if i := slices.IndexFunc(u.events, func(e trackedEvent) bool { return e.ID == ev.ID }); i >= 0 {
			u.events[i] = ev // the same id updates the event
		} else {
			u.events = append(u.events, ev)
			if len(u.events) > maxEventsPerUser {
				u.events = slices.Delete(u.events, 0, len(u.events)-maxEventsPerUser)
			}
		}
	}
	writeSuccess(w, "Event with id: "+ev.ID+" tracked.", map[string]any{"id": ev.ID})
}

// Events are the events tracked on a user, oldest first.
func (s *Sandbox) Events(email string) []client.TrackRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	u := s.users[email]
	if u == nil {
		return nil
	}
	out := make([]client.TrackRequest, len(u.events))
	for i, e := range u.events {
		created := e.CreatedAt
		out[i] = client.TrackRequest{EventName: e.EventName, Email: u.email, UserID: u.userID, ID: e.ID,
			CreatedAt: &created, DataFields: e.DataFields}
	}
	return out
}

func (s *Sandbox) updateSubscriptions(w http.ResponseWriter, r *http.Request) {
	var req client.UpdateSubscriptionsRequest
	if !readBody(w, r, &req) {
		return
	}
	if !identified(w, req.Email, req.UserID) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, id := range req.EmailListIDs {
		if !slices.ContainsFunc(s.lists, func(l client.List) bool { return l.ID == id }) {
			badParams(w, fmt.Sprintf("List %d does not exist", id))
			return
		}
	}
	res := s.applyUser(userWrite{email: req.Email, userID: req.UserID}, time.Now())
	if refused(w, res.outcome, req.Email, req.UserID) {
		return
	}
	u := res.user
	if u == nil {
		writeSuccess(w, "", nil)
		return
	}
	// Every field sent overwrites; a field not sent (null) is kept.
	if req.EmailListIDs != nil {
		added, removed := client.IDChanges(u.listIDs, req.EmailListIDs)
		u.listIDs = slices.Clone(req.EmailListIDs)
		if len(added) > 0 {
			s.queueSubscription("emailSubscribe", u, added, nil)
		}
		if len(removed) > 0 {
			s.queueSubscription("emailUnSubscribe", u, removed, nil)
		}
	}
	if req.UnsubscribedChannelIDs != nil {
		added, _ := client.IDChanges(u.unsubscribedChannelIDs, req.UnsubscribedChannelIDs)
		u.unsubscribedChannelIDs = slices.Clone(req.UnsubscribedChannelIDs)
		if len(added) > 0 {
			s.queueSubscription("emailUnSubscribe", u, nil, added)
		}
	}
	if req.UnsubscribedMessageTypeIDs != nil {
		u.unsubscribedMessageTypeIDs = slices.Clone(req.UnsubscribedMessageTypeIDs)
	}
	if req.SubscribedMessageTypeIDs != nil {
		u.subscribedMessageTypeIDs = slices.Clone(req.SubscribedMessageTypeIDs)
	}
	writeSuccess(w, "", nil)
}

// smsTimeLayout is sendAt's format (UTC).
const smsTimeLayout = "2006-01-02 15:04:05"

func (s *Sandbox) sendSMS(w http.ResponseWriter, r *http.Request) {
	var req client.TargetSMSRequest
	if !readBody(w, r, &req) {
		return
	}
	if req.CampaignID == 0 {
		badParams(w, "campaignId is required")
		return
	}
	if req.RecipientEmail == "" && req.RecipientUserID == "" {
		badParams(w, "Either recipientEmail or recipientUserId must be provided")
		return
	}
	if req.SendAt != "" {
		at, err := time.Parse(smsTimeLayout, req.SendAt)
		if err != nil {
			badParams(w, "sendAt must look like "+smsTimeLayout)
			return
		}
		if at.After(time.Now().AddDate(0, 0, 365)) {
			badParams(w, "sendAt must be at most 365 days ahead")
			return
		}
	}
	if c, ok := campaignByID(req.CampaignID); !ok || c.MessageMedium != "SMS" {
		badParams(w, fmt.Sprintf("campaignId %d is not an SMS campaign of project %d", req.CampaignID, ProjectID))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var u *user
	if req.RecipientEmail != "" {
		if u = s.users[req.RecipientEmail]; u == nil {
			writeError(w, "UnknownEmailError", "No user exists with email "+req.RecipientEmail, nil)
			return
		}
	} else if u = s.byUserID[req.RecipientUserID]; u == nil {
		writeError(w, "UnknownUserIdError", "No user exists with userId "+req.RecipientUserID, nil)
		return
	}
	s.queue(s.smsSendEvent(u, req.CampaignID))
	writeSuccess(w, "", nil)
}
