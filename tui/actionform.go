package tui

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"
	"charm.land/huh/v2"

	"github.com/iwb-dev/iwb/client"
	"github.com/iwb-dev/iwb/schema"
)

// Users of a bulk action come typed in the form or from a file.
const (
	usersTyped = "typed"
	usersFile  = "file"
)

// Tri-state for createNewFields: the spec's default is the project's setting.
const (
	projectSetting = "project"
	yesValue       = "yes"
	noValue        = "no"
)

// fileKey is the history's stand-in for users read from a file: the request
// kept is the envelope and the file's path, not every user.
const fileKey = "_usersFromFile"

// formValues are every field any action's form can hold; huh writes into
// them and the body is built from them, so a form reopened after an error or
// from the history starts from the same values.
type formValues struct {
	email, userID                 string
	listID                        string // typed, or the chosen list's id
	name, description             string
	eventName, eventID, createdAt string
	campaignID, templateID        string
	sendAt                        string
	createNewFields               string // projectSetting, yesValue or noValue
	mergeNested, preferUserID     bool
	updateExistingOnly            bool
	allowRepeat                   bool // spec default true
	validateAlignment             bool // spec default true
	emailLists, unsubChannels     []int64
	unsubTypes, subTypes          []int64
	emailListsText                string // typed ids when a pick list failed to load
	unsubChannelsText             string
	unsubTypesText, subTypesText  string
	usersFrom                     string
	usersText, filePath           string
	fields                        []schema.DataField
}

func newFormValues() *formValues {
	return &formValues{createNewFields: projectSetting, allowRepeat: true, validateAlignment: true, usersFrom: usersTyped}
}

// input is a copy of the values to tell user input from what the form was
// opened with: slices are copied, and an empty one is nil, since a pick
// list may hold either when nothing is chosen.
func (v *formValues) input() formValues {
	c := *v
	c.emailLists, c.unsubChannels = copyOrNil(v.emailLists), copyOrNil(v.unsubChannels)
	c.unsubTypes, c.subTypes = copyOrNil(v.unsubTypes), copyOrNil(v.subTypes)
	c.fields = copyOrNil(v.fields)
	return c
}

func copyOrNil[T any](s []T) []T {
	if len(s) == 0 {
		return nil
	}
	return slices.Clone(s)
}

// takesDataFields says whether the action's body carries dataFields.
func takesDataFields(a client.Action) bool {
	switch a.Name {
	case "upsert-user", "add-subscribers", "bulk-upsert-users", "track-event", "send-sms":
		return true
	}
	return false
}

// userFieldsAction says whether the action's dataFields are user profile
// fields, typed by the project's getFields (events and SMS merge fields are not).
func userFieldsAction(a client.Action) bool {
	switch a.Name {
	case "upsert-user", "add-subscribers", "bulk-upsert-users":
		return true
	}
	return false
}

// needsPicks says whether opening the action loads the account's pick lists
// (Get user by email names the lists in the profile and edits it typed).
func needsPicks(a client.Action) bool {
	return takesDataFields(a) || a.Name == "update-subscription" || a.Name == "get-user"
}

// hasForm says whether the action asks for anything before the review.
func hasForm(a client.Action) bool {
	return a.Name != "list-channels" && a.Name != "list-lists"
}

// Validation of what the user types, one clear line each.
func required(what string) func(string) error {
	return func(s string) error {
		if strings.TrimSpace(s) == "" {
			return errors.New(what + " is required")
		}
		return nil
	}
}

func optionalInt(what string) func(string) error {
	return func(s string) error {
		s = strings.TrimSpace(s)
		if s == "" {
			return nil
		}
		if _, err := strconv.ParseInt(s, 10, 64); err != nil {
			return fmt.Errorf("%s takes a whole number, like 73003", what)
		}
		return nil
	}
}

func requiredInt(what string) func(string) error {
	return func(s string) error {
		if err := required(what)(s); err != nil {
			return err
		}
		return optionalInt(what)(s)
	}
}

func validateEmail(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	if i := strings.IndexByte(s, '@'); i <= 0 || i == len(s)-1 || strings.ContainsAny(s, " \t") {
		return fmt.Errorf("%q is not an email address", s)
	}
	return nil
}

func validateIDList(s string) error {
	_, err := parseIDs(s)
	return err
}

func parseIDs(s string) ([]int64, error) {
	var out []int64
	for part := range strings.SplitSeq(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		n, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not an id; type ids separated by commas, like 2001, 2002", part)
		}
		out = append(out, n)
	}
	return out, nil
}

func validateSendAt(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return nil
	}
	at, err := time.Parse("2006-01-02 15:04:05", s)
	if err != nil {
		return errors.New("type the time as yyyy-MM-dd HH:mm:ss (UTC), or leave it empty to send now")
	}
	if at.After(time.Now().AddDate(0, 0, 365)) {
		return errors.New("Iterable schedules at most 365 days ahead")
	}
	return nil
}

// validateUsersFile checks the name only: reading the file is I/O, done
// in a command when the review counts its users.
func validateUsersFile(s string) error {
	s = strings.TrimSpace(s)
	if s == "" {
		return errors.New("type the path of a .jsonl or .csv file")
	}
	switch strings.ToLower(filepath.Ext(s)) {
	case ".jsonl", ".ndjson", ".csv":
		return nil
	}
	return errors.New("the file must end in .jsonl or .csv")
}

// identityFields are the email and userId inputs: one of them, never both.
func identityFields(v *formValues, emailTitle, idTitle string, fieldErrs map[string]string, emailKey, idKey string) []huh.Field {
	eitherOr := func(string) error {
		e, u := strings.TrimSpace(v.email), strings.TrimSpace(v.userID)
		switch {
		case e == "" && u == "":
			return errors.New("give an email or a userId")
		case e != "" && u != "":
			return errors.New("give an email or a userId, not both")
		}
		return nil
	}
	return []huh.Field{
		huh.NewInput().Title(emailTitle).Description(withErr("email-based projects identify users by email", fieldErrs[emailKey])).
			Value(&v.email).Validate(validateEmail),
		huh.NewInput().Title(idTitle).Description(withErr("or a userId (userID-based and hybrid projects); leave one empty", fieldErrs[idKey])).
			Value(&v.userID).Validate(eitherOr),
	}
}

// withErr appends Iterable's message about a field to its description.
func withErr(desc, err string) string {
	if err == "" {
		return desc
	}
	return desc + "\n✗ " + err
}

func toggle(title, desc string, val *bool) *huh.Confirm {
	def := "no"
	if *val {
		def = "yes"
	}
	return huh.NewConfirm().Title(title).Description(desc + " (spec default: " + def + ")").
		Affirmative("yes").Negative("no").Value(val)
}

func createNewFieldsSelect(v *formValues) huh.Field {
	return huh.NewSelect[string]().Title("Create new fields").
		Description("add fields the project lacks (spec default: the project's setting)").
		Options(huh.NewOption("project setting", projectSetting), huh.NewOption("yes", yesValue), huh.NewOption("no", noValue)).
		Value(&v.createNewFields)
}

// idPicker is a multi-select over the account's items, or a typed list of
// ids when the pick list could not be loaded.
func idPicker(title, desc string, opts []huh.Option[int64], loadErr error, chosen *[]int64, typed *string) huh.Field {
	if loadErr != nil {
		return huh.NewInput().Title(title).Description(desc + "\n⚠ the list could not be loaded (" + oneLine(loadErr) + "): type ids, comma separated").
			Value(typed).Validate(validateIDList)
	}
	for i := range opts {
		opts[i] = opts[i].Selected(slices.Contains(*chosen, opts[i].Value))
	}
	// huh's multi-select takes its height from its options alone unless
	// told, and then hides them under its title: the title and the
	// one-line description are counted in.
	return huh.NewMultiSelect[int64]().Title(title).Description(desc).Options(opts...).Value(chosen).Height(min(len(opts), 8) + 2)
}

func oneLine(err error) string {
	s := strings.Join(strings.Fields(err.Error()), " ")
	if len([]rune(s)) > 80 {
		s = string([]rune(s)[:80]) + "…"
	}
	return s
}

// buildForm is a fresh huh form for the action, on values v, with the
// account's pick lists and Iterable's messages about fields (fieldErrs).
func buildForm(a client.Action, v *formValues, picks *pickData, fieldErrs map[string]string) *huh.Form {
	var groups []*huh.Group
	add := func(fields ...huh.Field) { groups = append(groups, huh.NewGroup(fields...)) }
	switch a.Name {
	case "upsert-user":
		add(append(identityFields(v, "Email", "User ID", fieldErrs, "email", "userId"),
			toggle("Merge nested objects", "merge top-level objects instead of overwriting them", &v.mergeNested),
			toggle("Prefer userId", "create a new user for an unknown userId", &v.preferUserID),
			createNewFieldsSelect(v))...)
	case "add-subscribers", "bulk-upsert-users":
		var first []huh.Field
		if a.Name == "add-subscribers" {
			first = append(first, listPicker(v, picks, fieldErrs["listId"]))
		}
		first = append(first, huh.NewSelect[string]().Title("Users from").
			Options(huh.NewOption("typed here", usersTyped), huh.NewOption("a .jsonl or .csv file", usersFile)).Value(&v.usersFrom))
		if a.Name == "add-subscribers" {
			first = append(first, toggle("Update existing users only", "skip users the project lacks (userID-based and hybrid projects)", &v.updateExistingOnly))
		} else {
			first = append(first, createNewFieldsSelect(v))
		}
		add(first...)
		groups = append(groups,
			huh.NewGroup(huh.NewText().Title("Users").
				Description(withErr("one per line: an email, or a userId; the data fields come next and apply to each", fieldErrs[a.UsersField])).
				Value(&v.usersText).Validate(validateTypedUsers).Lines(5)).
				WithHideFunc(func() bool { return v.usersFrom != usersTyped }),
			huh.NewGroup(huh.NewInput().Title("File").
				Description(withErr("JSON Lines (one user object per line) or CSV (a header row; email, userId and data field columns)", fieldErrs["file"])).
				Value(&v.filePath).Validate(validateUsersFile)).
				WithHideFunc(func() bool { return v.usersFrom != usersFile }))
	case "create-list":
		add(huh.NewInput().Title("Name *").Description(withErr("the new static list's name", fieldErrs["name"])).Value(&v.name).Validate(required("a name")),
			huh.NewInput().Title("Description").Value(&v.description))
	case "get-user":
		add(huh.NewInput().Title("Email *").Description(withErr("the user's email", fieldErrs["email"])).Value(&v.email).
			Validate(func(s string) error {
				if err := required("an email")(s); err != nil {
					return err
				}
				return validateEmail(s)
			}))
	case "send-sms":
		add(append([]huh.Field{huh.NewInput().Title("Campaign ID *").Description(withErr("the SMS campaign to send", fieldErrs["campaignId"])).
			Value(&v.campaignID).Validate(requiredInt("the campaign id"))},
			append(identityFields(v, "Recipient email", "Recipient user ID", fieldErrs, "recipientEmail", "recipientUserId"),
				huh.NewInput().Title("Send at").Description(withErr("yyyy-MM-dd HH:mm:ss UTC, at most 365 days ahead; empty sends now", fieldErrs["sendAt"])).
					Value(&v.sendAt).Validate(validateSendAt),
				toggle("Allow repeat marketing sends", "send even if the user already got this campaign", &v.allowRepeat))...)...)
	case "track-event":
		add(append([]huh.Field{huh.NewInput().Title("Event name *").Description(withErr("e.g. purchase", fieldErrs["eventName"])).
			Value(&v.eventName).Validate(required("an event name"))},
			append(identityFields(v, "Email", "User ID", fieldErrs, "email", "userId"),
				huh.NewInput().Title("Event id").Description("optional; the same id updates the event (at most 512 bytes)").Value(&v.eventID).
					Validate(func(s string) error {
						if len(s) > 512 {
							return errors.New("an event id is at most 512 bytes")
						}
						return nil
					}),
				huh.NewInput().Title("Created at").Description("unix seconds; empty means now").Value(&v.createdAt).Validate(optionalInt("created at")),
				huh.NewInput().Title("Campaign ID").Value(&v.campaignID).Validate(optionalInt("the campaign id")),
				huh.NewInput().Title("Template ID").Value(&v.templateID).Validate(optionalInt("the template id")),
				createNewFieldsSelect(v))...)...)
	case "update-subscription":
		var lists, channels, types []huh.Option[int64]
		for _, l := range picks.lists {
			lists = append(lists, huh.NewOption(fmt.Sprintf("%s (%d)", l.Name, l.ID), l.ID))
		}
		for _, c := range picks.channels {
			channels = append(channels, huh.NewOption(fmt.Sprintf("%s (%d)", c.Name, c.ID), c.ID))
		}
		for _, t := range picks.messageTypes {
			types = append(types, huh.NewOption(fmt.Sprintf("%s (%d)", t.Name, t.ID), t.ID))
		}
		typesSub := slices.Clone(types)
		add(identityFields(v, "Email", "User ID", fieldErrs, "email", "userId")...)
		keep := " · none chosen: left as is"
		add(idPicker("Email lists", "the user's lists"+keep, lists, picks.listsErr, &v.emailLists, &v.emailListsText),
			idPicker("Unsubscribed channels", "no messages on these"+keep, channels, picks.channelsErr, &v.unsubChannels, &v.unsubChannelsText))
		add(idPicker("Unsubscribed message types", "opted out of these"+keep, types, picks.typesErr, &v.unsubTypes, &v.unsubTypesText),
			idPicker("Subscribed message types", "opted in to these"+keep, typesSub, picks.typesErr, &v.subTypes, &v.subTypesText))
		add(huh.NewInput().Title("Campaign ID").Value(&v.campaignID).Validate(optionalInt("the campaign id")),
			huh.NewInput().Title("Template ID").Value(&v.templateID).Validate(optionalInt("the template id")),
			toggle("Validate channel alignment", "refuse message types of unsubscribed channels", &v.validateAlignment))
	}
	return huh.NewForm(groups...).WithShowHelp(false)
}

// listPicker chooses the list of Add subscribers, or takes its id typed when
// the lists could not be loaded.
func listPicker(v *formValues, picks *pickData, fieldErr string) huh.Field {
	if picks.listsErr != nil || len(picks.lists) == 0 {
		desc := "the static list's id"
		if picks.listsErr != nil {
			desc += "\n⚠ the lists could not be loaded (" + oneLine(picks.listsErr) + "): type the id"
		}
		return huh.NewInput().Title("List ID *").Description(withErr(desc, fieldErr)).Value(&v.listID).Validate(requiredInt("the list id"))
	}
	opts := make([]huh.Option[string], len(picks.lists))
	for i, l := range picks.lists {
		opts[i] = huh.NewOption(fmt.Sprintf("%s (%d)", l.Name, l.ID), strconv.FormatInt(l.ID, 10))
	}
	if v.listID == "" {
		v.listID = opts[0].Value
	}
	return huh.NewSelect[string]().Title("List *").Description(withErr("the static list to add them to", fieldErr)).
		Options(opts...).Value(&v.listID)
}

// typedUsers reads the typed users: one per line, an email when it has an @.
func typedUsers(text string) []client.OptionalApiUser {
	var out []client.OptionalApiUser
	for line := range strings.SplitSeq(text, "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.Contains(line, "@"):
			out = append(out, client.OptionalApiUser{Email: line})
		default:
			out = append(out, client.OptionalApiUser{UserID: line})
		}
	}
	return out
}

func validateTypedUsers(text string) error {
	users := typedUsers(text)
	if len(users) == 0 {
		return errors.New("type at least one user: an email or a userId per line")
	}
	for i, u := range users {
		if u.Email != "" {
			if err := validateEmail(u.Email); err != nil {
				return fmt.Errorf("line %d: %w", i+1, err)
			}
		}
	}
	return nil
}

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

// idsOf is the chosen ids, or the typed ones when the list did not load.
func idsOf(chosen []int64, typed string, typedUsed bool) []int64 {
	ids := chosen
	if typedUsed {
		ids, _ = parseIDs(typed) // validated in the form
	}
	if len(ids) == 0 {
		return nil // left out: nothing chosen keeps the user's as they are
	}
	return ids
}

// buildBody is the request body of the form's values. dataFields are
// already built (nil when none); for bulk actions from a file the users are
// left out (the stream adds them).
func buildBody(a client.Action, v *formValues, picks *pickData, data map[string]any) ([]byte, error) {
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
		id, _ := strconv.ParseInt(strings.TrimSpace(v.campaignID), 10, 64)
		body = client.TargetSMSRequest{CampaignID: id, RecipientEmail: email, RecipientUserID: userID, DataFields: data,
			SendAt: strings.TrimSpace(v.sendAt), AllowRepeatMarketingSends: boolIfNot(v.allowRepeat, true)}
	case "track-event":
		body = client.TrackRequest{EventName: strings.TrimSpace(v.eventName), Email: email, UserID: userID,
			ID: v.eventID, CreatedAt: intOrNil(v.createdAt), DataFields: data,
			CampaignID: intOrNil(v.campaignID), TemplateID: intOrNil(v.templateID), CreateNewFields: triState(v.createNewFields)}
	case "update-subscription":
		body = client.UpdateSubscriptionsRequest{Email: email, UserID: userID,
			EmailListIDs:               idsOf(v.emailLists, v.emailListsText, picks.listsErr != nil),
			UnsubscribedChannelIDs:     idsOf(v.unsubChannels, v.unsubChannelsText, picks.channelsErr != nil),
			UnsubscribedMessageTypeIDs: idsOf(v.unsubTypes, v.unsubTypesText, picks.typesErr != nil),
			SubscribedMessageTypeIDs:   idsOf(v.subTypes, v.subTypesText, picks.typesErr != nil),
			CampaignID:                 intOrNil(v.campaignID), TemplateID: intOrNil(v.templateID),
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
		if path, ok := m[fileKey]; ok {
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
		v.email, v.userID = r.Email, r.UserID
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

// Messages of a form's own end, told apart by the opening they belong to.
type (
	actionFormDoneMsg   struct{ gen int }
	actionFormCancelMsg struct{ gen int }
)

// themed sizes and themes a fresh form for its pane.
func themed(f *huh.Form, th Theme, w, h, gen int) *huh.Form {
	theme := huh.ThemeFunc(func(bool) *huh.Styles { return huh.ThemeCharm(th.Dark) })
	if th.NoColor {
		theme = huh.ThemeFunc(huh.ThemeBase)
	}
	// Three lines stay free under the fields for huh's validation errors,
	// which it draws below its height.
	f = f.WithTheme(theme).WithWidth(max(w, 20)).WithHeight(max(h-3, 5))
	f.SubmitCmd = func() tea.Msg { return actionFormDoneMsg{gen} }
	f.CancelCmd = func() tea.Msg { return actionFormCancelMsg{gen} }
	return f
}
